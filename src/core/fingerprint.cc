#include "core/fingerprint.h"

#include <sodium.h>

#include <cstring>
#include <random>

namespace fairlead {

static_assert(crypto_shorthash_siphashx24_BYTES == sizeof(Fingerprint));
static_assert(crypto_shorthash_siphashx24_KEYBYTES == 16);

Fingerprinter::Fingerprinter() {
  std::random_device random;  // the kernel's generator; SipHash itself needs no sodium_init()
  for (size_t i = 0; i < sizeof key_; i += 4) {
    uint32_t r = random();
    std::memcpy(key_ + i, &r, 4);
  }
}

Fingerprint Fingerprinter::Of(std::string_view s) const {
  unsigned char out[crypto_shorthash_siphashx24_BYTES];
  crypto_shorthash_siphashx24(out, reinterpret_cast<const unsigned char*>(s.data()), s.size(), key_);
  Fingerprint f;
  std::memcpy(&f.lo, out, 8);
  std::memcpy(&f.hi, out + 8, 8);
  return f;
}

}  // namespace fairlead
