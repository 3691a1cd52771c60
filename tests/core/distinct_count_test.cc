#include "core/distinct_count.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace fairlead {
namespace {

// Within 5% (three standard errors) at every scale, from a handful to millions, and
// repeats of a key change nothing.
TEST(DistinctCounter, EstimatesWithinFivePercentAtEveryScale) {
  for (uint64_t n : {1ULL, 10ULL, 100ULL, 1000ULL, 5000ULL, 20000ULL, 100000ULL, 1000000ULL, 3000000ULL}) {
    DistinctCounter c;
    for (uint64_t i = 0; i < n; ++i) {
      const uint64_t key = (i / 7) << 16 | (i % 7);  // (account, topic) as packed by the importer
      c.Add(key);
      if (i % 3 == 0) c.Add(key);  // a repeat
    }
    const double e = static_cast<double>(c.Estimate());
    EXPECT_NEAR(e, static_cast<double>(n), 0.05 * static_cast<double>(n) + 1) << n;
    EXPECT_LE(c.Estimate(), c.added());
  }
}

TEST(DistinctCounter, EmptyAndOneKeyManyTimes) {
  DistinctCounter c;
  EXPECT_EQ(c.Estimate(), 0u);
  for (int i = 0; i < 100000; ++i) c.Add(42);
  EXPECT_EQ(c.Estimate(), 1u);
  EXPECT_EQ(c.added(), 100000u);
}

}  // namespace
}  // namespace fairlead
