#include "intent/events_import.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/time.h"
#include "ingest/file_digest.h"
#include "intent/intent.h"
#include "policy/rules.h"
#include "store/store.h"
#include "suppression/suppression.h"
#include "testing/test_util.h"

namespace fairlead {
namespace {

const char kHeader[] = "time,account_domain,person_email,topic,vendor,stage,action\n";

Time At(const char* text) {
  Result<Time> t = ParseTime(text);
  EXPECT_TRUE(t.ok()) << text;
  return t.ok() ? *t : 0;
}

class EventsImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing_util::FreshTestDir("events-import");
    auto store = OpenSqliteStore(dir_ + "/db.sqlite");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    Result<int64_t> tenant = store_->EnsureTenant("t");
    ASSERT_TRUE(tenant.ok()) << tenant.status().ToString();
    tenant_ = *tenant;
    Result<Rules> rules = ParseRules(DefaultRulesText(), "default");
    ASSERT_TRUE(rules.ok()) << rules.status().ToString();
    rules_ = std::move(*rules);
    TenantSecret secret{};
    secret[3] = 9;
    hasher_ = std::make_unique<SuppressionHasher>(secret);
    Purpose purpose;
    purpose.id = "analytics.intent";
    purpose.kind = PurposeKind::kAnalytics;
    purpose.description = "buying intent per account";
    Status put = store_->PutPurpose(tenant_, purpose);
    ASSERT_TRUE(put.ok()) << put.ToString();
    Account acme;
    acme.domain = "acme.com";
    acme.name = "Acme";
    Result<int64_t> acme_id = store_->UpsertAccount(tenant_, acme);
    ASSERT_TRUE(acme_id.ok()) << acme_id.status().ToString();
    acme_ = *acme_id;
  }

  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  // A person at acme.com with one (normalised) email address.
  int64_t AddPerson(const std::string& email, const std::string& seniority) {
    Person p;
    p.first_name = "Test";
    p.last_name = "Person";
    p.seniority = seniority;
    p.account_id = acme_;
    p.subject.country = "DE";
    p.subject.recipient = Recipient::kCorporate;
    EmailAddress e;
    e.address = email;
    p.subject.emails.push_back(e);
    Result<int64_t> id = store_->InsertPerson(tenant_, p);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }

  void AddConsent(int64_t person, BasisStatus status, const std::string& scope, const char* at) {
    BasisRecord r;
    r.basis = LawfulBasis::kConsent;
    r.status = status;
    r.scopes = {scope};
    r.channels = ChannelBit(Channel::kEmail);
    r.channels_given = true;
    r.at = At(at);
    r.evidence = R"({"source":"webform","notice":"2025-01"})";
    Status s = store_->AddBasisRecord(tenant_, person, &r);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }

  EventImportContext Context(int64_t tenant) const {
    return EventImportContext{store_.get(), tenant, &rules_, &settings_, hasher_.get(), &suppression_};
  }

  Result<ImportReport> Run(const std::string& file, bool partial = false, bool dry_run = false,
                           const std::string& purpose = "analytics.intent", bool json_lines = false) {
    EventImportOptions opt;
    opt.file = file;
    opt.partial = partial;
    opt.dry_run = dry_run;
    opt.analytics_purpose = purpose;
    opt.json_lines = json_lines;
    opt.now = At("2026-04-01T00:00:00Z");
    return ImportEvents(Context(tenant_), opt);
  }

  ImportReport Import(const std::string& file, bool partial = false, bool dry_run = false) {
    Result<ImportReport> r = Run(file, partial, dry_run);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ImportReport();
  }

  std::vector<ActivityEvent> Events() {
    std::vector<ActivityEvent> out;
    Status s = store_->ForEachEvent(tenant_, 0, [&](const ActivityEvent& e) { out.push_back(e); });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }

  // Every byte the store wrote: the database, its write-ahead log and whatever lives
  // beside it (event logs, index snapshots: every path that starts with db.sqlite).
  std::string DatabaseBytes() const {
    std::string all;
    int files = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_)) {
      std::string relative = std::filesystem::relative(entry.path(), dir_).string();
      if (!entry.is_regular_file() || relative.rfind("db.sqlite", 0) != 0) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      ++files;
    }
    EXPECT_GE(files, 2);
    return all;
  }

  static std::vector<std::pair<int64_t, std::string>> Issues(const ImportReport& r) {
    std::vector<std::pair<int64_t, std::string>> out;
    for (const RowIssue& i : r.issues) out.emplace_back(i.line, i.field);
    return out;
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
  int64_t tenant_ = 0;
  int64_t acme_ = 0;
  Rules rules_;
  TenantSettings settings_;
  std::unique_ptr<SuppressionHasher> hasher_;
  SuppressionSet suppression_;
};

