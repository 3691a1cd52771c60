// Tests for the deterministic demo / benchmark data generator.
#include "gen/generator.h"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace fairlead::gen {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kPeople = 20000;
constexpr int64_t kAsOf = 1793491200;  // 2026-11-01T00:00:00Z
constexpr int64_t kDay = 86400;

const char* const kFiles[] = {"accounts.csv", "people.csv", "bases.csv",
                              "purchases.csv", "suppression.csv", "events.csv"};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// One RFC 4180 record per line (the generator never writes line breaks
// inside fields).
std::vector<std::string> ParseCsvLine(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

struct Table {
  std::string header;
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  size_t lines = 0;

  int Col(const std::string& name) const {
    auto it = std::find(columns.begin(), columns.end(), name);
    return it == columns.end() ? -1 : static_cast<int>(it - columns.begin());
  }
};

Table LoadTable(const fs::path& path) {
  Table table;
  std::istringstream in(ReadFile(path));
  std::string line;
  while (std::getline(in, line)) {
    ++table.lines;
    if (table.lines == 1) {
      table.header = line;
      table.columns = ParseCsvLine(line);
    } else {
      table.rows.push_back(ParseCsvLine(line));
    }
  }
  return table;
}

// "2026-03-04T10:00:00Z" -> unix seconds, -1 if malformed.
int64_t ParseTime(const std::string& s) {
  if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':' || s[19] != 'Z') {
    return -1;
  }
  const int64_t y0 = std::stoll(s.substr(0, 4));
  const int64_t m = std::stoll(s.substr(5, 2));
  const int64_t d = std::stoll(s.substr(8, 2));
  const int64_t y = y0 - (m <= 2);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = era * 146097 + doe - 719468;
  return days * kDay + std::stoll(s.substr(11, 2)) * 3600 + std::stoll(s.substr(14, 2)) * 60 +
         std::stoll(s.substr(17, 2));
}

fs::path TestDir(const std::string& name) {
  return fs::path(::testing::TempDir()) /
         ("fairlead_gen_" + std::to_string(::getpid()) + "_" + name);
}

GenOptions Options(const fs::path& dir, uint64_t seed = 1) {
  GenOptions options;
  options.people = kPeople;
  options.seed = seed;
  options.out_dir = dir.string();
  options.as_of = kAsOf;
  return options;
}

class GeneratorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(TestDir("main"));
    counts_ = new GenCounts();
    progress_calls_ = new std::vector<std::pair<uint64_t, uint64_t>>();
    const Status status = Generate(Options(*dir_), counts_, [](uint64_t done, uint64_t total) {
      progress_calls_->emplace_back(done, total);
    });
    ASSERT_TRUE(status.ok()) << status.message();
    tables_ = new std::map<std::string, Table>();
    for (const char* file : kFiles) (*tables_)[file] = LoadTable(*dir_ / file);
  }

  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(*dir_, ec);
    delete tables_;
    delete progress_calls_;
    delete counts_;
    delete dir_;
  }

  static const Table& T(const std::string& file) { return tables_->at(file); }

  static std::set<std::string> Column(const std::string& file, const std::string& column) {
    const Table& table = T(file);
    const int col = table.Col(column);
    std::set<std::string> values;
    for (const auto& row : table.rows) values.insert(row.at(col));
    return values;
  }

  static fs::path* dir_;
  static GenCounts* counts_;
  static std::vector<std::pair<uint64_t, uint64_t>>* progress_calls_;
  static std::map<std::string, Table>* tables_;
};

fs::path* GeneratorTest::dir_ = nullptr;
GenCounts* GeneratorTest::counts_ = nullptr;
std::vector<std::pair<uint64_t, uint64_t>>* GeneratorTest::progress_calls_ = nullptr;
std::map<std::string, Table>* GeneratorTest::tables_ = nullptr;

TEST_F(GeneratorTest, HeaderLinesAreExact) {
  EXPECT_EQ(T("accounts.csv").header,
            "domain,name,industry,employee_band,revenue_band,hq_country,technologies");
  EXPECT_EQ(T("people.csv").header,
            "person_ref,first_name,last_name,email,email2,email_visibility,phone,title,"
            "seniority,function,country,region,recipient,stage,account_domain,collected_at,"
            "opt_out_offered,transparency_notice_sent_at");
  EXPECT_EQ(T("bases.csv").header,
            "email,basis,status,scope,channels,at,confirmed_at,expires_at,source,notice_version");
  EXPECT_EQ(T("purchases.csv").header, "email,family,kind,at");
  EXPECT_EQ(T("suppression.csv").header, "email");
  EXPECT_EQ(T("events.csv").header,
            "time,account_domain,person_email,topic,vendor,stage,action");
}

