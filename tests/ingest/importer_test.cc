#include "ingest/importer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "core/normalize.h"
#include "testing/test_util.h"

namespace fairlead {
namespace {

class ImporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing_util::FreshTestDir("importer");
    auto store = OpenSqliteStore(dir_ + "/db.sqlite");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    tenant_ = *store_->EnsureTenant("t");
    TenantSecret secret{};
    secret[3] = 9;
    hasher_ = std::make_unique<SuppressionHasher>(secret);
  }
  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  ImportReport Import(ImportKind kind, const std::string& file, bool partial = false, bool dry_run = false) {
    ImportOptions opt;
    opt.kind = kind;
    opt.file = file;
    opt.partial = partial;
    opt.dry_run = dry_run;
    opt.now = 1767225600;
    opt.suppression_list = "test";
    opt.default_recipient = Recipient::kCorporate;
    ImportContext ctx{store_.get(), tenant_, hasher_.get(), &suppression_};
    Result<ImportReport> r = RunImport(ctx, opt);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ImportReport();
  }
  std::optional<int64_t> Find(const std::string& email) { return *store_->FindPersonByEmail(tenant_, email); }

  std::string dir_;
  std::unique_ptr<Store> store_;
  int64_t tenant_ = 0;
  std::unique_ptr<SuppressionHasher> hasher_;
  SuppressionSet suppression_;
};

TEST_F(ImporterTest, RecognisesCrmExportHeaders) {
  // Salesforce contacts, HubSpot contacts, LinkedIn connections.
  auto sf = Import(ImportKind::kPeople, Write("sf.csv",
      "Contact ID,First Name,Last Name,Email,Phone,Title,Account Name,Mailing Country\n"
      "003A,Jane,Doe,Jane.Doe@Acme.COM,030 1234567,CTO,Acme,DE\n"));
  EXPECT_EQ(sf.inserted, 1u);
  auto hs = Import(ImportKind::kPeople, Write("hs.csv",
      "Record ID,First Name,Last Name,Email,Phone Number,Job Title,Company Name,Country/Region,Lifecycle Stage\n"
      "9,Max,Mustermann,max@beispiel.de,+49 151 23456789,CISO,Beispiel,DE,customer\n"));
  EXPECT_EQ(hs.inserted, 1u);
  auto li = Import(ImportKind::kPeople, Write("li.csv",
      "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
      "Zoë,Smith,https://www.linkedin.com/in/zoe,zoe@smith.co.uk,Smith Ltd,Head of IT,05 Jan 2024\n"));
  EXPECT_EQ(li.inserted, 1u);
  Result<Person> jane = store_->GetPerson(tenant_, *Find("jane.doe@acme.com"));
  ASSERT_TRUE(jane.ok());
  EXPECT_EQ(jane->phone, "+49301234567");
  EXPECT_EQ(jane->external_ref, "003A");
  EXPECT_EQ(jane->account_domain, "acme.com");
  Result<Person> max = store_->GetPerson(tenant_, *Find("max@beispiel.de"));
  EXPECT_EQ(max->subject.stage, Stage::kClient);
  Result<Person> zoe = store_->GetPerson(tenant_, *Find("zoe@smith.co.uk"));
  EXPECT_EQ(zoe->subject.collected_at, *ParseTime("2024-01-05"));
  EXPECT_EQ(zoe->title, "Head of IT");
}

TEST_F(ImporterTest, DeduplicatesAndMergesKeepingProvenance) {
  Import(ImportKind::kPeople, Write("a.csv", "email,first_name,title,country\nA@x.com,Ann,Engineer,GB\n"));
  auto second = Import(ImportKind::kPeople, Write("b.csv", "email,email2,title\na@X.com,ann@home.example,CTO\n"));
  EXPECT_EQ(second.merged, 1u);
  EXPECT_EQ(second.inserted, 0u);
  EXPECT_EQ(*store_->CountPeople(tenant_), 1);
  Result<Person> p = store_->GetPerson(tenant_, *Find("a@x.com"));
  EXPECT_EQ(p->title, "CTO");
  EXPECT_EQ(p->first_name, "Ann");
  EXPECT_EQ(p->subject.country, "GB");
  ASSERT_EQ(p->subject.emails.size(), 2u);
  EXPECT_EQ(Find("ann@home.example"), Find("a@x.com"));
  int64_t star = 0, title = 0;
  for (auto& [field, source] : p->field_sources) {
    if (field == "*") star = source;
    if (field == "title") title = source;
  }
  EXPECT_NE(star, 0);
  EXPECT_NE(title, 0);
  EXPECT_NE(star, title) << "the title came from the second file";
  EXPECT_NE(store_->GetSource(tenant_, title)->source.find("b.csv"), std::string::npos);
}

