// Properties of decide() on random subjects: the invariants policy.md promises
// whatever the records are.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "policy/bulk.h"
#include "policy/decide.h"
#include "policy/rules.h"

#include "testing/test_util.h"

namespace fairlead {
namespace {

using testing_util::Random;

const Time kAt = 1767225600;  // 2026-01-01

Subject RandomSubject(Random& r) {
  static const std::vector<std::string> kCountries = {"DE", "FR", "GB", "IE", "NL", "BE", "ES", "AT", "FI", "PL",
                                                      "US-CA", "CA", "JP", "", "ZZ"};
  static const std::vector<std::string> kScopes = {"marketing", "marketing.security", "marketing.cloud",
                                                   "sales_outreach", "service", "marketingx"};
  Subject s;
  s.country = r.Pick(kCountries);
  s.recipient = static_cast<Recipient>(r.Int(3));
  s.stage = static_cast<Stage>(r.Int(4));
  s.function = r.Chance(50) ? "security" : "finance";
  int emails = r.Int(3);
  for (int i = 0; i < emails; ++i)
    s.emails.push_back({r.Chance(20) ? "info@x.com" : "p" + std::to_string(i) + "@x.com",
                        r.Chance(20) ? EmailType::kGeneric : EmailType::kPersonal, static_cast<Visibility>(r.Int(3))});
  if (r.Chance(70)) s.collected_at = kAt - r.Int(2000) * kSecondsPerDay;
  s.opt_out_offered_at_collection = r.Chance(60);
  if (r.Chance(50)) s.transparency_notice_sent_at = kAt - r.Int(400) * kSecondsPerDay;
  if (r.Chance(10)) s.objected_direct_marketing_at = kAt - r.Int(400) * kSecondsPerDay;
  s.restricted = r.Chance(5);
  s.do_not_sell = r.Chance(10);
  s.erased = r.Chance(3);
  int records = r.Int(6);
  for (int i = 0; i < records; ++i) {
    BasisRecord b;
    b.id = i + 1;
    b.basis = r.Chance(70) ? LawfulBasis::kConsent : static_cast<LawfulBasis>(r.Int(6));
    b.status = static_cast<BasisStatus>(r.Int(4));
    if (r.Chance(95)) b.scopes = {r.Pick(kScopes)};
    b.channels_given = r.Chance(95);
    b.channels = static_cast<ChannelSet>(r.Int(16));
    b.at = kAt - r.Int(800) * kSecondsPerDay + (r.Chance(10) ? 400 * kSecondsPerDay : 0);
    if (r.Chance(60)) b.confirmed_at = b.at + r.Int(5) * kSecondsPerDay;
    if (r.Chance(20)) b.expires_at = b.at + r.Int(900) * kSecondsPerDay;
    s.bases.push_back(b);
  }
  int purchases = r.Int(3);
  for (int i = 0; i < purchases; ++i)
    s.purchases.push_back({r.Chance(50) ? "security" : "cloud", static_cast<PurchaseKind>(r.Int(2)),
                           kAt - r.Int(1200) * kSecondsPerDay});
  return s;
}

Purpose RandomPurpose(Random& r) {
  static const std::vector<std::string> kIds = {"marketing", "marketing.security", "marketing.cloud",
                                                "sales_outreach", "service", "analytics.intent"};
  Purpose p;
  p.id = r.Pick(kIds);
  p.kind = p.id == "service" ? PurposeKind::kService
           : p.id == "analytics.intent" ? PurposeKind::kAnalytics
           : p.id == "sales_outreach" ? PurposeKind::kSalesOutreach : PurposeKind::kMarketing;
  p.family = p.id == "marketing.security" ? "security" : p.id == "marketing.cloud" ? "cloud" : "";
  if (r.Chance(70)) p.lia = "LIA-1";
  if (r.Chance(30)) p.retention_days = 365 + r.Int(1000);
  p.requires_double_opt_in = r.Chance(20);
  if (r.Chance(40)) p.job_functions = {"security", "it"};
  return p;
}

class DecideProperties : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Rules> r = ParseRules(DefaultRulesText(), "default");
    ASSERT_TRUE(r.ok());
    rules_ = *r;
  }
  Decision Run(const Subject& s, const Purpose& p, Action action, Channel channel, Role role, bool suppressed,
               bool explain = true) {
    DecisionRequest req;
    req.explain = explain;
    req.subject = &s;
    req.purpose = &p;
    req.action = action;
    req.channel = channel;
    req.role = role;
    req.suppressed = suppressed;
    req.at = kAt;
    Result<Decision> d = Decide(rules_, req);
    EXPECT_TRUE(d.ok());
    return d.ok() ? *d : Decision();
  }
  void CheckNextChange(uint64_t seed);
  Rules rules_;
};

