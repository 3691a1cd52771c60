// Store: the durable home of every tenant's profiles, bases, purposes and
// suppression lists. Callers reach storage only through this interface, so a
// PostgreSQL store can replace the embedded SQLite one without touching them.
//
// Every table is keyed by tenant. A write is durable when the call (or the
// enclosing Commit) returns OK. A Store is used from one thread at a time.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/domain.h"
#include "core/status.h"
#include "store/event_log.h"
#include "suppression/suppression.h"

namespace fairlead {

struct SuppressionEntry {
  std::string list;  // "robinson-de", "tps", "unsubscribed", ...
  SuppressionKey key;
  Time added_at = 0;
};

struct RulesVersion {
  std::string version;
  std::string sha256;
  Time loaded_at = 0;
};

// A saved list: a dynamic segment (a saved filter) or a static snapshot.
struct ListInfo {
  std::string name;
  bool is_static = false;
  std::string filter;  // the filter text it was built from
  std::string topic;   // ranking topic, may be empty
  Time created_at = 0;
  int64_t members = 0;  // static lists: the snapshot's size
  std::vector<std::string> assigned;  // users the list is assigned to
};

// Something a user saved: a lead (person), an account, or a search.
struct SavedItem {
  std::string user;
  std::string kind;  // "lead", "account" or "search"
  std::string key;   // person id, account id, or the search's name
  std::string filter, topic;  // searches
  Time saved_at = 0;
  std::string state;  // JSON snapshot the next check compares against
};

// One entry of a user's feed (an alert).
struct FeedEntry {
  int64_t id = 0;
  std::string user;
  Time at = 0;
  std::string kind;  // new_signal, gauge_change, new_person, lead_change, new_match
  std::string body;  // JSON
  bool read = false;
};

// Where a user's alerts go besides the in-app feed: a webhook (an http or https URL,
// each batch POSTed as JSON) or an email address (one digest per delivery run). The
// receiving system is a destination in policy.md's sense: people are named there only
// where decide(share) to it allows.
struct AlertDestination {
  int64_t id = 0;
  std::string user;
  std::string kind;     // "webhook" or "email"
  std::string address;  // the URL, or the normalised email address
  Role role = Role::kListBuilder;  // the user's role: what the checks before a delivery may see
  Destination destination;         // region, transfer mechanism, US certification
  int64_t delivered_through = 0;   // the last feed entry the receiver accepted
  Time created_at = 0;
  Time last_attempt_at = 0;  // 0 = never tried
  std::string last_error;    // empty after a delivery that succeeded
};

class Store {
 public:
  virtual ~Store() = default;

  // Transactions; Begin/Commit nest by counting (only the outermost commits).
  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;

  virtual Result<int64_t> EnsureTenant(std::string_view name) = 0;
  virtual Result<TenantSettings> GetTenantSettings(int64_t tenant) = 0;
  virtual Status PutTenantSettings(int64_t tenant, const TenantSettings& settings) = 0;

  virtual Status PutPurpose(int64_t tenant, const Purpose& purpose) = 0;
  virtual Result<Purpose> GetPurpose(int64_t tenant, std::string_view id) = 0;
  virtual Result<std::vector<Purpose>> ListPurposes(int64_t tenant) = 0;

  virtual Result<int64_t> AddSource(int64_t tenant, const Provenance& source) = 0;
  virtual Result<Provenance> GetSource(int64_t tenant, int64_t source_id) = 0;

  // Inserts, or updates the account with the same domain; returns its id.
  virtual Result<int64_t> UpsertAccount(int64_t tenant, const Account& account) = 0;
  virtual Result<std::optional<int64_t>> FindAccount(int64_t tenant, std::string_view domain) = 0;
  virtual Result<Account> GetAccount(int64_t tenant, int64_t id) = 0;
  virtual Status ForEachAccount(int64_t tenant, const std::function<void(Account&&)>& fn) = 0;

