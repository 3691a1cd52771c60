// Query: filters evaluated over a small hand-made index, ranking by intent, and
// explanations.
#include "index/query.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "core/time.h"
#include "index/filter.h"
#include "index/people_index.h"
#include "intent/intent.h"
#include "policy/decide.h"
#include "policy/rules.h"
#include "store/store.h"
#include "suppression/suppression.h"
#include "testing/test_util.h"

namespace fairlead {
namespace {

const Time kAt = 1767225600;  // 2026-01-01
constexpr Time kDay = kSecondsPerDay;

struct AccountSpec {
  const char* domain;
  const char* industry;
  const char* employee_band;
  std::vector<std::string> tech;
};

// a0..a3
const std::vector<AccountSpec> kAccounts = {
    {"acme.example", "Software", "201-500", {"k8s", "terraform"}},
    {"globex.example", "Finance", "51-200", {"k8s"}},
    {"initech.example", "Software", "1001-5000", {"terraform", "aws"}},
    {"tiny.example", "Retail", "1-10", {}},
};

struct PersonSpec {
  const char* country;
  const char* seniority;
  const char* function;
  int account;  // index into kAccounts, -1 = none
};

// p1..p12, inserted in this order (so person ids ascend with the label). All are
// corporate recipients with one visible personal email.
const std::vector<PersonSpec> kPeople = {
    {"DE", "director", "security", 0},     // p1: a confirmed consent
    {"FR", "vp", "it", 0},                 // p2
    {"US-CA", "cxo", "security", 1},       // p3
    {"US", "manager", "finance", 1},       // p4: objected
    {"GB", "entry", "security", 2},        // p5
    {"DE", "senior", "it", 2},             // p6
    {"JP", "director", "", 3},             // p7
    {"", "manager", "security", -1},       // p8
    {"US-NY", "Director", "security", 2},  // p9
    {"IE", "vp", "finance", 0},            // p10: suppressed
    {"BE", "", "it", 1},                   // p11
    {"FR", "senior", "security", -1},      // p12
};

using Names = std::vector<std::string>;

class QueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing_util::FreshTestDir("query");
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

    for (const AccountSpec& a : kAccounts) {
      Account account;
      account.domain = a.domain;
      account.name = a.domain;
      account.industry = a.industry;
      account.employee_band = a.employee_band;
      account.technologies = a.tech;
      Result<int64_t> id = store_->UpsertAccount(tenant_, account);
      ASSERT_TRUE(id.ok()) << id.status().ToString();
      account_ids_.push_back(*id);
    }
    TenantSecret secret{};
    secret[0] = 42;
    hasher_ = std::make_unique<SuppressionHasher>(secret);
    for (size_t i = 0; i < kPeople.size(); ++i) {
      const PersonSpec& spec = kPeople[i];
      std::string label = "p" + std::to_string(i + 1);
      Person person;
      Subject& s = person.subject;
      s.country = spec.country;
      s.function = spec.function;
      s.recipient = Recipient::kCorporate;
      s.stage = Stage::kProspect;
      s.emails = {{label + "@people.example", EmailType::kPersonal, Visibility::kVisible}};
      s.collected_at = kAt - 100 * kDay;
      person.seniority = spec.seniority;
      person.first_name = label;
      person.account_id = spec.account >= 0 ? account_ids_[static_cast<size_t>(spec.account)] : 0;
      if (label == "p4") s.objected_direct_marketing_at = kAt - 10 * kDay;
      if (label == "p10") suppression_.Add(hasher_->Key(SuppressionKind::kEmail, s.emails[0].address));
      Result<int64_t> id = store_->InsertPerson(tenant_, person);
      ASSERT_TRUE(id.ok()) << id.status().ToString();
      if (label == "p1") {
        BasisRecord consent;
        consent.basis = LawfulBasis::kConsent;
        consent.status = BasisStatus::kGranted;
        consent.scopes = {"marketing"};
        consent.channels = ChannelBit(Channel::kEmail);
        consent.channels_given = true;
        consent.at = kAt - 60 * kDay;
        consent.confirmed_at = kAt - 59 * kDay;  // DE asks for double opt-in
        ASSERT_TRUE(store_->AddBasisRecord(tenant_, *id, &consent).ok());
      }
      ids_.push_back(*id);
      label_of_[*id] = label;
    }
    Result<std::unique_ptr<PeopleIndex>> index =
        PeopleIndex::Load(*store_, tenant_, rules_, settings_, *hasher_, suppression_);
    ASSERT_TRUE(index.ok()) << index.status().ToString();
    index_ = std::move(*index);
    ASSERT_EQ(index_->rows(), kPeople.size());

