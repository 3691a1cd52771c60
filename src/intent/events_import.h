// Events import: activity events (CSV or JSON lines) into the store, each
// person-level event first decided with decide(action=track) for the tenant's
// analytics purpose. Where tracking is not allowed the event is kept against the
// account alone: no person id, and the email is never written anywhere
// (obligation ANONYMIZE_TO_ACCOUNT). Unknown accounts are created from the
// domain. Malformed events are reported per line; all-or-nothing unless partial.
#pragma once

#include <limits>
#include <optional>
#include <string>

#include "core/domain.h"
#include "ingest/importer.h"
#include "policy/rules.h"

namespace fairlead {

struct EventImportOptions {
  std::string file;
  bool json_lines = false;  // default: by extension (.jsonl, .ndjson, .json: one object a line)
  std::string analytics_purpose = "analytics.intent";
  bool dry_run = false;
  bool partial = false;
  bool again = false;  // import a file even though the same file was imported before
  Time now = 0;        // when the import runs (recorded with the file's digest)
  std::function<void(uint64_t done, uint64_t total)> progress;
};

// decide(action=track) for an event's person: allowed, and (only then of use)
// whether the person is director or above.
struct TrackAnswer {
  bool allow = false;
  bool senior = false;
  // Denied at every time while the person's records stay as they are (no consent
  // record that could allow it): the caller need not ask again for this person.
  bool never = false;
};

// Who an event's (normalised) email belongs to, and whether tracking them at a time
// is allowed for the analytics purpose. The default reads the store, one person at a
// time (cached); index/track_resolver.h answers from a resident PeopleIndex.
class TrackResolver {
 public:
  virtual ~TrackResolver() = default;
  virtual Result<std::optional<int64_t>> FindPerson(const std::string& email) = 0;
  // The purpose Track() answers for (a copy is kept); set before the first Track().
  virtual void SetPurpose(const Purpose& purpose) = 0;
  virtual Result<TrackAnswer> Track(int64_t person_id, Time at) = 0;
  // The people the next Track() calls will be about (0: none), so a resolver may bring
  // what it reads into cache for all of them at once. Only a hint.
  virtual void Warm(const int64_t* person_ids, size_t n) {
    (void)person_ids;
    (void)n;
  }
  // The same for the normalised addresses the next FindPerson() calls will be about
  // (an import's first sight of each address). Only a hint.
  virtual void WarmAddresses(const std::string* const* emails, size_t n) {
    (void)emails;
    (void)n;
  }
  // The store's account of a normalised domain, where the resolver holds it (accounts
  // are never removed and never change domain, so what it holds stays true); nullopt:
  // ask the store.
  virtual std::optional<int64_t> KnownAccount(const std::string& domain) const {
    (void)domain;
    return std::nullopt;
  }
};

class IntentModel;

struct EventImportContext {
  Store* store = nullptr;
  int64_t tenant = 0;
  const Rules* rules = nullptr;
  const TenantSettings* settings = nullptr;
  const SuppressionHasher* hasher = nullptr;
  const SuppressionSet* suppression = nullptr;
  TrackResolver* resolver = nullptr;  // null: the store's
  IntentModel* model = nullptr;       // when set, gets every event once the import committed
};

Result<ImportReport> ImportEvents(const EventImportContext& ctx, const EventImportOptions& options);

// Adds the tenant's committed events from the `first`-th on (0: all) to the model, as
// stored: how the model is built at start and how an import's events reach it. Only
// events at or before `upto` are added: a model so built answers "as of upto" from
// exactly the events of that time, however many later events were imported since
// (the model keeps only the window before its newest event, so a model that has seen
// later events cannot answer an earlier time). `distinct_pairs`, when known (an
// import counts them), is about how many (account, topic) pairs the events hold: the
// model's table is sized for them first (IntentModel::ReserveFor).
Status AddStoredEvents(Store& store, int64_t tenant, int64_t first, IntentModel* model,
                       Time upto = std::numeric_limits<Time>::max(), uint64_t distinct_pairs = 0);

// Seniority words (entry < senior < manager < director < vp < cxo): true from director up.
bool IsSeniorSeniority(std::string_view seniority);

}  // namespace fairlead
