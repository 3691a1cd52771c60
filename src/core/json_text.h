// JSON text in, with errors a user can act on: where (source, line, column) and what,
// without nlohmann's exception codes.
#pragma once

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace fairlead {

// "intent.json: line 3, column 9: syntax error while parsing object key - unexpected
// ','; expected string literal". `source` may be empty. With `comments`, /* */ and //
// comments are skipped.
class DuplicateKeyCheck;

// A key given twice in one object is an error too ("case.json: subject: key 'country'
// is given twice in one object"): nlohmann would keep the last one without a word. Given `keys`, the
// caller decides what a duplicate means instead (keys->duplicate() after the parse).
Result<nlohmann::json> ParseJson(std::string_view text, const std::string& source, bool comments = false,
                                 DuplicateKeyCheck* keys = nullptr);

// Notes the first key given twice in one object while nlohmann parses (its callback),
// and, when the text is an array, in which of its elements.
class DuplicateKeyCheck {
 public:
  nlohmann::json::parser_callback_t Callback();
  // The key, "" when every object's keys were distinct.
  const std::string& duplicate() const { return duplicate_; }
  // The index of the top-level array's element it is in (-1: not in an array's element).
  int64_t element() const { return element_; }
  // "subject.bases[1]: key 'at' is given twice in one object" (the object's JSON path;
  // none for the top-level object).
  std::string Message() const;

 private:
  struct Frame {
    bool object;
    std::set<std::string> keys;  // an object's keys so far
    std::string key;             // an object's current key
    int64_t index = -1;          // an array's current element
  };
  std::vector<Frame> open_;  // the arrays and objects being read, outermost first
  std::string duplicate_, path_;
  int64_t element_ = -1;
};

}  // namespace fairlead
