// JSON text in, with errors a user can act on: where (source, line, column) and what,
// without nlohmann's exception codes.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "core/status.h"

namespace fairlead {

// "intent.json: line 3, column 9: syntax error while parsing object key - unexpected
// ','; expected string literal". `source` may be empty. With `comments`, /* */ and //
// comments are skipped.
Result<nlohmann::json> ParseJson(std::string_view text, const std::string& source, bool comments = false);

}  // namespace fairlead
