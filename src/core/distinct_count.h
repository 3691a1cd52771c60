// An estimate of how many distinct keys a stream holds, in 4 KiB (HyperLogLog,
// Flajolet et al. 2007, with linear counting for small counts): a standard error of
// about 1.6% and never more than the number of keys added. Used to size a table
// before a large batch fills it (IntentModel::ReserveFor), where a table grown by
// doubling would rehash every entry about once more.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>

namespace fairlead {

// splitmix64's finaliser: every input bit moves every output bit.
constexpr uint64_t Mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

class DistinctCounter {
 public:
  static constexpr int kBits = 12;
  static constexpr size_t kRegisters = size_t{1} << kBits;

  // `key` is any 64-bit key (it is mixed here).
  void Add(uint64_t key) {
    const uint64_t h = Mix64(key);
    const size_t r = h >> (64 - kBits);
    const uint64_t rest = h << kBits;  // the other 52 bits, high first
    const uint8_t rank = static_cast<uint8_t>(rest == 0 ? 64 - kBits + 1 : std::countl_zero(rest) + 1);
    registers_[r] = std::max(registers_[r], rank);
    ++added_;
  }

  uint64_t Estimate() const {
    double sum = 0;
    size_t zeros = 0;
    for (uint8_t v : registers_) {
      sum += std::ldexp(1.0, -v);
      zeros += v == 0;
    }
    const double m = kRegisters;
    double e = 0.7213 / (1 + 1.079 / m) * m * m / sum;
    if (e <= 2.5 * m && zeros > 0) e = m * std::log(m / static_cast<double>(zeros));  // linear counting
    return std::min<uint64_t>(added_, static_cast<uint64_t>(std::llround(e)));
  }
  uint64_t added() const { return added_; }

 private:
  std::array<uint8_t, kRegisters> registers_{};
  uint64_t added_ = 0;
};

}  // namespace fairlead