TEST_F(GeneratorTest, CountsMatchLineCounts) {
  EXPECT_EQ(counts_->accounts, kPeople / 10);
  EXPECT_EQ(counts_->people, kPeople);
  EXPECT_EQ(counts_->events, kPeople);  // events = 0 => as many as people
  EXPECT_EQ(T("accounts.csv").lines, counts_->accounts + 1);
  EXPECT_EQ(T("people.csv").lines, counts_->people + 1);
  EXPECT_EQ(T("bases.csv").lines, counts_->bases + 1);
  EXPECT_EQ(T("purchases.csv").lines, counts_->purchases + 1);
  EXPECT_EQ(T("suppression.csv").lines, counts_->suppressed + 1);
  EXPECT_EQ(T("events.csv").lines, counts_->events + 1);
  EXPECT_GT(counts_->bases, 0u);
  EXPECT_GT(counts_->purchases, 0u);
  EXPECT_GT(counts_->suppressed, 0u);
}

TEST_F(GeneratorTest, EveryRowHasTheHeaderColumnCount) {
  for (const char* file : kFiles) {
    const Table& table = T(file);
    for (size_t i = 0; i < table.rows.size(); ++i) {
      ASSERT_EQ(table.rows[i].size(), table.columns.size()) << file << " row " << i + 1;
    }
  }
}

TEST_F(GeneratorTest, ProgressIsReportedUpToTheTotal) {
  ASSERT_FALSE(progress_calls_->empty());
  const uint64_t total = kPeople / 10 + kPeople + kPeople;
  EXPECT_EQ(progress_calls_->back(), std::make_pair(total, total));
  for (size_t i = 1; i < progress_calls_->size(); ++i) {
    EXPECT_LE((*progress_calls_)[i - 1].first, (*progress_calls_)[i].first);
  }
}

TEST_F(GeneratorTest, SameOptionsGiveIdenticalBytes) {
  const fs::path dir = TestDir("again");
  GenCounts counts;
  ASSERT_TRUE(Generate(Options(dir), &counts).ok());
  for (const char* file : kFiles) {
    EXPECT_TRUE(ReadFile(*dir_ / file) == ReadFile(dir / file)) << file;
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}

TEST_F(GeneratorTest, DifferentSeedGivesDifferentData) {
  const fs::path dir = TestDir("seed2");
  GenCounts counts;
  ASSERT_TRUE(Generate(Options(dir, 2), &counts).ok());
  EXPECT_NE(ReadFile(*dir_ / "people.csv"), ReadFile(dir / "people.csv"));
  EXPECT_NE(ReadFile(*dir_ / "accounts.csv"), ReadFile(dir / "accounts.csv"));
  EXPECT_NE(ReadFile(*dir_ / "events.csv"), ReadFile(dir / "events.csv"));
  std::error_code ec;
  fs::remove_all(dir, ec);
}

TEST_F(GeneratorTest, PeopleEmailsAreUniqueLowercaseAscii) {
  const Table& people = T("people.csv");
  const int email = people.Col("email");
  const int email2 = people.Col("email2");
  std::set<std::string> seen;
  size_t second = 0;
  for (const auto& row : people.rows) {
    for (int col : {email, email2}) {
      const std::string& value = row[col];
      if (value.empty()) {
        ASSERT_EQ(col, email2) << "first email must be present";
        continue;
      }
      if (col == email2) ++second;
      ASSERT_TRUE(seen.insert(value).second) << "duplicate " << value;
      ASSERT_EQ(std::count(value.begin(), value.end(), '@'), 1) << value;
      for (char c : value) {
        ASSERT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
                    c == '@')
            << value;
      }
    }
  }
  EXPECT_NEAR(static_cast<double>(second) / kPeople, 0.15, 0.03);
}

TEST_F(GeneratorTest, AboutEightPercentGenericRoleAddresses) {
  const std::set<std::string> roles = {"info",  "sales", "contact", "office",    "hello",
                                       "support", "team", "admin",  "marketing", "enquiries"};
  size_t generic = 0;
  const Table& people = T("people.csv");
  const int email = people.Col("email");
  for (const auto& row : people.rows) {
    std::string local = row[email].substr(0, row[email].find('@'));
    while (!local.empty() && local.back() >= '0' && local.back() <= '9') local.pop_back();
    generic += roles.count(local);
  }
  EXPECT_NEAR(static_cast<double>(generic) / kPeople, 0.08, 0.015);
}

