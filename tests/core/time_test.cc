#include "core/time.h"

#include <gtest/gtest.h>

namespace fairlead {
namespace {

TEST(Time, ParsesDatesAndTimes) {
  EXPECT_EQ(*ParseTime("1970-01-01"), 0);
  EXPECT_EQ(*ParseTime("2023-07-10"), 1688947200);
  EXPECT_EQ(*ParseTime("2023-07-10T00:00:01Z"), 1688947201);
  EXPECT_EQ(*ParseTime("2023-07-10T02:00:00+02:00"), 1688947200);
  EXPECT_EQ(*ParseTime("2023-07-09T22:00:00-02:00"), 1688947200);
  EXPECT_EQ(*ParseTime("2023-07-10 00:00:00.123Z"), 1688947200);
  EXPECT_EQ(*ParseTime("2024-02-29"), *ParseTime("2024-02-28") + kSecondsPerDay);
}

TEST(Time, RejectsNonsenseWithTheText) {
  for (const char* bad : {"", "2023", "2023-13-01", "2023-02-29", "2023-07-10T25:00", "2023-07-10X", "07/10/2023",
                          "2023-07-10T10:00:00+2"}) {
    Result<Time> t = ParseTime(bad);
    EXPECT_FALSE(t.ok()) << bad;
  }
  EXPECT_NE(ParseTime("2023-02-30").status().message().find("2023-02-30"), std::string::npos);
}

TEST(Time, FormatRoundTrips) {
  for (Time t : {Time{0}, Time{1688947201}, Time{-86401}, Time{4102444799}}) EXPECT_EQ(*ParseTime(FormatTime(t)), t);
  EXPECT_EQ(FormatTime(1688947201), "2023-07-10T00:00:01Z");
  EXPECT_EQ(FormatDate(1688947201), "2023-07-10");
}

TEST(Time, SubtractMonthsClampsToMonthEnd) {
  EXPECT_EQ(FormatDate(SubtractMonths(*ParseTime("2024-03-31"), 1)), "2024-02-29");
  EXPECT_EQ(FormatDate(SubtractMonths(*ParseTime("2024-01-15"), 24)), "2022-01-15");
  EXPECT_EQ(FormatDate(SubtractMonths(*ParseTime("2024-01-15"), 13)), "2022-12-15");
  EXPECT_EQ(FormatTime(SubtractMonths(*ParseTime("2024-05-31T10:30:00Z"), 12)), "2023-05-31T10:30:00Z");
}

// Without clamping, a day the month lacks moves to the first instant of the month after;
// days it has are unchanged, and the answer never goes back as `t` goes forward.
TEST(Time, SubtractMonthsWithoutClampTakesTheNextMonthsFirstInstant) {
  EXPECT_EQ(FormatTime(SubtractMonths(*ParseTime("2028-02-29T15:00:00Z"), 24, false)), "2026-03-01T00:00:00Z");
  EXPECT_EQ(FormatTime(SubtractMonths(*ParseTime("2028-02-29T15:00:00Z"), 24)), "2026-02-28T15:00:00Z");
  EXPECT_EQ(FormatTime(SubtractMonths(*ParseTime("2025-03-31T08:00:00Z"), 1, false)), "2025-03-01T00:00:00Z");
  EXPECT_EQ(FormatTime(SubtractMonths(*ParseTime("2024-05-31T10:30:00Z"), 12, false)), "2023-05-31T10:30:00Z");
  EXPECT_EQ(FormatTime(SubtractMonths(*ParseTime("2028-02-29T15:00:00Z"), 48, false)), "2024-02-29T15:00:00Z");
  const Time from = *ParseTime("2025-01-01");
  for (int months : {1, 12, 24})
    for (Time t = from, prev = SubtractMonths(from, months, false); t < from + 400 * kSecondsPerDay; t += 3 * 3600) {
      const Time now = SubtractMonths(t, months, false);
      EXPECT_GE(now, prev) << FormatTime(t) << " " << months;
      prev = now;
    }
  // Clamping is not monotone: the evening of 28 March maps later than the midnight after it.
  EXPECT_GT(SubtractMonths(*ParseTime("2025-03-28T21:00:00Z"), 1), SubtractMonths(*ParseTime("2025-03-29T00:00:00Z"), 1));
}

}  // namespace
}  // namespace fairlead