    // Intent: a0 is evaluating security (pricing), a2 looked once, a1 only at another topic.
    uint32_t security = intent_.TopicId("security");
    uint32_t cloud = intent_.TopicId("cloud");
    auto event = [&](Time at, int64_t account, uint32_t topic, EventAction action) {
      IntentEvent e;
      e.at = at;
      e.account_id = account;
      e.topic = topic;
      e.action = action;
      intent_.Add(e);
    };
    event(kAt - 2 * kDay, account_ids_[0], security, EventAction::kPricing);
    event(kAt - 1 * kDay, account_ids_[0], security, EventAction::kPricing);
    event(kAt - 3 * kDay, account_ids_[2], security, EventAction::kView);
    event(kAt - 1 * kDay, account_ids_[1], cloud, EventAction::kPricing);

    ctx_.index = index_.get();
    ctx_.intent = &intent_;
    ctx_.at = kAt;
    ctx_.role = Role::kListBuilder;
    ctx_.purpose_of = [this](std::string_view id) -> Result<Purpose> { return store_->GetPurpose(tenant_, id); };
    ctx_.list_rows = [this](std::string_view name) -> Result<Bitset> {
      if (name != "customers") return Status::NotFound("no list '" + std::string(name) + "'");
      Bitset b(index_->rows());
      for (const char* label : {"p2", "p5"}) b.Set(Row(label));
      return b;
    };
  }

  int64_t Id(const std::string& label) const { return ids_[static_cast<size_t>(std::stoi(label.substr(1)) - 1)]; }
  uint32_t Row(const std::string& label) const { return *index_->RowOf(Id(label)); }

  // The labels of the rows in `b`, in label order.
  Names LabelsOf(const Bitset& b) const {
    Names out;
    for (size_t i = 0; i < ids_.size(); ++i)
      if (b.Test(*index_->RowOf(ids_[i]))) out.push_back("p" + std::to_string(i + 1));
    return out;
  }

  Result<Bitset> Run(const std::string& text) {
    Result<FilterNode> f = ParseFilter(text);
    if (!f.ok()) return f.status();
    return Evaluate(*f, ctx_);
  }

  Names Select(const std::string& text) {
    Result<Bitset> b = Run(text);
    EXPECT_TRUE(b.ok()) << text << ": " << b.status().message();
    if (!b.ok()) return {"<error>"};
    EXPECT_EQ(b->rows(), index_->rows()) << text;
    return LabelsOf(*b);
  }

  std::string Error(const std::string& text) {
    Result<Bitset> b = Run(text);
    EXPECT_FALSE(b.ok()) << text << " selected " << (b.ok() ? b->Count() : 0) << " rows";
    return b.ok() ? "" : b.status().message();
  }

  Names LabelsOfIds(const std::vector<int64_t>& ids) const {
    Names out;
    for (int64_t id : ids) out.push_back(label_of_.at(id));
    return out;
  }

