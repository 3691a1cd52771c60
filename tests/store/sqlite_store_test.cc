#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>

#include <sqlite3.h>

#include "store/store.h"

namespace fairlead {
namespace {

std::string TempDb(const std::string& name) {
  std::string path = ::testing::TempDir() + "/" + name + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  return path;
}

TEST(SqliteStore, PeopleRoundTripWithHistory) {
  std::string path = TempDb("roundtrip");
  auto store = OpenSqliteStore(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Store& s = **store;
  int64_t t = *s.EnsureTenant("acme");
  EXPECT_EQ(*s.EnsureTenant("acme"), t);
  int64_t other = *s.EnsureTenant("other");
  EXPECT_NE(other, t);

  Person p;
  p.first_name = "Zoë";
  p.subject.country = "DE";
  p.subject.recipient = Recipient::kCorporate;
  p.subject.emails = {{"zoe@x.de", EmailType::kPersonal, Visibility::kHidden}, {"info@x.de", EmailType::kGeneric}};
  p.subject.collected_at = 1000;
  p.field_sources = {{"*", 1}};
  int64_t id = *s.InsertPerson(t, p);
  BasisRecord b;
  b.basis = LawfulBasis::kConsent;
  b.status = BasisStatus::kGranted;
  b.scopes = {"marketing", "sales_outreach"};
  b.channels = ChannelBit(Channel::kEmail) | ChannelBit(Channel::kSms);
  b.channels_given = true;
  b.at = 2000;
  b.confirmed_at = 2100;
  ASSERT_TRUE(s.AddBasisRecord(t, id, &b).ok());
  EXPECT_GT(b.id, 0);
  ASSERT_TRUE(s.AddPurchase(t, id, {"security", PurchaseKind::kNegotiation, 3000}).ok());

  Result<Person> got = s.GetPerson(t, id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->first_name, "Zoë");
  ASSERT_EQ(got->subject.emails.size(), 2u);
  EXPECT_EQ(got->subject.emails[0].visibility, Visibility::kHidden);
  EXPECT_EQ(got->subject.emails[1].type, EmailType::kGeneric);
  ASSERT_EQ(got->subject.bases.size(), 1u);
  EXPECT_EQ(got->subject.bases[0].scopes, b.scopes);
  EXPECT_EQ(got->subject.bases[0].channels, b.channels);
  EXPECT_EQ(got->subject.bases[0].confirmed_at, 2100);
  ASSERT_EQ(got->subject.purchases.size(), 1u);
  EXPECT_EQ(got->subject.purchases[0].kind, PurchaseKind::kNegotiation);
  EXPECT_EQ(*s.FindPersonByEmail(t, "info@x.de"), id);
  EXPECT_FALSE(s.FindPersonByEmail(other, "info@x.de")->has_value()) << "tenants must not see each other";
  EXPECT_FALSE(s.GetPerson(other, id).ok());
}

TEST(SqliteStore, RollbackLeavesNothingAndCommitSurvivesReopen) {
  std::string path = TempDb("durable");
  {
    auto store = OpenSqliteStore(path);
    ASSERT_TRUE(store.ok());
    Store& s = **store;
    int64_t t = *s.EnsureTenant("acme");
    ASSERT_TRUE(s.Begin().ok());
    Person p;
    p.subject.emails = {{"gone@x.com"}};
    ASSERT_TRUE(s.InsertPerson(t, p).ok());
    ASSERT_TRUE(s.Rollback().ok());
    EXPECT_EQ(*s.CountPeople(t), 0);
    ASSERT_TRUE(s.Begin().ok());
    p.subject.emails = {{"kept@x.com"}};
    ASSERT_TRUE(s.InsertPerson(t, p).ok());
    ASSERT_TRUE(s.Commit().ok());
    SuppressionKey k{};
    k[0] = 7;
    ASSERT_TRUE(s.AddSuppression(t, {"tps", k, 5}).ok());
    ASSERT_TRUE(s.AddSuppression(t, {"tps", k, 6}).ok()) << "adding twice is not an error";
  }
  auto store = OpenSqliteStore(path);
  ASSERT_TRUE(store.ok());
  int64_t t = *(*store)->EnsureTenant("acme");
  EXPECT_EQ(*(*store)->CountPeople(t), 1);
  EXPECT_TRUE((*store)->FindPersonByEmail(t, "kept@x.com")->has_value());
  EXPECT_EQ((*store)->LoadSuppression(t)->size(), 1u);
}

TEST(SqliteStore, DuplicateEmailIsAConflict) {
  auto store = OpenSqliteStore(TempDb("dup"));
  ASSERT_TRUE(store.ok());
  int64_t t = *(*store)->EnsureTenant("acme");
  Person p;
  p.subject.emails = {{"a@x.com"}};
  ASSERT_TRUE((*store)->InsertPerson(t, p).ok());
  Result<int64_t> again = (*store)->InsertPerson(t, p);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), Status::Code::kConflict);
}

TEST(SqliteStore, PurposesAndRulesVersions) {
  auto store = OpenSqliteStore(TempDb("purposes"));
  ASSERT_TRUE(store.ok());
  Store& s = **store;
  int64_t t = *s.EnsureTenant("acme");
  Purpose p;
  p.id = "marketing.security";
  p.family = "security";
  p.retention_days = 30;
  p.job_functions = {"it"};
  ASSERT_TRUE(s.PutPurpose(t, p).ok());
  Result<Purpose> got = s.GetPurpose(t, "marketing.security");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->retention_days, 30);
  EXPECT_EQ(got->job_functions, p.job_functions);
  EXPECT_EQ(s.GetPurpose(t, "nope").status().code(), Status::Code::kNotFound);
  ASSERT_TRUE(s.RecordRulesVersion(t, {"v1", "abc", 1}, "text").ok());
  EXPECT_EQ(s.ListRulesVersions(t)->back().version, "v1");
  TenantSettings ts;
  ts.double_opt_in_countries = {"DE"};
  ts.soft_opt_in_months = 12;
  ASSERT_TRUE(s.PutTenantSettings(t, ts).ok());
  EXPECT_EQ(s.GetTenantSettings(t)->soft_opt_in_months, 12);
}


