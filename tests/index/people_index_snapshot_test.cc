// Index snapshots: read back, an index answers exactly as the one written; it is used
// only for the store state it was written for (every kind of write makes it stale);
// a damaged, foreign or stale snapshot is refused and the store is read instead.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "index/people_index.h"
#include "index/people_index_fixture.h"
#include "testing/test_util.h"

namespace fairlead {
namespace {

using namespace index_testing;  // NOLINT: the shared fixture

class SnapshotTest : public PeopleIndexTest {
 protected:
  std::string Path() const { return dir_ + "/index/t.snapshot"; }

  PeopleIndex::SnapshotKey KeyNow() {
    Result<std::string> stamp = store_->IndexStamp();
    EXPECT_TRUE(stamp.ok()) << stamp.status().ToString();
    return PeopleIndex::KeyFor(tenant_, stamp.ok() ? *stamp : "", *hasher_, suppression_);
  }

  std::unique_ptr<PeopleIndex> LoadWithSnapshot(PeopleIndex::LoadInfo* info) {
    Result<std::unique_ptr<PeopleIndex>> index =
        PeopleIndex::Load(*store_, tenant_, rules_, settings_, *hasher_, suppression_, Path(), info);
    EXPECT_TRUE(index.ok()) << index.status().ToString();
    return index.ok() ? std::move(*index) : nullptr;
  }

  std::string Stamp() {
    Result<std::string> s = store_->IndexStamp();
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : "";
  }

