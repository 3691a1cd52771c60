#include "intent/intent.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/time.h"

namespace fairlead {
namespace {

constexpr int64_t kDay = kSecondsPerDay;
constexpr double kEps = 1e-9;

Time At(const char* text) {
  Result<Time> t = ParseTime(text);
  EXPECT_TRUE(t.ok()) << text;
  return t.ok() ? *t : 0;
}

// A hand-made event: account 1, topic 0, anonymous, vendor 0, an early view, not
// senior, unless a setter says otherwise.
class Ev {
 public:
  explicit Ev(Time at, int64_t account = 1) {
    e_.at = at;
    e_.account_id = account;
  }
  Ev& person(int64_t id) {
    e_.person_id = id;
    return *this;
  }
  Ev& topic(uint32_t t) {
    e_.topic = t;
    return *this;
  }
  Ev& vendor(uint32_t v) {
    e_.vendor = v;
    return *this;
  }
  Ev& stage(EventStage s) {
    e_.stage = s;
    return *this;
  }
  Ev& action(EventAction a) {
    e_.action = a;
    return *this;
  }
  Ev& senior(bool s = true) {
    e_.senior = s;
    return *this;
  }
  operator IntentEvent() const { return e_; }  // NOLINT: implicit by design

 private:
  IntentEvent e_;
};

// "widespread,late_stage": the signal names in bit order, for readable failures.
std::string Signals(uint8_t bits) {
  std::string out;
  for (int b = 0; b < kSignalCount; ++b) {
    if (!(bits & (1 << b))) continue;
    if (!out.empty()) out += ",";
    out += SignalName(b);
  }
  return out;
}

class IntentModelTest : public ::testing::Test {
 protected:
  IntentModelTest() : t0_(At("2026-03-01T12:00:00Z")), as_of_(t0_ + 40 * kDay) {
    topic_ = model_.TopicId("firewall");
    acme_ = model_.VendorId("acme");
    globex_ = model_.VendorId("globex");
  }

  TopicIntent Get(Time as_of, int64_t account = 1) const { return model_.Get(account, topic_, as_of); }
  std::string SignalsOf(int64_t account) const { return Signals(Get(as_of_, account).signals); }
  void Add(const IntentEvent& e) { model_.Add(e); }

