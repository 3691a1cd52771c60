// Suppression: keyed hashes of normalised emails and phones, never plaintext.
//
// A SuppressionKey is HMAC-SHA256(tenant secret, "email:" + address) or
// (..., "phone:" + E.164), computed with Nettle, whose SHA-256 uses the CPU's SHA
// instructions where it has them (3x libsodium's portable code here: 0.13 against
// 0.38 us a key; a load hashes every address of every person). The secret lives outside the
// database (see store/secret.h), so a stolen database file cannot be reversed by
// hashing a list of known addresses. SuppressionHasher and SuppressionSet are
// safe for concurrent const use.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <nettle/hmac.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/domain.h"

namespace fairlead {

using TenantSecret = std::array<uint8_t, 32>;
using SuppressionKey = std::array<uint8_t, 32>;

struct SuppressionKeyHash {
  size_t operator()(const SuppressionKey& k) const {
    size_t h;
    static_assert(sizeof(h) <= sizeof(SuppressionKey));
    __builtin_memcpy(&h, k.data(), sizeof(h));  // already uniformly distributed
    return h;
  }
};

enum class SuppressionKind : uint8_t { kEmail, kPhone };

class SuppressionHasher {
 public:
  explicit SuppressionHasher(const TenantSecret& secret);
  // `value` must already be normalised (NormalizeEmail / NormalizePhone).
  SuppressionKey Key(SuppressionKind kind, std::string_view value) const;
  static std::string Hex(const SuppressionKey& key);

 private:
  // HMAC's inner and outer hash states after absorbing the padded secret: copied
  // per key instead of recomputed (two SHA-256 blocks saved per key).
  hmac_sha256_ctx keyed_;
};

// The in-memory set checked at import, list build and export, with the list each
// key is on (the first it was added with), so a decision can say which list.
class SuppressionSet {
 public:
  void Add(const SuppressionKey& key, std::string_view list = "");
  bool Contains(const SuppressionKey& key) const { return keys_.count(key) != 0; }
  // The list a key is on ("" when added without one), or null when not suppressed.
  const std::string* ListOf(const SuppressionKey& key) const;
  // True when any email or the phone of the person is suppressed.
  bool ContainsAny(const SuppressionHasher& hasher, const std::vector<EmailAddress>& emails,
                   std::string_view phone) const;
  // Which of them are suppressed, each with its list: email index into `emails`, or
  // the phone (email_index < 0).
  struct Match {
    int email_index;
    std::string list;
  };
  std::vector<Match> Matches(const SuppressionHasher& hasher, const std::vector<EmailAddress>& emails,
                             std::string_view phone) const;
  size_t size() const { return keys_.size(); }

 private:
  // -> index into lists_. Open addressing: most lookups are of keys not in the set,
  // and a miss is then decided by the table's control bytes (a few hundred KiB for
  // 200,000 keys, cache-resident) without touching a slot; a node-based map cost two
  // cache misses per lookup (11% of a 10M-person index load's CPU, on its second
  // thread: the load took ~1 s less at 10M, 40.5/39.7 s against 41.5/40.8 s).
  absl::flat_hash_map<SuppressionKey, uint16_t, SuppressionKeyHash> keys_;
  std::vector<std::string> lists_;
};

}  // namespace fairlead