  virtual Result<std::optional<int64_t>> FindPersonByEmail(int64_t tenant, std::string_view email) = 0;
  // Calls `fn(person_id, address)` for every email address of the tenant (bulk loads).
  virtual Status ForEachEmail(int64_t tenant, const std::function<void(int64_t, std::string_view)>& fn) = 0;
  virtual Result<std::optional<int64_t>> FindPersonByRef(int64_t tenant, std::string_view external_ref) = 0;
  // Inserts the person and their emails; returns the new id.
  virtual Result<int64_t> InsertPerson(int64_t tenant, const Person& person) = 0;
  // Rewrites the person's fields and emails (bases and purchases are append-only).
  virtual Status UpdatePerson(int64_t tenant, const Person& person) = 0;
  // The person with emails, basis records and purchases.
  virtual Result<Person> GetPerson(int64_t tenant, int64_t id) = 0;
  virtual Result<int64_t> CountPeople(int64_t tenant) = 0;
  // Calls `fn` for every person of the tenant, with emails, bases and purchases, in id
  // order (account_domain is left empty: use account_id). Made for bulk loads.
  // PersonScan::kPolicy leaves out what no decision reads (external ref, names, title,
  // region, field sources, basis evidence): they come back empty. Every table is read
  // as of one state (one read transaction); `fn` may read the store but not write it.
  // `first`, if given, runs inside the same read transaction before the first person
  // (it may read the store, as `fn` may: a load reads the accounts there, of the same
  // state as the people); its error ends the scan.
  enum class PersonScan { kFull, kPolicy };
  virtual Status ForEachPerson(int64_t tenant, const std::function<void(Person&&)>& fn,
                               PersonScan scan = PersonScan::kFull,
                               const std::function<Status()>& first = nullptr) = 0;
  // Upper bounds of a tenant's accounts, people, basis records and purchases, cheap to
  // read (SQLite: the largest ids over all tenants), for reserving memory before a load.
  struct LoadBounds {
    int64_t accounts = 0, people = 0, bases = 0, purchases = 0;
  };
  virtual Result<LoadBounds> IndexLoadBounds(int64_t tenant) = 0;
  // A text that changes whenever anything a PeopleIndex reads may have changed
  // (accounts, people, emails, basis records, purchases, suppression entries), in
  // any tenant; equal texts mean the index would load the same. Index snapshots are
  // valid for one stamp only.
  virtual Result<std::string> IndexStamp() = 0;
  // What changed for a tenant's people index since `stamp` (an earlier IndexStamp), so
  // that an index snapshot written at that stamp can be brought up to date instead of
  // loading everything again.
  struct IndexChanges {
    std::vector<int64_t> people;    // added, or their row, an email, basis record or purchase changed
    std::vector<int64_t> accounts;  // added or changed
    bool suppression = false;       // a suppression entry was added, changed or removed
    bool complete = true;           // false: the change log no longer reaches back to `stamp`
  };
  virtual Result<IndexChanges> IndexChangesSince(int64_t tenant, std::string_view stamp) = 0;
  // Forgets the tenant's logged changes up to `stamp` (once a snapshot at that stamp is
  // written, nothing older is needed; an older snapshot then loads in full).
  virtual Status PruneIndexChanges(int64_t tenant, std::string_view stamp) = 0;
  // Ids of the people at an account, in id order.
  virtual Result<std::vector<int64_t>> PeopleOfAccount(int64_t tenant, int64_t account_id) = 0;

  // Appends a basis record (history is never rewritten); sets record->id.
  virtual Status AddBasisRecord(int64_t tenant, int64_t person, BasisRecord* record) = 0;
  virtual Status AddPurchase(int64_t tenant, int64_t person, const Purchase& purchase) = 0;

  virtual Status AddSuppression(int64_t tenant, const SuppressionEntry& entry) = 0;
  virtual Result<std::vector<SuppressionEntry>> LoadSuppression(int64_t tenant) = 0;

