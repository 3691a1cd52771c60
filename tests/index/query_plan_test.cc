// The planner (an AND takes its most selective terms first and evaluates the rest
// only within the rows left) must never change an answer: on generated data, random
// filters give the same rows and the same ranked pages with the planner on and off.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "index/filter.h"
#include "index/people_index.h"
#include "index/query.h"
#include "intent/intent.h"
#include "policy/rules.h"
#include "store/store.h"
#include "suppression/suppression.h"
#include "testing/test_util.h"

namespace fairlead {
namespace {

const Time kAt = 1767225600;  // 2026-01-01
constexpr Time kDay = kSecondsPerDay;

const std::vector<std::string> kCountries = {"DE", "FR", "GB", "NL", "US-CA", "US-NY", "JP", "IE"};
const std::vector<std::string> kSeniorities = {"entry", "senior", "manager", "director", "vp", "cxo"};
const std::vector<std::string> kFunctions = {"security", "it", "finance", "engineering"};
const std::vector<std::string> kIndustries = {"Software", "Finance", "Retail", "Health"};
const std::vector<std::string> kBands = {"1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000"};
const std::vector<std::string> kTech = {"k8s", "terraform", "aws", "okta", "snowflake"};

class QueryPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing_util::Random r(11);
    dir_ = testing_util::FreshTestDir("query-plan");
    auto store = OpenSqliteStore(dir_ + "/db.sqlite");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    tenant_ = *store_->EnsureTenant("t");
    settings_ = *store_->GetTenantSettings(tenant_);
    Result<Rules> rules = ParseRules(DefaultRulesText(), "default");
    ASSERT_TRUE(rules.ok()) << rules.status().ToString();
    rules_ = *rules;
    Purpose p;
    p.id = "marketing.security";
    p.kind = PurposeKind::kMarketing;
    p.family = "security";
    p.lia = "LIA-7";
    ASSERT_TRUE(store_->PutPurpose(tenant_, p).ok());
    TenantSecret secret{};
    secret[0] = 5;
    hasher_ = std::make_unique<SuppressionHasher>(secret);

    ASSERT_TRUE(store_->Begin().ok());
    for (int a = 0; a < 300; ++a) {
      Account account;
      account.domain = "a" + std::to_string(a) + ".example";
      account.industry = r.Pick(kIndustries);
      account.employee_band = r.Pick(kBands);
      for (const std::string& t : kTech)
        if (r.Chance(25)) account.technologies.push_back(t);
      Result<int64_t> id = store_->UpsertAccount(tenant_, account);
      ASSERT_TRUE(id.ok());
      accounts_.push_back(*id);
    }
    for (int i = 0; i < 6000; ++i) {
      Person person;
      Subject& s = person.subject;
      s.country = r.Pick(kCountries);
      s.function = r.Pick(kFunctions);
      s.recipient = r.Chance(80) ? Recipient::kCorporate : Recipient::kSoleTrader;
      s.stage = Stage::kProspect;
      s.emails = {{"p" + std::to_string(i) + "@people.example", EmailType::kPersonal, Visibility::kVisible}};
      s.collected_at = kAt - (10 + r.Int(300)) * kDay;
      if (r.Chance(5)) s.objected_direct_marketing_at = kAt - r.Int(100) * kDay;
      person.seniority = r.Pick(kSeniorities);
      person.account_id = r.Chance(97) ? r.Pick(accounts_) : 0;
      if (r.Chance(3)) suppression_.Add(hasher_->Key(SuppressionKind::kEmail, s.emails[0].address));
      Result<int64_t> id = store_->InsertPerson(tenant_, person);
      ASSERT_TRUE(id.ok());
      if (r.Chance(40)) {
        BasisRecord consent;
        consent.basis = LawfulBasis::kConsent;
        consent.status = r.Chance(80) ? BasisStatus::kGranted : BasisStatus::kWithdrawn;
        consent.scopes = {"marketing"};
        consent.channels = ChannelBit(Channel::kEmail);
        consent.channels_given = true;
        consent.at = kAt - r.Int(200) * kDay;
        consent.confirmed_at = consent.at + kDay;
        ASSERT_TRUE(store_->AddBasisRecord(tenant_, *id, &consent).ok());
      }
    }
    ASSERT_TRUE(store_->Commit().ok());
    Result<std::unique_ptr<PeopleIndex>> index =
        PeopleIndex::Load(*store_, tenant_, rules_, settings_, *hasher_, suppression_);
    ASSERT_TRUE(index.ok()) << index.status().ToString();
    index_ = std::move(*index);

    // Intent on a few accounts only, so gauge terms keep few rows (sparse scopes).
    uint32_t security = intent_.TopicId("security");
    for (int k = 0; k < 40; ++k) {
      IntentEvent e;
      e.at = kAt - r.Int(40) * kDay;
      e.account_id = accounts_[static_cast<size_t>(r.Int(12))];
      e.person_id = r.Chance(50) ? 1 + r.Int(5000) : 0;
      e.topic = security;
      e.stage = r.Chance(30) ? EventStage::kLate : EventStage::kEarly;
      e.action = r.Chance(20) ? EventAction::kPricing : EventAction::kView;
      intent_.Add(e);
    }
    // A list of a few hundred rows in two runs.
    list_ = Bitset(index_->rows());
    list_.SetRange(100, 300);
    list_.SetRange(4000, 4100);