  IntentModel model_;
  Time t0_;
  Time as_of_;  // the anchor the signal tests are evaluated at
  uint32_t topic_ = 0, acme_ = 0, globex_ = 0;
};

// ---------------------------------------------------------------------------
// Score

TEST_F(IntentModelTest, ScoreHalvesEveryHalfLife) {
  Add(Ev(t0_));
  EXPECT_NEAR(Get(t0_).score, 1.0, kEps);
  EXPECT_NEAR(Get(t0_ + 15 * kDay).score, std::sqrt(0.5), kEps);
  EXPECT_NEAR(Get(t0_ + 30 * kDay).score, 0.5, kEps);
  EXPECT_NEAR(Get(t0_ + 60 * kDay).score, 0.25, kEps);

  TopicIntent now = Get(t0_);
  EXPECT_EQ(now.last_event, t0_);
  EXPECT_EQ(now.events_in_window, 1);
  EXPECT_EQ(now.people_in_window, 1) << "an anonymous event is one visitor";
  TopicIntent later = Get(t0_ + 60 * kDay);
  EXPECT_EQ(later.last_event, t0_) << "the last event is kept after it leaves the windows";
  EXPECT_EQ(later.events_in_window, 0);
  EXPECT_EQ(later.people_in_window, 0);
  EXPECT_EQ(later.signals, 0);
  EXPECT_EQ(later.gauge, Gauge::kNotActive);
}

TEST_F(IntentModelTest, WeightsByAction) {
  const IntentConfig& c = model_.config();
  EXPECT_EQ(c.half_life_days, 30);
  EXPECT_EQ(c.weights[0], 1.0);
  EXPECT_EQ(c.weights[1], 3.0);
  EXPECT_EQ(c.weights[2], 5.0);
  EXPECT_EQ(c.weights[3], 8.0);
  Add(Ev(t0_, 1).action(EventAction::kView));
  Add(Ev(t0_, 2).action(EventAction::kDownload));
  Add(Ev(t0_, 3).action(EventAction::kWebinar));
  Add(Ev(t0_, 4).action(EventAction::kPricing));
  EXPECT_NEAR(Get(t0_, 1).score, 1.0, kEps);
  EXPECT_NEAR(Get(t0_, 2).score, 3.0, kEps);
  EXPECT_NEAR(Get(t0_, 3).score, 5.0, kEps);
  EXPECT_NEAR(Get(t0_, 4).score, 8.0, kEps);
  EXPECT_NEAR(Get(t0_ + 30 * kDay, 4).score, 4.0, kEps);
}

TEST_F(IntentModelTest, TwoEventsAddTheirDecayedWeights) {
  Add(Ev(t0_));
  Add(Ev(t0_ + 10 * kDay).action(EventAction::kDownload));
  const double at10 = std::exp2(-10.0 / 30) + 3;
  EXPECT_NEAR(Get(t0_ + 10 * kDay).score, at10, kEps);
  EXPECT_NEAR(Get(t0_ + 40 * kDay).score, at10 / 2, kEps);
  EXPECT_EQ(Get(t0_ + 10 * kDay).last_event, t0_ + 10 * kDay);
  EXPECT_EQ(Get(t0_ + 10 * kDay).events_in_window, 2);
}

TEST_F(IntentModelTest, OutOfOrderEventAddsItsDecayedWeight) {
  Add(Ev(t0_ + 10 * kDay));
  Add(Ev(t0_).action(EventAction::kPricing));  // earlier than the newest
  const Time as_of = t0_ + 10 * kDay;
  TopicIntent ti = Get(as_of);
  EXPECT_NEAR(ti.score, 1 + 8 * std::exp2(-10.0 / 30), kEps);
  EXPECT_EQ(ti.last_event, t0_ + 10 * kDay);
  EXPECT_EQ(ti.events_in_window, 2);
  EXPECT_EQ(Signals(ti.signals), "late_stage") << "the late pricing event is 10 days old";

  // Older than the window relative to the newest: only its decayed score counts.
  Add(Ev(t0_ - 90 * kDay).action(EventAction::kWebinar));
  ti = Get(as_of);
  EXPECT_NEAR(ti.score, 1 + 8 * std::exp2(-10.0 / 30) + 5 * std::exp2(-100.0 / 30), kEps);
  EXPECT_EQ(ti.events_in_window, 2);
  EXPECT_EQ(ti.last_event, t0_ + 10 * kDay);
}

TEST_F(IntentModelTest, AsOfBeforeALaterEventExcludesItsShare) {
  Add(Ev(t0_));
  Add(Ev(t0_ + 10 * kDay).person(4).action(EventAction::kPricing));
  TopicIntent before = Get(t0_ + 5 * kDay);
  EXPECT_NEAR(before.score, std::exp2(-5.0 / 30), kEps);
  EXPECT_EQ(before.signals, 0) << Signals(before.signals);
  EXPECT_EQ(before.last_event, t0_);
  EXPECT_EQ(before.events_in_window, 1);
  EXPECT_EQ(before.people_in_window, 1);

  TopicIntent after = Get(t0_ + 10 * kDay);
  EXPECT_NEAR(after.score, std::exp2(-10.0 / 30) + 8, kEps);
  EXPECT_EQ(Signals(after.signals), "late_stage");
  EXPECT_EQ(after.last_event, t0_ + 10 * kDay);
  EXPECT_EQ(after.people_in_window, 2);

  TopicIntent first = Get(t0_);
  EXPECT_NEAR(first.score, 1.0, kEps) << "as of the first event: its full weight only";
  TopicIntent none = Get(t0_ - kDay);
  EXPECT_NEAR(none.score, 0.0, kEps) << "as of before every event";
  EXPECT_EQ(none.last_event, 0);
  EXPECT_EQ(none.events_in_window, 0);
}

// ---------------------------------------------------------------------------
// Signals, each on both sides of its boundary. Windows are (as_of - days, as_of].

TEST_F(IntentModelTest, WidespreadNeedsThreeDistinctPeopleOrVisitors) {
  const Time a = as_of_;
  Add(Ev(a - 1 * kDay, 1).person(1));  // two people
  Add(Ev(a - 2 * kDay, 1).person(2));
  Add(Ev(a - 1 * kDay, 2).person(1));  // three people
  Add(Ev(a - 2 * kDay, 2).person(2));
  Add(Ev(a - 3 * kDay, 2).person(3));
  Add(Ev(a - 1 * kDay, 3).person(1));  // one person three times
  Add(Ev(a - 2 * kDay, 3).person(1));
  Add(Ev(a - 3 * kDay, 3).person(1));
  Add(Ev(a - 1 * kDay, 4));            // three anonymous events: three visitors
  Add(Ev(a - 1 * kDay, 4));
  Add(Ev(a - 2 * kDay, 4));
  Add(Ev(a - 1 * kDay, 5).person(1));  // two people and one visitor
  Add(Ev(a - 2 * kDay, 5).person(2));
  Add(Ev(a - 3 * kDay, 5));
  Add(Ev(a - 1 * kDay, 6).person(1));  // one person twice and one visitor
  Add(Ev(a - 2 * kDay, 6).person(1));
  Add(Ev(a - 3 * kDay, 6));

  EXPECT_EQ(SignalsOf(1), "");
  EXPECT_EQ(Get(a, 1).people_in_window, 2);
  EXPECT_EQ(SignalsOf(2), "widespread");
  EXPECT_EQ(Get(a, 2).people_in_window, 3);
  EXPECT_EQ(SignalsOf(3), "");
  EXPECT_EQ(Get(a, 3).people_in_window, 1);
  EXPECT_EQ(Get(a, 3).events_in_window, 3);
  EXPECT_EQ(SignalsOf(4), "widespread");
  EXPECT_EQ(Get(a, 4).people_in_window, 3);
  EXPECT_EQ(SignalsOf(5), "widespread");
  EXPECT_EQ(Get(a, 5).people_in_window, 3);
  EXPECT_EQ(SignalsOf(6), "");
  EXPECT_EQ(Get(a, 6).people_in_window, 2);
}

TEST_F(IntentModelTest, WidespreadWindowExcludesItsStartingInstant) {
  const Time a = as_of_;
  for (int64_t account : {1, 2}) {
    Add(Ev(a - 1 * kDay, account).person(1));
    Add(Ev(a - 2 * kDay, account).person(2));
  }
  Add(Ev(a - 30 * kDay, 1).person(3));      // exactly 30 days: outside
  Add(Ev(a - 30 * kDay + 1, 2).person(3));  // one second later: inside
  EXPECT_EQ(SignalsOf(1), "");
  EXPECT_EQ(Get(a, 1).people_in_window, 2);
  EXPECT_EQ(Get(a, 1).events_in_window, 2);
  EXPECT_EQ(SignalsOf(2), "widespread");
  EXPECT_EQ(Get(a, 2).people_in_window, 3);
  // One second later the third person leaves the window of account 2 too.
  EXPECT_EQ(Signals(Get(a + 1, 2).signals), "");
  EXPECT_EQ(Get(a + 1, 2).people_in_window, 2);
}

TEST_F(IntentModelTest, SustainedNeedsThreeOfTheLastFourWeeks) {
  const Time a = as_of_;
  // One known person throughout, so that widespread stays off.
  // Two active weeks.
  Add(Ev(a - 1 * kDay, 1).person(1));
  Add(Ev(a - 8 * kDay, 1).person(1));
  // Three active weeks.
  Add(Ev(a - 1 * kDay, 2).person(1));
  Add(Ev(a - 8 * kDay, 2).person(1));
  Add(Ev(a - 15 * kDay, 2).person(1));
  // Week w is (a-(w+1)*7d, a-w*7d]: exactly 7 and 14 days old are weeks 1 and 2.
  Add(Ev(a, 3).person(1));
  Add(Ev(a - 7 * kDay, 3).person(1));
  Add(Ev(a - 14 * kDay, 3).person(1));
  // One second younger each: weeks 0, 0 and 1.
  Add(Ev(a, 4).person(1));
  Add(Ev(a - 7 * kDay + 1, 4).person(1));
  Add(Ev(a - 14 * kDay + 1, 4).person(1));
  // Exactly 28 days old is week 4: outside the last four weeks.
  Add(Ev(a - 1 * kDay, 5).person(1));
  Add(Ev(a - 8 * kDay, 5).person(1));
  Add(Ev(a - 28 * kDay, 5).person(1));
  // One second younger: week 3.
  Add(Ev(a - 1 * kDay, 6).person(1));
  Add(Ev(a - 8 * kDay, 6).person(1));
  Add(Ev(a - 28 * kDay + 1, 6).person(1));
  // Many events in one week are one active week.
  for (int i = 0; i < 6; ++i) Add(Ev(a - i * kDay, 7).person(1));

  EXPECT_EQ(SignalsOf(1), "");
  EXPECT_EQ(SignalsOf(2), "sustained");
  EXPECT_EQ(SignalsOf(3), "sustained");
  EXPECT_EQ(SignalsOf(4), "");
  EXPECT_EQ(SignalsOf(5), "");
  EXPECT_EQ(SignalsOf(6), "sustained");
  EXPECT_EQ(SignalsOf(7), "") << "six events in one week are one active week";
}

TEST_F(IntentModelTest, LateStageViaStageOrPricingWithinFourteenDays) {
  const Time a = as_of_;
  Add(Ev(a - 14 * kDay, 1).stage(EventStage::kLate));       // exactly 14 days: outside
  Add(Ev(a - 14 * kDay + 1, 2).stage(EventStage::kLate));   // inside
  Add(Ev(a - 13 * kDay, 3).action(EventAction::kPricing));  // pricing at an early stage
  Add(Ev(a - 15 * kDay, 4).action(EventAction::kPricing));  // 15 days: outside
  Add(Ev(a - 1 * kDay, 5).stage(EventStage::kMid).action(EventAction::kWebinar));
  Add(Ev(a - 1 * kDay, 5).stage(EventStage::kMid).action(EventAction::kDownload));
  Add(Ev(a - 15 * kDay, 6).stage(EventStage::kLate));       // late but 15 days old
  EXPECT_EQ(SignalsOf(1), "");
  EXPECT_EQ(SignalsOf(2), "late_stage");
  EXPECT_EQ(SignalsOf(3), "late_stage");
  EXPECT_EQ(SignalsOf(4), "");
  EXPECT_EQ(SignalsOf(5), "");
  EXPECT_EQ(SignalsOf(6), "");
  // The same late event at account 2, one second later, has left the window.
  EXPECT_EQ(Signals(Get(a + 1, 2).signals), "");
}

TEST_F(IntentModelTest, StakeholderNeedsAKnownSeniorPersonWithinThirtyDays) {
  const Time a = as_of_;
  Add(Ev(a - 1 * kDay, 1).person(7).senior());
  Add(Ev(a - 1 * kDay, 2).senior());  // anonymous: no person, no stakeholder
  Add(Ev(a - 1 * kDay, 3).person(7));  // known but not senior
  Add(Ev(a - 30 * kDay, 4).person(7).senior());
  Add(Ev(a - 30 * kDay + 1, 5).person(7).senior());
  EXPECT_EQ(SignalsOf(1), "stakeholder");
  EXPECT_EQ(SignalsOf(2), "");
  EXPECT_EQ(SignalsOf(3), "");
  EXPECT_EQ(SignalsOf(4), "");
  EXPECT_EQ(SignalsOf(5), "stakeholder");
}

TEST_F(IntentModelTest, CrossVendorNeedsTwoVendorsWithinThirtyDays) {
  const Time a = as_of_;
  Add(Ev(a - 1 * kDay, 1).vendor(acme_));
  Add(Ev(a - 2 * kDay, 1).vendor(acme_));
  Add(Ev(a - 1 * kDay, 2).vendor(acme_));
  Add(Ev(a - 2 * kDay, 2).vendor(globex_));
  Add(Ev(a - 1 * kDay, 3).vendor(acme_));
  Add(Ev(a - 30 * kDay, 3).vendor(globex_));
  Add(Ev(a - 1 * kDay, 4).vendor(acme_));
  Add(Ev(a - 30 * kDay + 1, 4).vendor(globex_));
  EXPECT_EQ(SignalsOf(1), "");
  EXPECT_EQ(SignalsOf(2), "cross_vendor");
  EXPECT_EQ(SignalsOf(3), "");
  EXPECT_EQ(SignalsOf(4), "cross_vendor");
}

// ---------------------------------------------------------------------------
// Gauge

TEST_F(IntentModelTest, UnknownAccountOrTopicIsNotActive) {
  Add(Ev(t0_));
  for (TopicIntent none : {model_.Get(99, topic_, t0_), model_.Get(1, model_.TopicId("sd-wan"), t0_),
                           model_.Get(1, 12345, t0_)}) {
    EXPECT_EQ(none.score, 0);
    EXPECT_EQ(none.signals, 0);
    EXPECT_EQ(none.gauge, Gauge::kNotActive);
    EXPECT_EQ(none.last_event, 0);
    EXPECT_EQ(none.events_in_window, 0);
    EXPECT_EQ(none.people_in_window, 0);
  }
  EXPECT_FALSE(model_.FindTopic("crm").has_value());
  ASSERT_TRUE(model_.FindTopic("firewall").has_value());
  EXPECT_EQ(*model_.FindTopic("firewall"), topic_);
  EXPECT_EQ(model_.TopicId("firewall"), topic_) << "interning is idempotent";
  EXPECT_EQ(model_.TopicName(topic_), "firewall");
  EXPECT_EQ(model_.VendorId("acme"), acme_);
  EXPECT_NE(acme_, globex_);
}

TEST_F(IntentModelTest, GaugeFollowsTheSignals) {
  const Time a = as_of_;
  // 1: activity, no signal.
  Add(Ev(a - 1 * kDay, 1));
  // 2: one signal (late stage).
  Add(Ev(a - 1 * kDay, 2).action(EventAction::kPricing));
  // 3: late stage + widespread, nothing else.
  Add(Ev(a - 1 * kDay, 3).action(EventAction::kPricing));
  Add(Ev(a - 1 * kDay, 3));
  Add(Ev(a - 2 * kDay, 3));
  // 4: the four other signals.
  Add(Ev(a - 1 * kDay, 4).person(1).senior().vendor(acme_));
  Add(Ev(a - 8 * kDay, 4).person(2).vendor(globex_));
  Add(Ev(a - 15 * kDay, 4).person(3).vendor(acme_));
  // 5: three signals with late stage but not widespread.
  Add(Ev(a - 1 * kDay, 5).person(1).senior().action(EventAction::kPricing));
  Add(Ev(a - 8 * kDay, 5).person(1).senior());
  Add(Ev(a - 15 * kDay, 5).person(1).senior());
  // 6: three signals with widespread but not late stage.
  Add(Ev(a - 1 * kDay, 6).person(1).vendor(acme_));
  Add(Ev(a - 8 * kDay, 6).person(2).vendor(globex_));
  Add(Ev(a - 15 * kDay, 6).person(3).vendor(acme_));

  struct Want {
    int64_t account;
    const char* signals;
    Gauge gauge;
  };
  for (const Want& w : {Want{1, "", Gauge::kNotActive}, Want{2, "late_stage", Gauge::kRampingUp},
                        Want{3, "widespread,late_stage", Gauge::kEvaluating},
                        Want{4, "widespread,sustained,stakeholder,cross_vendor", Gauge::kEvaluating},
                        Want{5, "sustained,late_stage,stakeholder", Gauge::kRampingUp},
                        Want{6, "widespread,sustained,cross_vendor", Gauge::kRampingUp}}) {
    TopicIntent ti = Get(a, w.account);
    EXPECT_EQ(Signals(ti.signals), w.signals) << "account " << w.account;
    EXPECT_EQ(Name(ti.gauge), Name(w.gauge)) << "account " << w.account;
    EXPECT_GT(ti.score, 0) << "account " << w.account;
  }
}

TEST(IntentNamesTest, SignalAndGaugeWords) {
  EXPECT_EQ(SignalName(0), "widespread");
  EXPECT_EQ(SignalName(1), "sustained");
  EXPECT_EQ(SignalName(2), "late_stage");
  EXPECT_EQ(SignalName(3), "stakeholder");
  EXPECT_EQ(SignalName(4), "cross_vendor");
  EXPECT_EQ(Name(Gauge::kNotActive), "not_active");
  EXPECT_EQ(Name(Gauge::kRampingUp), "ramping_up");
  EXPECT_EQ(Name(Gauge::kEvaluating), "evaluating");
  for (Gauge g : {Gauge::kNotActive, Gauge::kRampingUp, Gauge::kEvaluating}) {
    Gauge back = Gauge::kNotActive;
    EXPECT_TRUE(Parse(Name(g), &back));
    EXPECT_EQ(back, g);
  }
  Gauge g = Gauge::kEvaluating;
  EXPECT_FALSE(Parse("hot", &g));
}

// ---------------------------------------------------------------------------
// Configuration

TEST(IntentConfigTest, EmptyJsonKeepsTheDefaults) {
  Result<IntentConfig> c = IntentConfigFromJson("{}", "intent.json");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  IntentConfig d;
  EXPECT_EQ(c->half_life_days, d.half_life_days);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(c->weights[i], d.weights[i]);
  EXPECT_EQ(c->widespread_min, 3);
  EXPECT_EQ(c->widespread_days, 30);
  EXPECT_EQ(c->sustained_weeks, 3);
  EXPECT_EQ(c->sustained_of_weeks, 4);
  EXPECT_EQ(c->late_stage_days, 14);
  EXPECT_EQ(c->stakeholder_days, 30);
  EXPECT_EQ(c->cross_vendor_min, 2);
  EXPECT_EQ(c->cross_vendor_days, 30);
  EXPECT_EQ(c->evaluating_signals, 4);
}

TEST(IntentConfigTest, JsonChangesThresholds) {
  Result<IntentConfig> c = IntentConfigFromJson(
      R"({"widespread_min": 2, "half_life_days": 10, "weights": {"pricing": 12, "view": 2}, "late_stage_days": 7})",
      "intent.json");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->widespread_min, 2);
  EXPECT_EQ(c->half_life_days, 10);
  EXPECT_EQ(c->weights[0], 2.0);
  EXPECT_EQ(c->weights[1], 3.0) << "weights not given keep their defaults";
  EXPECT_EQ(c->weights[2], 5.0);
  EXPECT_EQ(c->weights[3], 12.0);
  EXPECT_EQ(c->late_stage_days, 7);
  EXPECT_EQ(c->widespread_days, 30);

