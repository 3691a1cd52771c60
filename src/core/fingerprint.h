// Fingerprint: a keyed 128-bit digest of a string (SipHash-2-4 with a 128-bit output,
// libsodium's crypto_shorthash_siphashx24), for hash maps over millions of strings
// (addresses, domains) whose keys then compare as two words held in the table itself,
// instead of through a pointer to each string (a cache miss per probe).
//
// Exactness: the key is random per Fingerprinter, so colliding inputs cannot be
// chosen; by chance two of n distinct strings share a fingerprint with probability
// about n^2 / 2^129 (about 1e-25 for ten million), far below the rate of memory
// errors. Fingerprints are never stored: a new process draws a new key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace fairlead {

struct Fingerprint {
  uint64_t lo = 0, hi = 0;
  bool operator==(const Fingerprint& o) const { return lo == o.lo && hi == o.hi; }
};

// The low word is already uniformly distributed: it is the hash.
struct FingerprintHash {
  size_t operator()(const Fingerprint& f) const { return static_cast<size_t>(f.lo); }
};

class Fingerprinter {
 public:
  Fingerprinter();  // a fresh random key
  Fingerprint Of(std::string_view s) const;

 private:
  unsigned char key_[16];
};

}  // namespace fairlead