// Duplicates within one file and against the store: a first load into an empty tenant
// and the same file into a tenant that already holds someone find the same people
// (the same counts, the same merged fields and addresses).
TEST_F(ImporterTest, AFirstLoadFindsTheSameDuplicatesAsALaterOne) {
  const std::string csv = "email,email2,person_ref,first_name,title\n"
                          "a@x.com,,R1,Ann,Engineer\n"
                          "b@x.com,a2@x.com,,Bea,CFO\n"
                          "A@X.com,,,,CTO\n"           // Ann again, by her address
                          "c@x.com,,R1,,Head\n"        // Ann again, by her ref: gains c@
                          "a2@x.com,d@x.com,,,VP\n"    // Bea, by her second address
                          "c@x.com,,,,Chief\n"         // Ann, by the address the ref row gave her
                          "e@x.com,b@x.com,R9,Eve,\n"; // Bea again
  auto people_of = [&](Store& store, int64_t tenant) {
    std::vector<std::string> out;
    EXPECT_TRUE(store.ForEachPerson(tenant, [&](Person&& p) {
      std::string line = p.first_name + "|" + p.title + "|" + p.external_ref;
      std::vector<std::string> emails;
      for (const EmailAddress& e : p.subject.emails) emails.push_back(e.address);
      std::sort(emails.begin(), emails.end());
      for (const std::string& e : emails) line += "|" + e;
      out.push_back(line);
    }).ok());
    return out;
  };
  auto first = Import(ImportKind::kPeople, Write("dups.csv", csv));
  EXPECT_TRUE(first.committed);
  EXPECT_EQ(first.inserted, 2u);
  EXPECT_EQ(first.merged, 5u);
  std::vector<std::string> fresh = people_of(*store_, tenant_);
  EXPECT_EQ(fresh, (std::vector<std::string>{"Ann|Chief|R1|a@x.com|c@x.com", "Eve|VP|R9|a2@x.com|b@x.com|d@x.com|e@x.com"}));

  // The same file into a tenant that already has someone.
  int64_t other = *store_->EnsureTenant("u");
  std::swap(tenant_, other);
  ASSERT_EQ(Import(ImportKind::kPeople, Write("z.csv", "email,first_name\nz@x.com,Zed\n")).inserted, 1u);
  auto later = Import(ImportKind::kPeople, Write("dups2.csv", csv));
  EXPECT_EQ(later.inserted, first.inserted);
  EXPECT_EQ(later.merged, first.merged);
  std::vector<std::string> seen = people_of(*store_, tenant_);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(std::vector<std::string>(seen.begin() + 1, seen.end()), fresh);
}

