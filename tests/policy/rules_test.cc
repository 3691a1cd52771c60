#include "policy/rules.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "policy/decide.h"

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
           {"version = \"2026-11-25.3\"", "", "version: missing"},
           {"valid_from = 2023-07-10", "valid_from = 2023-13-10", "default-rules.toml:"},
           {"country = \"IE\"", "country = \"GB\"", "overlaps"},
           {"unknown_country_double_opt_in = false", "unknown_country_double_optin = true",
            "readings.unknown_country_double_optin: unknown choice"},
           {"soft_opt_in_window_includes_cutoff = false", "soft_opt_in_window_includes_cutoff = \"no\"",
            "readings.soft_opt_in_window_includes_cutoff: must be true or false"},
           // A misspelt key would leave its rule out: refused, naming it and the known ones.
           {"job_relevance = true", "job_relevence = true", "default-rules.toml:53: email[2].job_relevence: unknown key (known: country,"},
           {"eea_territories =", "eea_teritories =", "transfers.eea_teritories: unknown key"},
           {"region = \"AD\"", "region = \"AD\"\nvalid_until = 2030-01-01", "adequacy[0].valid_until: unknown key"},
           {"[transfers]", "[transfer]\neea = []\n[transfers]", "transfer: unknown key (known: version,"},
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

TEST(Rules, AByteOrderMarkIsSkipped) {
  std::string text(DefaultRulesText());
  Result<Rules> plain = ParseRules(text, "r.toml");
  Result<Rules> marked = ParseRules("\xEF\xBB\xBF" + text, "r.toml");
  ASSERT_TRUE(marked.ok()) << marked.status().ToString();
  EXPECT_EQ(marked->rows.size(), plain->rows.size());
  EXPECT_EQ(marked->rows[0].line, plain->rows[0].line);
}

