#include "intent/intent.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "core/json_text.h"

namespace fairlead {

std::string_view SignalName(int bit) {
  static constexpr std::string_view kNames[] = {"widespread", "sustained", "late_stage", "stakeholder", "cross_vendor"};
  return kNames[bit];
}
std::string_view Name(Gauge g) {
  static constexpr std::string_view kNames[] = {"not_active", "ramping_up", "evaluating"};
  return kNames[static_cast<int>(g)];
}
bool Parse(std::string_view w, Gauge* out) {
  for (int i = 0; i < 3; ++i)
    if (Name(static_cast<Gauge>(i)) == w) { *out = static_cast<Gauge>(i); return true; }
  return false;
}

Result<IntentConfig> IntentConfigFromJson(std::string_view text, const std::string& source) {
  Result<nlohmann::json> parsed = ParseJson(text, source, /*comments=*/true);
  if (!parsed.ok()) return parsed.status();
  const nlohmann::json& j = *parsed;
  if (!j.is_object()) return Status::Invalid(source + ": must be a JSON object of settings");
  IntentConfig c;
  struct IntField { const char* key; int* out; int min, max; };
  const IntField ints[] = {{"widespread_min", &c.widespread_min, 1, 1000},   {"widespread_days", &c.widespread_days, 1, 365},
                           {"sustained_weeks", &c.sustained_weeks, 1, 52},   {"sustained_of_weeks", &c.sustained_of_weeks, 1, 52},
                           {"late_stage_days", &c.late_stage_days, 1, 365},  {"stakeholder_days", &c.stakeholder_days, 1, 365},
                           {"cross_vendor_min", &c.cross_vendor_min, 1, 100}, {"cross_vendor_days", &c.cross_vendor_days, 1, 365},
                           {"evaluating_signals", &c.evaluating_signals, 1, kSignalCount}};
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    if (key == "half_life_days") {
      if (!it->is_number() || it->get<double>() <= 0 || it->get<double>() > 3650)
        return Status::Invalid(source + ": half_life_days: must be a number of days (0 to 3650]");
      c.half_life_days = it->get<double>();
      continue;
    }
    if (key == "weights") {
      if (!it->is_object()) return Status::Invalid(source + ": weights: must be an object");
      for (auto w = it->begin(); w != it->end(); ++w) {
        EventAction a;
        if (!Parse(w.key(), &a)) return Status::Invalid(source + ": weights." + w.key() + ": not an action (view, download, webinar, pricing)");
        if (!w->is_number() || w->get<double>() < 0 || w->get<double>() > 1e6)
          return Status::Invalid(source + ": weights." + w.key() + ": must be a number from 0 to 1000000");
        c.weights[static_cast<int>(a)] = w->get<double>();
      }
      continue;
    }
    bool known = false;
    for (const IntField& f : ints) {
      if (key != f.key) continue;
      known = true;
      if (!it->is_number_integer() || it->get<int64_t>() < f.min || it->get<int64_t>() > f.max)
        return Status::Invalid(source + ": " + key + ": must be a whole number from " + std::to_string(f.min) + " to " +
                               std::to_string(f.max));
      *f.out = it->get<int>();
    }
    if (!known) return Status::Invalid(source + ": " + key + ": unknown setting");
  }
  if (c.sustained_weeks > c.sustained_of_weeks)
    return Status::Invalid(source + ": sustained_weeks: cannot exceed sustained_of_weeks");
  return c;
}

IntentModel::IntentModel(IntentConfig config) : config_(config) {
  int days = std::max({config.widespread_days, config.sustained_of_weeks * 7, config.late_stage_days,
                       config.stakeholder_days, config.cross_vendor_days});
  window_seconds_ = static_cast<int64_t>(days) * kSecondsPerDay;
  VendorId("");  // id 0: no vendor named
}

uint32_t IntentModel::TopicId(std::string_view topic) {
  auto it = topic_ids_.find(absl::string_view(topic.data(), topic.size()));
  if (it != topic_ids_.end()) return it->second;
  uint32_t id = static_cast<uint32_t>(topics_.size());
  topics_.emplace_back(topic);
  topic_ids_.emplace(std::string(topic), id);
  return id;
}

uint32_t IntentModel::VendorId(std::string_view vendor) {
  auto it = vendor_ids_.find(absl::string_view(vendor.data(), vendor.size()));
  if (it != vendor_ids_.end()) return it->second;
  uint32_t id = static_cast<uint32_t>(vendors_.size());
  vendors_.emplace_back(vendor);
  vendor_ids_.emplace(std::string(vendor), id);
  return id;
}

