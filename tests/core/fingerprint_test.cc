// Fingerprint: equal strings give equal fingerprints under one key, distinct strings
// distinct ones (no collision among 200,000 near-identical strings), and a new key
// gives new fingerprints (nothing about them is stable across processes).
#include "core/fingerprint.h"

#include <gtest/gtest.h>

#include <string>
#include <unordered_set>

namespace fairlead {
namespace {

TEST(FingerprintTest, EqualStringsEqualFingerprintsDistinctStringsDistinct) {
  Fingerprinter f;
  EXPECT_EQ(f.Of("ana@example.com"), f.Of(std::string("ana@") + "example.com"));
  EXPECT_FALSE(f.Of("ana@example.com") == f.Of("ana@example.co"));
  EXPECT_FALSE(f.Of("") == f.Of(std::string(1, '\0')));
  std::unordered_set<uint64_t> lows, highs;
  for (int i = 0; i < 200000; ++i) {
    Fingerprint x = f.Of("person" + std::to_string(i) + "@example.com");
    EXPECT_TRUE(lows.insert(x.lo).second) << i;
    EXPECT_TRUE(highs.insert(x.hi).second) << i;
  }
}

TEST(FingerprintTest, EachFingerprinterHasItsOwnKey) {
  Fingerprinter a, b;
  int same = 0;
  for (int i = 0; i < 100; ++i) {
    std::string s = "acme" + std::to_string(i) + ".example";
    if (a.Of(s) == b.Of(s)) ++same;
    EXPECT_EQ(FingerprintHash()(a.Of(s)), static_cast<size_t>(a.Of(s).lo));
  }
  EXPECT_EQ(same, 0);
}

}  // namespace
}  // namespace fairlead
