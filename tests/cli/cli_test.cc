// End-to-end: the real binary on a temporary data directory.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <fstream>

#include "testing/cli_fixture.h"

namespace fairlead {
namespace {

TEST_F(CliTest, DecideScenarioObjectAndArray) {
  std::string one = Write("one.json", R"({"subject":{"country":"DE","recipient":"corporate","email":"jo@x.de"},
    "purpose":{"id":"marketing","kind":"marketing","lia":"LIA-1"},"action":"contact","channel":"email",
    "actor":{"role":"list_builder"},"at":"2026-01-01"})");
  CmdRun r = Fl("decide --scenario " + one);
  ASSERT_EQ(r.code, 0) << r.out;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["allow"], false);
  EXPECT_EQ(j["reasons"][0], "NO_LAWFUL_BASIS");
  EXPECT_NE(j["rule_refs"].dump().find("email:DE"), std::string::npos);
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << "one line";

  std::string arr = Write("arr.json", R"([{"subject":{"country":"GB","recipient":"corporate","email":"jo@x.co.uk"},
    "purpose":{"id":"marketing","kind":"marketing","lia":"LIA-1"},"action":"contact","channel":"email","at":"2026-01-01"},
    {"subject":{"country":"GB","erased":true},"action":"view","at":"2026-01-01"}])");
  r = Fl("decide --scenario " + arr);
  ASSERT_EQ(r.code, 0) << r.out;
  j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["reasons"][0], "LEGITIMATE_INTEREST");
  EXPECT_EQ(j[0]["basis"], "legitimate_interest");
  EXPECT_EQ(j[1]["reasons"][0], "SUBJECT_ERASED");
}

// A static list re-decides at use every decision in its filter, not only the eligible()
// terms of its top-level `and`: one under `or`, and one inside a list it names.
TEST_F(CliTest, AStaticListReDecidesEveryDecisionInItsFilter) {
  InitWithPeople("email,first_name,title,country,recipient,account_domain\n"
                 "ann@acme.fr,Ann,Engineer,FR,consumer,acme.fr\n"
                 "bob@acme.fr,Bob,Engineer,FR,consumer,acme.fr\n");
  for (const char* who : {"ann", "bob"})
    ASSERT_EQ(Fl(std::string("consent add --person ") + who +
                 "@acme.fr --status granted --scope marketing --channels email --at 2025-01-01")
                  .code, 0);
  ASSERT_EQ(Fl("list create either --static --filter \"country = FR and (eligible(marketing.security, email) or "
               "eligible(marketing.cloud, email))\" --at 2026-01-01").code, 0);
  ASSERT_EQ(Fl("list create elig --filter \"eligible(marketing.security, email)\"").code, 0);
  ASSERT_EQ(Fl("list create snap --static --filter \"list:elig and country = FR\" --at 2026-01-01").code, 0);
  EXPECT_EQ(Fl("list export-ids either --at 2026-01-01").out, "1\n2\n");
  EXPECT_EQ(Fl("list export-ids snap --at 2026-01-01").out, "1\n2\n");
  ASSERT_EQ(Fl("consent add --person ann@acme.fr --status withdrawn --scope marketing --channels email --at 2025-06-01")
                .code, 0);
  EXPECT_EQ(Fl("list export-ids either --at 2026-01-01").out, "2\n");
  EXPECT_EQ(Fl("list export-ids snap --at 2026-01-01").out, "2\n");
  CmdRun r = Fl("explain --person ann@acme.fr --list either --at 2026-01-01");
  EXPECT_NE(r.out.find("OUT"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("in the snapshot, but no longer allowed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CONSENT_WITHDRAWN"), std::string::npos) << r.out;
  r = Fl("list assign either --user '  '");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("--user: must name a user"), std::string::npos) << r.out;
}

