#include "suppression/suppression.h"

#include <sodium.h>

namespace fairlead {

SuppressionHasher::SuppressionHasher(const TenantSecret& secret) {
  crypto_auth_hmacsha256_init(&keyed_, secret.data(), secret.size());
}

SuppressionKey SuppressionHasher::Key(SuppressionKind kind, std::string_view value) const {
  crypto_auth_hmacsha256_state state = keyed_;
  const char* prefix = kind == SuppressionKind::kEmail ? "email:" : "phone:";
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(prefix), 6);
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(value.data()), value.size());
  SuppressionKey key;
  crypto_auth_hmacsha256_final(&state, key.data());
  return key;
}

std::string SuppressionHasher::Hex(const SuppressionKey& key) {
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, key.data(), key.size());
  return hex;
}

bool SuppressionSet::ContainsAny(const SuppressionHasher& hasher, const std::vector<EmailAddress>& emails,
                                 std::string_view phone) const {
  if (keys_.empty()) return false;
  for (const EmailAddress& e : emails)
    if (Contains(hasher.Key(SuppressionKind::kEmail, e.address))) return true;
  return !phone.empty() && Contains(hasher.Key(SuppressionKind::kPhone, phone));
}

}  // namespace fairlead
