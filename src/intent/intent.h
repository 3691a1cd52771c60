// Intent: activity events per account (and, only where tracking is lawful, per
// person), turned into a decayed score, five signals and a gauge per account and
// topic (product.md capability 7).
//
// IntentModel keeps, per (account, topic), the decayed score and the events of
// the last `window` days (the longest signal window), so a new event updates its
// account in O(events in the window) without recomputing the world, and every
// figure can be asked "as of" a time at or after the newest event (reproducible).
// Not thread-safe: one writer; const methods may run concurrently when no writer.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/domain.h"
#include "core/status.h"
#include "core/time.h"

namespace fairlead {


enum Signal : uint8_t {
  kWidespread = 1 << 0,
  kSustained = 1 << 1,
  kLateStage = 1 << 2,
  kStakeholder = 1 << 3,
  kCrossVendor = 1 << 4,
};
constexpr int kSignalCount = 5;
std::string_view SignalName(int bit_index);

enum class Gauge : uint8_t { kNotActive, kRampingUp, kEvaluating };
std::string_view Name(Gauge g);
bool Parse(std::string_view word, Gauge* out);

// Every threshold of the issue, in configuration.
struct IntentConfig {
  double half_life_days = 30;
  double weights[4] = {1.0, 3.0, 5.0, 8.0};  // by EventAction: view, download, webinar, pricing
  int widespread_min = 3;          // distinct known people or anonymous visitors...
  int widespread_days = 30;        // ...within this many days
  int sustained_weeks = 3;         // active in at least this many...
  int sustained_of_weeks = 4;      // ...of the last N weeks
  int late_stage_days = 14;        // a late-stage or pricing event within
  int stakeholder_days = 30;       // an active senior person within
  int cross_vendor_min = 2;        // content of at least this many vendors...
  int cross_vendor_days = 30;      // ...within
  int evaluating_signals = 4;      // or late stage + widespread
};

// Reads the thresholds from JSON ({"half_life_days": 30, "weights": {"view": 1, ...},
// "widespread_min": 3, ...}); absent keys keep their defaults, unknown keys are errors.
Result<IntentConfig> IntentConfigFromJson(std::string_view text, const std::string& source);

// One event as the model keeps it: no email, a person id only where tracking was allowed.
struct IntentEvent {
  Time at = 0;
  int64_t account_id = 0;
  int64_t person_id = 0;  // 0 = anonymous (kept at account level)
  uint32_t topic = 0;     // interned by IntentModel::TopicId
  uint32_t vendor = 0;    // interned by IntentModel::VendorId
  EventStage stage = EventStage::kEarly;
  EventAction action = EventAction::kView;
  bool senior = false;    // the person was director or above when the event came
};

struct TopicIntent {
  double score = 0;      // decayed to `as_of`
  uint8_t signals = 0;   // Signal bits
  Gauge gauge = Gauge::kNotActive;
  Time last_event = 0;
  int events_in_window = 0;
  int people_in_window = 0;  // distinct known people + anonymous visitors (widespread window)
};

class IntentModel {
 public:
  explicit IntentModel(IntentConfig config = {});

  uint32_t TopicId(std::string_view topic);    // interns
  uint32_t VendorId(std::string_view vendor);  // interns; "" (no vendor) is id 0 and counts as none
  std::optional<uint32_t> FindTopic(std::string_view topic) const;
  const std::string& TopicName(uint32_t id) const { return topics_[id]; }
  const std::vector<std::string>& Topics() const { return topics_; }  // by id

  // Adds an event. Events may arrive out of order within the window; an event
  // older than the window relative to the newest one only adds its decayed score.
  void Add(const IntentEvent& e);
  // The same for many events, leaving the model exactly as adding them one by one in
  // order would. A batch of at least kGroupedBatch events, into a model of at least
  // grouped_min_states() states (a table past the CPU's caches), is added grouped by
  // where the states lie in the table (each state still sees its own events in
  // order); any other in order, fetching the next events' states from memory while
  // one is added.
  void Add(const std::vector<IntentEvent>& events);
  static constexpr size_t kGroupedBatch = 4096;
  static constexpr size_t kGroupedMinStates = size_t{1} << 18;  // 16 MiB of 64-byte slots
  size_t states() const { return states_.size(); }
  size_t grouped_min_states() const { return grouped_min_states_; }
  void set_grouped_min_states(size_t n) { grouped_min_states_ = n; }  // for tests
  // How many events a caller holding many should pass to one Add: 2^20 once the model
  // groups (grouping pays with batches near the number of states), else 2^15 (a
  // larger buffer would only cost its fresh pages).
  size_t PreferredBatch() const { return states_.size() >= grouped_min_states_ ? size_t{1} << 20 : size_t{1} << 15; }
  uint64_t grouped_batches() const { return grouped_batches_; }  // batches added grouped (for tests)
  // Frees what the grouped Add keeps between batches (about 44 bytes per event of the
  // largest batch): call after the last batch of a load or an import.
  void ReleaseScratch();
  // About to add events of about `pairs` distinct (account, topic) pairs: sizes the
  // table for max(states(), pairs), the fewest states the model can hold after them
  // (none may be new), so it is never made larger than it will need, and a table
  // filled from empty is not rehashed at every doubling.
  void ReserveFor(size_t pairs) { states_.reserve(std::max(states_.size(), pairs)); }