// The index change log: what changed for a tenant since a stamp, for catching up an
// index snapshot written at that stamp.
TEST(SqliteStore, IndexChangesSinceAStampNameWhoChanged) {
  std::string path = TempDb("index-changes");
  auto store = OpenSqliteStore(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Store& s = **store;
  int64_t t = *s.EnsureTenant("acme");
  int64_t other = *s.EnsureTenant("other");
  Account a;
  a.domain = "a.example";
  a.industry = "Software";
  int64_t acc = *s.UpsertAccount(t, a);
  auto person = [&](int64_t tenant, const std::string& email) {
    Person p;
    p.subject.country = "DE";
    p.subject.emails = {{email, EmailType::kPersonal, Visibility::kVisible}};
    p.account_id = tenant == t ? acc : 0;
    Result<int64_t> id = s.InsertPerson(tenant, p);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  };
  int64_t p1 = person(t, "one@a.example"), p2 = person(t, "two@a.example"), p3 = person(t, "three@a.example");
  const std::string s0 = *s.IndexStamp();
  Result<Store::IndexChanges> none = s.IndexChangesSince(t, s0);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->complete);
  EXPECT_TRUE(none->people.empty());
  EXPECT_TRUE(none->accounts.empty());
  EXPECT_FALSE(none->suppression);

  // One change of each kind, and one in another tenant.
  int64_t p4 = person(t, "four@a.example");          // a new person
  Person u = *s.GetPerson(t, p1);                       // an updated person
  u.subject.country = "FR";
  ASSERT_TRUE(s.UpdatePerson(t, u).ok());
  BasisRecord b;
  b.basis = LawfulBasis::kConsent;
  b.status = BasisStatus::kWithdrawn;
  b.scopes = {"marketing"};
  b.at = 10;
  ASSERT_TRUE(s.AddBasisRecord(t, p2, &b).ok());         // a new basis record
  a.id = acc;
  a.industry = "Retail";
  ASSERT_EQ(*s.UpsertAccount(t, a), acc);                // a changed account
  Account fresh;
  fresh.domain = "b.example";
  int64_t acc2 = *s.UpsertAccount(t, fresh);             // a new account
  person(other, "elsewhere@b.example");                  // not this tenant's
  const std::string s1 = *s.IndexStamp();
  EXPECT_NE(s1, s0);
  Result<Store::IndexChanges> c = s.IndexChangesSince(t, s0);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->complete);
  EXPECT_EQ(c->people, (std::vector<int64_t>{p1, p2, p4}));
  EXPECT_EQ(c->accounts, (std::vector<int64_t>{acc, acc2}));
  EXPECT_FALSE(c->suppression);
  Result<Store::IndexChanges> o = s.IndexChangesSince(other, s0);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->people.size(), 1u);
  EXPECT_TRUE(o->accounts.empty());

  ASSERT_TRUE(s.AddPurchase(t, p3, {"security", PurchaseKind::kNegotiation, 20}).ok());
  SuppressionKey key{};
  key[0] = 7;
  ASSERT_TRUE(s.AddSuppression(t, {"unsubscribed", key, 30}).ok());
  c = s.IndexChangesSince(t, s1);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->people, (std::vector<int64_t>{p3}));
  EXPECT_TRUE(c->accounts.empty());
  EXPECT_TRUE(c->suppression);
  EXPECT_FALSE(s.IndexChangesSince(other, s1)->suppression);

  // Pruned up to s1: s1 and later can still catch up, s0 cannot.
  ASSERT_TRUE(s.PruneIndexChanges(t, s1).ok());
  EXPECT_FALSE(s.IndexChangesSince(t, s0)->complete);
  c = s.IndexChangesSince(t, s1);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->complete);
  EXPECT_EQ(c->people, (std::vector<int64_t>{p3}));
  EXPECT_TRUE(c->suppression);
  EXPECT_TRUE(s.IndexChangesSince(other, s0)->complete) << "pruning is per tenant";

  // Stamps of another form or another database are never caught up from.
  for (const std::string& bad : {std::string("sqlite seq=3 accounts=1 people=4 bases=1 purchases=0"),
                                 std::string("garbage"), std::string(""), s1 + " "}) {
    Result<Store::IndexChanges> r = s.IndexChangesSince(t, bad);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->complete) << bad;
  }
  EXPECT_FALSE(s.PruneIndexChanges(t, "garbage").ok());
  std::string path2 = TempDb("index-changes-2");
  auto store2 = OpenSqliteStore(path2);
  ASSERT_TRUE(store2.ok());
  int64_t t2 = *(*store2)->EnsureTenant("acme");
  EXPECT_FALSE((*store2)->IndexChangesSince(t2, s1)->complete) << "a stamp of another database";
  EXPECT_NE(*(*store2)->IndexStamp(), s1);
}

}  // namespace
}  // namespace fairlead