TEST_F(ImporterTest, AllOrNothingByDefaultPartialOnRequest) {
  std::string file = Write("mixed.csv",
                           "email,first_name,country,phone\n"
                           "good1@x.com,A,DE,\n"
                           "not-an-email,B,DE,\n"
                           "good2@x.com,C,XX,\n"
                           "good3@x.com,D,FR,12\n"
                           "good4@x.com,\"E\"x,FR,\n"
                           "good5@x.com,F\n"
                           "good6@x.com,\xff,FR,\n"
                           "good7@x.com,G,FR,\n");
  auto strict = Import(ImportKind::kPeople, file);
  EXPECT_FALSE(strict.committed);
  EXPECT_EQ(*store_->CountPeople(tenant_), 0) << "nothing is written when a row is bad";
  EXPECT_EQ(strict.rejected, 6u);
  std::vector<std::pair<int64_t, std::string>> got;
  for (const RowIssue& i : strict.issues) got.emplace_back(i.line, i.field);
  EXPECT_EQ(got, (std::vector<std::pair<int64_t, std::string>>{
                     {3, "email"}, {4, "country"}, {5, "phone"}, {0, ""}, {7, ""}, {8, "first_name"}}));
  EXPECT_NE(strict.issues[3].reason.find("mixed.csv:6:"), std::string::npos) << strict.issues[3].reason;
  EXPECT_NE(strict.issues[4].reason.find("expected 4 columns, found 2"), std::string::npos);

  auto dry = Import(ImportKind::kPeople, file, true, true);
  EXPECT_FALSE(dry.committed);
  EXPECT_EQ(*store_->CountPeople(tenant_), 0);

  auto partial = Import(ImportKind::kPeople, file, true);
  EXPECT_TRUE(partial.committed);
  EXPECT_EQ(partial.inserted, 2u);
  EXPECT_EQ(*store_->CountPeople(tenant_), 2);
  EXPECT_TRUE(Find("good7@x.com").has_value());
}

// People rows are prepared a batch at a time on another thread: across batch edges
// every issue keeps its line and file order, duplicates inside the file still merge
// (the earlier row is stored first), and nothing is lost.
TEST_F(ImporterTest, ManyRowsKeepLineOrderAcrossPreparedBatches) {
  std::string text = "email,first_name,country,phone\n";
  std::vector<int64_t> bad_lines;
  const int kRows = 9000;
  for (int i = 0; i < kRows; ++i) {
    int64_t line = i + 2;
    if (i % 1000 == 17) {
      text += "broken" + std::to_string(i) + ",X,DE,\n";
      bad_lines.push_back(line);
    } else if (i == 5000) {
      text += "p10@x.com,Again,DE,\n";  // the address of row 10: merged into that person
    } else {
      text += "p" + std::to_string(i) + "@x.com,N" + std::to_string(i) + ",DE,+49 30 1234" + std::to_string(1000 + i % 9000) + "\n";
    }
  }
  auto r = Import(ImportKind::kPeople, Write("many.csv", text), true);
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(r.rows, static_cast<uint64_t>(kRows));
  EXPECT_EQ(r.rejected, bad_lines.size());
  std::vector<int64_t> got;
  for (const RowIssue& i : r.issues) {
    got.push_back(i.line);
    EXPECT_EQ(i.field, "email");
  }
  EXPECT_EQ(got, bad_lines);
  EXPECT_EQ(r.merged, 1u);
  EXPECT_EQ(r.inserted, kRows - bad_lines.size() - 1);
  EXPECT_EQ(*store_->CountPeople(tenant_), static_cast<int64_t>(r.inserted));
  Result<Person> p10 = store_->GetPerson(tenant_, *Find("p10@x.com"));
  ASSERT_TRUE(p10.ok());
  EXPECT_EQ(p10->first_name, "Again") << "the later row's fields win, as in a sequential import";
  EXPECT_EQ(p10->phone, "+493012341010") << "an empty phone in the later row keeps the stored one";
  EXPECT_TRUE(Find("p8999@x.com").has_value()) << "the last batch is stored";
}

TEST_F(ImporterTest, SuppressedPeopleAreNeverStored) {
  auto sup = Import(ImportKind::kSuppression, Write("sup.csv", "email,phone,country\nBLOCKED@x.com,,\n,020 7946 0958,GB\n"));
  EXPECT_EQ(sup.inserted, 2u);
  EXPECT_EQ(suppression_.size(), 2u);
  auto people = Import(ImportKind::kPeople, Write("p.csv",
      "email,first_name,phone,country\nblocked@X.com,Secret,,DE\nok@x.com,Fine,+44 20 7946 0958,GB\nok2@x.com,Fine,,GB\n"));
  EXPECT_EQ(people.suppressed, 2u);
  EXPECT_EQ(people.inserted, 1u);
  EXPECT_TRUE(people.committed) << "suppressed rows are skipped, not errors";
  EXPECT_FALSE(Find("blocked@x.com").has_value());
  auto bases = Import(ImportKind::kBases, Write("b.csv", "email,basis,status,scope,channels,at\n"
                                                         "blocked@x.com,consent,granted,marketing,email,2025-01-01\n"));
  EXPECT_EQ(bases.suppressed, 1u);
  EXPECT_TRUE(bases.committed);
  // No plaintext of a suppressed address anywhere in the database files.
  for (const char* suffix : {"", "-wal"}) {
    std::ifstream in(dir_ + "/db.sqlite" + suffix, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find("blocked@x.com"), std::string::npos);
    EXPECT_EQ(bytes.find("Secret"), std::string::npos);
    EXPECT_EQ(bytes.find("+442079460958"), std::string::npos);
  }
}

