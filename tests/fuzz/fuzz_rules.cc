// libFuzzer target: the rules file parser.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "policy/rules.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)fairlead::ParseRules(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.toml");
  return 0;
}