TEST_F(EventsImportTest, ConsentedPersonKeepsPersonIdAndSeniority) {
  int64_t ann = AddPerson("ann@acme.com", "director");
  int64_t bob = AddPerson("bob@acme.com", "vp");
  int64_t cyd = AddPerson("cyd@acme.com", "cxo");
  int64_t dee = AddPerson("dee@acme.com", "manager");
  AddConsent(ann, BasisStatus::kGranted, "analytics", "2026-01-01");
  AddConsent(bob, BasisStatus::kGranted, "analytics.intent", "2026-01-01");
  AddConsent(cyd, BasisStatus::kGranted, "analytics", "2026-01-01");
  AddConsent(dee, BasisStatus::kGranted, "analytics.intent", "2026-01-01");

  ImportReport r = Import(Write("e.csv", std::string(kHeader) +
                                             "2026-03-01T10:00:00Z,acme.com,Ann@ACME.com,Firewall,Acme-Vendor,late,pricing\n"
                                             "2026-03-01T11:00:00Z,acme.com,bob@acme.com,firewall,acme-vendor,mid,webinar\n"
                                             "2026-03-01T12:00:00Z,www.acme.com,cyd@acme.com,firewall,globex,early,download\n"
                                             "2026-03-01T13:00:00Z,acme.com,dee@acme.com,firewall,,early,view\n"));
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(r.rows, 4u);
  EXPECT_EQ(r.inserted, 4u);
  EXPECT_EQ(r.anonymized, 0u);
  EXPECT_EQ(r.rejected, 0u);
  EXPECT_TRUE(r.issues.empty());

  std::vector<ActivityEvent> events = Events();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].at, At("2026-03-01T10:00:00Z"));
  EXPECT_EQ(events[0].person_id, ann);
  EXPECT_TRUE(events[0].senior) << "director";
  EXPECT_EQ(events[0].account_id, acme_);
  EXPECT_EQ(events[0].topic, "firewall");
  EXPECT_EQ(events[0].vendor, "acme-vendor");
  EXPECT_EQ(events[0].stage, EventStage::kLate);
  EXPECT_EQ(events[0].action, EventAction::kPricing);
  EXPECT_EQ(events[1].person_id, bob);
  EXPECT_TRUE(events[1].senior) << "vp";
  EXPECT_EQ(events[1].stage, EventStage::kMid);
  EXPECT_EQ(events[1].action, EventAction::kWebinar);
  EXPECT_EQ(events[2].person_id, cyd);
  EXPECT_TRUE(events[2].senior) << "cxo";
  EXPECT_EQ(events[2].account_id, acme_) << "www.acme.com is acme.com";
  EXPECT_EQ(events[2].action, EventAction::kDownload);
  EXPECT_EQ(events[3].person_id, dee);
  EXPECT_FALSE(events[3].senior) << "manager is below director";
  EXPECT_EQ(events[3].vendor, "");
}

// Domains and addresses are remembered by the text as written: every spelling and
// every way of writing a row (plain, quoted) gives the same answer, across blocks, with
// new accounts created once and people without a tracking basis kept at account level
// each time.
TEST_F(EventsImportTest, DomainAndAddressSpellingsGiveTheSameAnswers) {
  int64_t ann = AddPerson("ann@acme.com", "director");
  AddPerson("eve@acme.com", "manager");  // no consent: never tracked
  AddConsent(ann, BasisStatus::kGranted, "analytics", "2026-01-01");
  struct Shape {
    std::string pair;  // account_domain,person_email as written
    bool ann, newco, email;
  };
  const std::vector<Shape> shapes = {
      {"acme.com,ann@acme.com", true, false, true},     {"ACME.com,Ann@Acme.com", true, false, true},
      {"acme.com,eve@acme.com", false, false, true},    {"acme.com,", false, false, false},
      {"\"acme.com\",ann@acme.com", true, false, true}, {"newco.io,ann@acme.com", true, true, true},
      {"acme.com,nobody@acme.com", false, false, true}, {"www.acme.com,\"eve@acme.com\"", false, false, true},
  };
  std::string csv = kHeader;
  const int kRows = 300;  // several blocks, each shape in many places within them
  for (int i = 0; i < kRows; ++i)
    csv += "2026-03-01T10:" + std::string(i % 60 < 10 ? "0" : "") + std::to_string(i % 60) + ":00Z," +
           shapes[static_cast<size_t>(i * 7 % static_cast<int>(shapes.size()))].pair + ",firewall,acme,mid,view\n";
  ImportReport r = Import(Write("pairs.csv", csv));
  ASSERT_TRUE(r.committed);
  EXPECT_EQ(r.inserted, static_cast<size_t>(kRows));
  Result<std::optional<int64_t>> newco = store_->FindAccount(tenant_, "newco.io");
  ASSERT_TRUE(newco.ok() && newco->has_value()) << "created once, for its first row";
  std::vector<ActivityEvent> events = Events();
  ASSERT_EQ(events.size(), static_cast<size_t>(kRows));
  size_t anonymized = 0;
  for (int i = 0; i < kRows; ++i) {
    const Shape& shape = shapes[static_cast<size_t>(i * 7 % static_cast<int>(shapes.size()))];
    SCOPED_TRACE(shape.pair + " on row " + std::to_string(i));
    EXPECT_EQ(events[static_cast<size_t>(i)].account_id, shape.newco ? **newco : acme_);
    EXPECT_EQ(events[static_cast<size_t>(i)].person_id, shape.ann ? ann : 0);
    anonymized += shape.email && !shape.ann;
  }
  EXPECT_EQ(r.anonymized, anonymized);
}

TEST(EventsImportSeniorityTest, DirectorAndAboveAreSenior) {
  EXPECT_TRUE(IsSeniorSeniority("director"));
  EXPECT_TRUE(IsSeniorSeniority("vp"));
  EXPECT_TRUE(IsSeniorSeniority("cxo"));
  EXPECT_FALSE(IsSeniorSeniority("manager"));
  EXPECT_FALSE(IsSeniorSeniority("senior"));
  EXPECT_FALSE(IsSeniorSeniority("entry"));
  EXPECT_FALSE(IsSeniorSeniority(""));
}