  const Time t0 = At("2026-03-01T12:00:00Z");
  IntentModel custom(*c), standard;
  for (IntentModel* m : {&custom, &standard}) {
    uint32_t topic = m->TopicId("firewall");
    m->Add(Ev(t0, 1).topic(topic).person(1));
    m->Add(Ev(t0, 1).topic(topic).person(2));
    m->Add(Ev(t0 - 8 * kDay, 2).topic(topic).action(EventAction::kPricing));
  }
  uint32_t ct = *custom.FindTopic("firewall"), st = *standard.FindTopic("firewall");
  EXPECT_EQ(Signals(custom.Get(1, ct, t0).signals), "widespread") << "two people are widespread with min 2";
  EXPECT_EQ(Signals(standard.Get(1, st, t0).signals), "");
  // Two views weighing 2 each, halving every 10 days.
  EXPECT_NEAR(custom.Get(1, ct, t0).score, 4.0, kEps);
  EXPECT_NEAR(custom.Get(1, ct, t0 + 10 * kDay).score, 2.0, kEps);
  EXPECT_NEAR(custom.Get(1, ct, t0 + 20 * kDay).score, 1.0, kEps);
  EXPECT_NEAR(standard.Get(1, st, t0 + 30 * kDay).score, 1.0, kEps);
  // A pricing event 8 days old: late stage within 14 days, not within 7.
  EXPECT_EQ(Signals(custom.Get(2, ct, t0).signals), "");
  EXPECT_EQ(Signals(standard.Get(2, st, t0).signals), "late_stage");
  EXPECT_NEAR(custom.Get(2, ct, t0).score, 12 * std::exp2(-8.0 / 10), kEps);
}

TEST(IntentConfigTest, EvaluatingSignalsIsConfigurable) {
  Result<IntentConfig> c = IntentConfigFromJson(R"({"evaluating_signals": 2})", "intent.json");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const Time t0 = At("2026-03-01T12:00:00Z");
  IntentModel custom(*c), standard;
  for (IntentModel* m : {&custom, &standard}) {
    uint32_t topic = m->TopicId("firewall");
    uint32_t v1 = m->VendorId("acme"), v2 = m->VendorId("globex");
    m->Add(Ev(t0, 1).topic(topic).person(1).senior().vendor(v1));
    m->Add(Ev(t0, 1).topic(topic).person(1).senior().vendor(v2));
  }
  TopicIntent a = custom.Get(1, *custom.FindTopic("firewall"), t0);
  TopicIntent b = standard.Get(1, *standard.FindTopic("firewall"), t0);
  EXPECT_EQ(Signals(a.signals), "stakeholder,cross_vendor");
  EXPECT_EQ(a.gauge, Gauge::kEvaluating);
  EXPECT_EQ(Signals(b.signals), "stakeholder,cross_vendor");
  EXPECT_EQ(b.gauge, Gauge::kRampingUp);
}

TEST(IntentConfigTest, AcceptsTheRangeBounds) {
  Result<IntentConfig> c = IntentConfigFromJson(
      R"({"widespread_min": 1000, "half_life_days": 3650, "evaluating_signals": 5, "sustained_weeks": 52,
          "sustained_of_weeks": 52, "late_stage_days": 365, "cross_vendor_min": 1, "weights": {"view": 0}})",
      "intent.json");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->widespread_min, 1000);
  EXPECT_EQ(c->sustained_weeks, 52);
  EXPECT_EQ(c->weights[0], 0.0);
}

