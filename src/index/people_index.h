// PeopleIndex: the in-memory index over a tenant's people and accounts, the bulk
// form of the policy engine, and what list queries AND together.
//
// Rows: people are numbered densely, ordered by account when loaded, so each
// account's people form a run (people added later are appended and remembered
// per account). Columns: a compact policy record per person (the inputs of
// decide, ~80 bytes), dictionaries, and one dense Bitset per attribute value.
// Eligibility for (purpose, channel, action, role) is a Bitset computed with the
// same Decide() as a single decision, cached, and kept exact incrementally: each
// row carries the instant its decision may next change (policy/bulk.h), and a
// write re-decides only its own row. Not thread-safe: one writer, and readers
// only between writes.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <array>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/domain.h"
#include "index/bitset.h"
#include "policy/decide.h"
#include "policy/rules.h"
#include "store/store.h"
#include "suppression/suppression.h"

namespace fairlead {

// A small string dictionary: value <-> dense id.
class Dictionary {
 public:
  uint32_t Intern(std::string_view s);
  std::optional<uint32_t> Find(std::string_view s) const;
  const std::string& Name(uint32_t id) const { return names_[id]; }
  size_t size() const { return names_.size(); }

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, uint32_t> ids_;
};

class PeopleIndex {
 public:
  PeopleIndex(const Rules& rules, const TenantSettings& settings);

  // How a load went: from a snapshot (caught up with the store's changes since it was
  // written, if any), or from the store (and whether a snapshot was then written, or
  // why not).
  struct LoadInfo {
    bool from_snapshot = false;
    size_t caught_up_people = 0, caught_up_accounts = 0;  // changes applied to the snapshot
    bool snapshot_written = false;
    std::string note;  // why the snapshot was not used or not written; empty when it was
  };
  // Loads every account and person of the tenant. A person is suppressed when any of
  // their emails or phone is on a suppression list. With `snapshot_path`, the index is
  // read from that snapshot when it was written for the tenant, the suppression key and
  // set of now; when the store changed since (Store::IndexStamp), the people and
  // accounts that changed (Store::IndexChangesSince) are read again and applied, as
  // the write path applies them. The store is read in full instead when there is no
  // usable snapshot, the change log no longer reaches back to it, a suppression entry
  // changed, or more than an eighth of the people changed (then a full read is
  // quicker). The snapshot is (re)written after a full read, and after a catch-up of
  // more than a fiftieth of the people (a catch-up costs a few store reads per person;
  // the write costs the whole index); the log is then pruned up to it.
  static Result<std::unique_ptr<PeopleIndex>> Load(Store& store, int64_t tenant, const Rules& rules,
                                                   const TenantSettings& settings, const SuppressionHasher& hasher,
                                                   const SuppressionSet& suppression,
                                                   const std::string& snapshot_path = "", LoadInfo* info = nullptr);

  // Snapshots (index/people_index_snapshot.cc): the index as loaded, checked by a
  // BLAKE2b digest, and tied to the `key` it was written for. Cached eligibility is not
  // kept (it is rebuilt on first use, as after a load).
  struct SnapshotKey {
    int64_t tenant = 0;
    std::string stamp;        // Store::IndexStamp
    std::string suppression;  // the suppression key's fingerprint and the set's size
  };
  static SnapshotKey KeyFor(int64_t tenant, std::string stamp, const SuppressionHasher& hasher,
                            const SuppressionSet& suppression);
  Status WriteSnapshot(const std::string& path, const SnapshotKey& key) const;
  // NotFound when there is no file, Invalid when it is for another state or damaged.
  // With `stamp`, a snapshot of another store stamp is read too (the caller catches it
  // up) and `stamp` is set to the stamp it was written at.
  static Result<std::unique_ptr<PeopleIndex>> ReadSnapshot(const std::string& path, const SnapshotKey& key,
                                                           const Rules& rules, const TenantSettings& settings,
                                                           std::string* stamp = nullptr);

  size_t rows() const { return person_ids_.size(); }
  size_t accounts() const { return account_ids_.size(); }
  int64_t PersonId(uint32_t row) const { return person_ids_[row]; }
  std::optional<uint32_t> RowOf(int64_t person_id) const;
  // Ask memory for what a decision about `row` reads first: its compact row, then
  // (once that is in cache) its first basis record. Only hints: nothing changes.
  void PrefetchRow(uint32_t row) const { __builtin_prefetch(&people_[row]); }
  void PrefetchRecords(uint32_t row) const {
    if (people_[row].Records() > 0) __builtin_prefetch(&records_[people_[row].first_record]);
  }
  // The account row of a person row, or kNoAccount.
  static constexpr uint32_t kNoAccount = UINT32_MAX;
  uint32_t AccountOf(uint32_t row) const { return account_of_[row]; }
  int64_t AccountId(uint32_t account_row) const { return account_ids_[account_row]; }
  std::optional<uint32_t> AccountRowOf(int64_t account_id) const;
  // The account row of a domain (lower case), if the index holds it.
  std::optional<uint32_t> AccountRowOfDomain(const std::string& domain) const;