TEST_F(EventsImportTest, WithoutConsentTheEventIsKeptAtAccountLevel) {
  int64_t eve = AddPerson("eve@acme.com", "director");  // no basis record at all
  int64_t fay = AddPerson("fay@acme.com", "vp");        // granted, later withdrawn
  AddConsent(fay, BasisStatus::kGranted, "analytics", "2026-01-01");
  AddConsent(fay, BasisStatus::kWithdrawn, "analytics", "2026-02-01");
  int64_t gus = AddPerson("gus@acme.com", "cxo");  // consent only after the event
  AddConsent(gus, BasisStatus::kGranted, "analytics.intent", "2026-04-01");
  int64_t hal = AddPerson("hal@acme.com", "director");  // consent for another purpose
  AddConsent(hal, BasisStatus::kGranted, "marketing", "2026-01-01");
  int64_t ivy = AddPerson("ivy@acme.com", "director");  // consented but suppressed
  AddConsent(ivy, BasisStatus::kGranted, "analytics", "2026-01-01");
  suppression_.Add(hasher_->Key(SuppressionKind::kEmail, "ivy@acme.com"));
  int64_t jon = AddPerson("jon@acme.com", "director");  // consent still pending
  AddConsent(jon, BasisStatus::kPending, "analytics", "2026-01-01");

  ImportReport r = Import(Write("e.csv", std::string(kHeader) +
                                             "2026-01-15T09:00:00Z,acme.com,fay@acme.com,firewall,acme,early,view\n"
                                             "2026-03-01T09:00:00Z,acme.com,eve@acme.com,firewall,acme,early,view\n"
                                             "2026-03-01T10:00:00Z,acme.com,fay@acme.com,firewall,acme,early,view\n"
                                             "2026-03-01T11:00:00Z,acme.com,gus@acme.com,firewall,acme,early,view\n"
                                             "2026-03-01T12:00:00Z,acme.com,hal@acme.com,firewall,acme,early,view\n"
                                             "2026-03-01T13:00:00Z,acme.com,ivy@acme.com,firewall,acme,early,view\n"
                                             "2026-03-01T14:00:00Z,acme.com,jon@acme.com,firewall,acme,early,view\n"
                                             "2026-03-01T15:00:00Z,acme.com,zed.unknown@acme.com,firewall,acme,early,view\n"));
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(r.rejected, 0u);
  EXPECT_EQ(r.inserted, 8u);
  EXPECT_EQ(r.anonymized, 7u);

  std::vector<ActivityEvent> events = Events();
  ASSERT_EQ(events.size(), 8u);
  EXPECT_EQ(events[0].person_id, fay) << "the consent was granted and not yet withdrawn at the event";
  EXPECT_TRUE(events[0].senior);
  for (size_t i = 1; i < events.size(); ++i) {
    EXPECT_EQ(events[i].person_id, 0) << "event " << i;
    EXPECT_FALSE(events[i].senior) << "event " << i;
    EXPECT_EQ(events[i].account_id, acme_) << "event " << i;
    EXPECT_EQ(events[i].topic, "firewall") << "event " << i;
  }
  for (const ActivityEvent& e : events)
    for (int64_t id : {eve, gus, hal, ivy, jon}) EXPECT_NE(e.person_id, id);
}

TEST_F(EventsImportTest, AnUnknownPersonsEmailNeverReachesTheDatabase) {
  int64_t eve = AddPerson("eve@acme.com", "director");  // known, no consent
  ImportReport r = Import(Write("e.csv", std::string(kHeader) +
                                             "2026-03-01T09:00:00Z,acme.com,eve@acme.com,firewall,acme,late,pricing\n"
                                             "2026-03-01T10:00:00Z,acme.com,zed.unknown@acme.com,firewall,acme,early,view\n"
                                             "2026-03-01T11:00:00Z,newco.io,Quinn.Private@NewCo.io,crm,globex,mid,webinar\n"));
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(r.inserted, 3u);
  EXPECT_EQ(r.anonymized, 3u);
  std::vector<ActivityEvent> events = Events();
  ASSERT_EQ(events.size(), 3u);
  for (const ActivityEvent& e : events) {
    EXPECT_EQ(e.person_id, 0);
    EXPECT_NE(e.person_id, eve);
  }
  EXPECT_FALSE(store_->FindPersonByEmail(tenant_, "zed.unknown@acme.com")->has_value())
      << "an unknown person is never created from an event";
  EXPECT_FALSE(store_->FindPersonByEmail(tenant_, "quinn.private@newco.io")->has_value());

  std::string bytes = DatabaseBytes();
  ASSERT_FALSE(bytes.empty());
  EXPECT_NE(bytes.find("eve@acme.com"), std::string::npos)
      << "positive control: the emails table holds the known person's address in plain text";
  EXPECT_NE(bytes.find("newco.io"), std::string::npos) << "positive control: the new account's domain";
  EXPECT_EQ(bytes.find("zed.unknown"), std::string::npos);
  EXPECT_EQ(bytes.find("quinn.private"), std::string::npos);
  EXPECT_EQ(bytes.find("Quinn.Private"), std::string::npos);
}

TEST_F(EventsImportTest, UnknownAccountDomainIsCreated) {
  Result<std::optional<int64_t>> before = store_->FindAccount(tenant_, "newco.io");
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_FALSE(before->has_value());

  ImportReport r = Import(Write("e.csv", std::string(kHeader) +
                                             "2026-03-01T10:00:00Z,https://www.NewCo.io/pricing,,firewall,acme,early,view\n"
                                             "2026-03-01T11:00:00Z,newco.io,,firewall,acme,mid,download\n"
                                             "2026-03-01T12:00:00Z,acme.com,,crm,acme,early,view\n"));
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(r.inserted, 3u);
  EXPECT_EQ(r.anonymized, 0u) << "events without an email are not counted as anonymised";

  Result<std::optional<int64_t>> after = store_->FindAccount(tenant_, "newco.io");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  ASSERT_TRUE(after->has_value());
  Result<Account> account = store_->GetAccount(tenant_, **after);
  ASSERT_TRUE(account.ok()) << account.status().ToString();
  EXPECT_EQ(account->domain, "newco.io");

  std::vector<ActivityEvent> events = Events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].account_id, **after);
  EXPECT_EQ(events[1].account_id, **after) << "one account per domain";
  EXPECT_EQ(events[2].account_id, acme_) << "a known domain keeps its account";
  EXPECT_NE(**after, acme_);
  for (const ActivityEvent& e : events) EXPECT_EQ(e.person_id, 0);
}