TEST_F(ImporterTest, BasesAndPurchasesAttachToPeople) {
  Import(ImportKind::kPeople, Write("p.csv", "email,country\njo@x.com,DE\n"));
  auto b = Import(ImportKind::kBases, Write("b.csv",
      "email,basis,status,scope,channels,at,confirmed_at,expires_at,source,notice_version\n"
      "jo@x.com,consent,granted,marketing.security,email;sms,2025-01-01T10:00:00Z,2025-01-02,,webform,2024-03\n"
      "jo@x.com,consent,withdrawn,marketing,email,2025-06-01,,,prefcentre,2024-03\n"
      "nobody@x.com,consent,granted,marketing,email,2025-01-01,,,x,y\n"));
  EXPECT_EQ(b.rejected, 1u);
  EXPECT_EQ(b.issues[0].line, 4);
  EXPECT_EQ(b.issues[0].field, "email");
  auto b2 = Import(ImportKind::kBases, Write("b2.csv",
      "email,basis,status,scope,channels,at\n"
      "jo@x.com,consent,granted,marketing.security,email;sms,2025-01-01T10:00:00Z\n"
      "jo@x.com,consent,withdrawn,marketing,email,2025-06-01\n"));
  EXPECT_TRUE(b2.committed);
  auto pu = Import(ImportKind::kPurchases, Write("pu.csv", "email,family,kind,at\njo@x.com,security,negotiation,2025-02-01\n"));
  EXPECT_TRUE(pu.committed);
  auto no_family = Import(ImportKind::kPurchases, Write("pu0.csv", "email,family,kind,at\njo@x.com, ,sale,2025-02-01\n"));
  EXPECT_FALSE(no_family.committed);
  ASSERT_EQ(no_family.issues.size(), 1u);
  EXPECT_EQ(no_family.issues[0].line, 2);
  EXPECT_EQ(no_family.issues[0].field, "family");
  Result<Person> p = store_->GetPerson(tenant_, *Find("jo@x.com"));
  ASSERT_EQ(p->subject.bases.size(), 2u);
  EXPECT_EQ(p->subject.bases[0].channels, ChannelBit(Channel::kEmail) | ChannelBit(Channel::kSms));
  EXPECT_EQ(p->subject.bases[1].status, BasisStatus::kWithdrawn);
  ASSERT_EQ(p->subject.purchases.size(), 1u);
  EXPECT_EQ(p->subject.purchases[0].kind, PurchaseKind::kNegotiation);
}