  Decision DecideStored(uint32_t row, const Purpose& purpose, Channel channel, Action action, Role role, bool suppressed) {
    Result<Person> p = store_->GetPerson(tenant_, index_->PersonId(row));
    EXPECT_TRUE(p.ok());
    DecisionRequest req;
    req.subject = &p->subject;
    req.purpose = &purpose;
    req.action = action;
    req.channel = channel;
    req.role = role;
    req.suppressed = suppressed;
    req.tenant = &settings_;
    req.at = ctx_.at;
    Result<Decision> d = Decide(rules_, req);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? *d : Decision();
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
  int64_t tenant_ = 0;
  TenantSettings settings_;
  Rules rules_;
  std::unique_ptr<SuppressionHasher> hasher_;
  SuppressionSet suppression_;
  std::vector<int64_t> account_ids_;
  std::vector<int64_t> ids_;
  std::map<int64_t, std::string> label_of_;
  std::unique_ptr<PeopleIndex> index_;
  IntentModel intent_;
  QueryContext ctx_;
};

TEST_F(QueryTest, PersonFields) {
  EXPECT_EQ(Select("country in (DE, FR)"), (Names{"p1", "p2", "p6", "p12"}));
  EXPECT_EQ(Select("country in (de, fr)"), (Names{"p1", "p2", "p6", "p12"}));
  // The index files a subdivision under its country too.
  EXPECT_EQ(Select("country = US"), (Names{"p3", "p4", "p9"}));
  EXPECT_EQ(Select("country in (us)"), (Names{"p3", "p4", "p9"}));
  EXPECT_EQ(Select("country = US-CA"), (Names{"p3"}));
  EXPECT_EQ(Select("country = us-ca"), (Names{"p3"}));
  EXPECT_EQ(Select("country = NL"), Names{});
  EXPECT_EQ(Select("country != DE"), (Names{"p2", "p3", "p4", "p5", "p7", "p8", "p9", "p10", "p11", "p12"}));
  EXPECT_EQ(Select("seniority >= director"), (Names{"p1", "p2", "p3", "p7", "p9", "p10"}));
  EXPECT_EQ(Select("seniority > director"), (Names{"p2", "p3", "p10"}));
  EXPECT_EQ(Select("seniority < manager"), (Names{"p5", "p6", "p12"}));
  EXPECT_EQ(Select("seniority <= manager"), (Names{"p4", "p5", "p6", "p8", "p12"}));
  EXPECT_EQ(Select("seniority = Director"), (Names{"p1", "p7", "p9"}));
  EXPECT_EQ(Select("seniority in (vp, CXO)"), (Names{"p2", "p3", "p10"}));
  EXPECT_EQ(Select("function = security"), (Names{"p1", "p3", "p5", "p8", "p9", "p12"}));
  EXPECT_EQ(Select("function in (IT, finance)"), (Names{"p2", "p4", "p6", "p10", "p11"}));
  EXPECT_EQ(Select("recipient = corporate").size(), 12u);
  EXPECT_EQ(Select("stage = prospect").size(), 12u);
  EXPECT_EQ(Select("stage = client"), Names{});
  EXPECT_EQ(Select("any(country: [JP, IE])"), (Names{"p7", "p10"}));
}

TEST_F(QueryTest, AccountFields) {
  EXPECT_EQ(Select("employee_band >= 201-500"), (Names{"p1", "p2", "p5", "p6", "p9", "p10"}));
  EXPECT_EQ(Select("employee_band < 201-500"), (Names{"p3", "p4", "p7", "p11"}));
  EXPECT_EQ(Select("employee_band = 51-200"), (Names{"p3", "p4", "p11"}));
  EXPECT_EQ(Select("industry = software"), (Names{"p1", "p2", "p5", "p6", "p9", "p10"}));
  EXPECT_EQ(Select("industry in (Finance, retail)"), (Names{"p3", "p4", "p7", "p11"}));
  EXPECT_EQ(Select("domain = tiny.example"), (Names{"p7"}));
  EXPECT_EQ(Select("any(tech: [k8s, aws])"), (Names{"p1", "p2", "p3", "p4", "p5", "p6", "p9", "p10", "p11"}));
  EXPECT_EQ(Select("any(tech: [K8S])"), (Names{"p1", "p2", "p3", "p4", "p10", "p11"}));
  EXPECT_EQ(Select("all(tech: [k8s, terraform])"), (Names{"p1", "p2", "p10"}));
  EXPECT_EQ(Select("all(tech: [terraform])"), (Names{"p1", "p2", "p5", "p6", "p9", "p10"}));
  EXPECT_EQ(Select("all(tech: [k8s, nosuch])"), Names{});
  EXPECT_EQ(Select("any(tech: [nosuch])"), Names{});
  // People without an account are outside every account term, and inside its negation.
  EXPECT_EQ(Select("not industry = software"), (Names{"p3", "p4", "p7", "p8", "p11", "p12"}));
}

TEST_F(QueryTest, BooleanStructure) {
  EXPECT_EQ(Select("country = DE or seniority = cxo"), (Names{"p1", "p3", "p6"}));
  EXPECT_EQ(Select("country in (DE, FR) and seniority >= director or country = JP"), (Names{"p1", "p2", "p7"}));
  EXPECT_EQ(Select("country in (DE, FR) and (seniority >= director or country = JP)"), (Names{"p1", "p2"}));
  EXPECT_EQ(Select("not (country = DE or seniority = cxo)"),
            (Names{"p2", "p4", "p5", "p7", "p8", "p9", "p10", "p11", "p12"}));
  EXPECT_EQ(Select("not country = DE and function = security"), (Names{"p3", "p5", "p8", "p9", "p12"}));
  EXPECT_EQ(Select("not not country = DE"), (Names{"p1", "p6"}));
  EXPECT_EQ(Select("industry = software and seniority >= vp"), (Names{"p2", "p10"}));
  // Not complements within the rows.
  for (const char* f : {"country = DE", "industry = software", "suppressed", "list:customers",
                        "eligible(marketing.security, email)"}) {
    Result<Bitset> in = Run(f);
    Result<Bitset> out = Run(std::string("not ") + f);
    ASSERT_TRUE(in.ok() && out.ok()) << f;
    EXPECT_EQ(in->Count() + out->Count(), 12u) << f;
    Bitset both = *in;
    both.And(*out);
    EXPECT_EQ(both.Count(), 0u) << f;
  }
}

TEST_F(QueryTest, EligibleListsAndSuppression) {
  // p1 consented (DE), FR/GB/IE/US allow legitimate interest for corporate
  // addresses, p4 objected, p10 is suppressed, DE/BE/JP/unknown need consent.
  EXPECT_EQ(Select("eligible(marketing.security, email)"), (Names{"p1", "p2", "p3", "p5", "p9", "p12"}));
  ctx_.role = Role::kAdmin;  // only an admin may ask for the admin role
  EXPECT_EQ(Select("eligible(marketing.security, EMAIL, contact, admin)"), (Names{"p1", "p2", "p3", "p5", "p9", "p12"}));
  ctx_.role = Role::kListBuilder;
  EXPECT_EQ(Select("eligible(marketing.security, email) and country = US"), (Names{"p3", "p9"}));
  EXPECT_EQ(Select("not eligible(marketing.security, email)"), (Names{"p4", "p6", "p7", "p8", "p10", "p11"}));
  EXPECT_EQ(Select("list:customers"), (Names{"p2", "p5"}));
  EXPECT_EQ(Select("list:customers and country = FR"), (Names{"p2"}));
  EXPECT_EQ(Select("not list:customers").size(), 10u);
  EXPECT_EQ(Select("suppressed"), (Names{"p10"}));
  EXPECT_EQ(Select("not suppressed").size(), 11u);
  // The example of filter.h.
  EXPECT_EQ(Select("country in (DE, FR) and seniority >= director and any(tech: [k8s, terraform]) and not "
                   "list:customers and eligible(marketing.security, email)"),
            (Names{"p1"}));
}

TEST_F(QueryTest, EligibleTermsAgreeWithDecide) {
  Result<Purpose> purpose = store_->GetPurpose(tenant_, "marketing.security");
  ASSERT_TRUE(purpose.ok());
  for (Channel channel : {Channel::kEmail, Channel::kSms, Channel::kPhone, Channel::kPost}) {
    for (Action action : {Action::kContact, Action::kTrack, Action::kView, Action::kExport}) {
      for (Role role : {Role::kAdmin, Role::kListBuilder, Role::kReadOnly}) {
        std::string text = "eligible(marketing.security, " + std::string(Name(channel)) + ", " +
                           std::string(Name(action)) + ", " + std::string(Name(role)) + ")";
        SCOPED_TRACE(text);
        ctx_.role = Role::kAdmin;  // an admin may ask for any role
        Result<Bitset> b = Run(text);
        ctx_.role = Role::kListBuilder;
        ASSERT_TRUE(b.ok()) << b.status().message();
        // Anyone else only for its own role or a narrower one.
        EXPECT_EQ(Run(text).ok(), role != Role::kAdmin);
        for (uint32_t row = 0; row < index_->rows(); ++row) {
          bool suppressed = index_->PersonId(row) == Id("p10");
          Decision want = DecideStored(row, *purpose, channel, action, role, suppressed);
          EXPECT_EQ(b->Test(row), want.allow) << label_of_[index_->PersonId(row)];
          EXPECT_EQ(index_->DecideRow(row, &*purpose, channel, action, role, kAt).reasons, want.reasons)
              << label_of_[index_->PersonId(row)];
        }
      }
    }
  }
}

TEST_F(QueryTest, ErrorsNameTheColumn) {
  struct Case {
    std::string text, prefix;
  };
  const std::vector<Case> cases = {
      {"colour = red", "column 1: unknown field 'colour'"},
      {"country = DE or colour = red", "column 17: unknown field 'colour'"},
      {"any(colour: [red])", "column 1: unknown field 'colour'"},
      {"seniority = boss", "column 13: 'boss' is not a seniority (entry, senior, manager, director, vp, cxo)"},
      {"country = DE and seniority >= boss", "column 31: 'boss' is not a seniority"},
      {"country in (DE, Germany)", "column 17: 'Germany' is not a country code"},
      {"stage = lead", "column 9: 'lead' is not a stage"},
      {"industry >= software", "column 1: '>=' needs an ordered field"},
      {"employee_band >= huge", "column 18: 'huge' is not a band"},
      {"eligible(nosuch, email)", "column 10: no purpose 'nosuch'"},
      {"country = DE and eligible(marketing.security, pigeon)", "column 47: 'pigeon' is not a channel"},
      {"eligible(marketing.security, email, poke)", "column 37: 'poke' is not an action"},
      {"eligible(marketing.security, email, contact, boss)", "column 46: 'boss' is not a role"},
      {"suppressed or list:unknown", "column 20: no list 'unknown'"},
  };
  for (const Case& c : cases) {
    std::string message = Error(c.text);
    EXPECT_EQ(message.substr(0, c.prefix.size()), c.prefix) << c.text << "\nmessage: " << message;
  }
  // Without the intent model, intent terms are errors; without lists, list terms.
  QueryContext bare = ctx_;
  bare.intent = nullptr;
  bare.list_rows = nullptr;
  Result<Bitset> b = Evaluate(*ParseFilter("suppressed or gauge(security) >= evaluating"), bare);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().message().substr(0, 10), "column 15:") << b.status().message();
  b = Evaluate(*ParseFilter("list:customers"), bare);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().message().substr(0, 10), "column 1: ") << b.status().message();
  // Values are pointed at in score and gauge terms too (their topic is no value).
  EXPECT_EQ(Error("gauge(security) >= hot").substr(0, 11), "column 20: ") << Error("gauge(security) >= hot");
  EXPECT_EQ(Error("score(security) > lots").substr(0, 11), "column 19: ") << Error("score(security) > lots");
  // The JSON form names the path instead of a column.
  Result<FilterNode> j = FilterFromJson(nlohmann::json::parse(
      R"({"all": [{"field": "country", "op": "=", "value": "DE"}, {"not": {"field": "colour", "op": "=", "value": "red"}}]})"));
  ASSERT_TRUE(j.ok()) << j.status().message();
  b = Evaluate(*j, ctx_);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().message().rfind("filter.all[1].not: unknown field 'colour'", 0), 0u) << b.status().message();
  Result<FilterNode> bad = FilterFromJson(nlohmann::json::parse(R"({"field": "seniority", "op": ">=", "values": ["vp"]})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("filter.value: must be a string (>= compares with one \"value\""),
            std::string::npos) << bad.status().message();
}

