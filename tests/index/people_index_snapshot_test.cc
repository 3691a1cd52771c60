// Index snapshots: read back, an index answers exactly as the one written; after
// every kind of write the next load catches the snapshot up from the store's change
// log and answers exactly as a load from the store; a damaged or foreign snapshot,
// one the pruned log no longer reaches, or a suppression change, make the load read
// the store instead.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
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


// The same answers by person and account id, whatever the row order (a caught-up
// snapshot appends rows a load from the store would place with their account).
void ExpectSameAnswers(const PeopleIndex& a, const PeopleIndex& b) {
  ASSERT_EQ(a.rows(), b.rows());
  ASSERT_EQ(a.accounts(), b.accounts());
  auto account_id = [](const PeopleIndex& x, uint32_t row) {
    return x.AccountOf(row) == PeopleIndex::kNoAccount ? int64_t{0} : x.AccountId(x.AccountOf(row));
  };
  for (uint32_t row = 0; row < a.rows(); ++row) {
    int64_t id = a.PersonId(row);
    std::optional<uint32_t> other = b.RowOf(id);
    ASSERT_TRUE(other.has_value()) << "person " << id;
    EXPECT_EQ(account_id(a, row), account_id(b, *other)) << "person " << id;
    EXPECT_EQ(a.Suppressed().Test(row), b.Suppressed().Test(*other)) << "person " << id;
    EXPECT_EQ(a.Seniority(row), b.Seniority(*other)) << "person " << id;
  }
  for (uint32_t acc = 0; acc < a.accounts(); ++acc) EXPECT_TRUE(b.AccountRowOf(a.AccountId(acc)).has_value());
  // Sets as sorted ids (no set and an empty set are the same answer).
  auto people = [](const PeopleIndex& x, const Bitset* set) {
    std::vector<int64_t> ids;
    if (set) set->ForEach([&](uint32_t r) { ids.push_back(x.PersonId(r)); });
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  auto accounts = [](const PeopleIndex& x, const Bitset* set) {
    std::vector<int64_t> ids;
    if (set) set->ForEach([&](uint32_t r) { ids.push_back(x.AccountId(r)); });
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  for (const char* c : {"DE", "FR", "US", "US-CA", "JP"})
    EXPECT_EQ(people(a, a.PersonValue("country", c)), people(b, b.PersonValue("country", c))) << c;
  for (const char* f : {"security", "it", "finance"})
    EXPECT_EQ(people(a, a.PersonValue("function", f)), people(b, b.PersonValue("function", f))) << f;
  for (const char* i : {"software", "finance", "retail", "mining"})
    EXPECT_EQ(accounts(a, a.AccountValue("industry", i)), accounts(b, b.AccountValue("industry", i))) << i;
  for (const char* t : {"k8s", "aws", "terraform"})
    EXPECT_EQ(accounts(a, a.AccountValue("tech", t)), accounts(b, b.AccountValue("tech", t))) << t;
  Random r(6);
  for (int round = 0; round < 10; ++round) {
    Bitset in_a(a.accounts()), in_b(b.accounts());
    for (uint32_t acc = 0; acc < a.accounts(); ++acc)
      if (r.Chance(30)) {
        in_a.Set(acc);
        in_b.Set(*b.AccountRowOf(a.AccountId(acc)));
      }
    Bitset pa = a.PeopleOfAccounts(in_a), pb = b.PeopleOfAccounts(in_b);
    EXPECT_EQ(people(a, &pa), people(b, &pb)) << "round " << round;
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

TEST_F(SnapshotTest, CaughtUpWithEveryKindOfWriteSinceItWasWritten) {
  ASSERT_NO_FATAL_FAILURE(AddAccounts(4));
  Random r(42);
  ASSERT_NO_FATAL_FAILURE(InsertRandomPeople(r, 80, kAt));
  PeopleIndex::LoadInfo info;
  ASSERT_TRUE(LoadWithSnapshot(&info));
  EXPECT_FALSE(info.from_snapshot);
  EXPECT_TRUE(info.snapshot_written);
  EXPECT_NE(info.note.find("no snapshot"), std::string::npos) << info.note;
  std::unique_ptr<PeopleIndex> again = LoadWithSnapshot(&info);
  ASSERT_TRUE(again);
  EXPECT_TRUE(info.from_snapshot) << info.note;
  EXPECT_EQ(info.caught_up_people + info.caught_up_accounts, 0u);
  CheckAgreement(*again, kAt, false, "from the snapshot");

  // After every kind of write the index reads, the next load starts from the snapshot
  // and reads again only who changed; it answers as a load from the store does. (A
  // few changes do not rewrite the snapshot: each load catches up all of them.)
  int64_t someone = ids_[7];
  const std::vector<std::pair<std::string, std::function<void()>>> writes = {
      {"insert a person", [&] { Insert(RandomPerson(r, kAt)); }},
      {"update a person", [&] {
         Person p = Get(someone);
         p.subject.country = p.subject.country == "FR" ? "DE" : "FR";
         ASSERT_TRUE(store_->UpdatePerson(tenant_, p).ok());
       }},
      {"move a person to another account", [&] {
         Person p = Get(ids_[9]);
         p.account_id = p.account_id == account_ids_[0] ? account_ids_[2] : account_ids_[0];
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
      {"change an account", [&] {
         Result<Account> a = store_->GetAccount(tenant_, account_ids_[1]);
         ASSERT_TRUE(a.ok());
         a->industry = a->industry == "mining" ? "retail" : "mining";
         a->technologies = {"terraform"};
         ASSERT_TRUE(store_->UpsertAccount(tenant_, *a).ok());
       }},
      {"add an account, and a person at it", [&] {
         AddAccounts(1);
         Person p = RandomPerson(r, kAt);
         p.account_id = account_ids_.back();
         Insert(p);
       }},
  };
  for (const auto& [what, write] : writes) {
    SCOPED_TRACE(what);
    std::string before = Stamp();
    ASSERT_NO_FATAL_FAILURE(write());
    EXPECT_NE(Stamp(), before);
    std::unique_ptr<PeopleIndex> caught = LoadWithSnapshot(&info);
    ASSERT_TRUE(caught);
    EXPECT_TRUE(info.from_snapshot) << info.note;
    EXPECT_GT(info.caught_up_people + info.caught_up_accounts, 0u);
    EXPECT_FALSE(info.snapshot_written);
    std::unique_ptr<PeopleIndex> fresh = LoadIndex();  // from the store, no snapshot
    ASSERT_TRUE(fresh);
    ExpectSameAnswers(*fresh, *caught);
    CheckAgreement(*caught, kAt, true, what);
  }
  std::unique_ptr<PeopleIndex> last = LoadWithSnapshot(&info);
  ASSERT_TRUE(last);
  EXPECT_TRUE(info.from_snapshot);
  EXPECT_NE(last->AccountValue("industry", "mining"), nullptr);
  // A caught-up index (rows and an account added after the load) written and read back.
  ASSERT_TRUE(last->WriteSnapshot(Path(), KeyNow()).ok());
  Result<std::unique_ptr<PeopleIndex>> back = PeopleIndex::ReadSnapshot(Path(), KeyNow(), rules_, settings_);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSameIndex(*last, **back);
  CheckAgreement(**back, kAt, false, "a caught-up index read back");

  // A suppression entry added in the store: its people are found by reading the store.
  ASSERT_TRUE(store_->AddSuppression(tenant_, {"unsubscribed", hasher_->Key(SuppressionKind::kEmail, "z@z.example"), kAt}).ok());
  ASSERT_TRUE(LoadWithSnapshot(&info));
  EXPECT_FALSE(info.from_snapshot);
  EXPECT_NE(info.note.find("suppression entry changed"), std::string::npos) << info.note;
  EXPECT_TRUE(info.snapshot_written);
  ASSERT_TRUE(LoadWithSnapshot(&info));
  EXPECT_TRUE(info.from_snapshot) << info.note;
  EXPECT_EQ(info.caught_up_people + info.caught_up_accounts, 0u) << "rewritten at the present stamp";

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

TEST_F(SnapshotTest, ASnapshotOlderThanThePrunedLogIsNotCaughtUp) {
  ASSERT_NO_FATAL_FAILURE(AddAccounts(3));
  Random r(44);
  ASSERT_NO_FATAL_FAILURE(InsertRandomPeople(r, 50, kAt));
  PeopleIndex::LoadInfo info;
  ASSERT_TRUE(LoadWithSnapshot(&info));
  ASSERT_TRUE(info.snapshot_written);
  const std::string old_snapshot = ReadBytes();
  Person p = Get(ids_[2]);
  p.subject.country = "JP";
  ASSERT_TRUE(store_->UpdatePerson(tenant_, p).ok());
  // A suppression change makes the next load read the store, write a snapshot and
  // prune the log up to it, the update above included.
  ASSERT_TRUE(store_->AddSuppression(tenant_, {"unsubscribed", hasher_->Key(SuppressionKind::kEmail, "q@q.example"), kAt}).ok());
  ASSERT_TRUE(LoadWithSnapshot(&info));
  EXPECT_FALSE(info.from_snapshot);
  EXPECT_TRUE(info.snapshot_written);
  EXPECT_EQ(info.note.find("not pruned"), std::string::npos) << info.note;
  WriteBytes(old_snapshot);  // the snapshot from before the update, back in place
  std::unique_ptr<PeopleIndex> index = LoadWithSnapshot(&info);
  ASSERT_TRUE(index);
  EXPECT_FALSE(info.from_snapshot);
  EXPECT_NE(info.note.find("no longer reaches back"), std::string::npos) << info.note;
  const Bitset* jp = index->PersonValue("country", "JP");
  ASSERT_NE(jp, nullptr);
  EXPECT_TRUE(jp->Test(*index->RowOf(ids_[2]))) << "the update is in the index read from the store";
  CheckAgreement(*index, kAt, false, "after the pruned log");
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
