// Bitset: the dense row sets the index and the query evaluator are built on.
#include "index/bitset.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <vector>

namespace fairlead {
namespace {

// The rows of a bitset, checked bit by bit (independent of ToRows).
std::vector<uint32_t> Members(const Bitset& b) {
  std::vector<uint32_t> out;
  for (size_t r = 0; r < b.rows(); ++r)
    if (b.Test(r)) out.push_back(static_cast<uint32_t>(r));
  return out;
}

// Bits stored beyond rows() in the last word (must always be zero).
uint64_t TailBits(const Bitset& b) {
  if (b.rows() % 64 == 0 || b.word_count() == 0) return 0;
  return b.words()[b.word_count() - 1] & ~((uint64_t{1} << (b.rows() % 64)) - 1);
}

TEST(BitsetTest, StartsEmptyWithWholeWords) {
  Bitset b(130);
  EXPECT_EQ(b.rows(), 130u);
  EXPECT_EQ(b.word_count(), 3u);
  EXPECT_EQ(b.Count(), 0u);
  EXPECT_TRUE(b.ToRows().empty());
  Bitset empty;
  EXPECT_EQ(empty.rows(), 0u);
  EXPECT_EQ(empty.word_count(), 0u);
  EXPECT_EQ(empty.Count(), 0u);
  EXPECT_FALSE(empty.Test(0));
  Bitset exact(128);
  EXPECT_EQ(exact.word_count(), 2u);
}

TEST(BitsetTest, SetTestClearAcrossWordBoundaries) {
  Bitset b(200);
  for (size_t r : {0u, 1u, 62u, 63u, 64u, 65u, 127u, 128u, 199u}) b.Set(r);
  EXPECT_EQ(b.Count(), 9u);
  EXPECT_EQ(Members(b), (std::vector<uint32_t>{0, 1, 62, 63, 64, 65, 127, 128, 199}));
  EXPECT_TRUE(b.Test(63));
  EXPECT_TRUE(b.Test(64));
  EXPECT_FALSE(b.Test(66));
  b.Clear(63);
  b.Clear(64);
  b.Clear(66);  // clearing a clear bit is a no-op
  EXPECT_FALSE(b.Test(63));
  EXPECT_FALSE(b.Test(64));
  EXPECT_TRUE(b.Test(62));
  EXPECT_TRUE(b.Test(65));
  EXPECT_EQ(b.Count(), 7u);
  b.Set(65);  // setting twice changes nothing
  EXPECT_EQ(b.Count(), 7u);
  b.Assign(100, true);
  b.Assign(0, false);
  EXPECT_TRUE(b.Test(100));
  EXPECT_FALSE(b.Test(0));
  EXPECT_EQ(b.Count(), 7u);
  // Rows at or past rows() never test true.
  EXPECT_FALSE(b.Test(200));
  EXPECT_FALSE(b.Test(255));
  EXPECT_FALSE(b.Test(100000));
}

TEST(BitsetTest, SetRangeWithinAndAcrossWords) {
  struct Case {
    size_t rows, begin, end;
  };
  for (const Case& c : std::vector<Case>{{200, 0, 0},    {200, 5, 5},    {200, 3, 10},   {200, 60, 70},
                                         {200, 0, 64},   {200, 64, 128}, {200, 63, 129}, {200, 1, 199},
                                         {200, 0, 200},  {200, 130, 500}, {64, 0, 64},   {65, 10, 65},
                                         {300, 7, 263}}) {
    SCOPED_TRACE("rows " + std::to_string(c.rows) + " [" + std::to_string(c.begin) + ", " + std::to_string(c.end) +
                 ")");
    Bitset b(c.rows);
    b.SetRange(c.begin, c.end);
    size_t end = std::min(c.end, c.rows);
    size_t expected = end > c.begin ? end - c.begin : 0;
    EXPECT_EQ(b.Count(), expected);
    for (size_t r = 0; r < c.rows; ++r) EXPECT_EQ(b.Test(r), r >= c.begin && r < end) << r;
    EXPECT_EQ(TailBits(b), 0u);
  }
  // SetRange adds to what is there.
  Bitset b(150);
  b.Set(2);
  b.Set(140);
  b.SetRange(60, 70);
  EXPECT_EQ(b.Count(), 12u);
  EXPECT_TRUE(b.Test(2));
  EXPECT_TRUE(b.Test(140));
}

TEST(BitsetTest, SetAllAndClearAll) {
  for (size_t rows : {1u, 63u, 64u, 65u, 130u, 192u}) {
    Bitset b(rows);
    b.SetAll();
    EXPECT_EQ(b.Count(), rows);
    EXPECT_EQ(TailBits(b), 0u);
    EXPECT_FALSE(b.Test(rows));
    b.ClearAll();
    EXPECT_EQ(b.Count(), 0u);
  }
}

TEST(BitsetTest, CountAndToRowsAgreeOnRandomSets) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 50; ++round) {
    size_t rows = 1 + rng() % 700;
    Bitset b(rows);
    std::set<uint32_t> want;
    for (int i = 0; i < static_cast<int>(rows / 3); ++i) {
      uint32_t r = static_cast<uint32_t>(rng() % rows);
      b.Set(r);
      want.insert(r);
    }
    EXPECT_EQ(b.Count(), want.size());
    EXPECT_EQ(b.ToRows(), std::vector<uint32_t>(want.begin(), want.end()));
    EXPECT_EQ(Members(b), b.ToRows());
  }
}