TEST_F(QueryTest, RankByAccountIntentThenPersonId) {
  uint32_t security = *intent_.FindTopic("security");
  double a0 = intent_.Get(account_ids_[0], security, kAt).score;
  double a2 = intent_.Get(account_ids_[2], security, kAt).score;
  ASSERT_GT(a0, a2);
  ASSERT_GT(a2, 0);

  Bitset all(index_->rows());
  all.SetAll();
  RankedPage page = Rank(all, ctx_, "security", 0, 100);
  EXPECT_EQ(page.total, 12u);
  // a0's people, then a2's, then everyone else (score 0), each by person id.
  EXPECT_EQ(LabelsOfIds(page.person_ids),
            (Names{"p1", "p2", "p10", "p5", "p6", "p9", "p3", "p4", "p7", "p8", "p11", "p12"}));
  ASSERT_EQ(page.scores.size(), 12u);
  EXPECT_DOUBLE_EQ(page.scores[0], a0);
  EXPECT_DOUBLE_EQ(page.scores[2], a0);
  EXPECT_DOUBLE_EQ(page.scores[3], a2);
  EXPECT_DOUBLE_EQ(page.scores[5], a2);
  for (size_t i = 6; i < 12; ++i) EXPECT_EQ(page.scores[i], 0.0);

  // Pages.
  page = Rank(all, ctx_, "security", 2, 3);
  EXPECT_EQ(page.total, 12u);
  EXPECT_EQ(LabelsOfIds(page.person_ids), (Names{"p10", "p5", "p6"}));
  EXPECT_EQ(page.scores.size(), 3u);
  page = Rank(all, ctx_, "security", 11, 5);
  EXPECT_EQ(LabelsOfIds(page.person_ids), (Names{"p12"}));
  page = Rank(all, ctx_, "security", 12, 5);
  EXPECT_EQ(page.total, 12u);
  EXPECT_TRUE(page.person_ids.empty());
  page = Rank(all, ctx_, "security", 0, 0);
  EXPECT_EQ(page.total, 12u);
  EXPECT_TRUE(page.person_ids.empty());

  // Only the rows given; a topic nobody reads and no topic rank by person id.
  Result<Bitset> eligible = Run("eligible(marketing.security, email)");
  ASSERT_TRUE(eligible.ok());
  page = Rank(*eligible, ctx_, "security", 0, 10);
  EXPECT_EQ(page.total, 6u);
  EXPECT_EQ(LabelsOfIds(page.person_ids), (Names{"p1", "p2", "p5", "p9", "p3", "p12"}));
  page = Rank(*eligible, ctx_, "", 0, 10);
  EXPECT_EQ(LabelsOfIds(page.person_ids), (Names{"p1", "p2", "p3", "p5", "p9", "p12"}));
  page = Rank(*eligible, ctx_, "nosuch", 1, 2);
  EXPECT_EQ(LabelsOfIds(page.person_ids), (Names{"p2", "p3"}));
  // The cloud topic: only a1 has events.
  page = Rank(all, ctx_, "cloud", 0, 4);
  EXPECT_EQ(LabelsOfIds(page.person_ids), (Names{"p3", "p4", "p11", "p1"}));
}

