#include "core/status.h"

namespace fairlead {

std::string Status::ToString() const {
  const char* name = "ok";
  switch (code_) {
    case Code::kOk: return "ok";
    case Code::kInvalid: name = "invalid"; break;
    case Code::kNotFound: name = "not found"; break;
    case Code::kIo: name = "i/o error"; break;
    case Code::kConflict: name = "conflict"; break;
    case Code::kDenied: name = "denied"; break;
    case Code::kInternal: name = "internal error"; break;
  }
  return std::string(name) + ": " + message_;
}

}  // namespace fairlead