TEST(BitsetTest, ToRowsStopsAtTheLimit) {
  Bitset b(300);
  for (uint32_t r : {3u, 64u, 65u, 128u, 200u, 299u}) b.Set(r);
  EXPECT_EQ(b.ToRows(), (std::vector<uint32_t>{3, 64, 65, 128, 200, 299}));
  EXPECT_EQ(b.ToRows(0), std::vector<uint32_t>{});
  EXPECT_EQ(b.ToRows(1), (std::vector<uint32_t>{3}));
  EXPECT_EQ(b.ToRows(2), (std::vector<uint32_t>{3, 64}));  // stops inside a word
  EXPECT_EQ(b.ToRows(3), (std::vector<uint32_t>{3, 64, 65}));
  EXPECT_EQ(b.ToRows(5), (std::vector<uint32_t>{3, 64, 65, 128, 200}));
  EXPECT_EQ(b.ToRows(6), b.ToRows());
  EXPECT_EQ(b.ToRows(1000), b.ToRows());
}

TEST(BitsetTest, AndOrAndNotMatchSetAlgebra) {
  std::mt19937_64 rng(7);
  for (size_t rows : {1u, 63u, 64u, 65u, 200u, 511u}) {
    for (int round = 0; round < 10; ++round) {
      Bitset a(rows), b(rows);
      std::vector<bool> va(rows), vb(rows);
      for (size_t r = 0; r < rows; ++r) {
        va[r] = rng() % 3 == 0;
        vb[r] = rng() % 2 == 0;
        a.Assign(r, va[r]);
        b.Assign(r, vb[r]);
      }
      Bitset x = a, y = a, z = a;
      x.And(b);
      y.Or(b);
      z.AndNot(b);
      size_t nx = 0, ny = 0, nz = 0;
      for (size_t r = 0; r < rows; ++r) {
        EXPECT_EQ(x.Test(r), va[r] && vb[r]);
        EXPECT_EQ(y.Test(r), va[r] || vb[r]);
        EXPECT_EQ(z.Test(r), va[r] && !vb[r]);
        nx += va[r] && vb[r];
        ny += va[r] || vb[r];
        nz += va[r] && !vb[r];
      }
      EXPECT_EQ(x.Count(), nx);
      EXPECT_EQ(y.Count(), ny);
      EXPECT_EQ(z.Count(), nz);
      // The operand is untouched.
      for (size_t r = 0; r < rows; ++r) EXPECT_EQ(b.Test(r), vb[r]);
    }
  }
}