namespace fairlead {
namespace {

// A cached statement left after an early return must not keep its old bindings.
TEST(SqliteStore, LookupsAfterANotFoundUseTheirOwnArguments) {
  auto store = OpenSqliteStore(TempDb("notfound"));
  ASSERT_TRUE(store.ok());
  Store& s = **store;
  int64_t a = *s.EnsureTenant("a"), b = *s.EnsureTenant("b");
  Purpose p;
  p.id = "analytics.intent";
  p.kind = PurposeKind::kAnalytics;
  ASSERT_TRUE(s.PutPurpose(a, p).ok());
  EXPECT_EQ(s.GetPurpose(b, "analytics.intent").status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(s.GetPurpose(a, "analytics.intent").ok());
  EXPECT_EQ(s.GetPerson(a, 12345).status().code(), Status::Code::kNotFound);
  Person person;
  person.subject.emails = {{"x@y.com"}};
  int64_t id = *s.InsertPerson(a, person);
  EXPECT_TRUE(s.GetPerson(a, id).ok());
}

// The bulk scan merges four tables in person order; each person must come out exactly
// as GetPerson reads them, whatever order the child rows were stored in.
// A policy scan leaves out the basis evidence (Store::PersonScan).
// Every field is compared (AddShuffledPeople sets every optional field of every other
// person), so a field a scan drops, misreads or carries over from the row before shows.
void ExpectSamePerson(const Person& scanned, const Person& got, Store::PersonScan scan = Store::PersonScan::kFull) {
  const bool full = scan == Store::PersonScan::kFull;
  EXPECT_EQ(scanned.subject.id, got.subject.id);
  EXPECT_EQ(scanned.subject.country, got.subject.country);
  EXPECT_EQ(scanned.external_ref, full ? got.external_ref : "");
  EXPECT_EQ(scanned.first_name, full ? got.first_name : "");
  EXPECT_EQ(scanned.last_name, full ? got.last_name : "");
  EXPECT_EQ(scanned.title, full ? got.title : "");
  EXPECT_EQ(scanned.region, full ? got.region : "");
  EXPECT_EQ(scanned.field_sources, full ? got.field_sources : decltype(got.field_sources){});
  EXPECT_EQ(scanned.phone, got.phone);
  EXPECT_EQ(scanned.seniority, got.seniority);
  EXPECT_EQ(scanned.account_id, got.account_id);
  EXPECT_EQ(scanned.subject.function, got.subject.function);
  EXPECT_EQ(scanned.subject.recipient, got.subject.recipient);
  EXPECT_EQ(scanned.subject.stage, got.subject.stage);
  EXPECT_EQ(scanned.subject.collected_at, got.subject.collected_at);
  EXPECT_EQ(scanned.subject.opt_out_offered_at_collection, got.subject.opt_out_offered_at_collection);
  EXPECT_EQ(scanned.subject.transparency_notice_sent_at, got.subject.transparency_notice_sent_at);
  EXPECT_EQ(scanned.subject.objected_direct_marketing_at, got.subject.objected_direct_marketing_at);
  EXPECT_EQ(scanned.subject.restricted, got.subject.restricted);
  EXPECT_EQ(scanned.subject.do_not_sell, got.subject.do_not_sell);
  EXPECT_EQ(scanned.subject.erased, got.subject.erased);
  ASSERT_EQ(scanned.subject.emails.size(), got.subject.emails.size()) << got.subject.id;
  for (size_t i = 0; i < got.subject.emails.size(); ++i) {
    EXPECT_EQ(scanned.subject.emails[i].address, got.subject.emails[i].address);
    EXPECT_EQ(scanned.subject.emails[i].type, got.subject.emails[i].type);
    EXPECT_EQ(scanned.subject.emails[i].visibility, got.subject.emails[i].visibility);
  }
  ASSERT_EQ(scanned.subject.bases.size(), got.subject.bases.size()) << got.subject.id;
  for (size_t i = 0; i < got.subject.bases.size(); ++i) {
    const BasisRecord &a = scanned.subject.bases[i], &b = got.subject.bases[i];
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.basis, b.basis);
    EXPECT_EQ(a.status, b.status);
    EXPECT_EQ(a.scopes, b.scopes);
    EXPECT_EQ(a.channels, b.channels);
    EXPECT_EQ(a.channels_given, b.channels_given);
    EXPECT_EQ(a.at, b.at);
    EXPECT_EQ(a.confirmed_at, b.confirmed_at);
    EXPECT_EQ(a.expires_at, b.expires_at);
    EXPECT_EQ(a.evidence, scan == Store::PersonScan::kFull ? b.evidence : "");
  }
  ASSERT_EQ(scanned.subject.purchases.size(), got.subject.purchases.size()) << got.subject.id;
  for (size_t i = 0; i < got.subject.purchases.size(); ++i) {
    EXPECT_EQ(scanned.subject.purchases[i].family, got.subject.purchases[i].family);
    EXPECT_EQ(scanned.subject.purchases[i].kind, got.subject.purchases[i].kind);
    EXPECT_EQ(scanned.subject.purchases[i].at, got.subject.purchases[i].at);
  }
}

// People whose addresses sort against their ids and positions, child rows added out
// of person order, and a second tenant's rows in between.
std::vector<int64_t> AddShuffledPeople(Store& s, int64_t t, int64_t other) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 6; ++i) {
    Person p;
    p.subject.country = i % 2 ? "DE" : "FR";
    std::string n = std::to_string(9 - i);
    // Position 0 gets the address that sorts last.
    p.subject.emails = {{"z" + n + "@x.de", EmailType::kPersonal, Visibility::kHidden},
                        {"a" + n + "@x.de", EmailType::kGeneric}};
    if (i == 3) p.subject.emails.clear();
    // Every other person has every optional field set (the others have none), with
    // texts too long for a string's inline buffer.
    if (i % 2 == 0) {
      p.external_ref = "crm-ref-number-" + n;
      p.first_name = "Firstname-long-" + n;
      p.last_name = "Lastname-long-" + n;
      p.phone = "+4930123456" + n;
      p.title = "Vice President of Engineering " + n;
      p.seniority = "vp";
      p.region = "Berlin-Brandenburg";
      p.subject.function = "engineering";
      p.subject.recipient = Recipient::kCorporate;
      p.subject.stage = Stage::kClient;
      p.subject.collected_at = 100 + i;
      p.subject.opt_out_offered_at_collection = true;
      p.subject.transparency_notice_sent_at = 200 + i;
      p.subject.objected_direct_marketing_at = 300 + i;
      p.subject.restricted = true;
      p.subject.do_not_sell = true;
      p.field_sources = {{"*", 7}, {"title", 8}};
    }
    ids.push_back(*s.InsertPerson(t, p));
    Person q;
    q.subject.emails = {{"m" + n + "@other.de"}};
    s.InsertPerson(other, q);
  }
  for (int k : {4, 0, 5, 0, 2}) {
    BasisRecord b;
    b.basis = LawfulBasis::kConsent;
    b.status = BasisStatus::kGranted;
    b.scopes = {"marketing", "s" + std::to_string(k)};
    b.at = 1000 + k;
    if (k % 2 == 0) {
      b.status = BasisStatus::kWithdrawn;
      b.channels = ChannelBit(Channel::kEmail);
      b.channels_given = true;
      b.confirmed_at = 1100 + k;
      b.expires_at = 9000 + k;
    }
    b.evidence = "{\"line\":" + std::to_string(k) + "}";
    EXPECT_TRUE(s.AddBasisRecord(t, ids[k], &b).ok());
    BasisRecord theirs = b;  // the other tenant's rows in between
    EXPECT_TRUE(s.AddBasisRecord(other, *s.FindPersonByEmail(other, "m" + std::to_string(9 - k) + "@other.de").value(),
                                 &theirs).ok());
  }
  for (int k : {5, 1, 1})
    EXPECT_TRUE(s.AddPurchase(t, ids[k], {"f" + std::to_string(k), k == 5 ? PurchaseKind::kNegotiation
                                                                          : PurchaseKind::kSale, 3000 + k}).ok());
  return ids;
}