// The [readings] table: the default reading when left out (the stricter one where the
// spec's words leave a choice, else the words'); each choice switches one reading of
// docs/policy-readings.md, and only that one.
TEST(Rules, ReadingsChooseTheOtherReadingWhereTheSpecLeavesAChoice) {
  const std::string text(DefaultRulesText());
  const size_t table = text.find("[readings]");
  ASSERT_NE(table, std::string::npos);
  const size_t end = text.find("\n\n", table);
  const std::string without = text.substr(0, table) + text.substr(end + 2);
  Result<Rules> defaults = ParseRules(without, "no-readings.toml");
  ASSERT_TRUE(defaults.ok()) << defaults.status().ToString();
  EXPECT_TRUE(defaults->readings.unknown_country_transfer_rule);
  EXPECT_FALSE(defaults->readings.unknown_country_double_opt_in);
  EXPECT_FALSE(defaults->readings.unscoped_records_renew_retention);
  EXPECT_FALSE(defaults->readings.soft_opt_in_window_includes_cutoff);
  EXPECT_FALSE(defaults->readings.anonymize_every_denied_track);
  EXPECT_FALSE(defaults->readings.job_functions_ignore_case);
  EXPECT_FALSE(defaults->readings.confirmation_may_precede_grant);
  EXPECT_FALSE(defaults->readings.gb_ch_subjects_may_send_to_eea);
  EXPECT_TRUE(defaults->readings.kind_scopes_withdraw_whole_kind);

  auto with = [&](const std::string& line) {
    const std::string key = line.substr(0, line.find(' '));
    std::string t = text;
    const size_t k = t.find(key + " = ");
    EXPECT_NE(k, std::string::npos) << key;
    t.replace(k, t.find('\n', k) - k, line);
    Result<Rules> r = ParseRules(t, "readings.toml");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Rules();
  };
  const Time at = 1749945600;  // 2025-06-15
  auto decision = [&](const Rules& rules, const Subject& s, const Purpose* p, Action action, const Destination* dest) {
    DecisionRequest req;
    req.subject = &s;
    req.purpose = p;
    req.action = action;
    req.channel = Channel::kEmail;
    req.role = Role::kAdmin;
    req.destination = dest;
    req.at = at;
    Result<Decision> d = Decide(rules, req);
    EXPECT_TRUE(d.ok());
    return d.ok() ? *d : Decision();
  };
  auto decide = [&](const Rules& rules, const Subject& s, const Purpose* p, Action action, const Destination* dest) {
    return decision(rules, s, p, action, dest).reasons;
  };
  const Rules& strict = *defaults;  // the defaults

  // 7: an unknown country's export to India.
  Subject nowhere;
  Destination india;
  india.region = "IN";
  EXPECT_EQ(decide(strict, nowhere, nullptr, Action::kExport, &india), std::vector<Reason>{Reason::kTransferNotPermitted});
  EXPECT_EQ(decide(with("unknown_country_transfer_rule = false"), nowhere, nullptr, Action::kExport, &india),
            std::vector<Reason>{Reason::kExportAllowed});

  // 7: a GB subject sent into the EEA (DE) needs a mechanism unless the reading lets it pass.
  Subject briton;
  briton.country = "GB";
  Destination germany;
  germany.region = "DE";
  EXPECT_EQ(decide(strict, briton, nullptr, Action::kExport, &germany),
            std::vector<Reason>{Reason::kTransferNotPermitted});
  EXPECT_EQ(decide(with("gb_ch_subjects_may_send_to_eea = true"), briton, nullptr, Action::kExport, &germany),
            std::vector<Reason>{Reason::kExportAllowed});
  EXPECT_EQ(decide(strict, nowhere, nullptr, Action::kExport, &germany),
            std::vector<Reason>{Reason::kTransferNotPermitted});
  EXPECT_EQ(decide(with("gb_ch_subjects_may_send_to_eea = true"), nowhere, nullptr, Action::kExport, &germany),
            std::vector<Reason>{Reason::kExportAllowed});
  Subject french;
  french.country = "FR";
  EXPECT_EQ(decide(strict, french, nullptr, Action::kExport, &germany), std::vector<Reason>{Reason::kExportAllowed});

  // 13: a sale exactly 12 months back in IE.
  Purpose marketing;
  marketing.id = "marketing.security";
  marketing.kind = PurposeKind::kMarketing;
  marketing.family = "security";
  Subject buyer;
  buyer.country = "IE";
  buyer.recipient = Recipient::kConsumer;
  buyer.opt_out_offered_at_collection = true;
  buyer.emails = {{"a@b.ie", EmailType::kPersonal, Visibility::kVisible}};
  buyer.purchases = {{"security", PurchaseKind::kSale, 1718409600}};  // 2024-06-15
  EXPECT_EQ(decide(strict, buyer, &marketing, Action::kContact, nullptr)[0], Reason::kNoLawfulBasis);
  EXPECT_EQ(decide(with("soft_opt_in_window_includes_cutoff = true"), buyer, &marketing, Action::kContact, nullptr)[0],
            Reason::kSoftOptIn);

  // 5: an unknown country's unconfirmed grant.
  Subject granted;
  granted.emails = buyer.emails;
  BasisRecord grant;
  grant.basis = LawfulBasis::kConsent;
  grant.status = BasisStatus::kGranted;
  grant.scopes = {"marketing"};
  grant.channels = ChannelBit(Channel::kEmail);
  grant.channels_given = true;
  grant.at = 1735689600;  // 2025-01-01
  granted.bases = {grant};
  EXPECT_EQ(decide(strict, granted, &marketing, Action::kContact, nullptr), std::vector<Reason>{Reason::kConsent});
  EXPECT_EQ(decide(with("unknown_country_double_opt_in = true"), granted, &marketing, Action::kContact, nullptr),
            (std::vector<Reason>{Reason::kNoLawfulBasis, Reason::kConsentUnconfirmed}));

  // 15: tracking an erased subject (step 1 decides; step 9's obligation is not reached).
  Subject erased = granted;
  erased.erased = true;
  Decision track = decision(strict, erased, &marketing, Action::kTrack, nullptr);
  EXPECT_EQ(track.reasons, std::vector<Reason>{Reason::kSubjectErased});
  EXPECT_TRUE(track.obligations.empty());
  track = decision(with("anonymize_every_denied_track = true"), erased, &marketing, Action::kTrack, nullptr);
  EXPECT_EQ(track.reasons, std::vector<Reason>{Reason::kSubjectErased});
  EXPECT_EQ(track.obligations, std::vector<Obligation>{Obligation::kAnonymizeToAccount});

  // 20: a French corporate personal address whose function differs from the purpose's
  // only in case.
  Subject engineer;
  engineer.country = "FR";
  engineer.recipient = Recipient::kCorporate;
  engineer.function = "it security";
  engineer.emails = {{"a.martin@b.fr", EmailType::kPersonal, Visibility::kVisible}};
  Purpose relevant = marketing;
  relevant.lia = "LIA-1";
  relevant.job_functions = {"IT Security"};
  EXPECT_EQ(decide(strict, engineer, &relevant, Action::kContact, nullptr)[0], Reason::kNoLawfulBasis);
  EXPECT_EQ(decide(with("job_functions_ignore_case = true"), engineer, &relevant, Action::kContact, nullptr)[0],
            Reason::kLegitimateInterest);
  engineer.function = "IT Security";
  EXPECT_EQ(decide(strict, engineer, &relevant, Action::kContact, nullptr)[0], Reason::kLegitimateInterest);

  // 21: double opt-in (a German subject) confirmed a day before the grant it would confirm.
  Subject german;
  german.country = "DE";
  german.recipient = Recipient::kConsumer;
  german.emails = buyer.emails;
  BasisRecord early = grant;
  early.confirmed_at = grant.at - 86400;
  german.bases = {early};
  TenantSettings tenant;
  tenant.double_opt_in_countries = {"DE"};
  auto with_tenant = [&](const Rules& rules) {
    DecisionRequest req;
    req.subject = &german;
    req.purpose = &marketing;
    req.action = Action::kContact;
    req.channel = Channel::kEmail;
    req.role = Role::kAdmin;
    req.tenant = &tenant;
    req.at = at;
    Result<Decision> d = Decide(rules, req);
    EXPECT_TRUE(d.ok());
    return d.ok() ? d->reasons : std::vector<Reason>();
  };
  EXPECT_EQ(with_tenant(strict), (std::vector<Reason>{Reason::kNoLawfulBasis, Reason::kConsentUnconfirmed}));
  EXPECT_EQ(with_tenant(with("confirmation_may_precede_grant = true")), std::vector<Reason>{Reason::kConsent});
  german.bases[0].confirmed_at = grant.at;  // confirmed the same instant: it confirms
  EXPECT_EQ(with_tenant(strict), std::vector<Reason>{Reason::kConsent});

  // 22: a withdrawal scoped `marketing` for a marketing purpose whose id lies elsewhere.
  Purpose newsletter;
  newsletter.id = "newsletter.monthly";
  newsletter.kind = PurposeKind::kMarketing;
  newsletter.lia = "LIA-1";
  Subject briton_corp;
  briton_corp.country = "GB";
  briton_corp.recipient = Recipient::kCorporate;
  briton_corp.emails = {{"jo@acme.co.uk", EmailType::kPersonal, Visibility::kVisible}};
  BasisRecord withdrawn = grant;
  withdrawn.status = BasisStatus::kWithdrawn;
  briton_corp.bases = {withdrawn};
  EXPECT_EQ(decide(strict, briton_corp, &newsletter, Action::kContact, nullptr),
            std::vector<Reason>{Reason::kConsentWithdrawn});
  EXPECT_EQ(decide(with("kind_scopes_withdraw_whole_kind = false"), briton_corp, &newsletter, Action::kContact,
                   nullptr),
            std::vector<Reason>{Reason::kLegitimateInterest});
  // A grant so scoped never reaches past its prefix, whatever the reading.
  briton_corp.bases[0].status = BasisStatus::kGranted;
  newsletter.lia.clear();
  EXPECT_EQ(decide(strict, briton_corp, &newsletter, Action::kContact, nullptr),
            std::vector<Reason>{Reason::kNoLawfulBasis});

  // 6: a withdrawn record without scope after data collected long ago.
  Subject old;
  old.country = "US";
  old.collected_at = 1672531200;  // 2023-01-01
  BasisRecord unscoped;
  unscoped.basis = LawfulBasis::kConsent;
  unscoped.status = BasisStatus::kWithdrawn;
  unscoped.at = 1746057600;  // 2025-05-01
  old.bases = {unscoped};
  Purpose kept = marketing;
  kept.retention_days = 365;
  EXPECT_EQ(decide(strict, old, &kept, Action::kExport, nullptr), std::vector<Reason>{Reason::kRetentionExpired});
  EXPECT_NE(decide(with("unscoped_records_renew_retention = true"), old, &kept, Action::kExport, nullptr)[0],
            Reason::kRetentionExpired);
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