TEST(BitsetTest, NotStaysWithinRows) {
  for (size_t rows : {1u, 10u, 63u, 64u, 65u, 100u, 128u, 129u}) {
    SCOPED_TRACE(rows);
    Bitset b(rows);
    b.Set(0);
    if (rows > 64) b.Set(64);
    size_t before = b.Count();
    b.Not();
    EXPECT_EQ(b.Count(), rows - before);
    EXPECT_EQ(TailBits(b), 0u);
    EXPECT_FALSE(b.Test(0));
    EXPECT_FALSE(b.Test(rows));
    for (uint32_t r : b.ToRows()) EXPECT_LT(r, rows);
    b.Not();
    EXPECT_EQ(b.Count(), before);
    EXPECT_TRUE(b.Test(0));
  }
  // Not of an empty set is every row, and nothing past it.
  Bitset e(70);
  e.Not();
  EXPECT_EQ(e.Count(), 70u);
  EXPECT_EQ(e.ToRows().back(), 69u);
  Bitset zero;
  zero.Not();
  EXPECT_EQ(zero.Count(), 0u);
}

TEST(BitsetTest, ResizeKeepsBitsAndClearsNewRows) {
  Bitset b(70);
  b.Set(0);
  b.Set(63);
  b.Set(69);
  b.Resize(200);
  EXPECT_EQ(b.rows(), 200u);
  EXPECT_EQ(b.word_count(), 4u);
  EXPECT_EQ(b.ToRows(), (std::vector<uint32_t>{0, 63, 69}));
  for (size_t r = 70; r < 200; ++r) EXPECT_FALSE(b.Test(r)) << r;
  b.Set(199);
  EXPECT_TRUE(b.Test(199));

  // After Not the tail was cleared, so growing shows no stale ones.
  Bitset n(10);
  n.Not();
  n.Resize(130);
  EXPECT_EQ(n.Count(), 10u);
  for (size_t r = 10; r < 130; ++r) EXPECT_FALSE(n.Test(r)) << r;

  // Shrinking drops the rows past the new end, also within the last word.
  Bitset s(200);
  s.SetAll();
  s.Resize(70);
  EXPECT_EQ(s.rows(), 70u);
  EXPECT_EQ(s.Count(), 70u);
  EXPECT_EQ(TailBits(s), 0u);
  s.Resize(128);
  EXPECT_EQ(s.Count(), 70u);
  EXPECT_FALSE(s.Test(70));
  EXPECT_FALSE(s.Test(127));

  // Growing within the same word.
  Bitset w(5);
  w.SetAll();
  w.Resize(40);
  EXPECT_EQ(w.Count(), 5u);
  EXPECT_EQ(w.word_count(), 1u);
}

TEST(BitsetTest, WordKernelsMatchTheMethods) {
  std::vector<uint64_t> a = {0xF0F0F0F0F0F0F0F0ull, 0x1ull, ~uint64_t{0}, 0};
  std::vector<uint64_t> b = {0xFF00FF00FF00FF00ull, 0x3ull, 0x8000000000000000ull, 5};
  EXPECT_EQ(PopcountWords(a.data(), a.size()), 32u + 1u + 64u);
  std::vector<uint64_t> x = a;
  AndWords(x.data(), b.data(), x.size());
  EXPECT_EQ(x, (std::vector<uint64_t>{0xF000F000F000F000ull, 0x1ull, 0x8000000000000000ull, 0}));
  x = a;
  OrWords(x.data(), b.data(), x.size());
  EXPECT_EQ(x, (std::vector<uint64_t>{0xFFF0FFF0FFF0FFF0ull, 0x3ull, ~uint64_t{0}, 5}));
  x = a;
  AndNotWords(x.data(), b.data(), x.size());
  EXPECT_EQ(x, (std::vector<uint64_t>{0x00F000F000F000F0ull, 0x0ull, 0x7FFFFFFFFFFFFFFFull, 0}));
}

}  // namespace
}  // namespace fairlead
