// Bitset: a dense set of row numbers as 64-bit words.
//
// The index keeps its dense sets (attribute values, eligibility) as plain word
// arrays: at 10M rows one is 1.25 MB and AND + popcount of two runs at memory
// speed (../shared/spec/index-notes.md: ~39 us cache-warm with popcnt/AVX2),
// far below Debian's CRoaring 0.2.66 without SIMD. Kernels are compiled for
// AVX2 and the baseline with runtime dispatch (GCC target_clones).
// Thread-compatible: const methods may run concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fairlead {

class Bitset {
 public:
  Bitset() = default;
  explicit Bitset(size_t rows) : rows_(rows), words_((rows + 63) / 64, 0) {}

  size_t rows() const { return rows_; }
  size_t word_count() const { return words_.size(); }
  uint64_t* words() { return words_.data(); }
  const uint64_t* words() const { return words_.data(); }

  void Resize(size_t rows);  // new rows are clear
  void Set(size_t row) { words_[row >> 6] |= uint64_t{1} << (row & 63); }
  void Clear(size_t row) { words_[row >> 6] &= ~(uint64_t{1} << (row & 63)); }
  void Assign(size_t row, bool v) { v ? Set(row) : Clear(row); }
  bool Test(size_t row) const { return row < rows_ && (words_[row >> 6] >> (row & 63)) & 1; }
  void SetRange(size_t begin, size_t end);  // [begin, end)
  void SetAll();
  void ClearAll();

  size_t Count() const;
  // Set algebra; an operand with fewer rows counts as empty beyond them.
  void And(const Bitset& other);
  void Or(const Bitset& other);
  void AndNot(const Bitset& other);
  void Not();  // within rows()
  std::vector<uint32_t> ToRows(size_t limit = SIZE_MAX) const;
  // Calls fn(row) for every set row, in order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (size_t w = 0; w < words_.size(); ++w)
      for (uint64_t bits = words_[w]; bits; bits &= bits - 1)
        fn(static_cast<uint32_t>((w << 6) + static_cast<size_t>(__builtin_ctzll(bits))));
  }

 private:
  void ClearTail();
  size_t rows_ = 0;
  std::vector<uint64_t> words_;
};

// Word kernels, exposed for the fused query evaluator.
size_t PopcountWords(const uint64_t* w, size_t n);
void AndWords(uint64_t* dst, const uint64_t* src, size_t n);
void OrWords(uint64_t* dst, const uint64_t* src, size_t n);
void AndNotWords(uint64_t* dst, const uint64_t* src, size_t n);

}  // namespace fairlead
