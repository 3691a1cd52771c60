#include "index/bitset.h"

#include <algorithm>

namespace fairlead {

#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__) && !defined(__clang__)
#define FL_KERNEL __attribute__((target_clones("avx2", "popcnt", "default")))
#else
#define FL_KERNEL
#endif

FL_KERNEL size_t PopcountWords(const uint64_t* w, size_t n) {
  size_t c = 0;
  for (size_t i = 0; i < n; ++i) c += static_cast<size_t>(__builtin_popcountll(w[i]));
  return c;
}
FL_KERNEL void AndWords(uint64_t* dst, const uint64_t* src, size_t n) {
  for (size_t i = 0; i < n; ++i) dst[i] &= src[i];
}
FL_KERNEL void OrWords(uint64_t* dst, const uint64_t* src, size_t n) {
  for (size_t i = 0; i < n; ++i) dst[i] |= src[i];
}
FL_KERNEL void AndNotWords(uint64_t* dst, const uint64_t* src, size_t n) {
  for (size_t i = 0; i < n; ++i) dst[i] &= ~src[i];
}

void Bitset::Resize(size_t rows) {
  rows_ = rows;
  words_.resize((rows + 63) / 64, 0);
  ClearTail();
}

void Bitset::ClearTail() {
  if (rows_ % 64 && !words_.empty()) words_.back() &= (uint64_t{1} << (rows_ % 64)) - 1;
}

void Bitset::SetRange(size_t begin, size_t end) {
  end = std::min(end, rows_);
  if (begin >= end) return;
  size_t first = begin >> 6, last = (end - 1) >> 6;
  uint64_t head = ~uint64_t{0} << (begin & 63);
  uint64_t tail = ~uint64_t{0} >> (63 - ((end - 1) & 63));
  if (first == last) {
    words_[first] |= head & tail;
    return;
  }
  words_[first] |= head;
  for (size_t w = first + 1; w < last; ++w) words_[w] = ~uint64_t{0};
  words_[last] |= tail;
}

void Bitset::SetAll() {
  std::fill(words_.begin(), words_.end(), ~uint64_t{0});
  ClearTail();
}
void Bitset::ClearAll() { std::fill(words_.begin(), words_.end(), 0); }
size_t Bitset::Count() const { return PopcountWords(words_.data(), words_.size()); }
void Bitset::And(const Bitset& o) {
  size_t n = std::min(words_.size(), o.words_.size());
  AndWords(words_.data(), o.words_.data(), n);
  std::fill(words_.begin() + static_cast<ptrdiff_t>(n), words_.end(), 0);  // missing words are empty
}
void Bitset::Or(const Bitset& o) { OrWords(words_.data(), o.words_.data(), std::min(words_.size(), o.words_.size())); }
void Bitset::AndNot(const Bitset& o) {
  AndNotWords(words_.data(), o.words_.data(), std::min(words_.size(), o.words_.size()));
}
void Bitset::Not() {
  for (uint64_t& w : words_) w = ~w;
  ClearTail();
}

std::vector<uint32_t> Bitset::ToRows(size_t limit) const {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < words_.size() && out.size() < limit; ++i) {
    uint64_t w = words_[i];
    while (w && out.size() < limit) {
      out.push_back(static_cast<uint32_t>(i * 64 + static_cast<size_t>(__builtin_ctzll(w))));
      w &= w - 1;
    }
  }
  return out;
}

}  // namespace fairlead