TEST(IntentConfigTest, RejectsUnknownKeysAndOutOfRangeValuesNamingTheKey) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"widespread": 3})", "widespread: unknown setting"},
      {R"({"half_life": 30})", "half_life: unknown setting"},
      {R"({"widespread_min": 0})", "widespread_min"},
      {R"({"widespread_min": 1001})", "widespread_min"},
      {R"({"widespread_min": 2.5})", "widespread_min"},
      {R"({"widespread_min": "3"})", "widespread_min"},
      {R"({"cross_vendor_min": -1})", "cross_vendor_min"},
      {R"({"half_life_days": 0})", "half_life_days"},
      {R"({"half_life_days": -5})", "half_life_days"},
      {R"({"half_life_days": 3651})", "half_life_days"},
      {R"({"half_life_days": "30"})", "half_life_days"},
      {R"({"late_stage_days": 366})", "late_stage_days"},
      {R"({"widespread_days": 0})", "widespread_days"},
      {R"({"evaluating_signals": 6})", "evaluating_signals"},
      {R"({"sustained_weeks": 5})", "sustained_weeks"},  // more than sustained_of_weeks (4)
      {R"({"weights": {"click": 1}})", "weights.click"},
      {R"({"weights": {"view": -1}})", "weights.view"},
      {R"({"weights": [1, 3, 5, 8]})", "weights"},
      {R"({"weights": {"view": 1e300}})", "weights.view: must be a number from 0 to 1000000"},
      {R"([1, 2])", "must be a JSON object"},
      {"{\n  \"widespread_min\": 3,,\n}", "intent.json: line 2, column 23: syntax error"},
      {R"({"widespread_min": )", "line 1, column 20"},
  };
  for (const auto& [json, key] : cases) {
    Result<IntentConfig> c = IntentConfigFromJson(json, "intent.json");
    ASSERT_FALSE(c.ok()) << json;
    EXPECT_EQ(c.status().code(), Status::Code::kInvalid) << json;
    EXPECT_NE(c.status().message().find(key), std::string::npos) << json << " -> " << c.status().message();
    EXPECT_NE(c.status().message().find("intent.json"), std::string::npos) << c.status().message();
  }
}

