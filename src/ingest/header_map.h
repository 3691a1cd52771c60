// Header mapping: recognises the column headers of common CRM exports
// (Salesforce, HubSpot, LinkedIn connections) and maps them to fairlead's fields.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace fairlead {

enum class ImportKind { kPeople, kAccounts, kBases, kPurchases, kSuppression, kEvents };

// "Email Address" -> "email_address": lower case, runs of non-alphanumerics to '_'.
std::string HeaderKey(std::string_view header);

// The canonical field one header (or JSON key) maps to, "" when none.
std::string FieldOfHeader(ImportKind kind, std::string_view header);
// For each column of `headers`, the canonical field it maps to ("" = ignored).
// Fails when two columns map to one field or a required field is missing.
Result<std::vector<std::string>> MapHeaders(ImportKind kind, const std::vector<std::string>& headers,
                                            const std::string& file, int64_t line = 1);

// The canonical fields of a kind, for --help and error messages.
std::vector<std::string> CanonicalFields(ImportKind kind);

}  // namespace fairlead