// In an array, a scenario that cannot be read is an error in its place; the others are
// still decided (and the exit status is 1).
TEST_F(CliTest, DecideArrayAnswersEveryScenarioItCanRead) {
  std::string arr = Write("mixed.json", R"([{"subject":{"country":"GB"},"action":"view","at":"2026-01-01"},
    {"subject":{"recipient":"robot"},"action":"view"},
    {"subject":{"country":"GB"},"action":"contact","purpose":"marketing.x","at":"2026-01-01"},
    {"subject":{"country":"GB","erased":true},"action":"view","at":"2026-01-01"},
    {"subject":{},"action":"view","action":"export"}])");
  CmdRun r = Fl("decide --scenario " + arr);
  EXPECT_EQ(r.code, 1) << r.out;
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 5u) << r.out;
  EXPECT_EQ(j[4]["error"], arr + "[4]: key 'action' is given twice in one object");
  EXPECT_EQ(j[0]["reasons"][0], "VIEW_ALLOWED");
  EXPECT_EQ(j[1]["error"], arr + "[1].subject.recipient: must be one of consumer, sole_trader or corporate, not 'robot'");
  EXPECT_NE(j[2]["error"].get<std::string>().find(arr + "[2].channel: missing"), std::string::npos) << j[2];
  EXPECT_EQ(j[3]["reasons"][0], "SUBJECT_ERASED");
}

// Inputs a scenario writer plausibly sends in another shape are read for what they say.
TEST_F(CliTest, DecideReadsPlausibleShapesOfTheSameInput) {
  auto decide = [&](const std::string& name, const std::string& text) {
    CmdRun r = Fl("decide --scenario " + Write(name, text));
    EXPECT_EQ(r.code, 0) << name << ": " << r.out;
    return r.code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json();
  };
  // Enum words in any case; `lia: true`; `retention_days` as 365.0.
  nlohmann::json j = decide("case.json", R"({"subject":{"country":"GB","recipient":"Corporate","emails":"jo@x.co.uk",
    "collected_at":"2025-06-01"},
    "purpose":{"id":"marketing.x","kind":"Marketing","lia":true,"retention_days":365.0},"action":"Contact",
    "channel":"EMAIL","actor":"Admin","at":"2026-01-01"})");
  EXPECT_EQ(j["reasons"], nlohmann::json::array({"LEGITIMATE_INTEREST"})) << j;
  EXPECT_EQ(j["basis"], "legitimate_interest") << j;
  // A destination given as its region.
  j = decide("dest.json", R"({"subject":{"country":"DE"},"action":"export","actor":"admin",
    "destination":"IN","at":"2026-01-01"})");
  EXPECT_EQ(j["reasons"][0], "TRANSFER_NOT_PERMITTED") << j;
  // `suppressed` inside the subject still denies.
  j = decide("supp.json", R"({"subject":{"country":"DE","suppressed":true},"action":"view","at":"2026-01-01"})");
  EXPECT_EQ(j["reasons"][0], "SUPPRESSED") << j;
  // retention_days must still be whole.
  CmdRun r = Fl("decide --scenario " + Write("half.json", R"({"subject":{},"purpose":{"id":"m","retention_days":1.5},
    "action":"view"})"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("purpose.retention_days: must be a whole number"), std::string::npos) << r.out;
  r = Fl("decide --scenario " + Write("huge.json", R"({"subject":{},"purpose":{"id":"m","retention_days":1e300},
    "action":"view"})"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("purpose.retention_days: must be a whole number"), std::string::npos) << r.out;
}