TEST_F(GeneratorTest, PeopleReferenceExistingAccounts) {
  const std::set<std::string> domains = Column("accounts.csv", "domain");
  EXPECT_EQ(domains.size(), T("accounts.csv").rows.size()) << "domains must be unique";
  const Table& people = T("people.csv");
  const int domain = people.Col("account_domain");
  const int email = people.Col("email");
  for (const auto& row : people.rows) {
    ASSERT_TRUE(domains.count(row[domain])) << row[domain];
    const std::string& e = row[email];
    ASSERT_EQ(e.substr(e.find('@') + 1), row[domain]);
  }
}

TEST_F(GeneratorTest, BasesAndSuppressionReferencePeople) {
  const std::set<std::string> emails = Column("people.csv", "email");
  const Table& bases = T("bases.csv");
  const int email = bases.Col("email");
  const int at = bases.Col("at");
  for (size_t i = 0; i < bases.rows.size(); ++i) {
    const auto& row = bases.rows[i];
    ASSERT_TRUE(emails.count(row[email])) << row[email];
    // Rows are in time order per person.
    if (i > 0 && bases.rows[i - 1][email] == row[email]) {
      ASSERT_LE(bases.rows[i - 1][at], row[at]) << row[email];
    }
  }
  for (const auto& row : T("suppression.csv").rows) {
    ASSERT_TRUE(emails.count(row[0])) << row[0];
  }
  for (const auto& row : T("purchases.csv").rows) {
    ASSERT_TRUE(emails.count(row[0])) << row[0];
  }
}

TEST_F(GeneratorTest, AllTimesAreAtOrBeforeAsOf) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> time_columns = {
      {"people.csv", {"collected_at", "transparency_notice_sent_at"}},
      {"bases.csv", {"at", "confirmed_at", "expires_at"}},
      {"purchases.csv", {"at"}},
      {"events.csv", {"time"}},
  };
  for (const auto& [file, columns] : time_columns) {
    const Table& table = T(file);
    for (const std::string& column : columns) {
      const int col = table.Col(column);
      for (const auto& row : table.rows) {
        if (row[col].empty()) continue;
        const int64_t t = ParseTime(row[col]);
        ASSERT_GE(t, kAsOf - 4 * 365 * kDay) << file << " " << column << " " << row[col];
        ASSERT_LE(t, kAsOf) << file << " " << column << " " << row[col];
      }
    }
  }
}

TEST_F(GeneratorTest, EventsAreWithinTheWindowAndAtTheirAccount) {
  const std::set<std::string> domains = Column("accounts.csv", "domain");
  const std::set<std::string> emails = Column("people.csv", "email");
  const Table& events = T("events.csv");
  size_t anonymous = 0;
  for (const auto& row : events.rows) {
    const int64_t t = ParseTime(row[0]);
    ASSERT_GE(t, kAsOf - 120 * kDay) << row[0];
    ASSERT_LE(t, kAsOf) << row[0];
    ASSERT_TRUE(domains.count(row[1])) << row[1];
    if (row[2].empty()) {
      ++anonymous;
    } else {
      ASSERT_TRUE(emails.count(row[2])) << row[2];
      ASSERT_EQ(row[2].substr(row[2].find('@') + 1), row[1]);
    }
  }
  EXPECT_NEAR(static_cast<double>(anonymous) / events.rows.size(), 0.5, 0.05);
}

TEST_F(GeneratorTest, FewAccountsAreHotMostHaveNoEvents) {
  std::map<std::string, size_t> per_account;
  for (const auto& row : T("events.csv").rows) ++per_account[row[1]];
  size_t max_events = 0;
  for (const auto& [domain, n] : per_account) max_events = std::max(max_events, n);
  const size_t accounts = T("accounts.csv").rows.size();
  EXPECT_GE(max_events, 20u);
  EXPECT_LT(per_account.size(), accounts / 2) << "most accounts must have no events";
}