TEST_F(DecideProperties, InvariantsHoldOnRandomSubjects) {
  Random r(20261125);
  int allowed_marketing = 0, checked = 0;
  for (int i = 0; i < 20000; ++i) {
    Subject s = RandomSubject(r);
    Purpose p = RandomPurpose(r);
    Action action = static_cast<Action>(r.Int(5));
    Channel channel = static_cast<Channel>(r.Int(4));
    Role role = static_cast<Role>(r.Int(3));
    bool suppressed = r.Chance(10);
    Decision d = Run(s, p, action, channel, role, suppressed);
    ASSERT_FALSE(d.reasons.empty());
    ++checked;
    bool marketing_contact = action == Action::kContact && IsDirectMarketing(p.kind);
    if (d.allow && marketing_contact) ++allowed_marketing;
    // An erased subject is never used.
    if (s.erased) {
      EXPECT_FALSE(d.allow);
    }
    // An objection or a suppression always denies marketing.
    if (marketing_contact && (s.objected_direct_marketing_at || suppressed)) {
      EXPECT_FALSE(d.allow);
    }
    // Suppression denies everything but an admin's view.
    if (suppressed && !(role == Role::kAdmin && action == Action::kView)) {
      EXPECT_FALSE(d.allow);
    }
    // Only admins export or share.
    if ((action == Action::kExport || action == Action::kShare) && role != Role::kAdmin) {
      EXPECT_FALSE(d.allow);
    }
    // A denial carries no obligation but the anonymisation of a denied track.
    if (!d.allow) {
      for (Obligation o : d.obligations) EXPECT_EQ(o, Obligation::kAnonymizeToAccount);
    }
    // Every allowed marketing contact carries the opt-out and the sender.
    if (d.allow && marketing_contact) {
      EXPECT_NE(std::find(d.obligations.begin(), d.obligations.end(), Obligation::kIncludeOptOut), d.obligations.end());
      EXPECT_NE(std::find(d.obligations.begin(), d.obligations.end(), Obligation::kIdentifySender), d.obligations.end());
    }
    // The result never depends on record order.
    Subject shuffled = s;
    std::shuffle(shuffled.bases.begin(), shuffled.bases.end(), r.engine());
    std::shuffle(shuffled.purchases.begin(), shuffled.purchases.end(), r.engine());
    std::shuffle(shuffled.emails.begin(), shuffled.emails.end(), r.engine());
    Decision again = Run(shuffled, p, action, channel, role, suppressed);
    EXPECT_EQ(again.allow, d.allow);
    EXPECT_EQ(again.basis, d.basis);
    EXPECT_EQ(again.reasons, d.reasons);
    std::vector<Obligation> a = d.obligations, b = again.obligations;
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    EXPECT_EQ(a, b);
  }
  EXPECT_EQ(checked, 20000);
  EXPECT_GT(allowed_marketing, 100) << "the generator never reaches the allowing paths";
}

// Bulk callers skip the evidence strings: everything else must be the same.
TEST_F(DecideProperties, WithoutEvidenceTheDecisionIsTheSame) {
  Random r(77);
  int with_evidence = 0;
  for (int i = 0; i < 20000; ++i) {
    Subject s = RandomSubject(r);
    Purpose p = RandomPurpose(r);
    Action action = static_cast<Action>(r.Int(5));
    Channel channel = static_cast<Channel>(r.Int(4));
    Role role = static_cast<Role>(r.Int(3));
    bool suppressed = r.Chance(10);
    Decision full = Run(s, p, action, channel, role, suppressed);
    Decision lean = Run(s, p, action, channel, role, suppressed, false);
    EXPECT_EQ(lean.allow, full.allow);
    EXPECT_EQ(lean.basis, full.basis);
    EXPECT_EQ(lean.reasons, full.reasons);
    EXPECT_EQ(lean.obligations, full.obligations);
    EXPECT_EQ(lean.rule_refs, full.rule_refs);
    EXPECT_TRUE(lean.evidence.empty());
    if (!full.evidence.empty()) ++with_evidence;
  }
  EXPECT_GT(with_evidence, 1000);
}