TEST_F(QueryTest, RankToTheEndWithoutALimit) {
  Bitset all(index_->rows());
  all.SetAll();
  RankedPage page = Rank(all, ctx_, "security", 1, SIZE_MAX);
  EXPECT_EQ(page.total, 12u);
  EXPECT_EQ(LabelsOfIds(page.person_ids), (Names{"p2", "p10", "p5", "p6", "p9", "p3", "p4", "p7", "p8", "p11", "p12"}))
      << "offset + limit must not wrap around";
}

TEST_F(QueryTest, RankSeesEventsAddedSinceTheLastQuery) {
  // A distinct instant, so that nothing cached by another test is involved.
  ctx_.at = kAt + 3600;
  Bitset all(index_->rows());
  all.SetAll();
  RankedPage before = Rank(all, ctx_, "security", 0, 3);
  EXPECT_EQ(LabelsOfIds(before.person_ids), (Names{"p1", "p2", "p10"}));
  // a3 (p7) now reads pricing pages heavily.
  IntentEvent e;
  e.at = kAt;
  e.account_id = account_ids_[3];
  e.topic = *intent_.FindTopic("security");
  e.action = EventAction::kPricing;
  for (int i = 0; i < 5; ++i) intent_.Add(e);
  RankedPage after = Rank(all, ctx_, "security", 0, 3);
  EXPECT_EQ(LabelsOfIds(after.person_ids), (Names{"p7", "p1", "p2"}));
}