std::optional<uint32_t> IntentModel::FindTopic(std::string_view topic) const {
  auto it = topic_ids_.find(absl::string_view(topic.data(), topic.size()));
  if (it == topic_ids_.end()) return std::nullopt;
  return it->second;
}

double IntentModel::Decay(double score, Time from, Time to) const {
  if (score == 0 || to == from) return score;
  double days = static_cast<double>(to - from) / kSecondsPerDay;
  return score * std::exp2(-days / config_.half_life_days);
}

uint32_t IntentModel::PersonSlot(int64_t person_id) {
  auto [it, added] = person_slots_.try_emplace(person_id, static_cast<uint32_t>(people_.size() + 1));
  if (added) people_.push_back(person_id);
  return it->second;
}

void IntentModel::Add(const IntentEvent& e) {
  ++version_;
  State& s = states_[Key(e.account_id, e.topic)];
  const bool first = s.newest == std::numeric_limits<Time>::min();
  if (first) accounts_by_topic_[e.topic].push_back(e.account_id);
  double w = config_.weights[static_cast<int>(e.action)];
  // The decayed score, kept as of the newest event.
  if (first) {
    s.score = w;
    s.newest = e.at;
  } else if (e.at >= s.newest) {
    s.score = Decay(s.score, s.newest, e.at) + w;
    s.newest = e.at;
  } else {
    s.score += Decay(w, e.at, s.newest);
  }
  Time cutoff = s.newest - window_seconds_;
  if (e.at > cutoff) {
    if (s.recent.size() == s.recent.capacity())  // from 4 (not 1, 2, 4), by half again: less slack than doubling
      s.recent.reserve(s.recent.empty() ? kFirstRecent : s.recent.size() + s.recent.size() / 2);
    const uint32_t bits = (e.vendor & 0xFFFFFF) | static_cast<uint32_t>(e.stage) << 24 |
                          static_cast<uint32_t>(e.action) << 26 | static_cast<uint32_t>(e.senior) << 28;
    s.recent.push_back({e.at, e.person_id ? PersonSlot(e.person_id) : 0, bits});
    s.oldest = std::min(s.oldest, e.at);
  }
  // Prune what left the window (amortised: only when the oldest kept event is out).
  if (s.oldest <= cutoff) {
    s.recent.erase(std::remove_if(s.recent.begin(), s.recent.end(), [&](const Compact& c) { return c.at <= cutoff; }),
                   s.recent.end());
    std::sort(s.recent.begin(), s.recent.end(), [](const Compact& a, const Compact& b) { return a.at < b.at; });
    s.oldest = s.recent.empty() ? std::numeric_limits<Time>::max() : s.recent.front().at;
  }
}

void IntentModel::Add(const std::vector<IntentEvent>& events) {
  const size_t n = events.size();
  if (n < kGroupedBatch || states_.size() < grouped_min_states_ || states_.capacity() < kGroupedBatch) {
    AddInOrder(events);
    return;
  }
  // A large batch is added grouped by where its states lie in the table: the events
  // whose states share a region of it (2^kRegionBits regions) are added together, so
  // the table is walked region by region instead of at random (a region's control
  // bytes, neighbouring slots and pages come from memory together). Loading 10M
  // events over 814k states (`intent top`) took 1.24-1.34 s this way, 1.66-2.14 s in
  // order (the same binary otherwise, runs alternated).
  // Within a region the events keep the batch's order, so every state sees its own
  // events in the same order as added one by one and ends exactly the same (only
  // how different states' events interleave changes, and no state reads another).
  // The region is the top bits of the probe start absl derives from the hash (hash
  // >> 7, masked by the capacity; a per-table salt XORed in permutes whole regions
  // and keeps each one together). Only locality depends on this: a table that grows
  // during the batch still gets every event, each in its state's order.
  ++grouped_batches_;
  const size_t capacity = states_.capacity();  // 2^k - 1
  const int bits = std::bit_width(capacity);
  const int region_bits = std::min(bits, kRegionBits);
  const int shift = bits - region_bits;
  const auto& hash = states_.hash_function();
  region_.resize(n);
  first_.assign((size_t{1} << region_bits) + 1, 0);
  for (size_t i = 0; i < n; ++i) {
    const size_t h = hash(Key(events[i].account_id, events[i].topic));
    region_[i] = static_cast<uint32_t>(((h >> 7) & capacity) >> shift);
    ++first_[region_[i] + 1];
  }
  for (size_t r = 1; r < first_.size(); ++r) first_[r] += first_[r - 1];
  // The events themselves are moved into region order (each region's writes go to
  // one line at a time), so the adding loop reads them in sequence.
  grouped_.resize(n);
  for (size_t i = 0; i < n; ++i) grouped_[first_[region_[i]]++] = events[i];
  constexpr size_t kAhead = 8;
  for (size_t j = 0; j < n; ++j) {
    if (j + kAhead < n) states_.prefetch(Key(grouped_[j + kAhead].account_id, grouped_[j + kAhead].topic));
    Add(grouped_[j]);
  }
}