// An event's domain is normalised as an account's is: an IDN and its ASCII form are
// one account, and what is no host name is reported with its reason.
TEST_F(EventsImportTest, DomainsAreHostNamesIdnIncluded) {
  ImportReport r = Import(Write("idn.csv", std::string(kHeader) +
                                               "2026-03-01T10:00:00Z,Bücher.de,,firewall,acme,early,view\n"
                                               "2026-03-01T11:00:00Z,https://xn--bcher-kva.de/x,,firewall,acme,mid,view\n"
                                               "2026-03-01T12:00:00Z,exa mple.com,,firewall,acme,early,view\n"
                                               "2026-03-01T13:00:00Z,x..com,,firewall,acme,early,view\n"),
                          /*partial=*/true);
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(r.inserted, 2u);
  EXPECT_EQ(Issues(r), (std::vector<std::pair<int64_t, std::string>>{{4, "account_domain"}, {5, "account_domain"}}));
  ASSERT_EQ(r.issues.size(), 2u);
  EXPECT_NE(r.issues[0].reason.find("'exa mple.com' is not a domain"), std::string::npos) << r.issues[0].reason;
  EXPECT_NE(r.issues[1].reason.find("empty label"), std::string::npos) << r.issues[1].reason;
  Result<std::optional<int64_t>> idn = store_->FindAccount(tenant_, "xn--bcher-kva.de");
  ASSERT_TRUE(idn.ok() && idn->has_value());
  std::vector<ActivityEvent> events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].account_id, **idn);
  EXPECT_EQ(events[1].account_id, **idn) << "one account for both spellings";
}

TEST_F(EventsImportTest, MalformedEventsAreReportedPerLine) {
  std::string file = Write("bad.csv", std::string(kHeader) +
                                          "2026-03-01T10:00:00Z,acme.com,,firewall,acme,early,view\n"        // 2 good
                                          "yesterday,acme.com,,firewall,acme,early,view\n"                   // 3 time
                                          "2026-03-01T10:00:00Z,acme.com,,firewall,acme,final,view\n"        // 4 stage
                                          "2026-03-01T10:00:00Z,acme.com,,firewall,acme,early,click\n"       // 5 action
                                          "2026-03-01T10:00:00Z,acme.com,,,acme,early,view\n"                // 6 topic
                                          "2026-03-01T10:00:00Z,acme.com\n"                                  // 7 columns
                                          "2026-03-01T10:00:00Z,localhost,,firewall,acme,early,view\n"       // 8 domain
                                          "2026-03-01T10:00:00Z,acme.com,not-an-email,firewall,acme,early,view\n"  // 9 email
                                          "2026-03-02T10:00:00Z,newco.io,,Firewall,,LATE,Pricing\n"          // 10 good
                                          ",acme.com,,firewall,acme,early,view\n");                          // 11 time
  const std::vector<std::pair<int64_t, std::string>> want = {
      {3, "time"}, {4, "stage"}, {5, "action"}, {6, "topic"}, {7, ""}, {8, "account_domain"}, {9, "person_email"},
      {11, "time"}};

  ImportReport strict = Import(file);
  EXPECT_FALSE(strict.committed);
  EXPECT_EQ(strict.rows, 10u);
  EXPECT_EQ(strict.rejected, 8u);
  EXPECT_EQ(Issues(strict), want);
  ASSERT_EQ(strict.issues.size(), 8u);
  EXPECT_FALSE(strict.issues[0].reason.empty());
  EXPECT_NE(strict.issues[1].reason.find("'final'"), std::string::npos) << strict.issues[1].reason;
  EXPECT_NE(strict.issues[2].reason.find("'click'"), std::string::npos) << strict.issues[2].reason;
  EXPECT_EQ(strict.issues[3].reason, "missing");
  EXPECT_NE(strict.issues[4].reason.find("expected 7 columns, found 2"), std::string::npos) << strict.issues[4].reason;
  EXPECT_NE(strict.issues[5].reason.find("'localhost'"), std::string::npos) << strict.issues[5].reason;
  EXPECT_EQ(strict.issues[7].reason, "missing");
  for (const RowIssue& i : strict.issues) EXPECT_FALSE(i.skipped);
  EXPECT_TRUE(Events().empty()) << "nothing is written when an event is bad";
  EXPECT_FALSE(store_->FindAccount(tenant_, "newco.io")->has_value()) << "not even the new account";

  ImportReport dry = Import(file, /*partial=*/true, /*dry_run=*/true);
  EXPECT_FALSE(dry.committed);
  EXPECT_EQ(dry.rejected, 8u);
  EXPECT_TRUE(Events().empty()) << "a dry run writes nothing";

  ImportReport partial = Import(file, /*partial=*/true);
  EXPECT_TRUE(partial.committed);
  EXPECT_EQ(partial.inserted, 2u);
  EXPECT_EQ(partial.rejected, 8u);
  EXPECT_EQ(Issues(partial), want);
  std::vector<ActivityEvent> events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].at, At("2026-03-01T10:00:00Z"));
  EXPECT_EQ(events[0].account_id, acme_);
  EXPECT_EQ(events[0].stage, EventStage::kEarly);
  EXPECT_EQ(events[0].action, EventAction::kView);
  EXPECT_EQ(events[1].at, At("2026-03-02T10:00:00Z"));
  EXPECT_EQ(events[1].topic, "firewall") << "topics are lower-cased";
  EXPECT_EQ(events[1].vendor, "");
  EXPECT_EQ(events[1].stage, EventStage::kLate) << "stage words are case-insensitive";
  EXPECT_EQ(events[1].action, EventAction::kPricing);
  Result<std::optional<int64_t>> newco = store_->FindAccount(tenant_, "newco.io");
  ASSERT_TRUE(newco.ok() && newco->has_value());
  EXPECT_EQ(events[1].account_id, **newco);
}