// Gauge and score terms read a cached table: it must follow the query's time and
// every event added to the model since it was built.
TEST_F(QueryTest, GaugeTermsFollowTimeAndNewEvents) {
  Result<Bitset> now = Run("gauge(security) >= ramping_up");
  ASSERT_TRUE(now.ok()) << now.status().ToString();
  size_t active_now = now->Count();
  EXPECT_GT(active_now, 0u);
  ctx_.at = kAt + 400 * 86400;  // every signal window long past
  Result<Bitset> later = Run("gauge(security) >= ramping_up");
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->Count(), 0u);
  Result<Bitset> positive = Run("score(security) > 0");
  ASSERT_TRUE(positive.ok());
  EXPECT_GT(positive->Count(), 0u) << "the decayed score is small but not zero";
  ctx_.at = kAt;
  Result<Bitset> again = Run("gauge(security) >= ramping_up");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->Count(), active_now);
  EXPECT_FALSE(again->Test(Row("p7"))) << "a3 has no security events yet";
  IntentEvent e;
  e.at = kAt - 3600;
  e.account_id = account_ids_[3];
  e.topic = *intent_.FindTopic("security");
  e.stage = EventStage::kLate;
  e.action = EventAction::kPricing;
  intent_.Add(e);
  Result<Bitset> after = Run("gauge(security) >= ramping_up");
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->Test(Row("p7"))) << "a late-stage event is a signal";
}