void IntentModel::ReleaseScratch() {
  std::vector<uint32_t>().swap(region_);
  std::vector<uint32_t>().swap(first_);
  std::vector<IntentEvent>().swap(grouped_);
}

void IntentModel::AddInOrder(const std::vector<IntentEvent>& events) {
  // Three steps ahead of the Add() that needs them: the state's slot (its control
  // bytes and first cache line); then, found, the rest of the slot (a 64-byte slot
  // mostly straddles two lines); then the end of its recent events, which Add()
  // appends to.
  constexpr size_t kSlotAhead = 24, kStateAhead = 14, kRecentAhead = 6;
  const size_t n = events.size();
  for (size_t i = 0; i < n; ++i) {
    if (i + kSlotAhead < n) states_.prefetch(Key(events[i + kSlotAhead].account_id, events[i + kSlotAhead].topic));
    if (i + kStateAhead < n) {
      auto it = states_.find(Key(events[i + kStateAhead].account_id, events[i + kStateAhead].topic));
      if (it != states_.end()) __builtin_prefetch(&it->second.recent);
    }
    if (i + kRecentAhead < n) {
      auto it = states_.find(Key(events[i + kRecentAhead].account_id, events[i + kRecentAhead].topic));
      if (it != states_.end() && !it->second.recent.empty()) __builtin_prefetch(&it->second.recent.back() + 1, 1);
    }
    Add(events[i]);
  }
}

namespace {

// A score to 40 significant bits (about 12 decimal digits). The model adds events as
// they come, so the same events in another order sum to a score that differs in its
// last bits; settled, they give the same score, and rankings (ties by account id)
// do not depend on the order events arrived in. Two sums on either side of a
// rounding boundary can still differ by one unit (1e-12 of the score); that needs
// sums d units in the last place apart that fall either side of one: odds about d in 8192.
double Settled(double x) {
  if (!(x > 0) || !std::isfinite(x)) return x;
  int e;
  std::frexp(x, &e);
  const double unit = std::ldexp(1.0, e - 40);
  return std::round(x / unit) * unit;
}

}  // namespace

TopicIntent IntentModel::Evaluate(const State& s, Time as_of) const {
  TopicIntent out;
  if (as_of >= s.newest) {
    out.score = Settled(Decay(s.score, s.newest, as_of));
  } else {
    // As of a time before the newest event: remove the later events' share.
    double later = 0;
    for (const Compact& c : s.recent)
      if (c.at > as_of) later += Decay(config_.weights[static_cast<int>(c.action())], c.at, s.newest);
    out.score = Settled(Decay(s.score - later, s.newest, as_of));
    if (out.score < 1e-9) out.score = 0;  // rounding left over when every event is later
  }
  auto within = [&](const Compact& c, int days) {
    return c.at <= as_of && c.at > as_of - static_cast<int64_t>(days) * kSecondsPerDay;
  };
  std::unordered_set<uint32_t> people;  // slots
  std::unordered_set<uint32_t> vendors;
  int anonymous = 0;
  bool weeks[64] = {false};
  for (const Compact& c : s.recent) {
    if (c.at > as_of) continue;
    out.last_event = std::max(out.last_event, c.at);
    if (within(c, config_.widespread_days)) {
      ++out.events_in_window;
      if (c.person) people.insert(c.person);
      else ++anonymous;  // no identifier is kept for anonymous visitors: each event is one
    }
    if (within(c, config_.cross_vendor_days) && c.vendor() != 0) vendors.insert(c.vendor());
    if (within(c, config_.late_stage_days) && (c.stage() == EventStage::kLate || c.action() == EventAction::kPricing))
      out.signals |= kLateStage;
    if (within(c, config_.stakeholder_days) && c.person && c.senior()) out.signals |= kStakeholder;
    int64_t age = as_of - c.at;
    int week = static_cast<int>(age / (7 * kSecondsPerDay));
    if (week < config_.sustained_of_weeks && week < 64) weeks[week] = true;
  }
  if (out.last_event == 0) out.last_event = s.newest <= as_of ? s.newest : 0;
  out.people_in_window = static_cast<int>(people.size()) + anonymous;
  if (out.people_in_window >= config_.widespread_min) out.signals |= kWidespread;
  if (static_cast<int>(vendors.size()) >= config_.cross_vendor_min) out.signals |= kCrossVendor;
  int active_weeks = 0;
  for (int w = 0; w < config_.sustained_of_weeks && w < 64; ++w) active_weeks += weeks[w];
  if (active_weeks >= config_.sustained_weeks) out.signals |= kSustained;
  int n = __builtin_popcount(out.signals);
  bool late_and_wide = (out.signals & kLateStage) && (out.signals & kWidespread);
  out.gauge = late_and_wide || n >= config_.evaluating_signals ? Gauge::kEvaluating
              : n >= 1                                          ? Gauge::kRampingUp
                                                                : Gauge::kNotActive;
  return out;
}