    ctx_.index = index_.get();
    ctx_.intent = &intent_;
    ctx_.at = kAt;
    ctx_.role = Role::kListBuilder;
    ctx_.purpose_of = [this](std::string_view id) -> Result<Purpose> { return store_->GetPurpose(tenant_, id); };
    ctx_.list_rows = [this](std::string_view name) -> Result<Bitset> {
      if (name != "picked") return Status::NotFound("no list '" + std::string(name) + "'");
      return list_;
    };
  }

  std::string Leaf(testing_util::Random& r) {
    auto pick_some = [&](const std::vector<std::string>& v) {
      std::string out;
      int n = 1 + r.Int(3);
      for (int i = 0; i < n; ++i) out += (i ? ", " : "") + r.Pick(v);
      return out;
    };
    switch (r.Int(13)) {
      case 0: return "country in (" + pick_some(kCountries) + ")";
      case 1: return "seniority >= " + r.Pick(kSeniorities);
      case 2: return "function = " + r.Pick(kFunctions);
      case 3: return "function != " + r.Pick(kFunctions);
      case 4: return "any(tech: [" + pick_some(kTech) + "])";
      case 5: return "all(tech: [" + pick_some(kTech) + "])";
      case 6: return "industry = " + r.Pick(kIndustries);
      case 7: return "employee_band >= " + r.Pick(kBands);
      case 8: return "eligible(marketing.security, email)";
      case 9: return "suppressed";
      case 10: return "list:picked";
      case 11: return r.Chance(50) ? "gauge(security) >= ramping_up" : "gauge(security) = not_active";
      default: return r.Chance(50) ? "score(security) > 1" : "domain = a" + std::to_string(r.Int(300)) + ".example";
    }
  }