// ---------------------------------------------------------------------------
// Queries

TEST_F(IntentModelTest, TopOrdersByScoreThenAccountIdAndLimits) {
  Add(Ev(t0_, 5).action(EventAction::kDownload));
  Add(Ev(t0_, 2).action(EventAction::kDownload));
  Add(Ev(t0_, 9).action(EventAction::kPricing));
  Add(Ev(t0_, 4));
  uint32_t crm = model_.TopicId("crm");
  Add(Ev(t0_, 7).topic(crm).action(EventAction::kWebinar));

  auto ids = [](const std::vector<std::pair<int64_t, TopicIntent>>& top) {
    std::vector<int64_t> out;
    for (const auto& [account, ti] : top) out.push_back(account);
    return out;
  };
  auto top = model_.Top(topic_, t0_, 10);
  EXPECT_EQ(ids(top), (std::vector<int64_t>{9, 2, 5, 4}));
  ASSERT_EQ(top.size(), 4u);
  EXPECT_NEAR(top[0].second.score, 8.0, kEps);
  EXPECT_NEAR(top[1].second.score, 3.0, kEps);
  EXPECT_NEAR(top[3].second.score, 1.0, kEps);
  EXPECT_EQ(ids(model_.Top(topic_, t0_, 4)), (std::vector<int64_t>{9, 2, 5, 4}));
  EXPECT_EQ(ids(model_.Top(topic_, t0_, 3)), (std::vector<int64_t>{9, 2, 5}));
  EXPECT_EQ(ids(model_.Top(topic_, t0_, 2)), (std::vector<int64_t>{9, 2}));
  EXPECT_TRUE(model_.Top(topic_, t0_, 0).empty());
  EXPECT_EQ(ids(model_.Top(crm, t0_, 10)), (std::vector<int64_t>{7}));
  EXPECT_TRUE(model_.Top(model_.TopicId("unused"), t0_, 10).empty());

  // A later event reorders: account 4 now has 0.5 + 8, account 9 has 4.
  Add(Ev(t0_ + 30 * kDay, 4).action(EventAction::kPricing));
  EXPECT_EQ(ids(model_.Top(topic_, t0_ + 30 * kDay, 3)), (std::vector<int64_t>{4, 9, 2}));
  EXPECT_NEAR(model_.Top(topic_, t0_ + 30 * kDay, 1)[0].second.score, 8.5, kEps);
}

