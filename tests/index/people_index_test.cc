// PeopleIndex: the bulk form of the policy engine must never disagree with the
// per-subject Decide() (policy.md "Bulk form"), after loading, as time moves on,
// and after random sequences of writes; and account runs must follow every write.
#include "index/people_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/normalize.h"
#include "core/time.h"
#include "policy/decide.h"
#include "policy/rules.h"
#include "store/store.h"
#include "suppression/suppression.h"
#include "index/people_index_fixture.h"
#include "testing/test_util.h"

namespace fairlead {
namespace {

using namespace index_testing;  // NOLINT: the shared fixture

TEST_F(PeopleIndexTest, LoadReadsEveryPersonAndSuppression) {
  ASSERT_NO_FATAL_FAILURE(AddAccounts(4));
  Random r(11);
  ASSERT_NO_FATAL_FAILURE(InsertRandomPeople(r, 120, kAt));
  std::unique_ptr<PeopleIndex> index = LoadIndex();
  ASSERT_TRUE(index);
  EXPECT_EQ(index->rows(), 120u);
  EXPECT_EQ(index->accounts(), 4u);
  std::set<int64_t> seen;
  size_t suppressed = 0;
  for (uint32_t row = 0; row < index->rows(); ++row) {
    int64_t id = index->PersonId(row);
    EXPECT_TRUE(seen.insert(id).second) << "person " << id << " twice";
    EXPECT_EQ(index->RowOf(id), std::optional<uint32_t>(row));
    bool want = IsSuppressed(Get(id));
    EXPECT_EQ(index->Suppressed().Test(row), want) << "person " << id;
    suppressed += want ? 1 : 0;
  }
  EXPECT_EQ(seen, std::set<int64_t>(ids_.begin(), ids_.end()));
  EXPECT_GT(suppressed, 2u) << "the generator should hand out suppressed addresses";
  EXPECT_EQ(index->Suppressed().Count(), suppressed);
  EXPECT_FALSE(index->RowOf(-5).has_value());
  for (uint32_t a = 0; a < index->accounts(); ++a) EXPECT_EQ(index->AccountRowOf(index->AccountId(a)), a);
  EXPECT_GT(index->MemoryBytes(), 0u);
}

// The load files every row under its value of each person field (a subdivision under
// its country too), each set exactly the people with that value, as a row written one
// at a time (SetValues) is filed.
TEST_F(PeopleIndexTest, LoadFilesEachRowUnderEachOfItsValues) {
  ASSERT_NO_FATAL_FAILURE(AddAccounts(3));
  Random r(13);
  ASSERT_NO_FATAL_FAILURE(InsertRandomPeople(r, 200, kAt));
  std::unique_ptr<PeopleIndex> index = LoadIndex();
  ASSERT_TRUE(index);
  std::map<std::pair<std::string, std::string>, std::set<uint32_t>> want;
  for (uint32_t row = 0; row < index->rows(); ++row) {
    Person p = Get(index->PersonId(row));
    const Subject& s = p.subject;
    std::vector<std::pair<std::string, std::string>> values = {
        {"country", AsciiLower(s.country)},       {"country", AsciiLower(CountryAlpha2(s.country))},
        {"seniority", AsciiLower(p.seniority)},   {"function", AsciiLower(s.function)},
        {"recipient", std::string(Name(s.recipient))}, {"stage", std::string(Name(s.stage))}};
    for (const auto& v : values)
      if (!v.second.empty()) want[v].insert(row);
  }
  EXPECT_GT(want.size(), 12u) << "the generator should give many values";
  EXPECT_TRUE(want.count({"country", "us"})) << "a subdivision should be filed under its country";
  for (const auto& [key, rows] : want) {
    const Bitset* got = index->PersonValue(key.first, key.second);
    ASSERT_NE(got, nullptr) << key.first << "=" << key.second;
    EXPECT_EQ(got->Count(), rows.size()) << key.first << "=" << key.second;
    for (uint32_t row : rows) EXPECT_TRUE(got->Test(row)) << key.first << "=" << key.second << " row " << row;
  }
  // After a write the rewritten row is filed the same way (SetValues).
  Person p = Get(ids_[0]);
  p.subject.country = "JP";
  p.seniority = "cxo";
  ASSERT_TRUE(store_->UpdatePerson(tenant_, p).ok());
  Upsert(*index, ids_[0]);
  const uint32_t row = *index->RowOf(ids_[0]);
  EXPECT_TRUE(index->PersonValue("country", "jp")->Test(row));
  EXPECT_TRUE(index->PersonValue("seniority", "cxo")->Test(row));
  size_t filed = 0;
  for (const auto& [key, rows] : want)
    if (key.first == "country" && key.second != "jp") filed += index->PersonValue(key.first, key.second)->Test(row);
  EXPECT_EQ(filed, 0u) << "the old country must be left";
}

TEST_F(PeopleIndexTest, SubjectOfAndFillSubjectKeepEveryPolicyInput) {
  ASSERT_NO_FATAL_FAILURE(AddAccounts(3));
  Random r(12);
  ASSERT_NO_FATAL_FAILURE(InsertRandomPeople(r, 150, kAt));
  std::unique_ptr<PeopleIndex> index = LoadIndex();
  ASSERT_TRUE(index);
  auto kinds = [](const std::vector<EmailAddress>& emails) {
    std::set<std::pair<int, int>> out;
    for (const EmailAddress& e : emails) out.emplace(static_cast<int>(e.type), static_cast<int>(e.visibility));
    return out;
  };
  // Each row as a fresh subject, then filled into one reused subject in a shuffled
  // order (so it shrinks and grows: FillSubject must leave nothing of the last row).
  std::vector<uint32_t> order;
  for (uint32_t row = 0; row < index->rows(); ++row) order.push_back(row);
  std::vector<uint32_t> shuffled = order;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(7));
  order.insert(order.end(), shuffled.begin(), shuffled.end());
  Subject reused;
  for (size_t k = 0; k < order.size(); ++k) {
    const uint32_t row = order[k];
    const bool reuse = k >= index->rows();
    Subject want = Get(index->PersonId(row)).subject;
    if (reuse) index->FillSubject(row, &reused);
    Subject got = reuse ? reused : index->SubjectOf(row);
    SCOPED_TRACE("person " + std::to_string(want.id) + (reuse ? " (reused subject)" : ""));
    EXPECT_EQ(got.id, want.id);
    EXPECT_EQ(got.country, want.country);
    EXPECT_EQ(got.recipient, want.recipient);
    EXPECT_EQ(got.stage, want.stage);
    EXPECT_EQ(AsciiLower(got.function), AsciiLower(want.function));
    EXPECT_EQ(got.collected_at, want.collected_at);
    EXPECT_EQ(got.opt_out_offered_at_collection, want.opt_out_offered_at_collection);
    EXPECT_EQ(got.transparency_notice_sent_at, want.transparency_notice_sent_at);
    EXPECT_EQ(got.objected_direct_marketing_at, want.objected_direct_marketing_at);
    EXPECT_EQ(got.restricted, want.restricted);
    EXPECT_EQ(got.do_not_sell, want.do_not_sell);
    EXPECT_EQ(got.erased, want.erased);
    EXPECT_EQ(kinds(got.emails), kinds(want.emails));
    EXPECT_EQ(got.emails.empty(), want.emails.empty());
    ASSERT_EQ(got.bases.size(), want.bases.size());
    for (size_t i = 0; i < want.bases.size(); ++i) {
      const BasisRecord& g = got.bases[i];
      const BasisRecord& w = want.bases[i];
      EXPECT_EQ(g.basis, w.basis);
      EXPECT_EQ(g.status, w.status);
      EXPECT_EQ(g.scopes, w.scopes);
      EXPECT_EQ(g.channels, w.channels);
      EXPECT_EQ(g.channels_given, w.channels_given);
      EXPECT_EQ(g.at, w.at);
      EXPECT_EQ(g.confirmed_at, w.confirmed_at);
      EXPECT_EQ(g.expires_at, w.expires_at);
      // Record ids only break ties: they must keep the stored order.
      if (i > 0) {
        EXPECT_LT(got.bases[i - 1].id, g.id);
      }
    }
    ASSERT_EQ(got.purchases.size(), want.purchases.size());
    for (size_t i = 0; i < want.purchases.size(); ++i) {
      EXPECT_EQ(got.purchases[i].family, want.purchases[i].family);
      EXPECT_EQ(got.purchases[i].kind, want.purchases[i].kind);
      EXPECT_EQ(got.purchases[i].at, want.purchases[i].at);
    }
  }
}

TEST_F(PeopleIndexTest, BulkAgreesWithDecideAfterLoadAsTimeMovesOn) {
  ASSERT_NO_FATAL_FAILURE(AddAccounts(6));
  Random r(20261125);
  ASSERT_NO_FATAL_FAILURE(InsertRandomPeople(r, 300, kAt));
  std::unique_ptr<PeopleIndex> index = LoadIndex();
  ASSERT_TRUE(index);
  EXPECT_GT(index->Suppressed().Count(), 3u);
  // The first request builds every set; later ones move forward and re-decide
  // only the rows whose next-change instant passed.
  ASSERT_NO_FATAL_FAILURE(CheckAgreement(*index, kAt - 300 * kDay, true, "first build"));
  Time at = kAt - 300 * kDay;
  for (int step = 1; step <= 10; ++step) {
    at += 90 * kDay + r.Int(kDaySeconds);
    ASSERT_NO_FATAL_FAILURE(CheckAgreement(*index, at, step == 5 || step == 10, "step " + std::to_string(step)));
    if (step == 5) {
      // A time before the cached one, then the cached present again.
      ASSERT_NO_FATAL_FAILURE(CheckAgreement(*index, kAt - 500 * kDay, false, "earlier"));
      ASSERT_NO_FATAL_FAILURE(CheckAgreement(*index, at, false, "back to the present"));
    }
  }
  // The same instant twice, then one second later.
  ASSERT_NO_FATAL_FAILURE(CheckAgreement(*index, at, false, "same instant"));
  ASSERT_NO_FATAL_FAILURE(CheckAgreement(*index, at + 1, false, "one second later"));
  // The generator reaches both answers often.
  EXPECT_GT(allowed_, 1000u);
  EXPECT_GT(denied_, 1000u);
}

// The record-only write path (no store read) agrees with Decide too.
TEST_F(PeopleIndexTest, AddBasisRecordAgreesWithDecide) {
  ASSERT_NO_FATAL_FAILURE(AddAccounts(4));
  Random r(77);
  ASSERT_NO_FATAL_FAILURE(InsertRandomPeople(r, 120, kAt));
  std::unique_ptr<PeopleIndex> index = LoadIndex();
  ASSERT_TRUE(index);
  ASSERT_NO_FATAL_FAILURE(CheckAgreement(*index, kAt, true, "before"));
  for (int i = 0; i < 60; ++i) {
    uint32_t row = static_cast<uint32_t>(r.Int(static_cast<int>(index->rows())));
    int64_t id = index->PersonId(row);
    BasisRecord b = RandomRecord(r, kAt);
    ASSERT_TRUE(store_->AddBasisRecord(tenant_, id, &b).ok());
    EXPECT_TRUE(index->AddBasisRecord(id, b));
  }
  EXPECT_FALSE(index->AddBasisRecord(987654321, BasisRecord()));
  ASSERT_NO_FATAL_FAILURE(CheckAgreement(*index, kAt, false, "after record writes"));
  ASSERT_NO_FATAL_FAILURE(CheckAgreement(*index, kAt + 200 * kDay, false, "later"));
}

TEST_F(PeopleIndexTest, EveryRecordCountsPastSixtyFiveThousand) {
  // More basis records and purchases than 16 bits count, the deciding ones last: the
  // bulk form and DecideRow must see them all, as Decide does, also after a snapshot.
  ASSERT_NO_FATAL_FAILURE(AddAccounts(2));
  Random r(78);
  ASSERT_NO_FATAL_FAILURE(InsertRandomPeople(r, 10, kAt));
  Person p = RandomPerson(r, kAt);
  p.subject.country = "DE";
  p.subject.recipient = Recipient::kConsumer;
  p.subject.objected_direct_marketing_at.reset();
  p.subject.bases.clear();
  p.subject.purchases.clear();
  const int64_t id = Insert(p);
  ASSERT_GT(id, 0);
  p.subject.id = id;
  BasisRecord grant;
  grant.basis = LawfulBasis::kConsent;
  grant.status = BasisStatus::kGranted;
  grant.scopes = {"marketing"};
  grant.channels = ChannelBit(Channel::kEmail);
  grant.channels_given = true;
  grant.at = kAt - 400 * kDay;
  grant.confirmed_at = grant.at + kDay;
  for (int i = 0; i < 70000; ++i) p.subject.bases.push_back(grant);
  BasisRecord withdrawal = grant;
  withdrawal.status = BasisStatus::kWithdrawn;
  withdrawal.confirmed_at.reset();
  withdrawal.at = kAt - 10 * kDay;
  p.subject.bases.push_back(withdrawal);  // record 70,001 decides: withdrawn
  for (int i = 0; i < 66000; ++i) p.subject.purchases.push_back({"security", PurchaseKind::kSale, kAt - 900 * kDay});
  std::unique_ptr<PeopleIndex> index = LoadIndex();
  ASSERT_TRUE(index);
  index->Upsert(p, false);
  const uint32_t row = *index->RowOf(id);
  Subject back = index->SubjectOf(row);
  EXPECT_EQ(back.bases.size(), 70001u);
  EXPECT_EQ(back.purchases.size(), 66000u);
  int withdrawn = 0;
  for (const Key& key : AllKeys()) {
    const Purpose& purpose = purposes_.at(key.purpose);
    Decision want = Expected(p.subject, purpose, key, false, kAt);
    withdrawn += !want.reasons.empty() && want.reasons[0] == Reason::kConsentWithdrawn;
    EXPECT_EQ(index->Eligible(purpose, key.channel, key.action, key.role, kAt).Test(row), want.allow) << KeyName(key);
    Decision got = index->DecideRow(row, &purpose, key.channel, key.action, key.role, kAt);
    EXPECT_EQ(Diff(got, want), "") << KeyName(key);
  }
  EXPECT_GT(withdrawn, 0) << "the last record must decide somewhere";
  Result<std::string> stamp = store_->IndexStamp();
  ASSERT_TRUE(stamp.ok());
  const std::string path = dir_ + "/many.snapshot";
  const PeopleIndex::SnapshotKey key = PeopleIndex::KeyFor(tenant_, *stamp, *hasher_, suppression_);
  ASSERT_TRUE(index->WriteSnapshot(path, key).ok());
  Result<std::unique_ptr<PeopleIndex>> read = PeopleIndex::ReadSnapshot(path, key, rules_, settings_);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ((*read)->SubjectOf(*(*read)->RowOf(id)).bases.size(), 70001u);
}

TEST_F(PeopleIndexTest, BulkAgreesWithDecideAfterRandomWrites) {
  ASSERT_NO_FATAL_FAILURE(AddAccounts(6));
  Random r(77);
  ASSERT_NO_FATAL_FAILURE(InsertRandomPeople(r, 300, kAt));
  std::unique_ptr<PeopleIndex> index = LoadIndex();
  ASSERT_TRUE(index);
  ASSERT_NO_FATAL_FAILURE(CheckAgreement(*index, kAt, true, "after load"));

  static const std::vector<std::string> kWriteScopes = {"marketing",      "marketing.security", "marketing.cloud",
                                                        "sales_outreach", "service",            "analytics"};
  static const std::vector<std::string> kFamilies = {"security", "cloud"};
  Time now = kAt;
  int writes = 0, new_people = 0;
  for (int round = 1; round <= 10; ++round) {
    now += 30 * kDay + r.Int(kDaySeconds);
    ASSERT_TRUE(store_->Begin().ok());
    for (int i = 0; i < 20; ++i, ++writes) {
      int64_t id = r.Pick(ids_);
      int op = r.Int(100);
      if (op < 35) {
        // A grant, a withdrawal, an expiry or a pending consent, dated around now (also in the future).
        BasisRecord b;
        b.basis = r.Chance(80) ? LawfulBasis::kConsent : LawfulBasis::kContract;
        static const BasisStatus kStatuses[] = {BasisStatus::kGranted, BasisStatus::kWithdrawn,
                                                BasisStatus::kExpired, BasisStatus::kPending};
        b.status = kStatuses[r.Int(4)];
        bool unscoped = b.status != BasisStatus::kGranted && b.status != BasisStatus::kPending && r.Chance(15);
        if (!unscoped) b.scopes = {r.Pick(kWriteScopes)};
        b.channels_given = !unscoped && r.Chance(92);
        b.channels = r.Chance(50) ? ChannelSet{15} : ChannelBit(static_cast<Channel>(r.Int(4)));
        b.at = now + (r.Int(200) - 150) * kDay + r.Int(kDaySeconds);
        if (b.status == BasisStatus::kGranted && r.Chance(70)) b.confirmed_at = b.at + r.Int(4) * kDay;
        if (r.Chance(35)) b.expires_at = b.at + r.Int(120) * kDay + r.Int(kDaySeconds);
        ASSERT_TRUE(store_->AddBasisRecord(tenant_, id, &b).ok());
      } else if (op < 50) {
        // An objection (occasionally lifted: a data correction).
        Person p = Get(id);
        if (r.Chance(15))
          p.subject.objected_direct_marketing_at.reset();
        else
          p.subject.objected_direct_marketing_at = now + (r.Int(120) - 60) * kDay + r.Int(kDaySeconds);
        ASSERT_TRUE(store_->UpdatePerson(tenant_, p).ok());
      } else if (op < 65) {
        id = Insert(RandomPerson(r, now));
        ASSERT_NE(id, 0);
        ++new_people;
      } else if (op < 77) {
        Person p = Get(id);
        p.subject.country = r.Pick(kCountries);
        ASSERT_TRUE(store_->UpdatePerson(tenant_, p).ok());
      } else if (op < 85) {
        Purchase pu{r.Pick(kFamilies), static_cast<PurchaseKind>(r.Int(2)),
                    now - r.Int(800) * kDay + (r.Chance(10) ? 60 * kDay : 0)};
        ASSERT_TRUE(store_->AddPurchase(tenant_, id, pu).ok());
      } else if (op < 91) {
        Person p = Get(id);
        p.account_id = r.Pick(account_ids_);
        ASSERT_TRUE(store_->UpdatePerson(tenant_, p).ok());
      } else {
        Person p = Get(id);
        Subject& s = p.subject;
        switch (r.Int(7)) {
          case 0: s.restricted = !s.restricted; break;
          case 1: s.erased = r.Chance(30); break;
          case 2: s.stage = static_cast<Stage>(r.Int(4)); break;
          case 3: s.recipient = static_cast<Recipient>(r.Int(3)); break;
          case 4:
            for (EmailAddress& e : s.emails) e.visibility = static_cast<Visibility>(r.Int(3));
            break;
          case 5: s.collected_at = now - r.Int(400) * kDay; break;
          default: s.opt_out_offered_at_collection = !s.opt_out_offered_at_collection; break;
        }
        ASSERT_TRUE(store_->UpdatePerson(tenant_, p).ok());
      }
      Upsert(*index, id);
    }
    ASSERT_TRUE(store_->Commit().ok());
    std::string where = "after " + std::to_string(writes) + " writes";
    ASSERT_NO_FATAL_FAILURE(CheckAgreement(*index, now, round % 5 == 0, where));
    // The view set from the flags equals decide(view) without a purpose, per role.
    for (Role role : {Role::kAdmin, Role::kListBuilder, Role::kReadOnly}) {
      const Bitset viewable = index->Viewable(role);
      size_t seen = 0;
      for (uint32_t row = 0; row < index->rows(); ++row) {
        const bool want = index->DecideRow(row, nullptr, std::nullopt, Action::kView, role, now).allow;
        EXPECT_EQ(viewable.Test(row), want) << where << ", role " << Name(role) << ", person " << index->PersonId(row);
        seen += want ? 0 : 1;
      }
      if (role != Role::kAdmin) {
        EXPECT_GT(seen, 0u) << "some people are hidden from a " << Name(role);
      }
    }
    if (round == 5) {
      ASSERT_NO_FATAL_FAILURE(CheckAgreement(*index, kAt - 120 * kDay, false, where + ", earlier time"));
      ASSERT_NO_FATAL_FAILURE(CheckAgreement(*index, now + 3600, false, where + ", back to the present"));
    }
  }
  EXPECT_EQ(writes, 200);
  EXPECT_GT(new_people, 10);
  EXPECT_EQ(index->rows(), ids_.size());
  // Far ahead: every expiry and retention period of the writes has passed.
  ASSERT_NO_FATAL_FAILURE(CheckAgreement(*index, now + 400 * kDay, true, "far ahead"));
}

// A focused case of the property: a retention period counts from the newest
// record that covers the purpose, so a newer record for another purpose must
// not postpone the instant the cached set re-decides the row.
TEST_F(PeopleIndexTest, RetentionExpiryIsSeenWhenANewerRecordCoversAnotherPurpose) {
  PeopleIndex index(rules_, settings_);
  Person p;
  p.subject.id = 1;
  p.subject.country = "GB";
  p.subject.recipient = Recipient::kCorporate;
  p.subject.emails = {{"a@x.example", EmailType::kPersonal, Visibility::kVisible}};
  p.subject.collected_at = kAt - 300 * kDay;
  BasisRecord service;
  service.id = 1;
  service.basis = LawfulBasis::kContract;
  service.status = BasisStatus::kGranted;
  service.scopes = {"service"};
  service.channels = ChannelBit(Channel::kEmail);
  service.channels_given = true;
  service.at = kAt - 10 * kDay;
  p.subject.bases = {service};
  index.Upsert(p, false);
  const Purpose& marketing = purposes_.at("marketing");  // legitimate interest, retention 365 days
  auto decide = [&](Time at) {
    Key key{"marketing", Channel::kEmail, Action::kContact, Role::kListBuilder};
    return Expected(p.subject, marketing, key, false, at);
  };
  ASSERT_TRUE(decide(kAt).allow) << Reasons(decide(kAt));
  Decision later = decide(kAt + 100 * kDay);
  ASSERT_FALSE(later.allow);
  ASSERT_EQ(later.reasons[0], Reason::kRetentionExpired);

  EXPECT_TRUE(index.Eligible(marketing, Channel::kEmail, Action::kContact, Role::kListBuilder, kAt).Test(0));
  EXPECT_FALSE(
      index.Eligible(marketing, Channel::kEmail, Action::kContact, Role::kListBuilder, kAt + 100 * kDay).Test(0))
      << "the cached set still holds the person after the retention period ended";
  EXPECT_FALSE(index.DecideRow(0, &marketing, Channel::kEmail, Action::kContact, Role::kListBuilder, kAt + 100 * kDay)
                   .allow);
  // A fresh index agrees with Decide.
  PeopleIndex fresh(rules_, settings_);
  fresh.Upsert(p, false);
  EXPECT_FALSE(
      fresh.Eligible(marketing, Channel::kEmail, Action::kContact, Role::kListBuilder, kAt + 100 * kDay).Test(0));
}

// A consent that ends in the future, a withdrawal dated in the future and an
// objection in the future: the cached set changes exactly at those instants.
TEST_F(PeopleIndexTest, FutureInstantsFlipTheCachedSet) {
  PeopleIndex index(rules_, settings_);
  const Purpose& cloud = purposes_.at("marketing.cloud");  // consent with double opt-in
  auto person = [&](int64_t id) {
    Person p;
    p.subject.id = id;
    p.subject.country = "DE";
    p.subject.recipient = Recipient::kCorporate;
    p.subject.emails = {{"p" + std::to_string(id) + "@x.example", EmailType::kPersonal, Visibility::kVisible}};
    BasisRecord grant;
    grant.id = 1;
    grant.basis = LawfulBasis::kConsent;
    grant.status = BasisStatus::kGranted;
    grant.scopes = {"marketing"};
    grant.channels = ChannelBit(Channel::kEmail);
    grant.channels_given = true;
    grant.at = kAt - 30 * kDay;
    grant.confirmed_at = kAt + 5 * kDay;  // confirmed later: allowed only from then
    p.subject.bases = {grant};
    return p;
  };
  Person confirms = person(1);
  Person expires = person(2);
  expires.subject.bases[0].confirmed_at = kAt - 29 * kDay;
  expires.subject.bases[0].expires_at = kAt + 10 * kDay;
  Person withdraws = person(3);
  withdraws.subject.bases[0].confirmed_at = kAt - 29 * kDay;
  BasisRecord withdrawal = withdraws.subject.bases[0];
  withdrawal.id = 2;
  withdrawal.status = BasisStatus::kWithdrawn;
  withdrawal.confirmed_at.reset();
  withdrawal.at = kAt + 20 * kDay;
  withdraws.subject.bases.push_back(withdrawal);
  Person objects = person(4);
  objects.subject.bases[0].confirmed_at = kAt - 29 * kDay;
  objects.subject.objected_direct_marketing_at = kAt + 30 * kDay;
  for (const Person* p : {&confirms, &expires, &withdraws, &objects}) index.Upsert(*p, false);

  auto eligible = [&](Time at) {
    const Bitset& b = index.Eligible(cloud, Channel::kEmail, Action::kContact, Role::kListBuilder, at);
    std::vector<int64_t> ids;
    for (uint32_t row : b.ToRows()) ids.push_back(index.PersonId(row));
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  EXPECT_EQ(eligible(kAt), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(eligible(kAt + 5 * kDay - 1), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(eligible(kAt + 5 * kDay), (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(eligible(kAt + 10 * kDay - 1), (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(eligible(kAt + 10 * kDay), (std::vector<int64_t>{1, 3, 4}));
  EXPECT_EQ(eligible(kAt + 20 * kDay), (std::vector<int64_t>{1, 4}));
  EXPECT_EQ(eligible(kAt + 30 * kDay), (std::vector<int64_t>{1}));
  // Back in time (fresh), then forward again (cached).
  EXPECT_EQ(eligible(kAt - kDay), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(eligible(kAt + 31 * kDay), (std::vector<int64_t>{1}));
  // A write re-decides its row at the cached time.
  Person again = confirms;
  again.subject.objected_direct_marketing_at = kAt;
  index.Upsert(again, false);
  EXPECT_EQ(eligible(kAt + 31 * kDay), std::vector<int64_t>{});
  index.Upsert(objects, true);  // now suppressed as well
  Person cleared = objects;
  cleared.subject.objected_direct_marketing_at.reset();
  index.Upsert(cleared, true);
  EXPECT_EQ(eligible(kAt + 32 * kDay), std::vector<int64_t>{});
  index.Upsert(cleared, false);
  EXPECT_EQ(eligible(kAt + 32 * kDay), (std::vector<int64_t>{4}));
}

// The account rows of every person, checked against PeopleOfAccounts for many
// account sets and against the store's own list per account.
class AccountRunsTest : public PeopleIndexTest {
 protected:
  void CheckAccounts(PeopleIndex& index, Random& r, const std::string& where) {
    SCOPED_TRACE(where);
    ASSERT_EQ(index.accounts(), account_ids_.size());
    std::vector<int64_t> account_of(index.rows());
    size_t wrong_account = 0;
    for (uint32_t row = 0; row < index.rows(); ++row) {
      account_of[row] = Get(index.PersonId(row)).account_id;
      std::optional<uint32_t> a = account_of[row] ? index.AccountRowOf(account_of[row]) : std::nullopt;
      if (index.AccountOf(row) != a.value_or(PeopleIndex::kNoAccount) && ++wrong_account <= 3)
        ADD_FAILURE() << "person " << index.PersonId(row) << ": AccountOf " << index.AccountOf(row)
                      << ", store account " << account_of[row];
    }
    EXPECT_EQ(wrong_account, 0u);
    for (int trial = 0; trial < 30; ++trial) {
      Bitset set(index.accounts());
      if (trial == 1) set.SetAll();
      if (trial >= 2)
        for (uint32_t a = 0; a < index.accounts(); ++a)
          if (r.Chance(40)) set.Set(a);
      Bitset got = index.PeopleOfAccounts(set);
      EXPECT_EQ(got.rows(), index.rows());
      size_t mismatches = 0, want_count = 0;
      for (uint32_t row = 0; row < index.rows(); ++row) {
        std::optional<uint32_t> a = account_of[row] ? index.AccountRowOf(account_of[row]) : std::nullopt;
        bool want = a && set.Test(*a);
        want_count += want ? 1 : 0;
        if (got.Test(row) != want && ++mismatches <= 3)
          ADD_FAILURE() << "trial " << trial << ", person " << index.PersonId(row) << " (account " << account_of[row]
                        << "): PeopleOfAccounts says " << got.Test(row);
      }
      EXPECT_EQ(mismatches, 0u) << "trial " << trial;
      EXPECT_EQ(got.Count(), want_count) << "trial " << trial;
    }
    // Each account alone: exactly the store's people of that account.
    for (uint32_t a = 0; a < index.accounts(); ++a) {
      Bitset one(index.accounts());
      one.Set(a);
      std::vector<int64_t> got;
      for (uint32_t row : index.PeopleOfAccounts(one).ToRows()) got.push_back(index.PersonId(row));
      std::sort(got.begin(), got.end());
      Result<std::vector<int64_t>> want = store_->PeopleOfAccount(tenant_, index.AccountId(a));
      ASSERT_TRUE(want.ok());
      EXPECT_EQ(got, *want) << "account " << index.AccountId(a);
    }
  }

  void MoveTo(PeopleIndex& index, int64_t person, int64_t account) {
    Person p = Get(person);
    p.account_id = account;
    ASSERT_TRUE(store_->UpdatePerson(tenant_, p).ok());
    Upsert(index, person);
  }
};

TEST_F(AccountRunsTest, PeopleOfAccountsFollowsLoadsUpsertsAndMoves) {
  ASSERT_NO_FATAL_FAILURE(AddAccounts(5));
  Random r(5);
  ASSERT_NO_FATAL_FAILURE(InsertRandomPeople(r, 200, kAt));
  std::unique_ptr<PeopleIndex> index = LoadIndex();
  ASSERT_TRUE(index);
  // Loaded people of one account are one run of rows.
  for (uint32_t a = 0; a < index->accounts(); ++a) {
    std::vector<uint32_t> rows;
    for (uint32_t row = 0; row < index->rows(); ++row)
      if (index->AccountOf(row) == a) rows.push_back(row);
    if (!rows.empty()) {
      EXPECT_EQ(rows.back() - rows.front() + 1, rows.size()) << "account row " << a;
    }
  }
  ASSERT_NO_FATAL_FAILURE(CheckAccounts(*index, r, "after load"));

  // People added later, with and without an account.
  std::vector<int64_t> added;
  for (int i = 0; i < 30; ++i) {
    Person p = RandomPerson(r, kAt);
    if (i % 6 == 0) p.account_id = 0;
    int64_t id = Insert(p);
    ASSERT_NE(id, 0);
    Upsert(*index, id);
    added.push_back(id);
  }
  ASSERT_NO_FATAL_FAILURE(CheckAccounts(*index, r, "after upserts"));

  // Loaded people who change account, some twice, some back to where they were.
  std::vector<int64_t> loaded(ids_.begin(), ids_.begin() + 200);
  std::map<int64_t, int64_t> original;
  for (int i = 0; i < 15; ++i) {
    int64_t id = loaded[static_cast<size_t>(i) * 13 % loaded.size()];
    original.emplace(id, Get(id).account_id);
    int64_t to = account_ids_[static_cast<size_t>(i) % account_ids_.size()];
    if (to == Get(id).account_id) to = account_ids_[(static_cast<size_t>(i) + 1) % account_ids_.size()];
    ASSERT_NO_FATAL_FAILURE(MoveTo(*index, id, to));
  }
  ASSERT_NO_FATAL_FAILURE(CheckAccounts(*index, r, "after moves"));
  int back = 0;
  for (const auto& [id, account] : original) {
    if (account == 0 || back == 4) continue;
    ASSERT_NO_FATAL_FAILURE(MoveTo(*index, id, account));
    ++back;
  }
  // People added later who move too (also one who had no account).
  for (size_t i = 0; i < 6; ++i) ASSERT_NO_FATAL_FAILURE(MoveTo(*index, added[i], account_ids_[i % account_ids_.size()]));
  // One person moved three times.
  int64_t restless = loaded[7];
  for (size_t i = 0; i < 3; ++i) ASSERT_NO_FATAL_FAILURE(MoveTo(*index, restless, account_ids_[(i * 2) % 5]));
  ASSERT_NO_FATAL_FAILURE(CheckAccounts(*index, r, "after moving back and again"));
}

TEST_F(AccountRunsTest, APersonWhoLeavesTheirAccountLeavesItsPeople) {
  ASSERT_NO_FATAL_FAILURE(AddAccounts(3));
  ASSERT_TRUE(store_->Begin().ok());
  for (int i = 0; i < 12; ++i) {
    Person p;
    p.subject.country = "GB";
    p.subject.emails = {{"leaver" + std::to_string(i) + "@x.example", EmailType::kPersonal, Visibility::kVisible}};
    p.account_id = account_ids_[static_cast<size_t>(i) % 3];
    ASSERT_NE(Insert(p), 0);
  }
  ASSERT_TRUE(store_->Commit().ok());
  std::unique_ptr<PeopleIndex> index = LoadIndex();
  ASSERT_TRUE(index);
  Random r(9);
  ASSERT_NO_FATAL_FAILURE(CheckAccounts(*index, r, "after load"));
  int64_t leaver = ids_[0];  // at account_ids_[0]
  ASSERT_NO_FATAL_FAILURE(MoveTo(*index, leaver, 0));
  uint32_t row = *index->RowOf(leaver);
  EXPECT_EQ(index->AccountOf(row), PeopleIndex::kNoAccount);
  Bitset all(index->accounts());
  all.SetAll();
  EXPECT_FALSE(index->PeopleOfAccounts(all).Test(row)) << "a person without an account is in no account's people";
  ASSERT_NO_FATAL_FAILURE(CheckAccounts(*index, r, "after leaving"));
  // And joining another one later works.
  ASSERT_NO_FATAL_FAILURE(MoveTo(*index, leaver, account_ids_[2]));
  ASSERT_NO_FATAL_FAILURE(CheckAccounts(*index, r, "after joining another"));
}

}  // namespace
}  // namespace fairlead
