// Bad input end to end: every case is an error that says where, never an abort, and
// nothing accepted before it is lost.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "testing/cli_fixture.h"

namespace fairlead {
namespace {

TEST_F(CliTest, ADirectoryWhereAFileBelongsIsAnErrorNamingIt) {
  ASSERT_EQ(Fl("init").code, 0);
  std::system(("mkdir -p '" + dir_ + "/adir'").c_str());
  for (const std::string& cmd : {"decide --scenario '" + dir_ + "/adir'", "rules check '" + dir_ + "/adir'",
                                 "import people '" + dir_ + "/adir'",
                                 "events import '" + dir_ + "/adir'"}) {
    CmdRun r = Fl(cmd);
    EXPECT_EQ(r.code, 1) << cmd << "\n" << r.out;
    EXPECT_NE(r.out.find(dir_ + "/adir"), std::string::npos) << cmd << "\n" << r.out;
    EXPECT_EQ(r.out.find("internal error"), std::string::npos) << cmd << "\n" << r.out;
    EXPECT_EQ(r.out.find("empty file"), std::string::npos) << cmd << "\n" << r.out;
  }
}

TEST_F(CliTest, BytesThatAreNotUtf8AreRefusedOrShownNeverAbort) {
  ASSERT_EQ(Fl("init").code, 0);
  // In a scenario file: the parser's error, its bad bytes shown as U+FFFD.
  CmdRun r = Fl("decide --scenario " + Write("bad.json", "{\"action\": \"vi\xff\xfe\"}"));
  EXPECT_EQ(r.code, 1) << r.out;
  nlohmann::json line = nlohmann::json::parse(r.out.substr(0, r.out.find('\n')), nullptr, false);
  ASSERT_TRUE(line.is_object()) << r.out;
  EXPECT_NE(line["error"].get<std::string>().find("bad.json"), std::string::npos) << r.out;
  // In an argument: refused before anything is written, naming the argument.
  ASSERT_EQ(Fl("import people " + Write("p.csv", "email,first_name,country,recipient\nann@acme.de,Ann,DE,corporate\n")).code, 0);
  r = Fl("consent add --person ann@acme.de --status granted --scope marketing --channels email "
         "--source \"$(printf 'web\\377')\"");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("is not valid UTF-8"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("web\\xFF"), std::string::npos) << r.out;
  r = Fl("person show ann@acme.de --role admin");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(r.out.find("web"), std::string::npos) << r.out;
  // In an events file, imported with --partial: the good row is kept, the bad one
  // reported (as JSON too).
  r = Fl("events import --partial --json " +
         Write("e.csv", "time,account_domain,person_email,topic,vendor,stage,action\n"
                        "2026-03-01T10:00:00Z,acme.com,,security,,early,view\n"
                        "2026-03-01T10:00:00Z,acme.com,,secur\xc3(ty,,early,view\n"));
  EXPECT_EQ(r.code, 3) << r.out;
  line = nlohmann::json::parse(r.out.substr(0, r.out.find('\n')), nullptr, false);
  ASSERT_TRUE(line.is_object()) << r.out;
  EXPECT_EQ(line["committed"], true) << r.out;
  EXPECT_EQ(line["inserted"], 1) << r.out;
  ASSERT_EQ(line["issues"].size(), 1u) << r.out;
  EXPECT_EQ(line["issues"][0]["line"], 3) << r.out;
  EXPECT_EQ(line["issues"][0]["field"], "topic") << r.out;
  EXPECT_EQ(line["issues"][0]["reason"], "not valid UTF-8") << r.out;
}

TEST_F(CliTest, JsonArgumentsSayWhereTheyAreBroken) {
  ASSERT_EQ(Fl("init").code, 0);
  CmdRun r = Fl("purpose put '{\"id\": \"x\",, }'");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("purpose: line 1, column 12: syntax error"), std::string::npos) << r.out;
  r = Fl("search --json-filter '{\"all\": [}'");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("filter: line 1, column 10: syntax error"), std::string::npos) << r.out;
  Write("data/intent.json", "{\n  \"half_life_days\": 30\n  \"widespread_min\": 3\n}\n");
  r = Fl("intent top --topic security");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("intent.json: line 3, column 18: syntax error"), std::string::npos) << r.out;
}

TEST_F(CliTest, OutOfRangeNumbersAreUsageErrors) {
  ASSERT_EQ(Fl("init").code, 0);
  for (const std::string& cmd : {std::string("intent top --topic security --limit -1"),
                                 std::string("intent top --topic security --limit 0"),
                                 std::string("search \"country = DE\" --limit 1000001"),
                                 std::string("search \"country = DE\" --offset -5")}) {
    CmdRun r = Fl(cmd);
    EXPECT_EQ(r.code, 2) << cmd << "\n" << r.out;
    EXPECT_NE(r.out.find("not in range"), std::string::npos) << cmd << "\n" << r.out;
  }
  EXPECT_EQ(Fl("search \"country = DE\" --limit 0").code, 0);
}

TEST_F(CliTest, AHeaderAfterBlankLinesIsNamedByItsOwnLine) {
  ASSERT_EQ(Fl("init").code, 0);
  CmdRun r = Fl("import people " + Write("p.csv", "\n\nfirst_name,country\nAnn,DE\n"));
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("p.csv:3: people need an email or a person_ref column"), std::string::npos) << r.out;
  r = Fl("events import " + Write("e.csv", "\ntime,account_domain,topic,topic,stage,action\n"));
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("e.csv:2:4: column 'topic' maps to"), std::string::npos) << r.out;
}

TEST_F(CliTest, AListASavedSearchNamesIsNotDeleted) {
  InitWithPeople("email,first_name,country,recipient\nann@acme.de,Ann,DE,corporate\n");
  ASSERT_EQ(Fl("list create vip --filter \"country = DE\"").code, 0);
  ASSERT_EQ(Fl("save search --user sam mine --filter \"list:vip\"").code, 0);
  CmdRun r = Fl("list delete vip");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("sam's saved search mine names vip (list:vip); remove it first"), std::string::npos) << r.out;
  EXPECT_EQ(Fl("alerts --user sam").code, 0);
  ASSERT_EQ(Fl("save remove search mine --user sam").code, 0);
  EXPECT_EQ(Fl("list delete vip").code, 0);
}

}  // namespace
}  // namespace fairlead