TEST_F(GeneratorTest, ValuesComeFromTheVocabularies) {
  const auto in = [](const std::vector<std::string>& vocabulary, const std::string& value) {
    return std::find(vocabulary.begin(), vocabulary.end(), value) != vocabulary.end();
  };
  const Table& accounts = T("accounts.csv");
  for (const auto& row : accounts.rows) {
    ASSERT_TRUE(in(Industries(), row[2])) << row[2];
    ASSERT_TRUE(in(EmployeeBands(), row[3])) << row[3];
    ASSERT_TRUE(in(RevenueBands(), row[4])) << row[4];
    ASSERT_TRUE(in(Countries(), row[5])) << row[5];
    std::istringstream techs(row[6]);
    std::string tech;
    int n = 0;
    while (std::getline(techs, tech, ';')) {
      ASSERT_TRUE(in(Technologies(), tech)) << tech;
      ++n;
    }
    ASSERT_LE(n, 6);
  }
  const Table& people = T("people.csv");
  for (const auto& row : people.rows) {
    ASSERT_TRUE(in(Seniorities(), row[people.Col("seniority")]));
    ASSERT_TRUE(in(Functions(), row[people.Col("function")]));
    ASSERT_TRUE(in(Countries(), row[people.Col("country")]));
  }
  for (const auto& row : T("events.csv").rows) ASSERT_TRUE(in(Topics(), row[3])) << row[3];
}

TEST(GeneratorVocabularyTest, VocabulariesAreAsSpecified) {
  EXPECT_EQ(Seniorities(), (std::vector<std::string>{"entry", "senior", "manager", "director",
                                                     "vp", "cxo"}));
  EXPECT_EQ(EmployeeBands(),
            (std::vector<std::string>{"1-10", "11-50", "51-200", "201-500", "501-1000",
                                      "1001-5000", "5001-10000", "10001+"}));
  EXPECT_EQ(RevenueBands().size(), 8u);
  EXPECT_EQ(Functions().size(), 12u);
  EXPECT_EQ(Countries().size(), 30u);
  EXPECT_EQ(Topics().size(), 12u);
  EXPECT_GE(Industries().size(), 18u);
  EXPECT_LE(Industries().size(), 22u);
  EXPECT_GE(Technologies().size(), 180u);
  EXPECT_LE(Technologies().size(), 220u);
  const auto has = [](const std::vector<std::string>& v, const char* s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  EXPECT_TRUE(has(Industries(), "Software"));
  EXPECT_TRUE(has(Topics(), "security"));
  EXPECT_TRUE(has(Countries(), "US-CA"));
  EXPECT_TRUE(has(Technologies(), "kubernetes"));
  EXPECT_TRUE(has(Technologies(), "terraform"));
}

TEST(GeneratorErrorTest, RejectsBadOptionsAndReportsIoErrors) {
  GenOptions options;
  options.people = 10;
  GenCounts counts;
  EXPECT_EQ(Generate(options, &counts).code(), Status::Code::kInvalid);  // empty out_dir

  const fs::path dir = TestDir("errors");
  fs::create_directories(dir);
  options.out_dir = dir.string();
  options.as_of = 0;
  EXPECT_EQ(Generate(options, &counts).code(), Status::Code::kInvalid);

  // out_dir names a regular file: the directory cannot be created.
  const fs::path file = dir / "not_a_dir";
  std::ofstream(file) << "x";
  options.out_dir = file.string();
  options.as_of = kAsOf;
  const Status status = Generate(options, &counts);
  EXPECT_EQ(status.code(), Status::Code::kIo);
  EXPECT_NE(status.message().find("not_a_dir"), std::string::npos) << status.message();
  std::error_code ec;
  fs::remove_all(dir, ec);
}

// A failing write (here: the file size limit, standing in for a full disk)
// is reported as kIo naming the file.
TEST(GeneratorErrorTest, WriteFailureIsReportedWithTheFileName) {
  const fs::path dir = TestDir("full");
  rlimit saved;
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
  rlimit limited = saved;
  limited.rlim_cur = 256 * 1024;
  const auto previous = signal(SIGXFSZ, SIG_IGN);
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &limited), 0);
  GenOptions options = Options(dir);
  GenCounts counts;
  const Status status = Generate(options, &counts);
  setrlimit(RLIMIT_FSIZE, &saved);
  signal(SIGXFSZ, previous);
  EXPECT_EQ(status.code(), Status::Code::kIo);
  EXPECT_NE(status.message().find("people.csv"), std::string::npos) << status.message();
  std::error_code ec;
  fs::remove_all(dir, ec);
}

TEST(GeneratorErrorTest, TinyRunsWork) {
  const fs::path dir = TestDir("tiny");
  GenOptions options;
  options.people = 3;
  options.events = 7;
  options.out_dir = (dir / "nested").string();  // created with parents
  GenCounts counts;
  ASSERT_TRUE(Generate(options, &counts).ok());
  EXPECT_EQ(counts.accounts, 1u);
  EXPECT_EQ(counts.people, 3u);
  EXPECT_EQ(counts.events, 7u);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace fairlead::gen