TEST_F(DecideProperties, AWithdrawalAfterAGrantAlwaysDenies) {
  Random r(7);
  for (int i = 0; i < 5000; ++i) {
    Subject s = RandomSubject(r);
    s.erased = false;
    Purpose p = RandomPurpose(r);
    if (!IsDirectMarketing(p.kind)) continue;
    Channel channel = static_cast<Channel>(r.Int(4));
    Time latest = kAt - 1000 * kSecondsPerDay;
    for (const BasisRecord& b : s.bases) latest = std::max(latest, b.at);
    BasisRecord grant;
    grant.id = 100;
    grant.basis = LawfulBasis::kConsent;
    grant.status = BasisStatus::kGranted;
    grant.scopes = {p.id};
    grant.channels = ChannelBit(channel);
    grant.channels_given = true;
    grant.at = std::min(latest, kAt - 2);
    grant.confirmed_at = grant.at;
    BasisRecord withdrawal = grant;
    withdrawal.id = 101;
    withdrawal.status = BasisStatus::kWithdrawn;
    withdrawal.confirmed_at.reset();
    withdrawal.at = std::min(latest + 1, kAt);
    if (r.Chance(50)) withdrawal.scopes = {p.id.substr(0, p.id.find('.'))};  // a broader scope withdraws too
    s.bases.push_back(grant);
    s.bases.push_back(withdrawal);
    // Remove later records that would outrank the withdrawal.
    s.bases.erase(std::remove_if(s.bases.begin(), s.bases.end(),
                                 [&](const BasisRecord& b) { return b.id < 100 && b.at > withdrawal.at; }),
                  s.bases.end());
    Decision d = Run(s, p, Action::kContact, channel, Role::kListBuilder, false);
    EXPECT_FALSE(d.allow && d.basis == LawfulBasis::kConsent);
    if (!s.restricted && !s.objected_direct_marketing_at) {
      // Every address hidden (an address listed twice is hidden when either listing is).
      auto hidden = [&](const EmailAddress& e) {
        return std::any_of(s.emails.begin(), s.emails.end(), [&](const EmailAddress& o) {
          return o.visibility == Visibility::kHidden && o.address == e.address;
        });
      };
      bool hidden_email = channel == Channel::kEmail && !s.emails.empty() &&
                          std::all_of(s.emails.begin(), s.emails.end(), hidden);
      if (!hidden_email && d.reasons[0] != Reason::kRetentionExpired) {
        EXPECT_FALSE(d.allow);
        EXPECT_EQ(d.reasons[0], Reason::kConsentWithdrawn);
      }
    }
  }
}


TEST_F(DecideProperties, RetentionExpiryNamesTheDateTheAgeCountsFrom) {
  Subject s;
  s.country = "DE";
  s.collected_at = 1672531200;  // 2023-01-01
  BasisRecord b;
  b.id = 7;
  b.basis = LawfulBasis::kConsent;
  b.status = BasisStatus::kWithdrawn;
  b.scopes = {"marketing"};
  b.at = 1685577600;  // 2023-06-01: newer, renews the age
  s.bases = {b};
  BasisRecord unscoped = b;
  unscoped.id = 8;
  unscoped.scopes.clear();
  unscoped.at = 1704067200;  // 2024-01-01: without a scope, renews nothing
  s.bases.push_back(unscoped);
  Purpose p;
  p.id = "marketing.security";
  p.kind = PurposeKind::kMarketing;
  p.retention_days = 365;
  DecisionRequest req;
  req.explain = true;
  req.subject = &s;
  req.purpose = &p;
  req.action = Action::kView;
  req.role = Role::kReadOnly;
  req.at = 1748736000;  // 2025-06-01
  Result<Decision> d = Decide(rules_, req);
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->reasons, std::vector<Reason>{Reason::kRetentionExpired});
  ASSERT_EQ(d->evidence.size(), 1u);
  EXPECT_NE(d->evidence[0].find("2023-06-01"), std::string::npos) << d->evidence[0];
  EXPECT_NE(d->evidence[0].find("basis record"), std::string::npos) << d->evidence[0];
  EXPECT_NE(d->evidence[0].find("365 days"), std::string::npos) << d->evidence[0];
  s.bases.clear();
  d = Decide(rules_, req);
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->evidence.size(), 1u);
  EXPECT_NE(d->evidence[0].find("2023-01-01"), std::string::npos) << d->evidence[0];
  EXPECT_NE(d->evidence[0].find("collected_at"), std::string::npos) << d->evidence[0];
}