TEST_F(EventsImportTest, ControlCharactersInNamesAreReportedNotStored) {
  ImportReport r = Import(Write("ctl.csv", std::string(kHeader) +
                                               "2026-03-01T10:00:00Z,acme.com,,fire\twall,acme,early,view\n"
                                               "2026-03-01T10:00:00Z,acme.com,,firewall,ac\x1bme,early,view\n"
                                               "2026-03-01T10:00:00Z,acme.com,,firewall,acme,early,view\n"),
                          /*partial=*/true);
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(r.inserted, 1u);
  const std::vector<std::pair<int64_t, std::string>> want = {{2, "topic"}, {3, "vendor"}};
  EXPECT_EQ(Issues(r), want);
  ASSERT_EQ(r.issues.size(), 2u);
  EXPECT_EQ(r.issues[0].reason, "contains a control character (0x09 at character 5)");
  EXPECT_EQ(r.issues[1].reason, "contains a control character (0x1B at character 3)");
  ASSERT_EQ(Events().size(), 1u);
  EXPECT_EQ(Events()[0].topic, "firewall");
}

// Topics, vendors, stages and actions are remembered by the text as written (the four
// together on a plain line): every spelling of a name, short or long, plain or quoted,
// maps to the one lower-case name, and a long word that is no stage is still reported
// with the word.
TEST_F(EventsImportTest, NamesAndWordsAnySpellingShortOrLong) {
  std::string file = Write("names.csv", std::string(kHeader) +
                                            "2026-03-01T10:00:00Z,acme.com,,Security,Acme,Late,PRICING\n"
                                            "2026-03-01T11:00:00Z,acme.com,,security,acme,late,pricing\n"
                                            "2026-03-01T12:00:00Z,acme.com,,Customer-Data-Platform,Very-Long-Vendor-Name-Inc,MID,Webinar\n"
                                            "2026-03-01T13:00:00Z,acme.com,,customer-data-platform,very-long-vendor-name-inc,mid,webinar\n"
                                            "2026-03-01T14:00:00Z,acme.com,,SECURITY,ACME,EARLY,View\n"
                                            "2026-03-01T15:00:00Z,acme.com,,security,acme,early-stage-research,view\n"
                                            "2026-03-01T16:00:00Z,acme.com,,\"Security\",\"Acme\",late,pricing\n");
  ImportReport r = Import(file, /*partial=*/true);
  ASSERT_TRUE(r.committed);
  EXPECT_EQ(r.inserted, 6u);
  ASSERT_EQ(r.issues.size(), 1u);
  EXPECT_EQ(r.issues[0].line, 7);
  EXPECT_EQ(r.issues[0].field, "stage");
  EXPECT_NE(r.issues[0].reason.find("'early-stage-research'"), std::string::npos) << r.issues[0].reason;
  std::vector<ActivityEvent> events = Events();
  ASSERT_EQ(events.size(), 6u);
  const std::vector<std::string> topics = {"security", "security", "customer-data-platform", "customer-data-platform",
                                           "security", "security"};
  const std::vector<std::string> vendors = {"acme", "acme", "very-long-vendor-name-inc", "very-long-vendor-name-inc",
                                            "acme", "acme"};
  const std::vector<EventStage> stages = {EventStage::kLate, EventStage::kLate, EventStage::kMid, EventStage::kMid,
                                          EventStage::kEarly, EventStage::kLate};
  const std::vector<EventAction> actions = {EventAction::kPricing, EventAction::kPricing, EventAction::kWebinar,
                                            EventAction::kWebinar, EventAction::kView, EventAction::kPricing};
  for (size_t i = 0; i < events.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(events[i].topic, topics[i]);
    EXPECT_EQ(events[i].vendor, vendors[i]);
    EXPECT_EQ(events[i].stage, stages[i]);
    EXPECT_EQ(events[i].action, actions[i]);
  }
  EXPECT_EQ(*store_->EventNames(tenant_, Store::EventNameKind::kTopic),
            (std::vector<std::string>{"security", "customer-data-platform"}))
      << "one name per topic, however it was spelled";
  EXPECT_EQ(*store_->EventNames(tenant_, Store::EventNameKind::kVendor),
            (std::vector<std::string>{"acme", "very-long-vendor-name-inc"}));
}

// Rows go through in blocks (their map entries fetched together); rejected rows of
// every kind, at every place in and across blocks, still come out in line order, and
// the good rows are stored in file order with one account per new domain, even when
// a block names a new domain more than once.
TEST_F(EventsImportTest, BlocksKeepLineOrderForIssuesAndEvents) {
  std::string text = kHeader;
  std::vector<std::pair<int64_t, std::string>> want;
  std::vector<int64_t> good;  // lines stored, in order
  for (int64_t line = 2; line < 400; ++line) {
    const std::string at = FormatTime(At("2026-03-01T00:00:00Z") + line);
    const std::string domain = "d" + std::to_string(line % 37) + ".com";
    switch (line % 11) {
      case 3: text += at + "," + domain + "\n"; want.emplace_back(line, ""); break;  // columns (before Row)
      case 5: text += at + "," + domain + ",,t\xff,,early,view\n"; want.emplace_back(line, "topic"); break;  // UTF-8
      case 7: text += at + "," + domain + ",,crm,,final,view\n"; want.emplace_back(line, "stage"); break;  // in Row
      default: text += at + "," + domain + ",,crm,,early,view\n"; good.push_back(line);
    }
  }
  ImportReport r = Import(Write("blocks.csv", text), /*partial=*/true);
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(r.inserted, good.size());
  EXPECT_EQ(Issues(r), want);
  std::vector<ActivityEvent> events = Events();
  ASSERT_EQ(events.size(), good.size());
  std::map<std::string, int64_t> account_of;
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].at, At("2026-03-01T00:00:00Z") + good[i]) << "stored in file order";
    const std::string domain = "d" + std::to_string(good[i] % 37) + ".com";
    auto [it, added] = account_of.emplace(domain, events[i].account_id);
    EXPECT_EQ(it->second, events[i].account_id) << domain << ": one account per domain";
  }
  for (const auto& [domain, id] : account_of) {
    Result<std::optional<int64_t>> found = store_->FindAccount(tenant_, domain);
    ASSERT_TRUE(found.ok() && found->has_value()) << domain;
    EXPECT_EQ(**found, id);
  }
}

