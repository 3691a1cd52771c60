// The PeopleIndex test fixture: a SQLite store with purposes, random accounts and
// people (records, purchases, suppressed addresses), and the check that the index's
// bulk eligibility equals Decide() per subject. Shared by the index's test files.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/normalize.h"
#include "core/time.h"
#include "index/people_index.h"
#include "policy/decide.h"
#include "policy/rules.h"
#include "store/store.h"
#include "suppression/suppression.h"
#include "testing/test_util.h"

namespace fairlead::index_testing {

using testing_util::Random;

inline const Time kAt = 1767225600;  // 2026-01-01
constexpr Time kDay = kSecondsPerDay;
constexpr int kDaySeconds = static_cast<int>(kSecondsPerDay);
constexpr int kBlocked = 80;  // suppressed addresses and phones the generator may hand out

inline const std::vector<std::string> kCountries = {"DE", "FR", "GB", "IE", "BE", "US-CA", "JP", ""};

inline std::string BlockedEmail(int k) { return "blocked" + std::to_string(k) + "@spam.example"; }
inline std::string BlockedPhone(int k) { return "+1555000" + std::to_string(1000 + k); }

// One eligibility set: (purpose, channel, action, role).
struct Key {
  std::string purpose;
  std::optional<Channel> channel;
  Action action;
  Role role;
};

inline std::string KeyName(const Key& k) {
  return k.purpose + "/" + (k.channel ? std::string(Name(*k.channel)) : "-") + "/" + std::string(Name(k.action)) +
         "/" + std::string(Name(k.role));
}

inline const std::vector<Key>& AllKeys() {
  static const std::vector<Key> keys = {
      {"marketing.security", Channel::kEmail, Action::kContact, Role::kListBuilder},
      {"marketing.cloud", Channel::kEmail, Action::kContact, Role::kListBuilder},
      {"marketing", Channel::kEmail, Action::kContact, Role::kListBuilder},
      {"marketing", Channel::kPhone, Action::kContact, Role::kAdmin},
      {"sales_outreach", Channel::kPost, Action::kContact, Role::kReadOnly},
      {"sales_outreach", Channel::kSms, Action::kContact, Role::kListBuilder},
      {"service", Channel::kEmail, Action::kContact, Role::kListBuilder},
      {"analytics.intent", Channel::kEmail, Action::kContact, Role::kListBuilder},
      {"marketing.security", std::nullopt, Action::kTrack, Role::kListBuilder},
      {"marketing", std::nullopt, Action::kExport, Role::kAdmin},
      {"service", std::nullopt, Action::kView, Role::kReadOnly},
  };
  return keys;
}

inline std::vector<Purpose> MakePurposes() {
  std::vector<Purpose> out;
  Purpose p;
  p.id = "marketing.security";  // legitimate interest, relevant to security and IT jobs
  p.kind = PurposeKind::kMarketing;
  p.family = "security";
  p.lia = "LIA-1";
  p.job_functions = {"security", "it"};
  out.push_back(p);
  p = Purpose();
  p.id = "marketing.cloud";  // consent only, double opt-in everywhere
  p.kind = PurposeKind::kMarketing;
  p.family = "cloud";
  p.requires_double_opt_in = true;
  out.push_back(p);
  p = Purpose();
  p.id = "marketing";  // with a retention period
  p.kind = PurposeKind::kMarketing;
  p.lia = "LIA-2";
  p.retention_days = 365;
  out.push_back(p);
  p = Purpose();
  p.id = "sales_outreach";
  p.kind = PurposeKind::kSalesOutreach;
  p.family = "security";
  p.lia = "LIA-3";
  p.retention_days = 500;
  p.job_functions = {"finance"};
  out.push_back(p);
  p = Purpose();
  p.id = "service";
  p.kind = PurposeKind::kService;
  p.retention_days = 730;
  out.push_back(p);
  p = Purpose();
  p.id = "analytics.intent";
  p.kind = PurposeKind::kAnalytics;
  out.push_back(p);
  return out;
}

inline std::string Reasons(const Decision& d) {
  std::string out = d.allow ? "allow" : "deny";
  for (Reason r : d.reasons) out += " " + std::string(Name(r));
  return out;
}

// What differs between two decisions (empty when they agree).
inline std::string Diff(const Decision& got, const Decision& want) {
  std::string out;
  if (got.allow != want.allow) out += " allow";
  if (got.basis != want.basis) out += " basis";
  if (got.reasons != want.reasons) out += " reasons";
  if (got.obligations != want.obligations) out += " obligations";
  if (got.rule_refs != want.rule_refs) out += " rule_refs";
  if (!out.empty()) out += " (index: " + Reasons(got) + "; Decide: " + Reasons(want) + ")";
  return out;
}

class PeopleIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing_util::FreshTestDir("people-index");
    auto store = OpenSqliteStore(dir_ + "/db.sqlite");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    Result<int64_t> tenant = store_->EnsureTenant("t");
    ASSERT_TRUE(tenant.ok()) << tenant.status().ToString();
    tenant_ = *tenant;
    Result<TenantSettings> settings = store_->GetTenantSettings(tenant_);
    ASSERT_TRUE(settings.ok()) << settings.status().ToString();
    settings_ = *settings;
    Result<Rules> rules = ParseRules(DefaultRulesText(), "default");
    ASSERT_TRUE(rules.ok()) << rules.status().ToString();
    rules_ = *rules;
    TenantSecret secret{};
    for (size_t i = 0; i < secret.size(); ++i) secret[i] = static_cast<uint8_t>(i * 7 + 1);
    hasher_ = std::make_unique<SuppressionHasher>(secret);
    for (int k = 0; k < kBlocked; ++k) {
      suppression_.Add(hasher_->Key(SuppressionKind::kEmail, BlockedEmail(k)));
      suppression_.Add(hasher_->Key(SuppressionKind::kPhone, BlockedPhone(k)));
    }
    for (const Purpose& p : MakePurposes()) {
      ASSERT_TRUE(store_->PutPurpose(tenant_, p).ok());
      Result<Purpose> back = store_->GetPurpose(tenant_, p.id);
      ASSERT_TRUE(back.ok()) << back.status().ToString();
      purposes_[p.id] = *back;
    }
  }

  void AddAccounts(int n) {
    static const std::vector<std::string> kIndustries = {"software", "finance", "retail"};
    static const std::vector<std::string> kBands = {"1-10", "51-200", "201-500", "1001-5000"};
    for (int i = 0; i < n; ++i) {
      Account a;
      a.domain = "acct" + std::to_string(i) + ".example";
      a.name = "Account " + std::to_string(i);
      a.industry = kIndustries[static_cast<size_t>(i) % kIndustries.size()];
      a.employee_band = kBands[static_cast<size_t>(i) % kBands.size()];
      a.hq_country = kCountries[static_cast<size_t>(i) % 7];
      a.technologies = {"k8s", i % 2 ? "aws" : "terraform"};
      Result<int64_t> id = store_->UpsertAccount(tenant_, a);
      ASSERT_TRUE(id.ok()) << id.status().ToString();
      account_ids_.push_back(*id);
    }
  }

  BasisRecord RandomRecord(Random& r, Time around) {
    static const std::vector<std::string> kScopes = {"marketing",      "marketing.security", "marketing.cloud",
                                                     "sales_outreach", "service",            "analytics",
                                                     "marketingx"};
    BasisRecord b;
    int basis = r.Int(100);
    b.basis = basis < 65 ? LawfulBasis::kConsent
              : basis < 80 ? LawfulBasis::kContract
                           : static_cast<LawfulBasis>(r.Int(6));
    int status = r.Int(100);
    b.status = status < 50 ? BasisStatus::kGranted
               : status < 65 ? BasisStatus::kPending
               : status < 85 ? BasisStatus::kWithdrawn
                             : BasisStatus::kExpired;
    if (r.Chance(90)) {
      b.scopes.push_back(r.Pick(kScopes));
      if (r.Chance(20)) b.scopes.push_back(r.Pick(kScopes));
    }
    b.channels_given = r.Chance(90);
    b.channels = static_cast<ChannelSet>(r.Int(16));
    b.at = around - r.Int(500) * kDay - r.Int(kDaySeconds);
    if (r.Chance(12)) b.at = around + r.Int(200) * kDay + r.Int(kDaySeconds);  // dated in the future
    if (r.Chance(60)) b.confirmed_at = b.at + r.Int(6) * kDay;
    if (r.Chance(25)) b.expires_at = b.at + r.Int(600) * kDay;
    return b;
  }

  Purchase RandomPurchase(Random& r, Time around) {
    static const std::vector<std::string> kFamilies = {"security", "cloud", "other"};
    Purchase p;
    p.family = r.Pick(kFamilies);
    p.kind = static_cast<PurchaseKind>(r.Int(2));
    p.at = around - r.Int(900) * kDay - r.Int(kDaySeconds);
    if (r.Chance(8)) p.at = around + r.Int(100) * kDay;
    return p;
  }

  Person RandomPerson(Random& r, Time around) {
    static const std::vector<std::string> kFunctions = {"security", "IT", "finance", "", "Security"};
    static const std::vector<std::string> kSeniority = {"entry", "senior", "manager", "director", "vp", "cxo", ""};
    Person p;
    Subject& s = p.subject;
    s.country = r.Pick(kCountries);
    s.recipient = r.Chance(60) ? Recipient::kCorporate : static_cast<Recipient>(r.Int(2));
    s.stage = static_cast<Stage>(r.Int(4));
    s.function = r.Pick(kFunctions);
    p.seniority = r.Pick(kSeniority);
    p.first_name = "P" + std::to_string(next_address_);
    int emails = r.Int(3);
    for (int i = 0; i < emails; ++i) {
      EmailAddress e;
      int n = next_address_++;
      if (r.Chance(7) && next_blocked_email_ < kBlocked)
        e.address = BlockedEmail(next_blocked_email_++);
      else
        e.address = (r.Chance(20) ? "info" : "p") + std::to_string(n) + "@ex" + std::to_string(n % 7) + ".example";
      e.type = r.Chance(25) ? EmailType::kGeneric : EmailType::kPersonal;
      e.visibility = static_cast<Visibility>(r.Int(3));
      s.emails.push_back(e);
    }
    if (r.Chance(30))
      p.phone = r.Chance(15) && next_blocked_phone_ < kBlocked ? BlockedPhone(next_blocked_phone_++)
                                                               : "+4930555" + std::to_string(next_address_++);
    if (r.Chance(75)) s.collected_at = around - r.Int(700) * kDay - r.Int(kDaySeconds);
    s.opt_out_offered_at_collection = r.Chance(60);
    if (r.Chance(50)) s.transparency_notice_sent_at = around - r.Int(400) * kDay;
    if (r.Chance(8)) s.objected_direct_marketing_at = around + (r.Chance(25) ? r.Int(200) : -r.Int(300)) * kDay;
    s.restricted = r.Chance(4);
    s.do_not_sell = r.Chance(10);
    s.erased = r.Chance(3);
    p.account_id = !account_ids_.empty() && r.Chance(88) ? r.Pick(account_ids_) : 0;
    int records = r.Int(5);
    for (int i = 0; i < records; ++i) s.bases.push_back(RandomRecord(r, around));
    int purchases = r.Int(3);
    for (int i = 0; i < purchases; ++i) s.purchases.push_back(RandomPurchase(r, around));
    return p;
  }

  // Inserts the person with their records and purchases; returns the id.
  int64_t Insert(const Person& p) {
    Result<int64_t> id = store_->InsertPerson(tenant_, p);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    if (!id.ok()) return 0;
    for (BasisRecord b : p.subject.bases) EXPECT_TRUE(store_->AddBasisRecord(tenant_, *id, &b).ok());
    for (const Purchase& pu : p.subject.purchases) EXPECT_TRUE(store_->AddPurchase(tenant_, *id, pu).ok());
    ids_.push_back(*id);
    return *id;
  }

  void InsertRandomPeople(Random& r, int n, Time around) {
    ASSERT_TRUE(store_->Begin().ok());
    for (int i = 0; i < n; ++i) Insert(RandomPerson(r, around));
    ASSERT_TRUE(store_->Commit().ok());
  }

  std::unique_ptr<PeopleIndex> LoadIndex() {
    Result<std::unique_ptr<PeopleIndex>> index =
        PeopleIndex::Load(*store_, tenant_, rules_, settings_, *hasher_, suppression_);
    EXPECT_TRUE(index.ok()) << index.status().ToString();
    if (!index.ok()) return nullptr;
    return std::move(*index);
  }

  Person Get(int64_t id) {
    Result<Person> p = store_->GetPerson(tenant_, id);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? *p : Person();
  }

  bool IsSuppressed(const Person& p) const { return suppression_.ContainsAny(*hasher_, p.subject.emails, p.phone); }

  // The write path: the store committed (or holds) the change; the index follows.
  void Upsert(PeopleIndex& index, int64_t id) {
    Person p = Get(id);
    index.Upsert(p, IsSuppressed(p));
  }

  Decision Expected(const Subject& s, const Purpose& purpose, const Key& key, bool suppressed, Time at) {
    DecisionRequest req;
    req.subject = &s;
    req.purpose = &purpose;
    req.action = key.action;
    req.channel = key.channel;
    req.role = key.role;
    req.suppressed = suppressed;
    req.tenant = &settings_;
    req.at = at;
    Result<Decision> d = Decide(rules_, req);
    EXPECT_TRUE(d.ok()) << KeyName(key) << ": " << d.status().ToString();
    return d.ok() ? *d : Decision();
  }

  // For every row and key: index.Eligible(...) at `at` equals Decide() on the
  // subject read back from the store; with `decide_row`, DecideRow too.
  void CheckAgreement(PeopleIndex& index, Time at, bool decide_row, const std::string& where) {
    SCOPED_TRACE(where + ", at " + FormatTime(at));
    Result<int64_t> count = store_->CountPeople(tenant_);
    ASSERT_TRUE(count.ok());
    ASSERT_EQ(index.rows(), static_cast<size_t>(*count));
    std::vector<Person> people;
    std::vector<bool> suppressed;
    people.reserve(index.rows());
    size_t suppression_mismatches = 0;
    for (uint32_t row = 0; row < index.rows(); ++row) {
      int64_t id = index.PersonId(row);
      ASSERT_EQ(index.RowOf(id), std::optional<uint32_t>(row)) << "person " << id;
      people.push_back(Get(id));
      suppressed.push_back(IsSuppressed(people.back()));
      if (index.Suppressed().Test(row) != suppressed.back() && ++suppression_mismatches <= 3)
        ADD_FAILURE() << "person " << id << ": index suppressed " << index.Suppressed().Test(row);
    }
    EXPECT_EQ(suppression_mismatches, 0u);
    for (const Key& key : AllKeys()) {
      const Purpose& purpose = purposes_.at(key.purpose);
      const Bitset& bits = index.Eligible(purpose, key.channel, key.action, key.role, at);
      EXPECT_EQ(bits.rows(), index.rows()) << KeyName(key);
      size_t allowed = 0, mismatches = 0, row_mismatches = 0;
      for (uint32_t row = 0; row < index.rows(); ++row) {
        const Person& p = people[row];
        Decision want = Expected(p.subject, purpose, key, suppressed[row], at);
        allowed += want.allow ? 1 : 0;
        if (bits.Test(row) != want.allow && ++mismatches <= 3)
          ADD_FAILURE() << "bulk and per-subject disagree for " << KeyName(key) << " at " << FormatTime(at)
                        << ": person " << p.subject.id << " (country '" << p.subject.country << "', "
                        << p.subject.bases.size() << " records): index says " << bits.Test(row) << ", Decide says "
                        << Reasons(want);
        if (decide_row) {
          Decision got = index.DecideRow(row, &purpose, key.channel, key.action, key.role, at);
          std::string diff = Diff(got, want);
          if (!diff.empty() && ++row_mismatches <= 3)
            ADD_FAILURE() << "DecideRow differs for " << KeyName(key) << ", person " << p.subject.id << ":" << diff;
        }
      }
      EXPECT_EQ(mismatches, 0u) << KeyName(key);
      EXPECT_EQ(row_mismatches, 0u) << KeyName(key);
      EXPECT_EQ(bits.Count(), allowed) << KeyName(key);
      allowed_ += allowed;
      denied_ += index.rows() - allowed;
    }
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
  int64_t tenant_ = 0;
  TenantSettings settings_;
  Rules rules_;
  std::unique_ptr<SuppressionHasher> hasher_;
  SuppressionSet suppression_;
  std::map<std::string, Purpose> purposes_;
  std::vector<int64_t> account_ids_;
  std::vector<int64_t> ids_;
  int next_address_ = 0, next_blocked_email_ = 0, next_blocked_phone_ = 0;
  size_t allowed_ = 0, denied_ = 0;
};

}  // namespace fairlead::index_testing
