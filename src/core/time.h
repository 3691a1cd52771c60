// Time: UTC instants as seconds since the Unix epoch, and the one parser and
// formatter of dates used everywhere (scenario files, CSV, rules files).
// Pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace fairlead {

using Time = int64_t;  // seconds since 1970-01-01T00:00:00Z
constexpr int64_t kSecondsPerDay = 86400;

// Days since the epoch for a proleptic Gregorian civil date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
void CivilFromDays(int64_t days, int64_t* y, unsigned* m, unsigned* d);

// Parses `YYYY-MM-DD` (midnight UTC) or RFC 3339 `YYYY-MM-DDTHH:MM[:SS[.frac]](Z|+HH:MM|-HH:MM)`
// (a space may stand for `T`; a missing zone means UTC).
Result<Time> ParseTime(std::string_view text);
// `2026-03-04T10:00:00Z`
std::string FormatTime(Time t);
// `2026-03-04`
std::string FormatDate(Time t);
// The same instant `months` calendar months earlier. Where that day does not exist
// (29 February in a common year, the 31st of a 30-day month) `clamp` takes the same time
// on the month's last day; otherwise the answer is the first instant of the month after
// (the later of the two, so a window back to it is never longer; monotone in `t`).
Time SubtractMonths(Time t, int months, bool clamp = true);
// Wall-clock now.
Time Now();

}  // namespace fairlead
