// libFuzzer target: the filter language (text, and its JSON form when the input is JSON).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "index/filter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  fairlead::Result<fairlead::FilterNode> f = fairlead::ParseFilter(text);
  if (f.ok()) {
    // What parses must print and parse back to the same text, and survive JSON.
    std::string again = f->ToText();
    fairlead::Result<fairlead::FilterNode> g = fairlead::ParseFilter(again);
    if (!g.ok() || g->ToText() != again) __builtin_trap();
    fairlead::Result<fairlead::FilterNode> h = fairlead::FilterFromJson(fairlead::FilterToJson(*f));
    if (!h.ok() || h->ToText() != again) __builtin_trap();
  }
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_discarded()) (void)fairlead::FilterFromJson(j);
  return 0;
}