// An account's domain is a host name or a website: it is normalised as an email's
// domain is (IDNA, lower case, www. and the path dropped), and what is not a host
// name is refused with the line and the field, in people and in accounts files.
TEST_F(ImporterTest, AccountDomainsAreHostNamesOrRefused) {
  auto accounts = Import(ImportKind::kAccounts, Write("a.csv",
      "domain,name\n"
      "https://WWW.Acme.com/about,Acme\n"
      "Bücher.de,Bücher\n"
      "exa mple.com,Space\n"
      "foo,NoDot\n"
      "x..com,Empty label\n"
      ",Nothing\n"), true);
  EXPECT_TRUE(accounts.committed);
  EXPECT_EQ(accounts.inserted, 2u);
  std::vector<std::pair<int64_t, std::string>> got;
  for (const RowIssue& i : accounts.issues) got.emplace_back(i.line, i.field);
  EXPECT_EQ(got, (std::vector<std::pair<int64_t, std::string>>{
                     {4, "domain"}, {5, "domain"}, {6, "domain"}, {7, "domain"}}));
  EXPECT_NE(accounts.issues[1].reason.find("'foo' is not a domain"), std::string::npos) << accounts.issues[1].reason;
  EXPECT_NE(accounts.issues[3].reason.find("missing"), std::string::npos) << accounts.issues[3].reason;
  EXPECT_TRUE(store_->FindAccount(tenant_, "acme.com")->has_value());
  EXPECT_TRUE(store_->FindAccount(tenant_, "xn--bcher-kva.de")->has_value());

  auto people = Import(ImportKind::kPeople, Write("p.csv",
      "email,account_domain,account_name\n"
      "a@x.com,http://Bücher.de,Bücher\n"
      "b@x.com,exa mple.com,Space\n"
      "c@x.com,,\n"
      "d@x.com,\"x\x01.com\",Control\n"), true);
  EXPECT_TRUE(people.committed);
  EXPECT_EQ(people.inserted, 2u);
  got.clear();
  for (const RowIssue& i : people.issues) got.emplace_back(i.line, i.field);
  EXPECT_EQ(got, (std::vector<std::pair<int64_t, std::string>>{{3, "account_domain"}, {5, "account_domain"}}));
  EXPECT_EQ(store_->GetPerson(tenant_, *Find("a@x.com"))->account_domain, "xn--bcher-kva.de");
  EXPECT_EQ(store_->GetPerson(tenant_, *Find("c@x.com"))->account_domain, "");
  EXPECT_FALSE(Find("b@x.com").has_value());
}

// A NUL or an escape in a field is refused with its line, field and position, on the
// fast path (a plain line) and on the quoted one; a tab, or a line break inside quotes,
// is text.
TEST_F(ImporterTest, ControlCharactersAreRefusedWithTheirPlace) {
  std::string csv = std::string("domain,name\n"
                                "a.com,Ac") + '\0' + "me\n"
                    "b.com,\"B\x1b[31m\"\n"
                    "c.com,C\tCo\n"
                    "d.com,\"D\nline two\"\n"
                    "e.com,E\x7f\n"
                    "f.com,Fine\n";
  auto r = Import(ImportKind::kAccounts, Write("ctl.csv", csv), true);
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(r.inserted, 3u);
  std::vector<std::pair<int64_t, std::string>> got;
  for (const RowIssue& i : r.issues) got.emplace_back(i.line, i.field);
  EXPECT_EQ(got, (std::vector<std::pair<int64_t, std::string>>{{2, "name"}, {3, "name"}, {7, "name"}}));
  ASSERT_EQ(r.issues.size(), 3u);
  EXPECT_EQ(r.issues[0].reason, "contains a control character (0x00 at character 3, column 2)");
  EXPECT_EQ(r.issues[1].reason, "contains a control character (0x1B at character 2, column 2)");
  EXPECT_EQ(r.issues[2].reason, "contains a control character (0x7F at character 2, column 2)");
  EXPECT_FALSE(store_->FindAccount(tenant_, "a.com")->has_value());
  EXPECT_TRUE(store_->FindAccount(tenant_, "c.com")->has_value());
  EXPECT_TRUE(store_->FindAccount(tenant_, "d.com")->has_value());
}

TEST_F(ImporterTest, UnusableHeaderIsFatalAndNamesTheColumn) {
  ImportOptions opt;
  opt.kind = ImportKind::kPeople;
  opt.file = Write("h.csv", "Email,E-mail\na@x.com,b@x.com\n");
  ImportContext ctx{store_.get(), tenant_, hasher_.get(), &suppression_};
  Result<ImportReport> r = RunImport(ctx, opt);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("h.csv:1:2"), std::string::npos) << r.status().message();
  opt.file = Write("n.csv", "name,title\nA,B\n");
  r = RunImport(ctx, opt);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("email or a person_ref"), std::string::npos);
  opt.file = dir_ + "/missing.csv";
  EXPECT_EQ(RunImport(ctx, opt).status().code(), Status::Code::kIo);
}

}  // namespace
}  // namespace fairlead