  // Person fields: country (also matches US for US-CA), seniority, function, recipient, stage.
  static bool IsPersonField(std::string_view field);
  // Account fields: industry, employee_band, revenue_band, hq_country, tech, domain.
  static bool IsAccountField(std::string_view field);
  // The rows with `field` = `value`; null when no row has it. (For "domain" the
  // pointer is valid until the next call.)
  const Bitset* PersonValue(std::string_view field, std::string_view value) const;
  // The accounts with `field` = `value` (over account rows); null when none.
  const Bitset* AccountValue(std::string_view field, std::string_view value) const;
  // People of the given accounts.
  Bitset PeopleOfAccounts(const Bitset& accounts) const;
  // Calls fn(row) for each person row of one account, each once: the account's run of
  // rows as loaded, then rows added or moved in since (few).
  template <typename Fn>
  void ForEachRowOfAccount(uint32_t account, Fn fn) const {
    uint32_t begin = 0, end = 0;
    if (account < account_runs_.size()) std::tie(begin, end) = account_runs_[account];
    const bool moved = !moved_rows_.empty();
    for (uint32_t r = begin; r < end; ++r)
      if (!moved || account_of_[r] == account) fn(r);
    if (account_extra_.empty()) return;
    auto extra = account_extra_.find(account);
    if (extra == account_extra_.end()) return;
    for (uint32_t r : extra->second)
      if ((r < begin || r >= end) && account_of_[r] == account) fn(r);
  }
  const Bitset& Suppressed() const { return suppressed_; }
  // decide(view) without a purpose for every row at once, from the flags alone: an
  // erased person never; otherwise anyone for an admin, and for other roles nobody
  // restricted or suppressed (policy.md rules 1, 3, 4 and 14; without a purpose no
  // other rule applies to a view). Property-tested equal to DecideRow per row. Built
  // on first use per role and kept exact by the write path; valid until the next write.
  const Bitset& Viewable(Role role);
  std::string_view Seniority(uint32_t row) const { return seniorities_.Name(seniority_[row]); }
  const Rules& rules() const { return rules_; }
  const TenantSettings& settings() const { return settings_; }

  // Eligibility as of `at`. The pointer stays valid until the next call that
  // changes the index or asks for another time.
  const Bitset& Eligible(const Purpose& purpose, std::optional<Channel> channel, Action action, Role role, Time at);

  // The write path, after the store committed: adds or replaces the person.
  void Upsert(const Person& person, bool suppressed);
  // Adds an account, or replaces an existing account's attributes.
  void PutAccount(const Account& account);
  // The write path for one appended basis record (a grant, a withdrawal...): no store
  // read needed. Returns false when the person is not in the index.
  bool AddBasisRecord(int64_t person_id, const BasisRecord& record);

  // The policy inputs of a row, as Decide() takes them (emails stand in by type and visibility).
  Subject SubjectOf(uint32_t row) const;
  // SubjectOf into `out`, reusing its strings' and vectors' memory (for hot loops).
  void FillSubject(uint32_t row, Subject* out) const;
  // One decision for a row whose subject the caller filled (FillSubject).
  Decision DecideSubject(const Subject& s, uint32_t row, const Purpose* purpose, std::optional<Channel> channel,
                         Action action, Role role, Time at, const Destination* destination = nullptr) const;
  // Whether the row holds a granted consent record whose scope covers the purpose.
  // Without one, track is denied at every time (policy.md rule 9 allows only on the
  // latest such record), so the events path answers most people without deciding.
  // `covers` caches, per scope set, whether it covers `purpose_id` (-1: not yet
  // known); the caller keeps one per purpose.
  bool HasGrantedConsent(uint32_t row, std::string_view purpose_id, std::vector<int8_t>* covers) const;
  // One decision for a row, exactly as the bulk form computes it (`destination`: where
  // an export or share goes; null = no transfer).
  Decision DecideRow(uint32_t row, const Purpose* purpose, std::optional<Channel> channel, Action action, Role role,
                     Time at, const Destination* destination = nullptr) const;
  size_t MemoryBytes() const;

