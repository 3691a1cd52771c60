// Filter: the list language, as text for the CLI and UI and as a JSON tree for
// the API, parsed into one tree (FilterNode).
//
// Text grammar (keywords case-insensitive):
//   expr     := term ("or" term)*
//   term     := factor ("and" factor)*
//   factor   := "not" factor | "(" expr ")" | predicate
//   predicate:= FIELD "in" "(" value ("," value)* ")"
//             | FIELD ("=" | "!=" | ">=" | ">" | "<=" | "<") value
//             | ("any" | "all") "(" FIELD ":" "[" value ("," value)* "]" ")"
//             | "eligible" "(" purpose "," channel ["," action ["," role]] ")"
//             | "list" ":" name          | "suppressed"
//             | "gauge" "(" topic ")" OP gauge_word | "score" "(" topic ")" OP number
//   value    := word | "quoted string"
// Example: country in (DE, FR) and seniority >= director and any(tech: [k8s, terraform])
//          and not list:customers and eligible(marketing.security, email)
// JSON: {"all": [..]}, {"any": [..]}, {"not": {..}}, {"field": f, "op": "in", "values": [..]},
// {"any_of": {"field": f, "values": [..]}}, {"all_of": ...}, {"eligible": {"purpose", "channel",
// "action", "role"}}, {"list": name}, {"suppressed": true}, {"gauge": {"topic", "op", "value"}},
// {"score": {"topic", "op", "value"}}.
// eligible() decides for the actor's role unless one is given, and the one given may be
// the actor's or a narrower one (admin > list_builder > read_only), never a wider one.
// Whatever the filter, what a user is shown is cut to the people their role may view.
// Errors name the column (text) or the JSON path. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/status.h"

namespace fairlead {

struct FilterNode {
  enum class Kind { kAnd, kOr, kNot, kCompare, kAnyOf, kAllOf, kEligible, kList, kSuppressed, kGauge, kScore };
  Kind kind = Kind::kAnd;
  std::vector<FilterNode> children;  // and, or, not
  std::string field;                 // compare, any/all; the topic for gauge/score
  std::string op;                    // in, =, !=, >=, >, <=, <
  std::vector<std::string> values;   // compare, any/all, eligible (purpose, channel, action, role), list name
  int column = 0;                    // 1-based column in the text, 0 from JSON
  std::vector<int> value_columns;    // each value's column in the text (empty from JSON)
  std::string path;                  // the JSON path ("filter.all[1]"), empty from text

  // The node as text (round-trips through ParseFilter).
  std::string ToText() const;
};

Result<FilterNode> ParseFilter(std::string_view text);
Result<FilterNode> FilterFromJson(const nlohmann::json& j, const std::string& path = "filter");
nlohmann::json FilterToJson(const FilterNode& node);

}  // namespace fairlead