double IntentModel::Score(int64_t account_id, uint32_t topic, Time as_of) const {
  auto it = states_.find(Key(account_id, topic));
  if (it == states_.end()) return 0;
  const State& s = it->second;
  if (as_of >= s.newest) return Settled(Decay(s.score, s.newest, as_of));
  return Evaluate(s, as_of).score;
}

TopicIntent IntentModel::Get(int64_t account_id, uint32_t topic, Time as_of) const {
  auto it = states_.find(Key(account_id, topic));
  if (it == states_.end()) return TopicIntent();
  return Evaluate(it->second, as_of);
}

std::vector<std::pair<uint32_t, TopicIntent>> IntentModel::TopicsOf(int64_t account_id, Time as_of) const {
  std::vector<std::pair<uint32_t, TopicIntent>> out;
  for (uint32_t t = 0; t < topics_.size(); ++t) {
    auto it = states_.find(Key(account_id, t));
    if (it == states_.end()) continue;
    TopicIntent ti = Evaluate(it->second, as_of);
    if (ti.score > 0) out.emplace_back(t, ti);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.second.score != b.second.score ? a.second.score > b.second.score : a.first < b.first;
  });
  return out;
}

std::vector<std::pair<int64_t, TopicIntent>> IntentModel::Top(uint32_t topic, Time as_of, size_t k) const {
  std::vector<std::pair<int64_t, TopicIntent>> out;
  auto it = accounts_by_topic_.find(topic);
  if (it == accounts_by_topic_.end()) return out;
  for (int64_t account : it->second) {
    TopicIntent ti = Get(account, topic, as_of);
    if (ti.score > 0) out.emplace_back(account, ti);
  }
  auto better = [](const auto& a, const auto& b) {
    return a.second.score != b.second.score ? a.second.score > b.second.score : a.first < b.first;
  };
  if (out.size() > k) {
    std::partial_sort(out.begin(), out.begin() + static_cast<ptrdiff_t>(k), out.end(), better);
    out.resize(k);
  } else {
    std::sort(out.begin(), out.end(), better);
  }
  return out;
}

std::vector<int64_t> IntentModel::ActivePeople(int64_t account_id, Time as_of, int days) const {
  std::unordered_set<int64_t> people;
  for (uint32_t t = 0; t < topics_.size(); ++t) {
    auto it = states_.find(Key(account_id, t));
    if (it == states_.end()) continue;
    for (const Compact& c : it->second.recent)
      if (c.person && c.at <= as_of && c.at > as_of - static_cast<int64_t>(days) * kSecondsPerDay)
        people.insert(people_[c.person - 1]);
  }
  std::vector<int64_t> out(people.begin(), people.end());
  std::sort(out.begin(), out.end());
  return out;
}

std::array<int64_t, 3> IntentModel::GaugeCounts(uint32_t topic, Time as_of) const {
  std::array<int64_t, 3> counts{};
  auto it = accounts_by_topic_.find(topic);
  if (it == accounts_by_topic_.end()) return counts;
  for (int64_t account : it->second) ++counts[static_cast<int>(Get(account, topic, as_of).gauge)];
  return counts;
}

}  // namespace fairlead