TEST_F(EventsImportTest, JsonLinesInput) {
  int64_t ann = AddPerson("ann@acme.com", "director");
  AddConsent(ann, BasisStatus::kGranted, "analytics", "2026-01-01");
  std::string file = Write(
      "events.jsonl",
      R"({"time":"2026-03-01T10:00:00Z","account_domain":"acme.com","person_email":"ann@acme.com","topic":"firewall","vendor":"acme","stage":"late","action":"pricing"})"
      "\n"
      "\n"
      "[1, 2, 3]\n"
      R"({"time":1772359200,"account_domain":"acme.com","topic":"firewall","stage":"early","action":"view"})"
      "\n"
      R"({"time":"2026-03-02T10:00:00Z","account_domain":"newco.io","topic":"SD-WAN","stage":"mid","action":"webinar","person_email":null,"extra":true})"
      "\n"
      "{not json\n"
      R"({"time":"2026-03-03T10:00:00Z","account_domain":"acme.com","topic":"firewall","stage":"early","action":"click"})"
      "\n");
  const std::vector<std::pair<int64_t, std::string>> want = {{3, ""}, {4, "time"}, {6, ""}, {7, "action"}};

  ImportReport strict = Import(file);
  EXPECT_FALSE(strict.committed);
  EXPECT_EQ(strict.rows, 6u) << "the blank line is not a row";
  EXPECT_EQ(strict.rejected, 4u);
  EXPECT_EQ(Issues(strict), want);
  ASSERT_EQ(strict.issues.size(), 4u);
  EXPECT_NE(strict.issues[0].reason.find("not a JSON object"), std::string::npos) << strict.issues[0].reason;
  EXPECT_NE(strict.issues[1].reason.find("must be a string"), std::string::npos) << strict.issues[1].reason;
  EXPECT_NE(strict.issues[2].reason.find("not JSON: column "), std::string::npos) << strict.issues[2].reason;
  EXPECT_TRUE(Events().empty());

  ImportReport partial = Import(file, /*partial=*/true);
  EXPECT_TRUE(partial.committed);
  EXPECT_EQ(partial.inserted, 2u);
  EXPECT_EQ(partial.rejected, 4u);
  EXPECT_EQ(partial.anonymized, 0u);
  EXPECT_EQ(Issues(partial), want);
  std::vector<ActivityEvent> events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].person_id, ann);
  EXPECT_TRUE(events[0].senior);
  EXPECT_EQ(events[0].account_id, acme_);
  EXPECT_EQ(events[0].stage, EventStage::kLate);
  EXPECT_EQ(events[0].action, EventAction::kPricing);
  EXPECT_EQ(events[0].vendor, "acme");
  EXPECT_EQ(events[1].person_id, 0);
  EXPECT_EQ(events[1].topic, "sd-wan");
  EXPECT_EQ(events[1].vendor, "");
  EXPECT_EQ(events[1].stage, EventStage::kMid);
  EXPECT_EQ(events[1].action, EventAction::kWebinar);
  EXPECT_TRUE(store_->FindAccount(tenant_, "newco.io")->has_value());
}

// Keys name fields as a CSV header does; each bad line says which field, or where in
// the line the JSON broke.
TEST_F(EventsImportTest, JsonLinesKeysAreMappedLikeHeadersAndErrorsSayWhere) {
  int64_t ann = AddPerson("ann@acme.com", "director");
  AddConsent(ann, BasisStatus::kGranted, "analytics", "2026-01-01");
  std::string file = Write(
      "aliases.jsonl",
      R"({"Date":"2026-03-01T10:00:00Z","Domain":"acme.com","Email":"ann@acme.com","topic":"firewall","source":"acme","Buying Stage":"late","type":"pricing","url":"/x"})"
      "\n"
      R"({"time":"2026-03-01T10:00:00Z","at":"2026-03-02T10:00:00Z","account_domain":"acme.com","topic":"firewall","stage":"late","action":"view"})"
      "\n"
      R"({"time":"2026-03-01T10:00:00Z","account_domain":"acme.com","topic":"firewall","stage":"late","action":"view",})"
      "\n"
      R"({"time":"2026-03-01T10:00:00Z","account_domain":"acme.com","topic":"firewall","action":"view"})"
      "\n"
      R"({"time":"2026-03-01T10:00:00Z","topic":"firewall","stage":"late","action":"view"})"
      "\n"
      R"({"time":"2026-03-01T10:00:00Z","account_domain":"acme.com","topic":["firewall"],"stage":"late","action":"view"})"
      "\n"
      "\"just a string\"\n"
      // The same key twice: which one is meant cannot be told (nlohmann would keep the last).
      R"({"time":"2026-03-01T10:00:00Z","account_domain":"acme.com","person_email":"ann@acme.com","topic":"firewall","stage":"late","action":"view","person_email":"bob@acme.com"})"
      "\n");
  const std::vector<std::pair<int64_t, std::string>> want = {
      {2, "time"}, {3, ""}, {4, "stage"}, {5, "account_domain"}, {6, "topic"}, {7, ""}, {8, "person_email"}};
  ImportReport r = Import(file, /*partial=*/true);
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(r.inserted, 1u);
  EXPECT_EQ(Issues(r), want);
  ASSERT_EQ(r.issues.size(), 7u);
  EXPECT_EQ(r.issues[6].reason, "key 'person_email' is given twice");
  EXPECT_EQ(r.issues[0].reason, "keys 'at' and 'time' both give it");
  EXPECT_EQ(r.issues[1].reason.rfind("not JSON: column 110: ", 0), 0u) << r.issues[1].reason;
  EXPECT_EQ(r.issues[2].reason, "missing (one of early, mid or late)");
  EXPECT_EQ(r.issues[3].reason, "missing");
  EXPECT_EQ(r.issues[4].reason, "must be a string, not a JSON array");
  EXPECT_EQ(r.issues[5].reason, "not a JSON object (a JSON string)");
  std::vector<ActivityEvent> events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].person_id, ann);
  EXPECT_EQ(events[0].vendor, "acme");
  EXPECT_EQ(events[0].stage, EventStage::kLate);
  EXPECT_EQ(events[0].action, EventAction::kPricing);
  EXPECT_EQ(*ParseTime("2026-03-01T10:00:00Z"), events[0].at);
}

