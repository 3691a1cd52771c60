// The decision tests as data: every file under tests/scenarios/ states a
// scenario (policy.md) and the exact expected decision. Adding a case is adding
// a file (format: docs/policy-readings.md).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "policy/decide.h"
#include "policy/rules.h"
#include "policy/scenario.h"

namespace fairlead {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::vector<fs::path> ScenarioFiles() {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(FL_SOURCE_DIR) / "tests" / "scenarios"))
    if (e.is_regular_file() && e.path().extension() == ".json") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string Rel(const fs::path& p) { return fs::relative(p, FL_SOURCE_DIR).string(); }

void CheckOne(const Rules& rules, const json& scenario, const json& expect, const std::string& where) {
  Result<Scenario> sc = ScenarioFromJson(scenario, 0);
  ASSERT_TRUE(sc.ok()) << where << ": " << sc.status().ToString();
  Result<Decision> d = Decide(rules, sc->Request());
  ASSERT_TRUE(d.ok()) << where << ": " << d.status().ToString();
  json got = DecisionToJson(*d);
  EXPECT_EQ(got["allow"], expect.at("allow")) << where << "\n got " << got.dump();
  EXPECT_EQ(got["basis"], expect.value("basis", json(nullptr))) << where << "\n got " << got.dump();
  EXPECT_EQ(got["reasons"], expect.at("reasons")) << where << "\n got " << got.dump();
  std::set<std::string> want_obl, got_obl;
  for (const json& o : expect.value("obligations", json::array())) want_obl.insert(o.get<std::string>());
  for (const json& o : got["obligations"]) got_obl.insert(o.get<std::string>());
  EXPECT_EQ(got_obl, want_obl) << where << "\n got " << got.dump();
  for (const json& ref : expect.value("rule_refs_include", json::array())) {
    bool found = false;
    for (const json& r : got["rule_refs"]) found = found || r.get<std::string>().find(ref.get<std::string>()) != std::string::npos;
    EXPECT_TRUE(found) << where << ": no rule_ref contains '" << ref.get<std::string>() << "'\n got " << got.dump();
  }
}

TEST(ScenarioFiles, EveryFileDecidesAsExpected) {
  Result<Rules> rules = ParseRules(DefaultRulesText(), "default-rules.toml");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  std::vector<fs::path> files = ScenarioFiles();
  ASSERT_GE(files.size(), 50u) << "the scenario folder is missing or nearly empty";
  for (const fs::path& f : files) {
    std::ifstream in(f);
    json j = json::parse(in, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << Rel(f) << ": not valid JSON";
    if (j.contains("scenarios")) {
      ASSERT_EQ(j["scenarios"].size(), j["expect"].size()) << Rel(f);
      for (size_t i = 0; i < j["scenarios"].size(); ++i)
        CheckOne(*rules, j["scenarios"][i], j["expect"][i], Rel(f) + "[" + std::to_string(i) + "]");
    } else {
      CheckOne(*rules, j.at("scenario"), j.at("expect"), Rel(f));
    }
  }
}

}  // namespace
}  // namespace fairlead
