#include "suppression/suppression.h"

#include <sodium.h>

namespace fairlead {

SuppressionHasher::SuppressionHasher(const TenantSecret& secret) {
  hmac_sha256_set_key(&keyed_, secret.size(), secret.data());
}

SuppressionKey SuppressionHasher::Key(SuppressionKind kind, std::string_view value) const {
  hmac_sha256_ctx state = keyed_;
  const char* prefix = kind == SuppressionKind::kEmail ? "email:" : "phone:";
  hmac_sha256_update(&state, 6, reinterpret_cast<const uint8_t*>(prefix));
  hmac_sha256_update(&state, value.size(), reinterpret_cast<const uint8_t*>(value.data()));
  SuppressionKey key;
  hmac_sha256_digest(&state, key.size(), key.data());
  return key;
}

std::string SuppressionHasher::Hex(const SuppressionKey& key) {
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, key.data(), key.size());
  return hex;
}

void SuppressionSet::Add(const SuppressionKey& key, std::string_view list) {
  size_t i = 0;
  while (i < lists_.size() && lists_[i] != list) ++i;
  if (i == lists_.size()) {
    if (lists_.size() > UINT16_MAX) i = 0;  // more lists than ids: named by the first (never in practice)
    else lists_.emplace_back(list);
  }
  keys_.emplace(key, static_cast<uint16_t>(i));
}

const std::string* SuppressionSet::ListOf(const SuppressionKey& key) const {
  auto it = keys_.find(key);
  return it == keys_.end() ? nullptr : &lists_[it->second];
}

std::vector<SuppressionSet::Match> SuppressionSet::Matches(const SuppressionHasher& hasher,
                                                           const std::vector<EmailAddress>& emails,
                                                           std::string_view phone) const {
  std::vector<Match> out;
  if (keys_.empty()) return out;
  for (size_t i = 0; i < emails.size(); ++i)
    if (const std::string* list = ListOf(hasher.Key(SuppressionKind::kEmail, emails[i].address)))
      out.push_back({static_cast<int>(i), *list});
  if (!phone.empty())
    if (const std::string* list = ListOf(hasher.Key(SuppressionKind::kPhone, phone))) out.push_back({-1, *list});
  return out;
}

bool SuppressionSet::ContainsAny(const SuppressionHasher& hasher, const std::vector<EmailAddress>& emails,
                                 std::string_view phone) const {
  if (keys_.empty()) return false;
  for (const EmailAddress& e : emails)
    if (Contains(hasher.Key(SuppressionKind::kEmail, e.address))) return true;
  return !phone.empty() && Contains(hasher.Key(SuppressionKind::kPhone, phone));
}

}  // namespace fairlead
