#include "policy/bulk.h"

#include "policy/decide.h"

#include <algorithm>
#include <set>

namespace fairlead {
namespace {

// The first instant T > purchase with SubtractMonths(T, months) >= purchase, when the
// purchase leaves the window (readings 13: it counts while strictly after the cutoff;
// monotone in T).
// With `includes_cutoff` (the other reading), the first T with SubtractMonths(T) > purchase.
Time WindowEnd(Time purchase, int months, bool includes_cutoff, bool clamp) {
  Time lo = purchase, hi = purchase + (static_cast<int64_t>(months) * 31 + 2) * kSecondsPerDay;
  while (lo + 1 < hi) {
    Time mid = lo + (hi - lo) / 2;
    const Time cutoff = SubtractMonths(mid, months, clamp);
    const bool left = includes_cutoff ? cutoff > purchase : cutoff >= purchase;
    (left ? hi : lo) = mid;
  }
  return hi;
}

}  // namespace

Time NextChange(const Rules& rules, const Subject& s, const Purpose* purpose, const TenantSettings* tenant, Time at) {
  Time next = kNever;
  auto consider = [&](Time t) {
    if (t > at && t < next) next = t;
  };
  auto consider_opt = [&](const std::optional<Time>& t) {
    if (t) consider(*t);
  };
  consider_opt(s.collected_at);
  consider_opt(s.transparency_notice_sent_at);
  consider_opt(s.objected_direct_marketing_at);
  for (const BasisRecord& r : s.bases) {
    consider(r.at);
    consider_opt(r.confirmed_at);
    consider_opt(r.expires_at);
  }
  for (const Purchase& p : s.purchases) consider(p.at);
  if (purpose && purpose->retention_days) {
    // Retention counts from the newest time (as Decide takes it), which only moves at
    // times considered above.
    const std::optional<Time> newest = RetentionCountsFrom(rules, s, purpose->id, at);
    if (newest) consider(*newest + static_cast<int64_t>(*purpose->retention_days) * kSecondsPerDay + 1);
  }
  if (!s.purchases.empty()) {
    std::set<int> windows = {tenant ? tenant->soft_opt_in_months : TenantSettings().soft_opt_in_months};
    for (const MarketingRow& row : rules.rows)
      if (row.window_months) windows.insert(*row.window_months);
    for (const Purchase& p : s.purchases)
      if (p.at <= at)
        for (int w : windows) consider(WindowEnd(p.at, w, rules.readings.soft_opt_in_window_includes_cutoff,
                                     rules.readings.soft_opt_in_cutoff_clamps));
  }
  // Rule rows, adequacy decisions and US frameworks start and end at dates too.
  for (const MarketingRow& row : rules.rows) {
    consider(row.valid.from);
    consider_opt(row.valid.to);
  }
  for (const AdequacyRow& a : rules.adequacy) {
    consider(a.valid.from);
    consider_opt(a.valid.to);
  }
  for (const UsFramework& f : rules.us_frameworks) {
    consider(f.valid.from);
    consider_opt(f.valid.to);
  }
  return next;
}

}  // namespace fairlead