// NextChange (what the index's eligibility sets wait for) never names an instant later
// than the first change of the decision: from `at` up to one second before it, every
// decision equals the one at `at`. The times probed sit just before the edges where a
// decision flips (a purchase leaving a soft opt-in window, data passing its retention,
// a grant expiring), so an edge computed a second late fails.
TEST_F(DecideProperties, TheDecisionHoldsUntilTheNextChange) {
  // Under the default readings and with the soft opt-in window's cutoff included.
  for (bool includes_cutoff : {false, true}) {
    SCOPED_TRACE(includes_cutoff ? "cutoff included" : "cutoff excluded");
    rules_.readings.soft_opt_in_window_includes_cutoff = includes_cutoff;
    CheckNextChange(includes_cutoff ? 8 : 7);
  }
}

void DecideProperties::CheckNextChange(uint64_t seed) {
  Random r(seed);
  const Action actions[] = {Action::kContact, Action::kView, Action::kTrack};
  const TenantSettings tenant;
  int edges = 0, changed_at_edge = 0, soft_opt_in_ends = 0;
  for (int i = 0; i < 6000; ++i) {
    Subject s = RandomSubject(r);
    s.erased = s.restricted = false;
    Purpose p = RandomPurpose(r);
    if (r.Chance(50)) p.retention_days = 30 + r.Int(700);
    Action action = actions[r.Int(3)];
    if (action == Action::kTrack) p.kind = PurposeKind::kAnalytics;
    Channel channel = static_cast<Channel>(r.Int(4));
    if (r.Chance(40)) {  // a consumer whose only basis can be a soft opt-in
      static const std::vector<std::string> kSoft = {"IE", "GB", "SE", "NL", "CA"};
      s.country = r.Pick(kSoft);
      s.recipient = Recipient::kConsumer;
      s.opt_out_offered_at_collection = true;
      s.objected_direct_marketing_at.reset();
      s.bases.clear();
      s.purchases = {{"security", r.Chance(70) ? PurchaseKind::kSale : PurchaseKind::kNegotiation,
                      kAt - r.Int(1200) * kSecondsPerDay}};
      p.id = "marketing.security";
      p.kind = PurposeKind::kMarketing;
      p.family = "security";
      action = Action::kContact;
      channel = Channel::kEmail;
      s.emails = {{"p@x.com", EmailType::kPersonal, Visibility::kVisible}};
    }
    // An edge: a window's end, the retention's end, or an expiry; probed a little before.
    std::vector<Time> candidates;
    for (const Purchase& pu : s.purchases)
      for (int months : {6, 12, 24, 36}) candidates.push_back(SubtractMonths(pu.at, -months));
    if (p.retention_days && s.collected_at) candidates.push_back(*s.collected_at + *p.retention_days * kSecondsPerDay);
    for (const BasisRecord& b : s.bases) {
      if (b.expires_at) candidates.push_back(*b.expires_at);
      if (p.retention_days) candidates.push_back(b.at + *p.retention_days * kSecondsPerDay);
    }
    if (candidates.empty()) continue;
    const Time edge = candidates[static_cast<size_t>(r.Int(static_cast<int>(candidates.size())))];
    const Time at = edge - r.Int(3) * kSecondsPerDay - r.Int(2);
    auto decide = [&](Time t) {
      DecisionRequest req;
      req.subject = &s;
      req.purpose = &p;
      req.action = action;
      req.channel = channel;
      req.role = Role::kAdmin;
      req.tenant = &tenant;
      req.at = t;
      Result<Decision> d = Decide(rules_, req);
      EXPECT_TRUE(d.ok());
      return d.ok() ? *d : Decision();
    };
    const Time next = NextChange(rules_, s, &p, &tenant, at);
    ASSERT_GT(next, at);
    if (next == kNever) continue;
    const Decision before = decide(at), last = decide(next - 1);
    ++edges;
    ASSERT_EQ(last.allow, before.allow) << "subject " << i << ": the decision changed before " << FormatTime(next);
    ASSERT_EQ(last.reasons, before.reasons) << "subject " << i << ": the decision changed before " << FormatTime(next);
    if (decide(next).reasons != before.reasons) {
      ++changed_at_edge;
      if (before.reasons[0] == Reason::kSoftOptIn) ++soft_opt_in_ends;
    }
  }
  EXPECT_GT(edges, 3000);
  EXPECT_GT(changed_at_edge, 100) << "the probes must reach edges where the decision flips";
  EXPECT_GT(soft_opt_in_ends, 50) << "and soft opt-in windows ending";
}

}  // namespace
}  // namespace fairlead