// The same events in another order give the same score, so equal accounts rank by id
// whatever order their events arrived in (an audit's case: seven events each).
TEST_F(IntentModelTest, TheSameEventsInAnyOrderScoreAndRankTheSame) {
  const std::vector<std::pair<Time, EventAction>> events = {
      {t0_ - 14 * kDay, EventAction::kWebinar}, {t0_ - 12 * kDay, EventAction::kView},
      {t0_ - 11 * kDay, EventAction::kView},    {t0_ - 7 * kDay, EventAction::kDownload},
      {t0_ - 3 * kDay - 3600, EventAction::kPricing}, {t0_ - kDay - 999, EventAction::kDownload},
      {t0_ - 77, EventAction::kWebinar}};
  const std::vector<std::vector<int>> orders = {{0, 2, 1, 3, 4, 5, 6}, {6, 5, 4, 3, 2, 1, 0}, {6, 4, 3, 0, 1, 5, 2}};
  for (int64_t account : {3, 1, 2})
    for (int i : orders[static_cast<size_t>(account - 1)])
      Add(Ev(events[static_cast<size_t>(i)].first, account).action(events[static_cast<size_t>(i)].second));
  std::vector<int64_t> ids;
  auto top = model_.Top(topic_, t0_, 10);
  for (const auto& [account, ti] : top) ids.push_back(account);
  EXPECT_EQ(ids, (std::vector<int64_t>{1, 2, 3}));
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].second.score, top[1].second.score);
  EXPECT_EQ(top[1].second.score, top[2].second.score);
  EXPECT_EQ(model_.Score(1, topic_, t0_), model_.Score(3, topic_, t0_));
  // As of a time before some of them, too.
  EXPECT_EQ(Get(t0_ - 2 * kDay, 1).score, Get(t0_ - 2 * kDay, 2).score);
  EXPECT_EQ(Get(t0_ - 2 * kDay, 2).score, Get(t0_ - 2 * kDay, 3).score);
}

TEST_F(IntentModelTest, GaugeCountsPerTopic) {
  const Time a = t0_;
  // Evaluating: late stage + widespread.
  Add(Ev(a - kDay, 1).action(EventAction::kPricing));
  Add(Ev(a - kDay, 1));
  Add(Ev(a - kDay, 1));
  // Ramping up: late stage; and late stage via the stage.
  Add(Ev(a - kDay, 2).action(EventAction::kPricing));
  Add(Ev(a - kDay, 3).stage(EventStage::kLate));
  // Not active.
  Add(Ev(a - kDay, 4));
  uint32_t crm = model_.TopicId("crm");
  Add(Ev(a - kDay, 5).topic(crm));

  std::array<int64_t, 3> counts = model_.GaugeCounts(topic_, a);
  EXPECT_EQ(counts[static_cast<int>(Gauge::kNotActive)], 1);
  EXPECT_EQ(counts[static_cast<int>(Gauge::kRampingUp)], 2);
  EXPECT_EQ(counts[static_cast<int>(Gauge::kEvaluating)], 1);
  EXPECT_EQ(model_.GaugeCounts(crm, a), (std::array<int64_t, 3>{1, 0, 0}));
  EXPECT_EQ(model_.GaugeCounts(model_.TopicId("unused"), a), (std::array<int64_t, 3>{0, 0, 0}));
  // Once every window has passed, every account is not active.
  EXPECT_EQ(model_.GaugeCounts(topic_, a + 60 * kDay), (std::array<int64_t, 3>{4, 0, 0}));
}

TEST_F(IntentModelTest, TopicsOfOrdersByScoreThenTopicId) {
  uint32_t crm = model_.TopicId("crm");
  uint32_t sdwan = model_.TopicId("sd-wan");
  uint32_t erp = model_.TopicId("erp");
  Add(Ev(t0_, 1).topic(topic_));
  Add(Ev(t0_, 1).topic(crm).action(EventAction::kPricing));
  Add(Ev(t0_, 1).topic(sdwan).action(EventAction::kDownload));
  Add(Ev(t0_, 2).topic(erp));
  Add(Ev(t0_, 3).topic(sdwan));  // a tie: lower topic id first
  Add(Ev(t0_, 3).topic(topic_));

  auto topics = [&](int64_t account) {
    std::vector<uint32_t> out;
    for (const auto& [t, ti] : model_.TopicsOf(account, t0_)) out.push_back(t);
    return out;
  };
  EXPECT_EQ(topics(1), (std::vector<uint32_t>{crm, sdwan, topic_}));
  EXPECT_EQ(topics(2), (std::vector<uint32_t>{erp}));
  EXPECT_EQ(topics(3), (std::vector<uint32_t>{topic_, sdwan}));
  EXPECT_TRUE(topics(4).empty());
  auto of1 = model_.TopicsOf(1, t0_);
  ASSERT_EQ(of1.size(), 3u);
  EXPECT_NEAR(of1[0].second.score, 8.0, kEps);
  EXPECT_NEAR(of1[1].second.score, 3.0, kEps);
  EXPECT_NEAR(of1[2].second.score, 1.0, kEps);
  EXPECT_EQ(model_.TopicName(of1[0].first), "crm");
}