  std::string ReadBytes() {
    std::ifstream in(Path(), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  void WriteBytes(const std::string& bytes) {
    std::ofstream out(Path(), std::ios::binary | std::ios::trunc);
    out << bytes;
  }
};

// Everything a query reads, compared row by row and set by set.
void ExpectSameIndex(const PeopleIndex& a, const PeopleIndex& b) {
  ASSERT_EQ(a.rows(), b.rows());
  ASSERT_EQ(a.accounts(), b.accounts());
  EXPECT_GT(b.MemoryBytes(), 0u);  // (not equal: read back at exact sizes plus room to append)
  for (uint32_t row = 0; row < a.rows(); ++row) {
    ASSERT_EQ(a.PersonId(row), b.PersonId(row)) << "row " << row;
    EXPECT_EQ(b.RowOf(a.PersonId(row)), std::optional<uint32_t>(row));
    EXPECT_EQ(a.AccountOf(row), b.AccountOf(row)) << "row " << row;
    EXPECT_EQ(a.Suppressed().Test(row), b.Suppressed().Test(row)) << "row " << row;
    EXPECT_EQ(a.Seniority(row), b.Seniority(row)) << "row " << row;
  }
  for (uint32_t acc = 0; acc < a.accounts(); ++acc) {
    EXPECT_EQ(a.AccountId(acc), b.AccountId(acc));
    EXPECT_EQ(b.AccountRowOf(a.AccountId(acc)), std::optional<uint32_t>(acc));
  }
  auto same_set = [](const Bitset* x, const Bitset* y, const std::string& what) {
    ASSERT_EQ(x == nullptr, y == nullptr) << what;
    if (x) {
      EXPECT_EQ(x->ToRows(), y->ToRows()) << what;
    }
  };
  for (const char* country : {"DE", "FR", "US", "US-CA", "JP", "XX"}) same_set(a.PersonValue("country", country), b.PersonValue("country", country), country);
  for (const char* f : {"security", "it", "finance", "nothing"}) same_set(a.PersonValue("function", f), b.PersonValue("function", f), f);
  for (const char* s : {"entry", "director", "cxo"}) same_set(a.PersonValue("seniority", s), b.PersonValue("seniority", s), s);
  for (const char* i : {"software", "finance", "retail", "mining"}) same_set(a.AccountValue("industry", i), b.AccountValue("industry", i), i);
  for (const char* t : {"k8s", "aws", "terraform"}) same_set(a.AccountValue("tech", t), b.AccountValue("tech", t), t);
  same_set(a.AccountValue("domain", "acct1.example"), b.AccountValue("domain", "acct1.example"), "domain");
  Random r(5);
  for (int round = 0; round < 20; ++round) {
    Bitset accounts(a.accounts());
    for (uint32_t acc = 0; acc < a.accounts(); ++acc)
      if (r.Chance(30)) accounts.Set(acc);
    EXPECT_EQ(a.PeopleOfAccounts(accounts).ToRows(), b.PeopleOfAccounts(accounts).ToRows()) << "round " << round;
  }
}

TEST_F(SnapshotTest, ReadBackAnswersExactlyAsWritten) {
  ASSERT_NO_FATAL_FAILURE(AddAccounts(6));
  Random r(41);
  ASSERT_NO_FATAL_FAILURE(InsertRandomPeople(r, 300, kAt));
  std::unique_ptr<PeopleIndex> index = LoadIndex();
  ASSERT_TRUE(index);
  // Writes after the load: appended rows (kept per account) and a person who moved.
  ASSERT_TRUE(store_->Begin().ok());
  for (int i = 0; i < 20; ++i) Upsert(*index, Insert(RandomPerson(r, kAt)));
  ASSERT_TRUE(store_->Commit().ok());
  Person moved = Get(ids_[3]);
  moved.account_id = moved.account_id == account_ids_[0] ? account_ids_[1] : account_ids_[0];
  ASSERT_TRUE(store_->UpdatePerson(tenant_, moved).ok());
  Upsert(*index, moved.subject.id);

  const PeopleIndex::SnapshotKey key = KeyNow();
  ASSERT_TRUE(index->WriteSnapshot(Path(), key).ok());
  Result<std::unique_ptr<PeopleIndex>> back = PeopleIndex::ReadSnapshot(Path(), key, rules_, settings_);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSameIndex(*index, **back);
  // The read-back index agrees with Decide() on the store's people, and keeps taking writes.
  CheckAgreement(**back, kAt, true, "read back");
  CheckAgreement(**back, kAt + 90 * kDay, false, "read back, later");
  ASSERT_TRUE(store_->Begin().ok());
  for (int i = 0; i < 5; ++i) Upsert(**back, Insert(RandomPerson(r, kAt)));
  ASSERT_TRUE(store_->Commit().ok());
  CheckAgreement(**back, kAt + 90 * kDay, true, "read back, then written to");
}

TEST_F(SnapshotTest, UsedOnlyForTheStoreStateItWasWrittenFor) {
  ASSERT_NO_FATAL_FAILURE(AddAccounts(4));
  Random r(42);
  ASSERT_NO_FATAL_FAILURE(InsertRandomPeople(r, 80, kAt));
  PeopleIndex::LoadInfo info;
  ASSERT_TRUE(LoadWithSnapshot(&info));
  EXPECT_FALSE(info.from_snapshot);
  EXPECT_NE(info.note.find("no snapshot"), std::string::npos) << info.note;
  std::unique_ptr<PeopleIndex> again = LoadWithSnapshot(&info);
  ASSERT_TRUE(again);
  EXPECT_TRUE(info.from_snapshot) << info.note;
  CheckAgreement(*again, kAt, false, "from the snapshot");

  // Every kind of write the index reads makes the snapshot stale; the next load reads
  // the store (and sees the write), the one after uses the snapshot it rewrote.
  int64_t someone = ids_[7];
  const std::vector<std::pair<std::string, std::function<void()>>> writes = {
      {"insert a person", [&] { Insert(RandomPerson(r, kAt)); }},
      {"update a person", [&] {
         Person p = Get(someone);
         p.subject.country = p.subject.country == "FR" ? "DE" : "FR";
         ASSERT_TRUE(store_->UpdatePerson(tenant_, p).ok());
       }},
      {"change a person's emails only", [&] {
         Person p = Get(someone);
         p.subject.emails.push_back({"new" + std::to_string(r.Int(1000000)) + "@x.example", EmailType::kGeneric,
                                     Visibility::kVisible});
         ASSERT_TRUE(store_->UpdatePerson(tenant_, p).ok());
       }},
      {"append a basis record", [&] {
         BasisRecord b = RandomRecord(r, kAt);
         ASSERT_TRUE(store_->AddBasisRecord(tenant_, someone, &b).ok());
       }},
      {"add a purchase", [&] { ASSERT_TRUE(store_->AddPurchase(tenant_, someone, RandomPurchase(r, kAt)).ok()); }},
      {"add a suppression entry", [&] {
         ASSERT_TRUE(store_->AddSuppression(tenant_, {"unsubscribed", hasher_->Key(SuppressionKind::kEmail, "z@z.example"), kAt}).ok());
       }},
      {"change an account", [&] {
         Result<Account> a = store_->GetAccount(tenant_, account_ids_[1]);
         ASSERT_TRUE(a.ok());
         a->industry = a->industry == "mining" ? "retail" : "mining";
         ASSERT_TRUE(store_->UpsertAccount(tenant_, *a).ok());
       }},
      {"add an account", [&] { AddAccounts(1); }},
  };
  for (const auto& [what, write] : writes) {
    SCOPED_TRACE(what);
    std::string before = Stamp();
    ASSERT_NO_FATAL_FAILURE(write());
    EXPECT_NE(Stamp(), before);
    std::unique_ptr<PeopleIndex> fresh = LoadWithSnapshot(&info);
    ASSERT_TRUE(fresh);
    EXPECT_FALSE(info.from_snapshot);
    EXPECT_NE(info.note.find("stale"), std::string::npos) << info.note;
    std::unique_ptr<PeopleIndex> cached = LoadWithSnapshot(&info);
    ASSERT_TRUE(cached);
    EXPECT_TRUE(info.from_snapshot) << info.note;
    ExpectSameIndex(*fresh, *cached);
  }
  std::unique_ptr<PeopleIndex> last = LoadWithSnapshot(&info);
  ASSERT_TRUE(last);
  EXPECT_TRUE(info.from_snapshot);
  CheckAgreement(*last, kAt, false, "after every kind of write");
  EXPECT_EQ(last->AccountValue("industry", "mining") != nullptr, true);

  // Another suppression set or tenant secret: not this snapshot.
  suppression_.Add(hasher_->Key(SuppressionKind::kEmail, "another@x.example"));
  ASSERT_TRUE(LoadWithSnapshot(&info));
  EXPECT_FALSE(info.from_snapshot);
  EXPECT_NE(info.note.find("suppression"), std::string::npos) << info.note;
  TenantSecret other{};
  other[0] = 99;
  hasher_ = std::make_unique<SuppressionHasher>(other);
  ASSERT_TRUE(LoadWithSnapshot(&info));
  EXPECT_FALSE(info.from_snapshot);
  PeopleIndex::SnapshotKey key = KeyNow();
  key.tenant += 1;
  Result<std::unique_ptr<PeopleIndex>> foreign = PeopleIndex::ReadSnapshot(Path(), key, rules_, settings_);
  EXPECT_EQ(foreign.status().code(), Status::Code::kInvalid);
  EXPECT_NE(foreign.status().message().find("another tenant"), std::string::npos);
}

TEST_F(SnapshotTest, DamagedSnapshotsAreRefusedAndTheStoreIsRead) {
  ASSERT_NO_FATAL_FAILURE(AddAccounts(3));
  Random r(43);
  ASSERT_NO_FATAL_FAILURE(InsertRandomPeople(r, 60, kAt));
  PeopleIndex::LoadInfo info;
  ASSERT_TRUE(LoadWithSnapshot(&info));
  const std::string good = ReadBytes();
  ASSERT_GT(good.size(), 1000u);
  const PeopleIndex::SnapshotKey key = KeyNow();
  ASSERT_TRUE(PeopleIndex::ReadSnapshot(Path(), key, rules_, settings_).ok());

  struct Case {
    std::string what, bytes, expect;
  };
  std::string flipped = good;
  flipped[flipped.size() / 2] ^= 0x20;
  std::vector<Case> cases = {
      {"one byte flipped", flipped, "digest mismatch"},
      {"cut short", good.substr(0, good.size() - 100), "digest mismatch"},
      {"only the digest's length", good.substr(0, 40), "not an index snapshot"},
      {"not a snapshot", "hello, world", "not an index snapshot"},
      {"empty", "", "empty snapshot"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    WriteBytes(c.bytes);
    Result<std::unique_ptr<PeopleIndex>> read = PeopleIndex::ReadSnapshot(Path(), key, rules_, settings_);
    ASSERT_FALSE(read.ok());
    EXPECT_NE(read.status().message().find(c.expect), std::string::npos) << read.status().ToString();
    std::unique_ptr<PeopleIndex> index = LoadWithSnapshot(&info);
    ASSERT_TRUE(index);
    EXPECT_FALSE(info.from_snapshot);
    EXPECT_NE(info.note.find(c.expect), std::string::npos) << info.note;
    CheckAgreement(*index, kAt, false, c.what);
    EXPECT_EQ(ReadBytes(), good);  // rewritten by the load from the store
  }
  std::remove(Path().c_str());
  Result<std::unique_ptr<PeopleIndex>> missing = PeopleIndex::ReadSnapshot(Path(), key, rules_, settings_);
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace fairlead
