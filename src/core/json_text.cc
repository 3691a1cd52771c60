#include "core/json_text.h"

namespace fairlead {

Result<nlohmann::json> ParseJson(std::string_view text, const std::string& source, bool comments) {
  try {
    return nlohmann::json::parse(text.begin(), text.end(), nullptr, true, comments);
  } catch (const nlohmann::json::parse_error& e) {
    size_t line = 1, column = 1;
    for (size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    // what(): "[json.exception.parse_error.101] parse error at line 1, column 9: syntax error ..."
    std::string what = e.what();
    const size_t at = what.find("column ");
    const size_t colon = at == std::string::npos ? std::string::npos : what.find(": ", at);
    std::string detail = colon == std::string::npos ? what : what.substr(colon + 2);
    return Status::Invalid((source.empty() ? "" : source + ": ") + "line " + std::to_string(line) + ", column " +
                           std::to_string(column) + ": " + detail);
  }
}

}  // namespace fairlead