  // Activity events, append-only (store/event_log.h): durable when the transaction
  // commits (on its own, when none is open).
  virtual Status AddEvent(int64_t tenant, const ActivityEvent& event) = 0;
  // Calls `fn` for every committed event at or after `since`, in the order stored
  // (the order of arrival, not of time).
  virtual Status ForEachEvent(int64_t tenant, Time since, const std::function<void(const ActivityEvent&)>& fn) = 0;
  virtual Result<int64_t> CountEvents(int64_t tenant) = 0;
  // The compact form for bulk paths, with no string per event: a topic's or vendor's
  // id (added inside the open transaction when new; ids are dense from 0 per kind),
  // then records that name them by id. AddEvent is the two in one.
  enum class EventNameKind { kTopic = 0, kVendor = 1 };
  virtual Result<uint16_t> EventNameId(int64_t tenant, EventNameKind kind, std::string_view name) = 0;
  virtual Status AddEventRecord(int64_t tenant, const EventRecord& record) = 0;
  // The names by id, as of the last commit or inside the open transaction.
  virtual Result<std::vector<std::string>> EventNames(int64_t tenant, EventNameKind kind) = 0;
  // Calls `fn` with the committed records from the `first`-th on (0: all), in stored
  // order, in batches; every record is checked to name a topic, vendor, stage and
  // action that exist before `fn` sees its batch. An error from `fn` stops the read.
  virtual Status ForEachEventBatch(int64_t tenant, int64_t first,
                                   const std::function<Status(const EventRecord*, size_t)>& fn) = 0;

  // Lists. PutList replaces a list of the same name (and its snapshot).
  virtual Status PutList(int64_t tenant, const ListInfo& list, const std::vector<int64_t>& members) = 0;
  virtual Result<ListInfo> GetList(int64_t tenant, std::string_view name) = 0;
  virtual Result<std::vector<ListInfo>> ListLists(int64_t tenant) = 0;
  virtual Result<std::vector<int64_t>> ListMembers(int64_t tenant, std::string_view name) = 0;
  virtual Status AssignList(int64_t tenant, std::string_view name, std::string_view user) = 0;
  virtual Status UnassignList(int64_t tenant, std::string_view name, std::string_view user) = 0;
  // The list, its snapshot and its assignments, in one transaction.
  virtual Status DeleteList(int64_t tenant, std::string_view name) = 0;

  // Saved leads, accounts and searches; their snapshots; the feed.
  virtual Status PutSaved(int64_t tenant, const SavedItem& item) = 0;  // insert or replace
  // A user's saved items; with user "", every user's (ordered by user).
  virtual Result<std::vector<SavedItem>> ListSaved(int64_t tenant, std::string_view user) = 0;
  virtual Status RemoveSaved(int64_t tenant, std::string_view user, std::string_view kind, std::string_view key) = 0;
  virtual Status AddFeed(int64_t tenant, FeedEntry* entry) = 0;
  virtual Result<std::vector<FeedEntry>> ListFeed(int64_t tenant, std::string_view user, bool unread_only) = 0;
  virtual Status MarkFeedRead(int64_t tenant, std::string_view user) = 0;
  // A user's feed entries after `after_id`, oldest first.
  virtual Result<std::vector<FeedEntry>> FeedAfter(int64_t tenant, std::string_view user, int64_t after_id) = 0;
  // The newest feed entry id of a user (0 when none).
  virtual Result<int64_t> LastFeedId(int64_t tenant, std::string_view user) = 0;

  // Alert destinations. Add sets d->id; List takes every user's when `user` is empty.
  virtual Status AddAlertDestination(int64_t tenant, AlertDestination* d) = 0;
  virtual Result<std::vector<AlertDestination>> ListAlertDestinations(int64_t tenant, std::string_view user) = 0;
  virtual Status RemoveAlertDestination(int64_t tenant, int64_t id) = 0;
  // After an attempt: `delivered_through` moves on only when the receiver accepted.
  virtual Status RecordAlertAttempt(int64_t tenant, int64_t id, int64_t delivered_through, Time at,
                                    std::string_view error) = 0;

  // Files imported before, by kind and a digest of their bytes (ingest/file_digest.h),
  // so importing the same file again can be refused. Recorded inside the import's
  // transaction, so a file whose import rolled back was never imported.
  virtual Result<std::optional<Time>> FileImportedAt(int64_t tenant, std::string_view kind, std::string_view digest) = 0;
  virtual Status RecordFileImport(int64_t tenant, std::string_view kind, std::string_view digest, Time at) = 0;

  virtual Status RecordRulesVersion(int64_t tenant, const RulesVersion& version, std::string_view text) = 0;
  virtual Result<std::vector<RulesVersion>> ListRulesVersions(int64_t tenant) = 0;
};

// Opens (creating and migrating) the SQLite store at `path`.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path);

}  // namespace fairlead