 private:
  struct CompactRecord {
    Time at, confirmed_at, expires_at;  // kNone when absent
    uint32_t scopes;                     // id in scope_sets_
    uint8_t basis, status, channels, flags;  // flags: 1 = channels given
  };
  // No padding (snapshots write these as bytes: explicit zeroed fillers instead).
  struct CompactPurchase {
    Time at;
    uint32_t family;
    uint8_t kind;
    uint8_t filler[3] = {};
  };
  struct CompactPerson {
    Time collected_at, notice_at, objected_at;  // kNone when absent
    uint32_t first_record, first_purchase;
    uint16_t n_records, n_purchases;  // the low 16 bits of the counts
    uint16_t country, function;
    uint8_t recipient, stage, flags, email_kinds;  // flags: opt-out offered, restricted, do-not-sell, erased
    uint16_t n_records_hi = 0, n_purchases_hi = 0;  // the high 16 bits (0 in snapshots of older builds)
    uint32_t Records() const { return n_records | uint32_t{n_records_hi} << 16; }
    uint32_t Purchases() const { return n_purchases | uint32_t{n_purchases_hi} << 16; }
    void SetCounts(uint32_t records, uint32_t purchases) {
      n_records = static_cast<uint16_t>(records), n_records_hi = static_cast<uint16_t>(records >> 16);
      n_purchases = static_cast<uint16_t>(purchases), n_purchases_hi = static_cast<uint16_t>(purchases >> 16);
    }
  };
  static constexpr Time kNone = INT64_MIN;

  struct EligibilityEntry {
    Purpose purpose;
    std::optional<Channel> channel;
    Action action;
    Role role;
    Time at = 0;
    Bitset bits;
    // (instant the row's decision may change, row): earliest first.
    std::priority_queue<std::pair<Time, uint32_t>, std::vector<std::pair<Time, uint32_t>>, std::greater<>> changes;
  };

  static Result<std::unique_ptr<PeopleIndex>> LoadFromStore(Store& store, int64_t tenant, const Rules& rules,
                                                            const TenantSettings& settings,
                                                            const SuppressionHasher& hasher,
                                                            const SuppressionSet& suppression);
  void Encode(uint32_t row, const Subject& subject, std::string_view seniority);
  void SetValues(uint32_t row, bool on);
  void SetAllValues();  // SetValues(row, true) for every row, after a load
  std::array<std::string, 2> CountryKeys(uint32_t country) const;
  std::array<std::string, 4> OtherKeys(uint8_t seniority, uint16_t function, uint8_t recipient, uint8_t stage) const;
  void Refresh(EligibilityEntry& e, uint32_t row, Time at);
  void Build(EligibilityEntry& e, Time at);
  uint32_t AddAccount(const Account& a);
  // Applies the store's changes since the snapshot stamp `since` (see Load).
  Status CatchUp(Store& store, int64_t tenant, const std::string& since, const SuppressionHasher& hasher,
                 const SuppressionSet& suppression, LoadInfo* info);
  Bitset& ValueSet(std::unordered_map<std::string, Bitset>& sets, const std::string& key, size_t rows);

  const Rules& rules_;
  TenantSettings settings_;
  std::vector<int64_t> person_ids_;
  std::vector<uint32_t> row_of_;  // indexed by person id (store ids are dense); UINT32_MAX = absent
  void MapRow(int64_t person_id, uint32_t row);
  std::vector<uint32_t> account_of_;
  std::vector<CompactPerson> people_;
  std::vector<CompactRecord> records_;
  std::vector<CompactPurchase> purchases_;
  std::vector<uint8_t> seniority_;  // per row: id in seniorities_
  Dictionary seniorities_;
  // Domains are unique: a map, not sets. Flat: the events import probes it for each new
  // domain, and a node map costs a miss for the bucket, another for the node.
  absl::flat_hash_map<std::string, uint32_t> account_of_domain_;
  Dictionary countries_, functions_, scope_sets_, families_;
  std::unordered_map<std::string, Bitset> person_values_;   // "field=value"
  std::unordered_map<std::string, Bitset> account_values_;  // "field=value", over account rows
  Bitset suppressed_;
  std::vector<int64_t> account_ids_;
  std::vector<uint32_t> account_row_of_;  // indexed by account id; UINT32_MAX = absent
  std::vector<std::pair<uint32_t, uint32_t>> account_runs_;        // [begin, end) rows loaded together
  std::unordered_map<uint32_t, std::vector<uint32_t>> account_extra_;  // rows added later
  std::vector<uint32_t> moved_rows_;                                  // rows whose account changed
  std::unordered_map<std::string, std::unique_ptr<EligibilityEntry>> eligibility_;
  std::array<std::optional<Bitset>, 3> viewable_;  // by Role, once asked for
  bool ViewableRow(uint32_t row, Role role) const;
  EligibilityEntry scratch_;  // for times before a cached entry's
  mutable Bitset domain_scratch_;
  Subject refresh_subject_;  // Refresh()'s, reused
};

}  // namespace fairlead
