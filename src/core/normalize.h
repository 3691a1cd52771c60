// Normalisers: one per field type, used by import, suppression and the API alike,
// so that the same address always yields the same key.
//
// Email: trimmed, local part Unicode case-folded (ICU), domain converted to its
// ASCII (IDNA 2008, libidn2) lower-case form. Phone: E.164 via libphonenumber's
// rules and metadata, with the person's country as the default region. Names: NFC, trimmed, inner
// whitespace collapsed; NameKey is the case-folded form for matching.
// All functions are thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/domain.h"
#include "core/status.h"

namespace fairlead {

Result<std::string> NormalizeEmail(std::string_view raw);
// A host name (an email's domain, an account's): IDNA 2008 ASCII, lower case, at
// least one dot, no empty label, no trailing root dot; errors name what is wrong.
Result<std::string> NormalizeHostName(std::string_view domain);
// The type policy.md derives from an address: generic for role addresses.
EmailType EmailTypeOf(std::string_view normalized_email);
// `country` may be empty or a subdivision (US-CA); it only picks the default region.
// A number written with '+' takes the fast path of core/phone_fast.h when it can,
// with the same answer; every other goes to libphonenumber.
Result<std::string> NormalizePhone(std::string_view raw, std::string_view country);
// The same with libphonenumber alone (the fast path's tests and benchmark compare).
Result<std::string> NormalizePhoneWithLibphonenumber(std::string_view raw, std::string_view country);
Result<std::string> NormalizeName(std::string_view raw);
std::string NameKey(std::string_view normalized_name);
// "de" -> "DE", "us-ca" -> "US-CA"; an error unless the alpha-2 part is an ISO 3166-1 code.
Result<std::string> NormalizeCountry(std::string_view raw);
// The ISO 3166-1 alpha-2 part of a country code ("US-CA" -> "US").
std::string_view CountryAlpha2(std::string_view country);
bool IsValidUtf8(std::string_view text);
bool IsAscii(std::string_view text);  // every byte below 0x80
// Why text that is stored and shown may not be taken: "contains a control character
// (0x1B at character 3)" for a C0 control not in `allowed` (such as "\t\n\r"), or DEL;
// empty when it has none.
std::string ControlCharacterProblem(std::string_view text, std::string_view allowed = "");
// Without leading and trailing spaces, tabs and line ends (inline: called per field).
inline std::string_view Trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  size_t b = 0, e = s.size();
  while (b < e && space(s[b])) ++b;
  while (e > b && space(s[e - 1])) --e;
  return s.substr(b, e - b);
}
std::string AsciiLower(std::string_view s);

}  // namespace fairlead