TEST_F(IntentModelTest, ActivePeopleAcrossTopicsWithinDays) {
  const Time a = t0_;
  uint32_t crm = model_.TopicId("crm");
  Add(Ev(a - 1 * kDay, 1).person(5));
  Add(Ev(a - 2 * kDay, 1).person(5).topic(crm));
  Add(Ev(a - 10 * kDay, 1).person(3).topic(crm));
  Add(Ev(a - 1 * kDay, 1));  // anonymous: never a person
  Add(Ev(a - 20 * kDay, 1).person(8));
  Add(Ev(a - 1 * kDay, 2).person(9));

  EXPECT_EQ(model_.ActivePeople(1, a, 15), (std::vector<int64_t>{3, 5}));
  EXPECT_EQ(model_.ActivePeople(1, a, 20), (std::vector<int64_t>{3, 5})) << "exactly 20 days old is outside";
  EXPECT_EQ(model_.ActivePeople(1, a, 21), (std::vector<int64_t>{3, 5, 8}));
  EXPECT_EQ(model_.ActivePeople(1, a, 1), (std::vector<int64_t>{})) << "exactly 1 day old is outside";
  EXPECT_EQ(model_.ActivePeople(1, a, 2), (std::vector<int64_t>{5}));
  EXPECT_EQ(model_.ActivePeople(2, a, 30), (std::vector<int64_t>{9}));
  EXPECT_TRUE(model_.ActivePeople(3, a, 30).empty());
}

// ---------------------------------------------------------------------------
// Incrementality: one event at a time equals a fresh model fed in any order.

void ExpectSame(const TopicIntent& a, const TopicIntent& b, const std::string& where) {
  EXPECT_NEAR(a.score, b.score, kEps) << where;
  EXPECT_EQ(Signals(a.signals), Signals(b.signals)) << where;
  EXPECT_EQ(Name(a.gauge), Name(b.gauge)) << where;
  EXPECT_EQ(a.last_event, b.last_event) << where;
  EXPECT_EQ(a.events_in_window, b.events_in_window) << where;
  EXPECT_EQ(a.people_in_window, b.people_in_window) << where;
}

void Intern(IntentModel* m) {
  EXPECT_EQ(m->TopicId("firewall"), 0u);
  EXPECT_EQ(m->TopicId("crm"), 1u);
  EXPECT_EQ(m->VendorId("acme"), 1u);  // 0 is "no vendor"
  EXPECT_EQ(m->VendorId("globex"), 2u);
  EXPECT_EQ(m->VendorId("initech"), 3u);
}

TEST(IntentIncrementalTest, OneByOneEqualsAFreshModelInAnyOrder) {
  const Time t0 = At("2026-01-01T00:00:00Z");
  std::mt19937_64 rng(20260301);
  std::vector<IntentEvent> events;
  for (int i = 0; i < 200; ++i) {
    IntentEvent e;
    e.at = t0 + static_cast<Time>(rng() % (90 * 24)) * 3600;  // on the hour: some equal times
    uint64_t r = rng() % 10;
    e.account_id = r < 6 ? 1 : r < 9 ? 2 : 3;  // a busy, a medium and a quiet account
    e.topic = static_cast<uint32_t>(rng() % 2);
    e.person_id = static_cast<int64_t>(rng() % 7);  // 0 = anonymous
    e.vendor = static_cast<uint32_t>(rng() % 3) + 1;  // 0 would be "no vendor"
    e.stage = rng() % 10 == 0 ? EventStage::kLate : rng() % 2 ? EventStage::kMid : EventStage::kEarly;
    e.action = rng() % 10 == 0 ? EventAction::kPricing : static_cast<EventAction>(rng() % 3);
    e.senior = e.person_id != 0 && e.person_id % 3 == 0;
    events.push_back(e);
  }

  IntentModel incremental;
  Intern(&incremental);
  uint8_t seen_signals = 0;
  bool seen_gauge[3] = {false, false, false};
  Time newest = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    incremental.Add(events[i]);  // in generation order: often out of time order
    newest = std::max(newest, events[i].at);
    if ((i + 1) % 25 != 0) continue;

    std::vector<IntentEvent> prefix(events.begin(), events.begin() + static_cast<std::ptrdiff_t>(i + 1));
    std::shuffle(prefix.begin(), prefix.end(), rng);
    IntentModel shuffled;
    Intern(&shuffled);
    for (const IntentEvent& e : prefix) shuffled.Add(e);
    std::sort(prefix.begin(), prefix.end(), [](const IntentEvent& a, const IntentEvent& b) { return a.at < b.at; });
    IntentModel sorted;
    Intern(&sorted);
    for (const IntentEvent& e : prefix) sorted.Add(e);

    for (Time as_of : {newest, newest + 1, newest + 3 * kDay + 7 * 3600, newest + 13 * kDay, newest + 29 * kDay,
                       newest + 45 * kDay}) {
      for (int64_t account = 1; account <= 4; ++account) {
        for (uint32_t topic = 0; topic < 2; ++topic) {
          std::string where = "after " + std::to_string(i + 1) + " events, account " + std::to_string(account) +
                              ", topic " + std::to_string(topic) + ", as of " + FormatTime(as_of);
          TopicIntent inc = incremental.Get(account, topic, as_of);
          ExpectSame(inc, shuffled.Get(account, topic, as_of), where + " (shuffled)");
          ExpectSame(inc, sorted.Get(account, topic, as_of), where + " (sorted)");
          seen_signals |= inc.signals;
          seen_gauge[static_cast<int>(inc.gauge)] = true;
        }
        EXPECT_EQ(incremental.ActivePeople(account, as_of, 30), shuffled.ActivePeople(account, as_of, 30));
      }
      for (uint32_t topic = 0; topic < 2; ++topic)
        EXPECT_EQ(incremental.GaugeCounts(topic, as_of), shuffled.GaugeCounts(topic, as_of));
    }
  }
  // The comparison covered every signal and every gauge.
  EXPECT_EQ(Signals(seen_signals), "widespread,sustained,late_stage,stakeholder,cross_vendor");
  EXPECT_TRUE(seen_gauge[0] && seen_gauge[1] && seen_gauge[2]);
}

