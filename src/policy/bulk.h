// Bulk support for the policy engine: when may a decision change by itself?
//
// A decision depends on time (expiries, retention, soft opt-in windows, records
// dated in the future). NextChange returns the earliest instant after `at` at
// which Decide's answer for this subject and purpose could differ, so a bulk
// eligibility set computed at `at` stays exact until then and only the rows whose
// instant has passed need deciding again. Pure; thread-safe.
#pragma once

#include "core/domain.h"
#include "policy/rules.h"

namespace fairlead {

constexpr Time kNever = INT64_MAX;

// `purpose` may be null (view, export without purpose). `tenant` may be null (defaults).
Time NextChange(const Rules& rules, const Subject& subject, const Purpose* purpose, const TenantSettings* tenant,
                Time at);

}  // namespace fairlead
