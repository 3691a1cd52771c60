// libFuzzer target: scenario JSON parsing and the decision itself.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "policy/decide.h"
#include "policy/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fairlead::Rules rules = *fairlead::ParseRules(fairlead::DefaultRulesText(), "default");
  bool array = false;
  auto scenarios = fairlead::ParseScenarios(std::string_view(reinterpret_cast<const char*>(data), size), 0, &array);
  if (!scenarios.ok()) return 0;
  for (const auto& s : *scenarios)
    if (s.ok()) (void)fairlead::Decide(rules, s->Request());
  return 0;
}
