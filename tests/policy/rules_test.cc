#include "policy/rules.h"

#include <gtest/gtest.h>

#include <string>

namespace fairlead {
namespace {

Rules Default() {
  Result<Rules> r = ParseRules(DefaultRulesText(), "default-rules.toml");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return *r;
}

TEST(Rules, DefaultFileHoldsEveryJurisdictionsRow) {
  Rules r = Default();
  Time now = *ParseTime("2026-01-01");
  for (const char* c : {"GB", "IE", "FR", "DE", "NL", "BE", "ES", "IT", "AT", "DK", "FI", "SE", "PL", "US", "CA"}) {
    const MarketingRow* row = r.FindRow(RuleTable::kEmail, c, now);
    ASSERT_NE(row, nullptr) << c;
    EXPECT_EQ(row->country, c);
    EXPECT_FALSE(row->citation.empty());
  }
  EXPECT_EQ(r.FindRow(RuleTable::kEmail, "JP", now)->country, "*");
  EXPECT_EQ(r.FindRow(RuleTable::kEmail, "US-CA", now)->country, "US");
  EXPECT_EQ(r.FindRow(RuleTable::kEmail, "", now), nullptr);
  const MarketingRow* gb = r.FindRow(RuleTable::kEmail, "GB", now);
  EXPECT_EQ(gb->soft_opt_in, SoftOptIn::kNegotiation);
  EXPECT_FALSE(gb->window_months.has_value());
  EXPECT_EQ(r.FindRow(RuleTable::kEmail, "IE", now)->window_months, 12);
  EXPECT_EQ(r.FindRow(RuleTable::kEmail, "CA", now)->window_months, 24);
  EXPECT_TRUE(r.FindRow(RuleTable::kEmail, "FR", now)->job_relevance);
  EXPECT_TRUE(r.FindRow(RuleTable::kEmail, "FI", now)->job_relevance);
  EXPECT_EQ(r.FindRow(RuleTable::kEmail, "BE", now)->regime[static_cast<int>(RecipientClass::kCorporatePersonal)], Regime::kIn);
  EXPECT_EQ(r.FindRow(RuleTable::kEmail, "BE", now)->regime[static_cast<int>(RecipientClass::kCorporateGeneric)], Regime::kOut);
  EXPECT_EQ(r.FindRow(RuleTable::kPhone, "DE", now)->regime[static_cast<int>(RecipientClass::kConsumer)], Regime::kIn);
  EXPECT_EQ(r.FindRow(RuleTable::kPhone, "DE", now)->regime[static_cast<int>(RecipientClass::kCorporatePersonal)], Regime::kOut);
  EXPECT_EQ(r.FindRow(RuleTable::kPhone, "FR", now)->country, "*");
  EXPECT_EQ(r.FindRow(RuleTable::kPost, "DE", now)->regime[0], Regime::kOut);
  EXPECT_EQ(r.eea.size(), 30u);
}

TEST(Rules, TransfersAreTimeAware) {
  Rules r = Default();
  std::string ref;
  auto needs = [&](const char* region, bool certified, const char* date) {
    return r.TransferNeedsMechanism("DE", region, certified, *ParseTime(date), &ref);
  };
  EXPECT_FALSE(needs("FR", false, "2026-01-01"));
  EXPECT_FALSE(needs("NO", false, "2026-01-01"));
  EXPECT_TRUE(needs("JP", false, "2019-01-22"));
  EXPECT_FALSE(needs("JP", false, "2019-01-23"));
  EXPECT_TRUE(needs("US", false, "2024-01-01"));
  EXPECT_FALSE(needs("US", true, "2024-01-01"));
  EXPECT_FALSE(needs("US", true, "2010-01-01"));   // Safe Harbor
  EXPECT_TRUE(needs("US", true, "2015-10-06"));    // struck down that day
  EXPECT_FALSE(needs("US", true, "2018-01-01"));   // Privacy Shield
  EXPECT_TRUE(needs("US", true, "2021-01-01"));    // the gap
  EXPECT_TRUE(needs("US", true, "2023-07-09"));
  EXPECT_FALSE(needs("US", true, "2023-07-10"));   // DPF
  EXPECT_TRUE(needs("GB", false, "2021-06-27"));
  EXPECT_FALSE(needs("GB", false, "2021-06-28"));
  EXPECT_TRUE(needs("CN", false, "2026-01-01"));
  EXPECT_TRUE(r.IsProtectedOrigin("DE"));
  EXPECT_TRUE(r.IsProtectedOrigin("GB"));
  EXPECT_TRUE(r.IsProtectedOrigin("CH"));
  EXPECT_FALSE(r.IsProtectedOrigin("US-CA"));
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  size_t pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  return s.replace(pos, from.size(), to);
}

TEST(Rules, BadFilesNameTheLineAndField) {
  std::string text(DefaultRulesText());
  struct Case { std::string from, to, expect; };
  for (const Case& c : std::vector<Case>{
           {"consumer = \"in\"", "consumer = \"maybe\"", "email[0].consumer: must be \"in\" or \"out\""},
           {"soft_opt_in = \"neg\"", "soft_opt_in = \"often\"", "email[0].soft_opt_in"},
           {"window_months = 12", "window_months = \"twelve\"", "email[1].window_months"},
           {"country = \"GB\"", "country = \"Britain\"", "email[0].country"},
           {"citation = \"S.I. 336/2011 reg. 13\"", "citation = \"\"", "email[1].citation"},
           {"version = \"2026-11-25.1\"", "", "version: missing"},
           {"valid_from = 2023-07-10", "valid_from = 2023-13-10", "default-rules.toml:"},
           {"country = \"IE\"", "country = \"GB\"", "overlaps"},
       }) {
    Result<Rules> r = ParseRules(Replace(text, c.from, c.to), "default-rules.toml");
    ASSERT_FALSE(r.ok()) << c.to;
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find("default-rules.toml"), std::string::npos) << r.status().message();
  }
  Result<Rules> r = ParseRules(Replace(text, "consumer = \"in\"", "consumer = \"maybe\""), "f.toml");
  // The first [[email]] row's consumer line: the message carries its line number.
  EXPECT_NE(r.status().message().find("f.toml:"), std::string::npos);
}

}  // namespace
}  // namespace fairlead

namespace fairlead {
namespace {

TEST(Rules, NonAsciiOnlyInsideStringsAndComments) {
  std::string text(DefaultRulesText());
  // Accepted: in comments and single-line strings (the default file has § in citations).
  ASSERT_TRUE(ParseRules("# Zoë\n" + text, "r.toml").ok());
  // Refused with its position elsewhere (toml++ 3.3.0 would reach undefined behaviour).
  Result<Rules> r = ParseRules("version = \"1\"\n\xc2\xa7 = 1\n", "r.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("r.toml:2:1: non-ASCII"), std::string::npos) << r.status().message();
  r = ParseRules("x = \"\"\"\nZoë\"\"\"\n", "r.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("multi-line"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace fairlead