// Gauge terms are answered from per-level account sets; every comparison at every
// level must equal the gauge of the person's account looked up one by one (people
// without an account have the default intent: not active).
TEST_F(QueryTest, GaugeTermsEqualTheGaugeOfEachPersonsAccount) {
  const uint32_t topic = *intent_.FindTopic("security");
  for (Time at : {kAt, kAt - 20 * 86400, kAt + 400 * 86400}) {
    ctx_.at = at;
    for (const char* op : {"=", "!=", ">=", ">", "<=", "<"}) {
      for (int level = 0; level < 3; ++level) {
        std::string text = std::string("gauge(security) ") + op + " " + std::string(Name(static_cast<Gauge>(level)));
        SCOPED_TRACE(text + " at " + FormatTime(at));
        Result<Bitset> got = Run(text);
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        for (uint32_t row = 0; row < index_->rows(); ++row) {
          uint32_t a = index_->AccountOf(row);
          int g = a == PeopleIndex::kNoAccount
                      ? 0
                      : static_cast<int>(intent_.Get(index_->AccountId(a), topic, at).gauge);
          bool want = std::string(op) == "=" ? g == level : std::string(op) == "!=" ? g != level
                      : std::string(op) == ">=" ? g >= level : std::string(op) == ">" ? g > level
                      : std::string(op) == "<=" ? g <= level : g < level;
          EXPECT_EQ(got->Test(row), want) << label_of_[index_->PersonId(row)] << " (gauge " << g << ")";
        }
      }
    }
  }
  ctx_.at = kAt;
}

