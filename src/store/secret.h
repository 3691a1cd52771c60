// Tenant secrets: the HMAC key of the suppression hashes, kept in a file of its
// own (mode 0600) beside, never inside, the database.
#pragma once

#include <string>

#include "core/status.h"
#include "suppression/suppression.h"

namespace fairlead {

// Reads `path`, or creates it with 32 random bytes (libsodium) when missing.
Result<TenantSecret> LoadOrCreateSecret(const std::string& path);

}  // namespace fairlead