TEST_F(EventsImportTest, JsonLinesByFlagOrNdjsonExtension) {
  const std::string line =
      R"({"time":"2026-03-01T10:00:00Z","account_domain":"acme.com","topic":"firewall","stage":"early","action":"view"})"
      "\n";
  Result<ImportReport> nd = Run(Write("a.ndjson", line));
  ASSERT_TRUE(nd.ok()) << nd.status().ToString();
  EXPECT_TRUE(nd->committed);
  EXPECT_EQ(nd->inserted, 1u);

  // Another event (the same bytes again would be refused as the same file).
  std::string other = line;
  other.replace(other.find("10:00:00"), 8, "11:00:00");
  Result<ImportReport> flagged = Run(Write("b.txt", other), false, false, "analytics.intent", /*json_lines=*/true);
  ASSERT_TRUE(flagged.ok()) << flagged.status().ToString();
  EXPECT_TRUE(flagged->committed);
  EXPECT_EQ(flagged->inserted, 1u);
  EXPECT_EQ(Events().size(), 2u);

  // Without the flag or the extension the file is CSV, and a JSON line is no CSV header.
  Result<ImportReport> csv = Run(Write("c.txt", line));
  EXPECT_FALSE(csv.ok());
  EXPECT_EQ(Events().size(), 2u);
}

TEST_F(EventsImportTest, MissingAnalyticsPurposeIsFatal) {
  std::string file = Write("e.csv", std::string(kHeader) + "2026-03-01T10:00:00Z,acme.com,,firewall,acme,early,view\n");
  Result<ImportReport> r = Run(file, false, false, "analytics.other");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound) << r.status().ToString();
  EXPECT_NE(r.status().message().find("analytics.other"), std::string::npos) << r.status().message();
  EXPECT_TRUE(Events().empty());

  // Another tenant never defined the default purpose.
  Result<int64_t> other = store_->EnsureTenant("other");
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  EventImportOptions opt;
  opt.file = file;
  opt.now = At("2026-04-01T00:00:00Z");
  Result<ImportReport> r2 = ImportEvents(Context(*other), opt);
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.status().message().find("analytics.intent"), std::string::npos) << r2.status().message();

  // The purpose exists: the same file imports.
  Result<ImportReport> ok = Run(file);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE(ok->committed);
  EXPECT_EQ(Events().size(), 1u);
}

TEST_F(EventsImportTest, TheSameFileTwiceIsRefusedUnlessAgain) {
  // A file whose import wrote nothing (a bad row, all-or-nothing) was never imported.
  std::string file = Write("e.csv", std::string(kHeader) + "2026-03-01T10:00:00Z,acme.com,,crm,,early,view\n"
                                                           "2026-03-01T11:00:00Z,acme.com,,crm,,final,view\n");
  ImportReport failed = Import(file);
  EXPECT_FALSE(failed.committed);
  ImportReport dry = Import(file, /*partial=*/true, /*dry_run=*/true);
  EXPECT_FALSE(dry.committed);
  ImportReport partial = Import(file, /*partial=*/true);
  EXPECT_TRUE(partial.committed);
  EXPECT_EQ(Events().size(), 1u);
  // The same bytes again: refused, naming when, and nothing is added.
  Result<ImportReport> again = Run(file, true);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), Status::Code::kConflict);
  EXPECT_NE(again.status().message().find("was imported at 2026-04-01T00:00:00Z; importing it again would count its "
                                          "events twice (give --again"),
            std::string::npos) << again.status().message();
  EXPECT_EQ(Events().size(), 1u);
  // Another file is another file, even with the same events in another order.
  ImportReport other = Import(Write("f.csv", std::string(kHeader) + "2026-03-01T12:00:00Z,acme.com,,crm,,early,view\n"));
  EXPECT_TRUE(other.committed);
  EXPECT_EQ(Events().size(), 2u);
  // --again imports it anyway.
  EventImportOptions opt;
  opt.file = file;
  opt.partial = true;
  opt.again = true;
  opt.now = At("2026-04-02T00:00:00Z");
  Result<ImportReport> forced = ImportEvents(Context(tenant_), opt);
  ASSERT_TRUE(forced.ok()) << forced.status().ToString();
  EXPECT_TRUE(forced->committed);
  EXPECT_EQ(Events().size(), 3u);
}