TEST_F(CliTest, DecideErrorsNameTheField) {
  CmdRun r = Fl("decide --scenario " + Write("bad.json", R"({"subject":{"recipient":"robot"},"action":"view"})"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("subject.recipient"), std::string::npos) << r.out;
  r = Fl("decide --scenario " + Write("syntax.json", "{\n \"subject\": {,\n}"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("line 2"), std::string::npos) << r.out;
  r = Fl("decide --scenario " + Write("noch.json", R"({"subject":{},"purpose":"marketing","action":"contact"})"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("channel"), std::string::npos) << r.out;
  EXPECT_EQ(Fl("decide").code, 2) << "usage error";
}

TEST_F(CliTest, ImportThenWhyExplainsWithRecords) {
  ASSERT_EQ(Fl("init").code, 0);
  std::string people = Write("people.csv", "email,first_name,country,recipient,stage\n"
                                           "anna@firma.de,Anna,DE,corporate,prospect\n"
                                           "bob@corp.co.uk,Bob,GB,corporate,suspect\n");
  CmdRun r = Fl("import people " + people + " --source crm");
  ASSERT_EQ(r.code, 0) << r.out;
  std::string bases = Write("bases.csv", "email,basis,status,scope,channels,at,confirmed_at\n"
                                         "anna@firma.de,consent,granted,marketing,email,2025-01-01,2025-01-02\n"
                                         "anna@firma.de,consent,withdrawn,marketing,email,2025-03-01,\n");
  ASSERT_EQ(Fl("import bases " + bases).code, 0);
  r = Fl("why --person anna@firma.de --purpose marketing.security --channel email --at 2026-01-01");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("DENIED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CONSENT_WITHDRAWN"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("basis record #2"), std::string::npos) << r.out;
  r = Fl("why --person bob@corp.co.uk --purpose marketing.security --channel email --at 2026-01-01");
  EXPECT_NE(r.out.find("ALLOWED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("LEGITIMATE_INTEREST"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("PECR"), std::string::npos) << r.out;
  r = Fl("why --person nobody@x.com --purpose marketing");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("no person"), std::string::npos);
  // A suppressed person: the explanation names the address and its list.
  ASSERT_EQ(Fl("suppress add --list unsubscribed bob@corp.co.uk").code, 0);
  r = Fl("why --person bob@corp.co.uk --purpose marketing.security --channel email --at 2026-01-01");
  EXPECT_NE(r.out.find("SUPPRESSED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("address bob@corp.co.uk is on suppression list 'unsubscribed'"), std::string::npos) << r.out;
  r = Fl("why --person anna@firma.de --purpose marketing.security --channel email --at 2026-01-01");
  EXPECT_EQ(r.out.find("suppression list"), std::string::npos) << r.out;
}

TEST_F(CliTest, ImportExitCodesAndSuppression) {
  std::string bad = Write("bad.csv", "email,country\nok@x.com,DE\nbroken,DE\n");
  CmdRun r = Fl("import people " + bad);
  EXPECT_EQ(r.code, 4) << r.out;
  EXPECT_NE(r.out.find("bad.csv:3: email:"), std::string::npos) << r.out;
  r = Fl("import people " + bad + " --partial");
  EXPECT_EQ(r.code, 3) << r.out;
  ASSERT_EQ(Fl("suppress add --list manual Gone@X.com").code, 0);
  r = Fl("suppress check gone@x.com ok@x.com");
  EXPECT_NE(r.out.find("gone@x.com: suppressed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ok@x.com: not suppressed"), std::string::npos) << r.out;
  r = Fl("import people " + Write("g.csv", "email\ngone@x.com\n") + " --json");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("\"suppressed\":1"), std::string::npos) << r.out;
}

TEST_F(CliTest, BadRulesFileStopsEveryCommandWithItsLine) {
  ASSERT_EQ(Fl("init").code, 0);
  std::string rules = dir_ + "/data/rules.toml";
  ASSERT_EQ(std::system(("sed -i '0,/consumer = \"in\"/s//consumer = \"sometimes\"/' '" + rules + "'").c_str()), 0);
  CmdRun r = Fl("purpose list");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("rules.toml:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("email[0].consumer"), std::string::npos) << r.out;
  EXPECT_EQ(Fl("rules check " + rules).code, 1);
}

}  // namespace
}  // namespace fairlead

namespace fairlead {
namespace {

TEST_F(CliTest, SearchListsExplainAndAWithdrawalDropsAPersonOut) {
  ASSERT_EQ(Fl("init").code, 0);
  std::string accounts = Write("a.csv", "domain,name,industry,employee_band,hq_country,technologies\n"
                                        "acme.co.uk,Acme,Software,201-500,GB,kubernetes;terraform\n"
                                        "beta.de,Beta,Retail,11-50,DE,salesforce\n");
  ASSERT_EQ(Fl("import accounts " + accounts).code, 0);
  std::string people = Write("p.csv", "email,first_name,country,recipient,seniority,account_domain\n"
                                      "ann@acme.co.uk,Ann,GB,corporate,director,acme.co.uk\n"
                                      "bob@acme.co.uk,Bob,GB,corporate,entry,acme.co.uk\n"
                                      "cem@beta.de,Cem,DE,corporate,cxo,beta.de\n");
  ASSERT_EQ(Fl("import people " + people).code, 0);
  CmdRun r = Fl("search \"seniority >= director and eligible(marketing, email)\" --count --at 2026-01-01");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(r.out, "1\n") << "Ann (GB, opt-out regime with an LIA); Cem is in DE (consent needed)";
  r = Fl("search \"any(tech: [terraform]) and not seniority = entry\" --json --at 2026-01-01");
  EXPECT_NE(r.out.find("\"name\":\"Ann \""), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("Bob"), std::string::npos) << r.out;
  r = Fl("search \"country in (GB\"");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("column 15"), std::string::npos) << r.out;

  ASSERT_EQ(Fl("list create leads --static --filter \"eligible(marketing, email)\" --at 2026-01-01").code, 0);
  ASSERT_EQ(Fl("list assign leads --user sam").code, 0);
  r = Fl("list export-ids leads --at 2026-01-01");
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2) << r.out;  // Ann and Bob
  // Ann objects: the static list is re-decided at use and she drops out.
  ASSERT_EQ(Fl("object --person ann@acme.co.uk --at 2025-12-01").code, 0);
  r = Fl("list export-ids leads --at 2026-01-01");
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  r = Fl("explain --person ann@acme.co.uk --list leads --at 2026-01-01");
  EXPECT_NE(r.out.find("OUT"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("OBJECTED"), std::string::npos) << r.out;
  // Through a sub-list: explain looks inside the list it names.
  ASSERT_EQ(Fl("list create leads_gb --filter \"list:leads and country = GB\"").code, 0);
  r = Fl("explain --person ann@acme.co.uk --list leads_gb --at 2026-01-01");
  EXPECT_NE(r.out.find("is OUT of list leads_gb"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("NO  list:leads"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("inside list leads: OUT (in the snapshot, but no longer allowed (a decision or list term now "
                       "excludes them))"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("    NO  eligible(marketing, email)\n          OBJECTED"), std::string::npos) << r.out;
  r = Fl("explain --person ann@acme.co.uk --list leads_gb --at 2026-01-01 --json");
  EXPECT_NE(r.out.find("\"lists\":{\"leads\":{\"in\":false"), std::string::npos) << r.out;
  r = Fl("list show");
  EXPECT_NE(r.out.find("assigned to sam"), std::string::npos) << r.out;
  // Suppressed: explain names the address and the list to an admin (who may still
  // view the person); to anyone else the person is out, unviewable, with no address.
  ASSERT_EQ(Fl("suppress add --list robinson cem@beta.de").code, 0);
  r = Fl("explain --person cem@beta.de --filter \"country = DE\" --at 2026-01-01 --role admin");
  EXPECT_NE(r.out.find("suppressed: address cem@beta.de is on suppression list 'robinson'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("is IN the filter"), std::string::npos) << r.out;
  r = Fl("explain --person cem@beta.de --filter \"country = DE\" --at 2026-01-01 --role read_only");
  EXPECT_NE(r.out.find("is OUT of the filter"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("NO  may be viewed by a read_only"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("SUPPRESSED"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("cem@beta.de"), std::string::npos) << r.out;
  // Search, segments and their counts show nobody the role may not view.
  r = Fl("search \"country = DE\" --json --role read_only --at 2026-01-01");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(r.out.find("Cem"), std::string::npos) << r.out;
  EXPECT_EQ(Fl("search \"country = DE\" --count --role read_only --at 2026-01-01").out, "0\n");
  EXPECT_EQ(Fl("search \"country = DE\" --count --role admin --at 2026-01-01").out, "1\n");
  ASSERT_EQ(Fl("list create de --filter \"country = DE\"").code, 0);
  r = Fl("list show de --json --role read_only --at 2026-01-01");
  EXPECT_EQ(r.out.find("Cem"), std::string::npos) << r.out;
  EXPECT_EQ(Fl("list export-ids de --at 2026-01-01").out, "") << "a list_builder may not view Cem either";
  // eligible() for a role wider than the actor's is refused.
  r = Fl("search \"eligible(marketing, email, export, admin)\" --count");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("may ask eligibility for its own role or a narrower one"), std::string::npos) << r.out;
  EXPECT_EQ(Fl("search \"eligible(marketing, email, contact, read_only)\" --count --at 2026-01-01").code, 0);
  // A list name is never silently reused, and lists may not refer to themselves.
  r = Fl("list create leads --filter \"country = GB\"");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("a list named 'leads' exists (static: eligible(marketing, email)); give --replace"),
            std::string::npos) << r.out;
  ASSERT_EQ(Fl("list create gb --filter \"country = GB\"").code, 0);
  ASSERT_EQ(Fl("list create gb2 --filter \"list:gb and seniority >= director\"").code, 0);
  r = Fl("list create gb --replace --filter \"list:gb2\"");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("list gb would refer to itself: gb -> gb2 -> gb"), std::string::npos) << r.out;
  EXPECT_EQ(Fl("list create gb --replace --filter \"country = GB and seniority = entry\"").code, 0);
  EXPECT_EQ(Fl("list show gb --count --at 2026-01-01").out, "1\n");  // Bob
  r = Fl("list create \"\" --filter \"country = GB\"");
  EXPECT_EQ(r.code, 1) << r.out;
  // Deleting: not while another list names it; then the list, its snapshot and its
  // assignments go. Unassigning names what was not assigned.
  r = Fl("list delete leads");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("list leads_gb names leads"), std::string::npos) << r.out;
  ASSERT_EQ(Fl("list delete leads_gb").code, 0);
  ASSERT_EQ(Fl("list assign gb --user sam").code, 0);
  EXPECT_EQ(Fl("list unassign gb --user sam").code, 0);
  r = Fl("list unassign gb --user sam");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("not assigned to sam"), std::string::npos) << r.out;
  EXPECT_EQ(Fl("list delete nosuch").code, 1);
  // A consent withdrawal through the write path.
  ASSERT_EQ(Fl("consent add --person bob@acme.co.uk --status granted --scope marketing --channels email --at 2025-01-01").code, 0);
  ASSERT_EQ(Fl("consent add --person bob@acme.co.uk --status withdrawn --scope marketing --channels email --at 2025-06-01").code, 0);
  r = Fl("list export-ids leads --at 2026-01-01");
  EXPECT_EQ(r.out, "") << r.out;
  r = Fl("consent add --person bob@acme.co.uk --status maybe --scope marketing");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("--status"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace fairlead

namespace fairlead {
namespace {

TEST_F(CliTest, EventsFromStandardInputAndTheSameFileTwice) {
  ASSERT_EQ(Fl("init").code, 0);
  std::string csv = Write("e.csv", "time,account_domain,person_email,topic,vendor,stage,action\n"
                                   "2026-03-01T10:00:00Z,acme.com,,security,aegis,early,view\n");
  CmdRun r = Fl("events import - < '" + csv + "'");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("1 new"), std::string::npos) << r.out;
  std::string jsonl = Write("e.txt", R"({"time":"2026-03-02T10:00:00Z","account_domain":"acme.com","topic":"security","stage":"late","action":"pricing"})"
                                     "\nnot json\n");
  r = Fl("events import - --jsonl --partial < '" + jsonl + "'");
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_NE(r.out.find("<stdin>:2: not JSON: column 2: "), std::string::npos) << r.out;
  // A file by name is remembered: the same file again is refused, --again imports it.
  EXPECT_EQ(Fl("events import " + csv).code, 0);
  r = Fl("events import " + csv);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("importing it again would count its events twice"), std::string::npos) << r.out;
  EXPECT_EQ(Fl("events import " + csv + " --again").code, 0);
  r = Fl("account show acme.com --as-of 2026-03-03T00:00:00Z");
  EXPECT_NE(r.out.find("\"events_in_window\": 4"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"window_days\": 30"), std::string::npos) << r.out;
  CmdRun top = Fl("intent top --topic security --as-of 2026-03-03T00:00:00Z");
  EXPECT_NE(top.out.find("1 evaluating"), std::string::npos) << top.out;
  // Events months later leave the answers as of March as they were.
  ASSERT_EQ(Fl("events import " + Write("later.csv", "time,account_domain,person_email,topic,vendor,stage,action\n"
                                                     "2026-09-01T10:00:00Z,acme.com,,security,,early,view\n")).code, 0);
  EXPECT_EQ(Fl("account show acme.com --as-of 2026-03-03T00:00:00Z").out, r.out);
  EXPECT_EQ(Fl("intent top --topic security --as-of 2026-03-03T00:00:00Z").out, top.out);
}

TEST_F(CliTest, SavedItemsRaiseEachAlertExactlyOnceAndNeverNameHiddenPeople) {
  InitWithPeople("email,first_name,title,country,recipient,account_domain\n"
                 "ann@acme.co.uk,Ann,Engineer,GB,corporate,acme.co.uk\n");
  ASSERT_EQ(Fl("save lead --user sam ann@acme.co.uk").code, 0);
  ASSERT_EQ(Fl("save account --user sam acme.co.uk").code, 0);
  ASSERT_EQ(Fl("save search --user sam gb --filter \"country = GB\"").code, 0);
  CmdRun r = Fl("alerts --user sam");
  EXPECT_NE(r.out.find("0 new"), std::string::npos) << r.out;

  // A title change, a new person at the account (also a new match), a suppressed newcomer.
  ASSERT_EQ(Fl("import people " + Write("q.csv", "email,first_name,title,country,recipient,account_domain\n"
                                                "ann@acme.co.uk,Ann,CTO,GB,corporate,acme.co.uk\n"
                                                "bea@acme.co.uk,Bea,CFO,GB,corporate,acme.co.uk\n"
                                                "cat@acme.co.uk,Cat,CIO,GB,corporate,acme.co.uk\n")).code, 0);
  ASSERT_EQ(Fl("suppress add --list manual cat@acme.co.uk").code, 0);
  r = Fl("alerts --user sam --json");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("\"kind\":\"lead_change\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"to\":\"CTO\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"kind\":\"new_person\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"kind\":\"new_match\""), std::string::npos) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 3) << r.out;
  // Cat (id 3) is suppressed: a list builder may not view her, so no alert names her.
  EXPECT_EQ(r.out.find("[2,3]"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(",3]"), std::string::npos) << r.out;
  // Exactly once: the next check has nothing new.
  r = Fl("alerts --user sam --json");
  EXPECT_EQ(r.out, "") << r.out;
  r = Fl("alerts --user sam --all --json");
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 3) << r.out;
  // In words: accounts by domain, people by name, nobody hidden.
  r = Fl("alerts --user sam --all");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("lead Ann (#1): title Engineer -> CTO"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("new people at acme.co.uk: Bea (#2)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("search gb: 1 new match: Bea (#2)"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("Cat"), std::string::npos) << r.out;
  // A check as of an earlier time, or for another role, would report changes again:
  // refused, saying why.
  r = Fl("alerts --user sam --at 2020-01-01");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("a check as of an earlier time would report its changes again"), std::string::npos) << r.out;
  r = Fl("alerts --user sam --role admin");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("check it with that role (--role list_builder)"), std::string::npos) << r.out;
  EXPECT_EQ(Fl("save lead --user sam nobody@x.com").code, 1);
  // What sam watches, and stopping watching it.
  r = Fl("save list --user sam");
  EXPECT_NE(r.out.find("account\tacme.co.uk"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("search\tgb: country = GB"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("3 saved"), std::string::npos) << r.out;
  EXPECT_EQ(Fl("save remove lead ann@acme.co.uk --user sam").code, 0);
  EXPECT_EQ(Fl("save remove account acme.co.uk --user sam").code, 0);
  EXPECT_EQ(Fl("save remove search gb --user sam").code, 0);
  EXPECT_EQ(Fl("save remove search gb --user sam").code, 1);
  EXPECT_NE(Fl("save list --user sam").out.find("0 saved"), std::string::npos);
}

// A saved search over a gauge: the change that takes an account out of the search (its
// gauge fell below the filter's) is an alert too, and when the account comes back the
// change is told from the gauge it had at the last run. Each change once.
TEST_F(CliTest, ASavedSearchTellsTheGaugeChangeThatTakesAnAccountOutAndBack) {
  InitWithPeople("email,first_name,title,country,recipient,account_domain\n"
                 "alice@acme.com,Alice,Engineer,GB,corporate,acme.com\n"
                 "carol@acme.com,Carol,Engineer,GB,corporate,acme.com\n"
                 "dave@acme.com,Dave,Engineer,GB,corporate,acme.com\n");
  for (const char* who : {"alice", "carol", "dave"})
    ASSERT_EQ(Fl(std::string("consent add --person ") + who + "@acme.com --status granted --scope analytics --at 2025-01-01")
                  .code, 0);
  ASSERT_EQ(Fl("save search --user sam hot --filter \"gauge(security) = evaluating\" --topic security "
               "--at 2025-04-01T00:00:00Z").code, 0);
  const std::string head = "time,account_domain,person_email,topic,vendor,stage,action\n";
  ASSERT_EQ(Fl("events import " + Write("e1.csv", head +
                                        "2025-05-01T00:00:00Z,acme.com,alice@acme.com,security,v1,early,view\n"
                                        "2025-05-02T00:00:00Z,acme.com,carol@acme.com,security,v1,early,view\n"
                                        "2025-05-03T00:00:00Z,acme.com,dave@acme.com,security,v1,late,pricing\n"))
                .code, 0);
  // Three people and a pricing event: evaluating, and the three match.
  CmdRun r = Fl("alerts --user sam --at 2025-05-04T00:00:00Z");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("search hot: 3 new matches"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("acme.com security: gauge not_active -> evaluating"), std::string::npos) << r.out;
  // The pricing event is more than 14 days old: ramping up, out of the search.
  r = Fl("alerts --user sam --at 2025-05-20T00:00:00Z --json");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  EXPECT_NE(r.out.find("\"from\":\"evaluating\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"to\":\"ramping_up\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"left_search\":true"), std::string::npos) << r.out;
  r = Fl("alerts --user sam --all --at 2025-05-20T00:00:00Z");
  EXPECT_NE(r.out.find("acme.com security: gauge evaluating -> ramping_up (no longer matches the search)"),
            std::string::npos) << r.out;
  EXPECT_EQ(Fl("alerts --user sam --at 2025-05-21T00:00:00Z --json").out, "");
  // A late-stage visit brings it back: from ramping_up (its gauge at the last run).
  ASSERT_EQ(Fl("events import " + Write("e2.csv", head + "2025-05-25T00:00:00Z,acme.com,,security,v1,late,view\n")).code,
            0);
  r = Fl("alerts --user sam --at 2025-05-26T00:00:00Z");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("acme.com security: gauge ramping_up -> evaluating"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("not_active"), std::string::npos) << r.out;
  EXPECT_EQ(Fl("alerts --user sam --at 2025-05-27T00:00:00Z --json").out, "");
}

// bench phones times NormalizePhone alone on a people file's phones, read in each
// row's country under any header the import accepts; rows without a phone are not
// counted, numbers libphonenumber rejects are counted but not valid. It says how
// many the fast path answered (the one written with +) and times libphonenumber
// alone on the same phones.
TEST_F(CliTest, BenchPhonesTimesEveryPhoneOfAPeopleFile) {
  std::string people = Write("people.csv",
                             "Email,Phone Number,Country\n"
                             "a@x.de,030 1234567,DE\n"
                             "b@x.de,,DE\n"
                             "c@x.com,+1 650 253 0000,us-ca\n"
                             "d@x.de,12,DE\n");
  CmdRun r = Fl("bench phones --file " + people + " --out " + dir_ + "/phones.json");
  ASSERT_EQ(r.code, 0) << r.out;
  nlohmann::json j = nlohmann::json::parse(std::ifstream(dir_ + "/phones.json"));
  EXPECT_EQ(j["phones"], 3);
  EXPECT_EQ(j["valid"], 2);
  EXPECT_EQ(j["fast_path"], 1);
  EXPECT_EQ(j["library_sample"], 3);
  EXPECT_EQ(j["library_sample_valid"], 2);
  EXPECT_GE(j["phones_s"].get<double>(), 0.0);
  EXPECT_GT(j["library_us_per_phone"].get<double>(), 0.0);
  std::string none = Write("none.csv", "email,country\na@x.de,DE\n");
  r = Fl("bench phones --file " + none + " --out " + dir_ + "/none.json");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.out.find("none.csv:1: no column maps to the phone field"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace fairlead
