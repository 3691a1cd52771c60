// Helpers shared by the test suites: a fresh directory per test, and a seeded
// random source for generated data (deterministic: std::mt19937_64 is specified).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace fairlead::testing_util {

// An empty directory named after the running test ("<TempDir>/<prefix>-<test name>").
inline std::string FreshTestDir(const std::string& prefix) {
  std::string dir = ::testing::TempDir() + "/" + prefix + "-" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::string cmd = "rm -rf '" + dir + "' && mkdir -p '" + dir + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return dir;
}

class Random {
 public:
  explicit Random(uint64_t seed) : rng_(seed) {}
  int Int(int n) { return static_cast<int>(rng_() % static_cast<uint64_t>(n)); }
  bool Chance(int percent) { return Int(100) < percent; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) { return v[static_cast<size_t>(Int(static_cast<int>(v.size())))]; }
  std::mt19937_64& engine() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

}  // namespace fairlead::testing_util