TEST_F(EventsImportTest, AFileThatAddedNoEventIsNotRemembered) {
  // Only a header: committed, nothing added, and so not refused the next time.
  std::string header_only = Write("h.csv", kHeader);
  for (int i = 0; i < 2; ++i) {
    ImportReport r = Import(header_only);
    EXPECT_TRUE(r.committed) << i;
    EXPECT_EQ(r.inserted, 0) << i;
  }
  // Every row rejected under --partial: the second run reports the rows again.
  std::string all_bad = Write("b.csv", std::string(kHeader) + "2026-03-01T11:00:00Z,acme.com,,crm,,final,view\n");
  for (int i = 0; i < 2; ++i) {
    ImportReport r = Import(all_bad, /*partial=*/true);
    EXPECT_EQ(r.rejected, 1) << i;
    ASSERT_EQ(r.issues.size(), 1u) << i;
    EXPECT_EQ(r.issues[0].field, "stage") << i;
  }
  EXPECT_EQ(Events().size(), 0u);
}

// The digest samples large files: a change in a sampled place, or in the size, makes a
// different digest; the same bytes the same one.
TEST(FileDigest, SizeAndSampledBytesTellFilesApart) {
  std::string dir = testing_util::FreshTestDir("file-digest");
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::string path = dir + "/" + name;
    FILE* f = std::fopen(path.c_str(), "wb");
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
    return path;
  };
  std::string big(3 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 97) big[i] = static_cast<char>('a' + i % 26);
  Result<std::string> a = FileDigest(write("a", big));
  Result<std::string> a2 = FileDigest(write("a2", big));
  ASSERT_TRUE(a.ok() && a2.ok());
  EXPECT_EQ(*a, *a2);
  EXPECT_EQ(a->rfind(std::to_string(big.size()) + ":", 0), 0u) << *a;
  // The first and last bytes, the first sampled block, and one inside the 33rd block
  // (at 64 KiB + (size - 132 KiB) * 32 / 63, as the header describes).
  const size_t block32 = (64 << 10) + (big.size() - (2 << 16) - (4 << 10)) * 32 / 63;
  for (size_t at : {size_t{0}, big.size() - 1, size_t{64 << 10}, block32 + 100}) {
    std::string changed = big;
    changed[at] ^= 1;
    Result<std::string> c = FileDigest(write("c", changed));
    ASSERT_TRUE(c.ok());
    EXPECT_NE(*c, *a) << "byte " << at;
  }
  Result<std::string> longer = FileDigest(write("d", big + "\n"));
  ASSERT_TRUE(longer.ok());
  EXPECT_NE(*longer, *a);
  Result<std::string> small = FileDigest(write("s", "time,account_domain\n"));
  Result<std::string> small2 = FileDigest(write("s2", "time,account_domain\r"));
  ASSERT_TRUE(small.ok() && small2.ok());
  EXPECT_NE(*small, *small2) << "a small file is hashed whole";
  EXPECT_EQ(FileDigest(dir + "/missing").status().code(), Status::Code::kIo);
}

TEST_F(EventsImportTest, MissingFileIsFatal) {
  Result<ImportReport> r = Run(dir_ + "/missing.csv");
  EXPECT_FALSE(r.ok());
  Result<ImportReport> j = Run(dir_ + "/missing.jsonl");
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), Status::Code::kIo);
  // The store is usable afterwards: no transaction was left open.
  Result<ImportReport> ok = Run(Write("e.csv", std::string(kHeader) + "2026-03-01T10:00:00Z,acme.com,,x,,early,view\n"));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE(ok->committed);
  EXPECT_EQ(Events().size(), 1u);
}

// An answer "as of" a time is built from the events at or before it: it stays the
// same when later events are imported, even ones far beyond the signal windows (a
// model that has seen them keeps only the window before its newest event).
TEST_F(EventsImportTest, AModelUpToATimeAnswersAsOfItAfterLaterImports) {
  const Time as_of = At("2026-01-21T00:00:00Z");
  Import(Write("jan.csv", std::string(kHeader) + "2026-01-05T10:00:00Z,acme.com,,crm,v1,early,view\n"
                                                 "2026-01-12T10:00:00Z,acme.com,,crm,v2,mid,download\n"
                                                 "2026-01-18T10:00:00Z,acme.com,,crm,v1,late,pricing\n"));
  auto model_upto = [&](Time upto) {
    auto m = std::make_unique<IntentModel>();
    Status s = AddStoredEvents(*store_, tenant_, 0, m.get(), upto);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return m;
  };
  auto before = model_upto(as_of);
  ASSERT_TRUE(before->FindTopic("crm"));
  TopicIntent then = before->Get(acme_, *before->FindTopic("crm"), as_of);
  EXPECT_EQ(then.gauge, Gauge::kEvaluating);  // widespread (3 visitors) + late stage
  EXPECT_EQ(then.signals, kWidespread | kLateStage | kSustained | kCrossVendor);
  EXPECT_EQ(then.events_in_window, 3);
  // Months later, more events: the January answer is unchanged.
  Import(Write("jun.csv", std::string(kHeader) + "2026-06-01T10:00:00Z,acme.com,,crm,,early,view\n"
                                                 "2026-06-02T10:00:00Z,acme.com,,crm,,early,view\n"));
  auto after = model_upto(as_of);
  TopicIntent again = after->Get(acme_, *after->FindTopic("crm"), as_of);
  EXPECT_EQ(again.gauge, then.gauge);
  EXPECT_EQ(again.signals, then.signals);
  EXPECT_EQ(again.events_in_window, then.events_in_window);
  EXPECT_EQ(again.last_event, At("2026-01-18T10:00:00Z"));
  EXPECT_DOUBLE_EQ(again.score, then.score);
  // Every event (no upto) is the model of now: June's two views, January's out of its windows.
  auto all = model_upto(std::numeric_limits<Time>::max());
  TopicIntent june = all->Get(acme_, *all->FindTopic("crm"), At("2026-06-03T00:00:00Z"));
  EXPECT_EQ(june.events_in_window, 2);
  EXPECT_EQ(june.signals, 0);
}

}  // namespace
}  // namespace fairlead