// Batches (with their look-ahead) must leave the model exactly as the same events
// added one by one, in batch order.
TEST(IntentBatchTest, ALargeBatchEqualsOneByOne) {
  const Time t0 = At("2026-01-01T00:00:00Z");
  std::mt19937_64 rng(20261204);
  auto generate = [&](size_t n, int64_t first_account, int64_t accounts) {
    std::vector<IntentEvent> events;
    for (size_t i = 0; i < n; ++i) {
      IntentEvent e;
      e.at = t0 + static_cast<Time>(rng() % (120 * 24)) * 3600;  // out of order, some equal times
      // Skewed: a few busy accounts, many quiet ones; account ids with gaps.
      uint64_t r = rng() % 100;
      e.account_id = first_account + 3 * static_cast<int64_t>(r < 50 ? rng() % 5 : rng() % static_cast<uint64_t>(accounts));
      e.topic = static_cast<uint32_t>(rng() % 4);
      e.person_id = static_cast<int64_t>(rng() % 40);  // 0 = anonymous
      e.vendor = static_cast<uint32_t>(rng() % 3) + 1;
      e.stage = rng() % 10 == 0 ? EventStage::kLate : rng() % 2 ? EventStage::kMid : EventStage::kEarly;
      e.action = rng() % 10 == 0 ? EventAction::kPricing : static_cast<EventAction>(rng() % 3);
      e.senior = e.person_id != 0 && e.person_id % 3 == 0;
      events.push_back(e);
    }
    return events;
  };
  auto intern = [](IntentModel* m) {
    for (const char* t : {"t0", "t1", "t2", "t3"}) m->TopicId(t);
    for (const char* v : {"v1", "v2", "v3"}) m->VendorId(v);
  };
  // Three batches over 3,000 accounts (up to 12,000 states, so the table is large
  // enough for the later batches to be added grouped), one with an account far from
  // the others; then a small one, added in order.
  constexpr int64_t kAccounts = 3000;
  std::vector<IntentEvent> a = generate(40000, 1000, kAccounts);
  std::vector<IntentEvent> b = generate(5000, 1000, kAccounts);
  b[17].account_id = 1000 + 3 * (kAccounts - 1) + 100000000;
  std::vector<IntentEvent> c = generate(30000, 1000, kAccounts);
  std::vector<IntentEvent> d = generate(IntentModel::kGroupedBatch - 1, 1000, kAccounts);
  IntentModel batched, single, reserved;
  batched.set_grouped_min_states(4000);  // a small model grouping, as one past the caches does
  reserved.set_grouped_min_states(4000);
  intern(&batched);
  intern(&single);
  intern(&reserved);
  reserved.ReserveFor(12000);  // sized first, as an import does: its grouping sees a larger table
  Time newest = 0;
  for (const std::vector<IntentEvent>* batch : {&a, &b, &c, &d}) {
    batched.Add(*batch);
    reserved.Add(*batch);
    if (batch == &b) batched.ReleaseScratch();  // the next grouped batch allocates it again
    for (const IntentEvent& e : *batch) {
      single.Add(e);
      newest = std::max(newest, e.at);
    }
  }
  EXPECT_EQ(batched.version(), single.version());
  ASSERT_GE(batched.states(), 4000u);
  EXPECT_EQ(batched.grouped_batches(), 2u);  // b and c; a met an empty model, d is small
  EXPECT_EQ(batched.PreferredBatch(), size_t{1} << 20);
  // With the default threshold a model this small (its table inside the caches) adds
  // every batch in order, and asks for small ones.
  IntentModel plain;
  intern(&plain);
  for (const std::vector<IntentEvent>* batch : {&a, &b, &c, &d}) plain.Add(*batch);
  EXPECT_EQ(plain.grouped_batches(), 0u);
  EXPECT_EQ(plain.PreferredBatch(), size_t{1} << 15);
  EXPECT_EQ(plain.Score(1000, 1, newest), batched.Score(1000, 1, newest));
  EXPECT_EQ(single.grouped_batches(), 0u);
  std::vector<int64_t> accounts;
  for (int64_t k = 0; k < kAccounts; ++k) accounts.push_back(1000 + 3 * k);
  accounts.push_back(b[17].account_id);
  int active = 0;
  for (Time as_of : {newest, newest - 20 * kDay, newest + 1, newest + 10 * kDay, newest + 40 * kDay}) {
    for (int64_t account : accounts) {
      for (uint32_t topic = 0; topic < 4; ++topic) {
        std::string where = "account " + std::to_string(account) + ", topic " + std::to_string(topic) + ", as of " +
                            FormatTime(as_of);
        TopicIntent x = batched.Get(account, topic, as_of);
        ExpectSame(x, single.Get(account, topic, as_of), where);
        ExpectSame(reserved.Get(account, topic, as_of), x, where);
        EXPECT_EQ(x.score, single.Score(account, topic, as_of)) << where;  // the same arithmetic, in the same order
        active += x.gauge != Gauge::kNotActive;
      }
      EXPECT_EQ(batched.ActivePeople(account, as_of, 30), single.ActivePeople(account, as_of, 30));
      auto tb = batched.TopicsOf(account, as_of), ts = single.TopicsOf(account, as_of);
      ASSERT_EQ(tb.size(), ts.size());
      for (size_t i = 0; i < tb.size(); ++i) EXPECT_EQ(tb[i].first, ts[i].first);
    }
    for (uint32_t topic = 0; topic < 4; ++topic) {
      EXPECT_EQ(batched.GaugeCounts(topic, as_of), single.GaugeCounts(topic, as_of));
      auto tb = batched.Top(topic, as_of, 50), ts = single.Top(topic, as_of, 50);
      ASSERT_EQ(tb.size(), ts.size());
      for (size_t i = 0; i < tb.size(); ++i) EXPECT_EQ(tb[i].first, ts[i].first);
    }
  }
  EXPECT_GT(active, 100);  // the comparison saw active states, not only empty ones
}

}  // namespace
}  // namespace fairlead