  std::string Tree(testing_util::Random& r, int depth) {
    if (depth == 0 || r.Chance(30)) return (r.Chance(20) ? "not " : "") + Leaf(r);
    int n = 2 + r.Int(3);
    const char* op = r.Chance(70) ? " and " : " or ";
    std::string out = "(";
    for (int i = 0; i < n; ++i) out += (i ? op : "") + Tree(r, depth - 1);
    return out + ")";
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
  int64_t tenant_ = 0;
  TenantSettings settings_;
  Rules rules_;
  std::unique_ptr<SuppressionHasher> hasher_;
  SuppressionSet suppression_;
  std::vector<int64_t> accounts_;
  std::unique_ptr<PeopleIndex> index_;
  IntentModel intent_;
  Bitset list_;
  QueryContext ctx_;
};

TEST_F(QueryPlanTest, PlannedAndPlainEvaluationAgreeOnRandomFilters) {
  testing_util::Random r(3);
  int sparse = 0;
  for (int i = 0; i < 400; ++i) {
    std::string text = Tree(r, 3);
    Result<FilterNode> f = ParseFilter(text);
    ASSERT_TRUE(f.ok()) << text << ": " << f.status().message();
    ctx_.plan = true;
    Result<Bitset> planned = Evaluate(*f, ctx_);
    ctx_.plan = false;
    Result<Bitset> plain = Evaluate(*f, ctx_);
    ASSERT_TRUE(planned.ok()) << text << ": " << planned.status().message();
    ASSERT_TRUE(plain.ok()) << text;
    ASSERT_EQ(planned->rows(), plain->rows()) << text;
    ASSERT_EQ(planned->ToRows(), plain->ToRows()) << text;
    if (plain->Count() * 16 < plain->rows()) ++sparse;
    ctx_.plan = true;
    RankedPage a = Rank(*planned, ctx_, "security", 0, 50);
    ctx_.plan = false;
    RankedPage b = Rank(*plain, ctx_, "security", 0, 50);
    EXPECT_EQ(a.person_ids, b.person_ids) << text;
    EXPECT_EQ(a.total, b.total) << text;
  }
  EXPECT_GT(sparse, 100) << "the filters must exercise the sparse scopes";
}

// Rank's answer by definition: every row's (score of its account, person id), sorted.
RankedPage ReferenceRank(const Bitset& rows, QueryContext& ctx, const std::string& topic, size_t offset,
                         size_t limit) {
  const IntentTable& t = IntentTableFor(ctx, *ctx.intent->FindTopic(topic));
  std::vector<std::pair<double, int64_t>> all;
  rows.ForEach([&](uint32_t r) {
    uint32_t a = ctx.index->AccountOf(r);
    all.emplace_back(a == PeopleIndex::kNoAccount ? 0.0 : t.score[a], ctx.index->PersonId(r));
  });
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  RankedPage page;
  page.total = all.size();
  for (size_t i = offset; i < all.size() && i - offset < limit; ++i) {
    page.person_ids.push_back(all[i].second);
    page.scores.push_back(all[i].first);
  }
  return page;
}

TEST_F(QueryPlanTest, RankEqualsSortingEveryRowAfterRandomMoves) {
  // Rank walks accounts from the highest score down and stops early; the reference
  // sorts every row. Row sets of every density, pages near the top and deep, and
  // people moved between accounts (back and forth) and added after the load, whose
  // rows lie outside their account's run.
  testing_util::Random r(17);
  const uint32_t security = *intent_.FindTopic("security");
  const IntentTable& table = IntentTableFor(ctx_, security);
  ASSERT_GT(table.by_score.size(), 5u);
  std::vector<int64_t> hot;  // accounts with intent: where moves matter most
  for (uint32_t a : table.by_score) hot.push_back(index_->AccountId(a));
  int early = 0;
  for (int round = 0; round < 60; ++round) {
    for (int w = 0; w < 20; ++w) {
      int64_t id = 1 + r.Int(6000);
      Result<Person> p = store_->GetPerson(tenant_, id);
      ASSERT_TRUE(p.ok()) << p.status().ToString();
      p->account_id = r.Chance(70) ? r.Pick(hot) : (r.Chance(90) ? r.Pick(accounts_) : 0);
      index_->Upsert(*p, false);
    }
    {  // away to a hot account and home again: home's extra rows then include a row of its run
      std::vector<int64_t> at_hot;
      index_->ForEachRowOfAccount(table.by_score[static_cast<size_t>(r.Int(3))],
                                  [&](uint32_t row) { at_hot.push_back(index_->PersonId(row)); });
      ASSERT_FALSE(at_hot.empty());
      Result<Person> p = store_->GetPerson(tenant_, r.Pick(at_hot));
      ASSERT_TRUE(p.ok());
      int64_t home = p->account_id;
      p->account_id = r.Pick(hot);
      index_->Upsert(*p, false);
      p->account_id = home;
      index_->Upsert(*p, false);
    }
    if (round % 10 == 0) {  // a new person at a hot account
      Person p;
      p.subject.country = "DE";
      p.subject.emails = {{"new" + std::to_string(round) + "@people.example", EmailType::kPersonal,
                           Visibility::kVisible}};
      p.account_id = r.Pick(hot);
      Result<int64_t> id = store_->InsertPerson(tenant_, p);
      ASSERT_TRUE(id.ok());
      p.subject.id = *id;
      index_->Upsert(p, false);
    }
    Bitset rows(index_->rows());
    int density = std::vector<int>{1, 5, 30, 90}[static_cast<size_t>(r.Int(4))];
    for (uint32_t row = 0; row < index_->rows(); ++row)
      if (r.Chance(density)) rows.Set(row);
    for (auto [offset, limit] : std::vector<std::pair<size_t, size_t>>{
             {0, 1}, {0, 10}, {0, 100}, {5, 20}, {0, 5000}, {200, 10}, {0, 0}, {3, SIZE_MAX}}) {
      RankedPage got = Rank(rows, ctx_, "security", offset, limit);
      RankedPage want = ReferenceRank(rows, ctx_, "security", offset, limit);
      ASSERT_EQ(got.total, want.total) << "round " << round << " offset " << offset << " limit " << limit;
      ASSERT_EQ(got.person_ids, want.person_ids) << "round " << round << " offset " << offset << " limit " << limit;
      ASSERT_EQ(got.scores, want.scores);
      if (!want.scores.empty() && want.scores.back() > 0 && limit <= 100) ++early;
    }
  }
  EXPECT_GT(early, 50) << "pages full of scored people must exercise the walk by score";
}

TEST_F(QueryPlanTest, BenchmarkShapedQueriesAgree) {
  for (const char* text :
       {"country in (DE, FR, GB, NL, US-CA) and seniority in (director, vp, cxo) and industry = Software and "
        "eligible(marketing.security, email) and not suppressed and gauge(security) >= ramping_up",
        "any(tech: [k8s, terraform, okta]) and employee_band in (51-200, 201-500) and function in (it, security) and "
        "not list:picked",
        "gauge(security) >= ramping_up and (country = DE or not eligible(marketing.security, email))",
        "list:picked and not (gauge(security) = not_active and industry != Retail)"}) {
    Result<FilterNode> f = ParseFilter(text);
    ASSERT_TRUE(f.ok()) << text << ": " << f.status().message();
    ctx_.plan = true;
    Result<Bitset> planned = Evaluate(*f, ctx_);
    ctx_.plan = false;
    Result<Bitset> plain = Evaluate(*f, ctx_);
    ASSERT_TRUE(planned.ok() && plain.ok()) << text;
    EXPECT_EQ(planned->ToRows(), plain->ToRows()) << text;
  }
}

TEST_F(QueryPlanTest, ErrorsAreReportedWhateverTheOrder) {
  // A bad term after a term that keeps no rows is still an error, planned or not.
  for (bool plan : {true, false}) {
    ctx_.plan = plan;
    Result<FilterNode> f = ParseFilter("list:picked and country = DE and seniority >= captain");
    ASSERT_TRUE(f.ok());
    Result<Bitset> b = Evaluate(*f, ctx_);
    EXPECT_FALSE(b.ok()) << "plan=" << plan;
  }
}

}  // namespace
}  // namespace fairlead
