#include "core/json_text.h"

#include <algorithm>

namespace fairlead {

nlohmann::json::parser_callback_t DuplicateKeyCheck::Callback() {
  return [this](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    const bool starts = event == Event::object_start || event == Event::array_start;
    // An element of an array begins: a value inside it, or an array or object opening.
    if ((starts || event == Event::value) && !open_.empty() && !open_.back().object) ++open_.back().index;
    if (starts) {
      open_.push_back(Frame{event == Event::object_start, {}, {}, -1});
    } else if (event == Event::object_end || event == Event::array_end) {
      if (!open_.empty()) open_.pop_back();
    } else if (event == Event::key && !open_.empty() && open_.back().object && parsed.is_string()) {
      Frame& f = open_.back();
      f.key = parsed.get<std::string>();
      if (!f.keys.insert(f.key).second && duplicate_.empty()) {
        duplicate_ = f.key;
        // The path of the object holding it: its ancestors' keys and indexes.
        for (size_t k = 0; k + 1 < open_.size(); ++k)
          path_ += open_[k].object ? (path_.empty() ? "" : ".") + open_[k].key : "[" + std::to_string(open_[k].index) + "]";
        element_ = open_.size() > 1 && !open_[0].object ? open_[0].index : -1;
      }
    }
    return true;
  };
}

std::string DuplicateKeyCheck::Message() const {
  return (path_.empty() ? "" : path_ + ": ") + "key '" + duplicate_ + "' is given twice in one object";
}

Result<nlohmann::json> ParseJson(std::string_view text, const std::string& source, bool comments,
                                 DuplicateKeyCheck* given) {
  try {
    DuplicateKeyCheck own;
    DuplicateKeyCheck& keys = given ? *given : own;
    nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), keys.Callback(), true, comments);
    if (!given && !keys.duplicate().empty())
      return Status::Invalid((source.empty() ? "" : source + ": ") + keys.Message());
    return j;
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