TEST_F(QueryTest, ExplainRowGivesOneVerdictPerLeafAndTheSameAnswer) {
  const std::vector<std::string> filters = {
      "country in (DE, FR) and not seniority < director and (eligible(marketing.security, email) or list:customers)",
      "not (country = DE or suppressed)",
      "country in (DE, FR) and seniority >= director and any(tech: [k8s, terraform]) and not list:customers and "
      "eligible(marketing.security, email)",
      "industry = software or employee_band < 201-500",
      "suppressed",
  };
  const std::vector<size_t> leaves = {4, 2, 5, 2, 1};
  for (size_t f = 0; f < filters.size(); ++f) {
    SCOPED_TRACE(filters[f]);
    Result<FilterNode> node = ParseFilter(filters[f]);
    ASSERT_TRUE(node.ok());
    Result<Bitset> selected = Evaluate(*node, ctx_);
    ASSERT_TRUE(selected.ok());
    for (uint32_t row = 0; row < index_->rows(); ++row) {
      bool in = !selected->Test(row);  // deliberately wrong, so the call must set it
      Result<std::vector<TermVerdict>> verdicts = ExplainRow(*node, ctx_, row, &in);
      ASSERT_TRUE(verdicts.ok()) << verdicts.status().message();
      EXPECT_EQ(verdicts->size(), leaves[f]);
      EXPECT_EQ(in, selected->Test(row)) << label_of_[index_->PersonId(row)];
    }
  }

  // The verdicts of the first filter, person by person.
  Result<FilterNode> node = ParseFilter(filters[0]);
  ASSERT_TRUE(node.ok());
  for (const char* label : {"p1", "p2", "p6", "p12", "p8"}) {
    SCOPED_TRACE(label);
    bool in = false;
    Result<std::vector<TermVerdict>> v = ExplainRow(*node, ctx_, Row(label), &in);
    ASSERT_TRUE(v.ok());
    ASSERT_EQ(v->size(), 4u);
    EXPECT_EQ((*v)[0].term, "country in (DE, FR)");
    EXPECT_EQ((*v)[1].term, "not seniority < director");
    EXPECT_EQ((*v)[2].term, "eligible(marketing.security, email)");
    EXPECT_EQ((*v)[3].term, "list:customers");
    std::string l = label;
    bool country = l == "p1" || l == "p2" || l == "p6" || l == "p12";
    bool senior = l == "p1" || l == "p2";  // director and vp; p6 and p12 are senior, p8 a manager
    bool eligible = l == "p1" || l == "p2" || l == "p12";
    bool listed = l == "p2";
    EXPECT_EQ((*v)[0].holds, country);
    EXPECT_EQ((*v)[1].holds, senior);
    EXPECT_EQ((*v)[2].holds, eligible);
    EXPECT_EQ((*v)[3].holds, listed);
    EXPECT_EQ(in, country && senior && (eligible || listed));
    // The eligibility verdict says why, in words.
    EXPECT_FALSE((*v)[2].detail.empty());
    EXPECT_TRUE((*v)[0].detail.empty());
  }
  bool in = false;
  Result<std::vector<TermVerdict>> p6 = ExplainRow(*node, ctx_, Row("p6"), &in);
  ASSERT_TRUE(p6.ok());
  EXPECT_NE((*p6)[2].detail.find("NO_LAWFUL_BASIS"), std::string::npos) << (*p6)[2].detail;
  Result<std::vector<TermVerdict>> p1 = ExplainRow(*node, ctx_, Row("p1"), &in);
  ASSERT_TRUE(p1.ok());
  EXPECT_NE((*p1)[2].detail.find("CONSENT"), std::string::npos) << (*p1)[2].detail;
  Result<FilterNode> p4_filter = ParseFilter("eligible(marketing.security, email)");
  Result<std::vector<TermVerdict>> p4 = ExplainRow(*p4_filter, ctx_, Row("p4"), &in);
  ASSERT_TRUE(p4.ok());
  EXPECT_FALSE(in);
  EXPECT_NE((*p4)[0].detail.find("OBJECTED"), std::string::npos) << (*p4)[0].detail;

  // A term that cannot be evaluated is an error, not a verdict.
  Result<FilterNode> bad = ParseFilter("country = DE and colour = red");
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(ExplainRow(*bad, ctx_, 0, &in).ok());
}

// Value sets are sized when a value is first seen; rows appended later must not
// leak into terms whose value sets are shorter than the index.
TEST_F(QueryTest, AllOfStaysExactAfterTheIndexGrows) {
  PeopleIndex grown(rules_, settings_);
  for (int64_t id = 1; id <= 70; ++id) {
    Person p;
    p.subject.id = id;
    p.subject.country = id <= 60 && id % 2 ? "DE" : "FR";
    p.seniority = id <= 60 && id % 3 == 0 ? "director" : "entry";
    grown.Upsert(p, false);
  }
  ASSERT_EQ(grown.rows(), 70u);
  QueryContext ctx;
  ctx.index = &grown;
  ctx.at = kAt;
  auto count = [&](const std::string& text) -> size_t {
    Result<FilterNode> f = ParseFilter(text);
    EXPECT_TRUE(f.ok()) << text;
    Result<Bitset> b = Evaluate(*f, ctx);
    EXPECT_TRUE(b.ok()) << text << ": " << b.status().message();
    if (!b.ok()) return SIZE_MAX;
    EXPECT_EQ(b->rows(), 70u) << text;
    return b->Count();
  };
  EXPECT_EQ(count("country = DE"), 30u);
  EXPECT_EQ(count("country = FR"), 40u);
  EXPECT_EQ(count("all(country: [DE])"), 30u);
  EXPECT_EQ(count("all(country: [DE, FR])"), 0u);
  EXPECT_EQ(count("all(seniority: [director])"), 20u);
  EXPECT_EQ(count("not country = DE"), 40u);
  EXPECT_EQ(count("country != DE"), 40u);
  EXPECT_EQ(count("seniority >= director"), 20u);
  EXPECT_EQ(count("any(country: [DE, FR])"), 70u);
}

}  // namespace
}  // namespace fairlead