// AddShuffledPeople in a new database at `path`, closed again; their ids (none if the
// store did not open).
std::vector<int64_t> ShuffledPeopleIn(const std::string& path) {
  auto store = OpenSqliteStore(path);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return {};
  return AddShuffledPeople(**store, *(*store)->EnsureTenant("a"), *(*store)->EnsureTenant("b"));
}

TEST(SqliteStore, BulkScanReadsEachPersonAsGetPersonDoes) {
  auto store = OpenSqliteStore(TempDb("bulkscan"));
  ASSERT_TRUE(store.ok());
  Store& s = **store;
  int64_t t = *s.EnsureTenant("a"), other = *s.EnsureTenant("b");
  std::vector<int64_t> ids = AddShuffledPeople(s, t, other);
  for (Store::PersonScan scan : {Store::PersonScan::kFull, Store::PersonScan::kPolicy}) {
    std::vector<int64_t> seen;
    ASSERT_TRUE(s.ForEachPerson(t, [&](Person&& p) {
                  seen.push_back(p.subject.id);
                  ExpectSamePerson(p, *s.GetPerson(t, p.subject.id), scan);
                }, scan).ok());
    EXPECT_EQ(seen, ids);
  }
}

// A policy scan puts basis records and purchases in person order in memory, with a
// table of offsets over the person ids; ids spread wider than that table may span
// (here one person renumbered 2^27 away) go back to SQLite's sort, with the same result.
TEST(SqliteStore, PolicyScanOfFarApartIdsReadsAsGetPersonDoes) {
  std::string path = TempDb("sparse");
  std::vector<int64_t> ids = ShuffledPeopleIn(path);
  ASSERT_EQ(ids.size(), 6u);
  const int64_t far = ids[0] + (int64_t{1} << 27);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  std::string sql = "PRAGMA foreign_keys=OFF; UPDATE people SET id = " + std::to_string(far) + " WHERE id = " +
                    std::to_string(ids[0]) + "; UPDATE emails SET person_id = " + std::to_string(far) +
                    " WHERE person_id = " + std::to_string(ids[0]) + "; UPDATE basis_records SET person_id = " +
                    std::to_string(far) + " WHERE person_id = " + std::to_string(ids[0]) + ";";
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
  ids.erase(ids.begin());
  ids.push_back(far);
  auto store = OpenSqliteStore(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Store& s = **store;
  int64_t t = *s.EnsureTenant("a");
  std::vector<int64_t> seen;
  size_t bases = 0;
  ASSERT_TRUE(s.ForEachPerson(t, [&](Person&& p) {
                seen.push_back(p.subject.id);
                bases += p.subject.bases.size();
                ExpectSamePerson(p, *s.GetPerson(t, p.subject.id), Store::PersonScan::kPolicy);
              }, Store::PersonScan::kPolicy).ok());
  EXPECT_EQ(seen, ids);
  EXPECT_EQ(bases, 5u);
}

// Two connections to a new database at `path` holding AddShuffledPeople, for scans
// while another connection writes (empty when either did not open).
struct Connections {
  std::vector<int64_t> ids;
  std::unique_ptr<Store> store, other;
  int64_t tenant = 0;
};
Connections OpenTwo(const std::string& path) {
  Connections c;
  c.ids = ShuffledPeopleIn(path);
  auto store = OpenSqliteStore(path), other = OpenSqliteStore(path);
  EXPECT_TRUE(store.ok() && other.ok());
  if (!store.ok() || !other.ok()) return c;
  c.store = std::move(*store);
  c.other = std::move(*other);
  c.tenant = *c.store->EnsureTenant("a");
  EXPECT_EQ(*c.other->EnsureTenant("a"), c.tenant);
  return c;
}

// A withdrawn consent to marketing for `person`, written through `store`.
void AddWithdrawal(Store& store, int64_t tenant, int64_t person, Time at) {
  BasisRecord b;
  b.basis = LawfulBasis::kConsent;
  b.status = BasisStatus::kWithdrawn;
  b.scopes = {"marketing"};
  b.at = at;
  Status w = store.AddBasisRecord(tenant, person, &b);
  EXPECT_TRUE(w.ok()) << w.ToString();
}

// A scan reads every table as of the state it started in: another connection's write
// during the scan commits (readers do not block it) and is not seen by the scan.
TEST(SqliteStore, ScanReadsOneStateWhileAnotherConnectionWrites) {
  std::string path = TempDb("scanstate");
  Connections two = OpenTwo(path);
  ASSERT_TRUE(two.store && two.other && two.ids.size() == 6u);
  Store &s = *two.store, &o = *two.other;
  const int64_t t = two.tenant;
  const std::vector<int64_t>& ids = two.ids;
  for (Store::PersonScan scan : {Store::PersonScan::kFull, Store::PersonScan::kPolicy}) {
    const int64_t last = ids.back();
    const size_t before = s.GetPerson(t, last)->subject.bases.size();
    bool wrote = false;
    size_t seen_bases = 0;
    ASSERT_TRUE(s.ForEachPerson(t, [&](Person&& p) {
                  if (!wrote) {
                    AddWithdrawal(o, t, last, 5000);
                    wrote = true;
                  }
                  if (p.subject.id == last) seen_bases = p.subject.bases.size();
                }, scan).ok());
    EXPECT_TRUE(wrote);
    EXPECT_EQ(seen_bases, before) << "the scan saw a write made after it started";
    EXPECT_EQ(s.GetPerson(t, last)->subject.bases.size(), before + 1) << "the write committed";
  }
}

// `first` runs once, before the first person, in the scan's read transaction: a write
// another connection commits while it runs is not seen by the scan, whether a policy
// scan's second connection read the basis records before that write (same state) or
// after it (the stamps differ, and they are read again on the scan's own connection).
TEST(SqliteStore, ScanRunsFirstInItsReadTransaction) {
  std::string path = TempDb("scanfirst");
  Connections two = OpenTwo(path);
  ASSERT_TRUE(two.store && two.other && two.ids.size() == 6u);
  Store &s = *two.store, &o = *two.other;
  const int64_t t = two.tenant;
  const std::vector<int64_t>& ids = two.ids;
  for (bool late : {false, true}) {
    // Late: the policy scan's second connection starts after the write (it then reads
    // another state, and the scan reads the basis records again on its own connection).
    if (late) setenv("FAIRLEAD_TEST_SIDE_READ_DELAY_MS", "300", 1);
    for (Store::PersonScan scan : {Store::PersonScan::kFull, Store::PersonScan::kPolicy}) {
      for (int64_t written : {ids.front(), ids.back()}) {
        std::map<int64_t, Person> before;
        for (int64_t id : ids) before[id] = *s.GetPerson(t, id);
        int firsts = 0;
        size_t accounts_seen = 0, accounts_before = 0;
        ASSERT_TRUE(s.ForEachAccount(t, [&](Account&&) { ++accounts_before; }).ok());
        std::vector<int64_t> seen;
        Status done = s.ForEachPerson(t, [&](Person&& p) {
          EXPECT_EQ(firsts, 1) << "fn before first";
          seen.push_back(p.subject.id);
          ExpectSamePerson(p, before[p.subject.id], scan);
        }, scan, [&] {
          ++firsts;
          AddWithdrawal(o, t, written, 6000);
          Account a;
          a.domain = "late-" + std::to_string(written) + "-" + std::to_string(static_cast<int>(scan)) +
                     (late ? "-late" : "") + ".example";
          EXPECT_TRUE(o.UpsertAccount(t, a).ok());
          return s.ForEachAccount(t, [&](Account&&) { ++accounts_seen; });
        });
        ASSERT_TRUE(done.ok()) << done.ToString();
        EXPECT_EQ(firsts, 1);
        EXPECT_EQ(seen, ids);
        EXPECT_EQ(accounts_seen, accounts_before) << "first saw an account added after the scan started";
        EXPECT_EQ(s.GetPerson(t, written)->subject.bases.size(), before[written].subject.bases.size() + 1)
            << "the write committed";
      }
    }
    unsetenv("FAIRLEAD_TEST_SIDE_READ_DELAY_MS");
  }
}

TEST(SqliteStore, ScanEndsWithTheErrorOfFirst) {
  std::string path = TempDb("scanfirsterror");
  ASSERT_EQ(ShuffledPeopleIn(path).size(), 6u);
  auto store = OpenSqliteStore(path);
  ASSERT_TRUE(store.ok());
  Store& s = **store;
  int64_t t = *s.EnsureTenant("a");
  for (Store::PersonScan scan : {Store::PersonScan::kFull, Store::PersonScan::kPolicy}) {
    int people = 0;
    Status done = s.ForEachPerson(t, [&](Person&&) { ++people; }, scan,
                                  [] { return Status::Invalid("accounts: broken"); });
    EXPECT_EQ(done.code(), Status::Code::kInvalid);
    EXPECT_EQ(done.message(), "accounts: broken");
    EXPECT_EQ(people, 0);
    // The store is usable afterwards: the scan's transaction ended.
    int again = 0;
    ASSERT_TRUE(s.ForEachPerson(t, [&](Person&&) { ++again; }, scan).ok());
    EXPECT_EQ(again, 6);
  }
}

TEST(SqliteStore, MigrationNineBuildsTheCoveringEmailIndex) {
  std::string path = TempDb("migration9");
  std::vector<int64_t> ids = ShuffledPeopleIn(path);
  ASSERT_EQ(ids.size(), 6u);
  // Back to schema 8, as a database written before migration 9 is.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "DROP INDEX emails_by_person; CREATE INDEX emails_person ON emails (person_id); "
                             "DROP TABLE alert_destinations; DELETE FROM schema_migrations WHERE version >= 9", nullptr, nullptr, nullptr),
            SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
  auto store = OpenSqliteStore(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Store& s = **store;
  int64_t t = *s.EnsureTenant("a");
  std::vector<int64_t> seen;
  ASSERT_TRUE(s.ForEachPerson(t, [&](Person&& p) {
                seen.push_back(p.subject.id);
                ExpectSamePerson(p, *s.GetPerson(t, p.subject.id));
              }).ok());
  EXPECT_EQ(seen, ids);
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT group_concat(name) FROM sqlite_schema WHERE type = 'index' AND "
                                   "tbl_name = 'emails' AND name LIKE 'emails_%'", -1, &q, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)), "emails_by_person");
  sqlite3_finalize(q);
  sqlite3_close(db);
}

}  // namespace
}  // namespace fairlead
