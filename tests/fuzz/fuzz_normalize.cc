// libFuzzer target: the field normalisers and the time parser, on any bytes.
// Beyond not crashing, each checks what the rest of the product relies on:
// - a normalised email, host name, phone, name or country normalises to itself (the same person
//   always gets the same key, whether the value comes from a file or from the store);
// - the fast phone path answers only with libphonenumber's own answer;
// - a parsed time prints as RFC 3339 and parses back to the same instant.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/normalize.h"
#include "core/phone_fast.h"
#include "core/time.h"

namespace {

using fairlead::Result;

void Idempotent(const Result<std::string>& once, Result<std::string> (*again)(std::string_view)) {
  if (!once.ok()) return;
  Result<std::string> twice = again(*once);
  if (!twice.ok() || *twice != *once) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)fairlead::IsValidUtf8(text);

  Idempotent(fairlead::NormalizeEmail(text), fairlead::NormalizeEmail);
  Idempotent(fairlead::NormalizeHostName(text), fairlead::NormalizeHostName);
  Idempotent(fairlead::NormalizeName(text), fairlead::NormalizeName);
  Idempotent(fairlead::NormalizeCountry(text), fairlead::NormalizeCountry);
  if (Result<std::string> email = fairlead::NormalizeEmail(text); email.ok()) (void)fairlead::EmailTypeOf(*email);

  static const char* const kCountries[] = {"", "DE", "US-CA", "GB", "FR", "IN"};
  const std::string_view country = kCountries[size % (sizeof kCountries / sizeof *kCountries)];
  Result<std::string> phone = fairlead::NormalizePhone(text, country);
  Result<std::string> reference = fairlead::NormalizePhoneWithLibphonenumber(text, country);
  if (phone.ok() != reference.ok() || (phone.ok() && *phone != *reference)) __builtin_trap();
  if (phone.ok()) {
    Result<std::string> again = fairlead::NormalizePhone(*phone, country);
    if (!again.ok() || *again != *phone) __builtin_trap();
  }
  if (std::optional<std::string> fast = fairlead::FastE164(fairlead::Trim(text))) {
    Result<std::string> slow = fairlead::NormalizePhoneWithLibphonenumber(fairlead::Trim(text), "");
    if (!slow.ok() || *slow != *fast) __builtin_trap();
  }

  if (Result<fairlead::Time> t = fairlead::ParseTime(text); t.ok()) {
    // Only years 0000-9999 print in four digits (an offset can step out of them).
    constexpr fairlead::Time kFirst = -62167219200;  // 0000-01-01T00:00:00Z
    constexpr fairlead::Time kEnd = 253402300800;    // 10000-01-01T00:00:00Z
    if (*t >= kFirst && *t < kEnd) {
      Result<fairlead::Time> back = fairlead::ParseTime(fairlead::FormatTime(*t));
      if (!back.ok() || *back != *t) __builtin_trap();
    }
  }
  return 0;
}
