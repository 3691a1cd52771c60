// Scenario: the self-contained decision of policy.md ("Scenario files"), the
// stable contract of `fairlead decide --scenario` and POST /api/v1/decide.
//
// Parsing is strict about types and enum words (errors name the JSON path) and
// lenient about absent optional fields (the defaults of docs/policy-readings.md).
// No I/O; thread-compatible values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/domain.h"
#include "core/status.h"
#include "policy/decide.h"

namespace fairlead {

struct Scenario {
  Subject subject;
  std::optional<Purpose> purpose;
  Action action = Action::kView;
  std::optional<Channel> channel;
  Role role = Role::kReadOnly;
  std::optional<Destination> destination;
  bool suppressed = false;
  TenantSettings tenant;
  Time at = 0;

  // A request pointing into this scenario; valid while the scenario lives.
  DecisionRequest Request() const;
};

// `now` is used when the scenario has no `at`. `path` prefixes error locations ("[3]").
Result<Scenario> ScenarioFromJson(const nlohmann::json& j, Time now, const std::string& path = "");
// Parses an object or an array; errors name the line and column of bad JSON. In an
// array each element is parsed on its own: a bad one is an error in its place (its
// path "[i]..."), the others are still decided.
Result<std::vector<Result<Scenario>>> ParseScenarios(std::string_view text, Time now, bool* was_array);
// Field parsers shared with the import path and the CLI.
Result<Purpose> PurposeFromJson(const nlohmann::json& j, const std::string& path);
nlohmann::json PurposeToJson(const Purpose& p);
// {"allow":..,"basis":..,"reasons":[..],"obligations":[..],"rule_refs":[..]}
nlohmann::json DecisionToJson(const Decision& d);

}  // namespace fairlead