  // The account's intent for a topic as of `as_of`.
  TopicIntent Get(int64_t account_id, uint32_t topic, Time as_of) const;
  // Only the decayed score (no signals): what ranking needs, at a hash lookup's cost.
  double Score(int64_t account_id, uint32_t topic, Time as_of) const;
  // Topics of an account with any score, highest score first.
  std::vector<std::pair<uint32_t, TopicIntent>> TopicsOf(int64_t account_id, Time as_of) const;
  // The k accounts with the highest score for a topic, ties by account id.
  std::vector<std::pair<int64_t, TopicIntent>> Top(uint32_t topic, Time as_of, size_t k) const;
  // How many accounts are in each gauge for a topic.
  std::array<int64_t, 3> GaugeCounts(uint32_t topic, Time as_of) const;

  // People with a tracked event at the account within `days` before `as_of` (any topic).
  std::vector<int64_t> ActivePeople(int64_t account_id, Time as_of, int days) const;

  const IntentConfig& config() const { return config_; }
  // Grows with every Add: caches built from the model compare it.
  uint64_t version() const { return version_; }

 private:
  // One event of the window in 16 bytes (the model's memory is mostly these): the
  // time, the person as a slot of people_ (0 = anonymous), and vendor, stage, action
  // and seniority in one word. Vendor ids are below 2^24 (the store names at most 65536).
  struct Compact {
    Time at;
    uint32_t person;  // 1 + index into people_; 0 = anonymous
    uint32_t bits;    // vendor | stage << 24 | action << 26 | senior << 28
    uint32_t vendor() const { return bits & 0xFFFFFF; }
    EventStage stage() const { return static_cast<EventStage>((bits >> 24) & 3); }
    EventAction action() const { return static_cast<EventAction>((bits >> 26) & 3); }
    bool senior() const { return (bits >> 28) & 1; }
  };
  static_assert(sizeof(Compact) == 16);
  struct State {
    double score = 0;                                  // as of `newest`
    Time newest = std::numeric_limits<Time>::min();    // the newest event's time (min: no event yet)
    Time oldest = std::numeric_limits<Time>::max();    // the oldest in `recent`: pruning need not read it
    std::vector<Compact> recent;  // within the longest window of `newest`
  };
  static constexpr size_t kFirstRecent = 4;
  using Key = std::pair<int64_t, uint32_t>;  // (account, topic)
  static constexpr int kRegionBits = 14;  // the grouped Add's regions of the table: 2^14
  void AddInOrder(const std::vector<IntentEvent>& events);
  std::vector<uint32_t> region_, first_;  // the grouped Add's scratch
  std::vector<IntentEvent> grouped_;
  uint64_t grouped_batches_ = 0;
  size_t grouped_min_states_ = kGroupedMinStates;
  TopicIntent Evaluate(const State& s, Time as_of) const;
  double Decay(double score, Time from, Time to) const;

  IntentConfig config_;
  uint64_t version_ = 0;
  int64_t window_seconds_;
  std::vector<std::string> topics_, vendors_;
  absl::flat_hash_map<std::string, uint32_t> topic_ids_, vendor_ids_;  // found by string_view
  absl::flat_hash_map<Key, State> states_;
  std::unordered_map<uint32_t, std::vector<int64_t>> accounts_by_topic_;
  // The people of tracked events, by slot (Compact::person - 1), and their slots.
  std::vector<int64_t> people_;
  absl::flat_hash_map<int64_t, uint32_t> person_slots_;
  uint32_t PersonSlot(int64_t person_id);
};

}  // namespace fairlead
