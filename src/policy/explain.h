// Explanations: a Decision in words, for `fairlead why` and "why is this person
// (not) on my list?". Pure formatting; thread-safe.
#pragma once

#include <string>

#include "policy/decide.h"

namespace fairlead {

// Several lines: the verdict, the decisive reason in words, the other reasons,
// the obligations, the records that decided and the rule rows cited.
std::string Explain(const Decision& d, const DecisionRequest& request);

}  // namespace fairlead
