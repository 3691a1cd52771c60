#include "core/normalize.h"

#include <idn2.h>
#include <phonenumbers/phonenumberutil.h>
#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uloc.h>
#include <unicode/unistr.h>
#include <unicode/ustring.h>

#include <algorithm>
#include <cstdio>
#include <array>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <unordered_set>
#include <utility>

#include "core/phone_fast.h"

namespace fairlead {

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool IsAscii(std::string_view s) {
  uint64_t high = 0;  // the top bit of every byte, eight bytes at a time
  size_t i = 0;
  for (uint64_t w; i + 8 <= s.size(); i += 8) {
    std::memcpy(&w, s.data() + i, 8);
    high |= w;
  }
  for (; i < s.size(); ++i) high |= static_cast<unsigned char>(s[i]);
  return (high & 0x8080808080808080ull) == 0;
}

std::string ControlCharacterProblem(std::string_view text, std::string_view allowed) {
  const auto bad = std::find_if(text.begin(), text.end(), [allowed](char ch) {
    const unsigned char c = static_cast<unsigned char>(ch);
    return (c < 0x20 && allowed.find(ch) == std::string_view::npos) || c == 0x7f;
  });
  if (bad == text.end()) return "";
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(*bad));
  return std::string("contains a control character (") + hex + " at character " +
         std::to_string(bad - text.begin() + 1) + ")";
}

bool IsValidUtf8(std::string_view text) {
  if (IsAscii(text)) return true;  // ASCII needs no decoder
  UErrorCode err = U_ZERO_ERROR;
  int32_t len = 0;
  if (text.size() > static_cast<size_t>(INT32_MAX)) return false;
  u_strFromUTF8(nullptr, 0, &len, text.data(), static_cast<int32_t>(text.size()), &err);
  return err == U_BUFFER_OVERFLOW_ERROR || err == U_STRING_NOT_TERMINATED_WARNING || U_SUCCESS(err);
}

namespace {

std::string FoldCase(std::string_view utf8) {
  if (IsAscii(utf8)) return AsciiLower(utf8);
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  u.foldCase();
  std::string out;
  u.toUTF8String(out);
  return out;
}

// A host name that IDNA (UTS #46) leaves as it is apart from ASCII case: labels of 1
// to 63 letters, digits and hyphens, no hyphen first or last, none in the 3rd and 4th
// place (the "xn--" family), 253 bytes at most. Anything else goes through libidn2.
bool PlainAsciiHost(std::string_view d) {
  if (d.empty() || d.size() > 253) return false;
  size_t start = 0;
  while (start <= d.size()) {
    size_t end = d.find('.', start);
    if (end == std::string_view::npos) end = d.size();
    std::string_view label = d.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    if (label.size() >= 4 && label[2] == '-' && label[3] == '-') return false;
    for (char c : label)
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) return false;
    start = end + 1;
  }
  return true;
}

// A non-empty host name already known to be valid UTF-8 (NormalizeEmail checked the
// whole address): the rules of NormalizeHostName.
Result<std::string> HostNameOfUtf8(std::string_view domain) {
  // libidn2 reads a C string: a NUL would end the domain early (and control
  // characters belong in no host name).
  for (char c : domain)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return Status::Invalid("forbidden character in the domain '" + std::string(domain) + "'");
  std::string dom(domain);
  if (dom.back() == '.') dom.pop_back();  // the root label, written or not, is the same host
  if (PlainAsciiHost(dom)) {  // what libidn2 would return, without its cost (tests/core compare both)
    if (dom.find('.') == std::string::npos) return Status::Invalid("domain '" + dom + "' has no dot");
    return AsciiLower(dom);
  }
  char* ascii = nullptr;
  int rc = idn2_to_ascii_8z(dom.c_str(), &ascii, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
  if (rc != IDN2_OK) {
    rc = idn2_to_ascii_8z(dom.c_str(), &ascii, IDN2_NFC_INPUT | IDN2_TRANSITIONAL);
    if (rc != IDN2_OK)
      return Status::Invalid("domain '" + dom + "' is not a valid (IDNA) name: " + idn2_strerror(rc));
  }
  std::string ascii_domain = AsciiLower(ascii);
  idn2_free(ascii);
  if (ascii_domain.find('.') == std::string::npos)
    return Status::Invalid("domain '" + dom + "' has no dot");
  for (char c : ascii_domain)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
      return Status::Invalid("domain '" + dom + "' has a character not allowed in a host name");
  if (ascii_domain.find("..") != std::string::npos || ascii_domain.front() == '.' || ascii_domain.back() == '.')
    return Status::Invalid("domain '" + dom + "' has an empty label");
  return ascii_domain;
}

}  // namespace

Result<std::string> NormalizeHostName(std::string_view domain) {
  if (domain.empty()) return Status::Invalid("empty domain");
  if (!IsValidUtf8(domain)) return Status::Invalid("domain is not valid UTF-8");
  return HostNameOfUtf8(domain);
}

Result<std::string> NormalizeEmail(std::string_view raw) {
  std::string_view s = Trim(raw);
  if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
  if (s.empty()) return Status::Invalid("empty address");
  if (!IsValidUtf8(s)) return Status::Invalid("address is not valid UTF-8");
  if (s.size() > 254) return Status::Invalid("address longer than 254 bytes");
  size_t at = s.rfind('@');
  if (at == std::string_view::npos) return Status::Invalid("no @ in address '" + std::string(s) + "'");
  std::string_view local = s.substr(0, at), domain = s.substr(at + 1);
  if (local.empty()) return Status::Invalid("empty local part in '" + std::string(s) + "'");
  if (local.size() > 64) return Status::Invalid("local part longer than 64 bytes");
  for (char c : local)
    if (c == ' ' || c == '@' || c == '\t' || c == ',' || c == ';' || c == '<' || c == '>' ||
        static_cast<unsigned char>(c) < 0x20)
      return Status::Invalid("forbidden character in local part of '" + std::string(s) + "'");
  if (domain.empty()) return Status::Invalid("empty domain in '" + std::string(s) + "'");
  Result<std::string> host = HostNameOfUtf8(domain);
  if (!host.ok()) return host.status();
  return FoldCase(local) + "@" + *host;
}

EmailType EmailTypeOf(std::string_view email) {
  static const std::array<std::string_view, 10> kRoles = {
      "info", "sales", "contact", "office", "hello", "support", "team", "admin", "marketing", "enquiries"};
  std::string_view local = email.substr(0, email.find('@'));
  // A subaddress of a role mailbox (info+de@) is not on the list: personal, the
  // stricter reading (docs/policy-readings.md, reading 8).
  std::string lower = AsciiLower(local);
  for (std::string_view r : kRoles)
    if (lower == r) return EmailType::kGeneric;
  return EmailType::kPersonal;
}

std::string_view CountryAlpha2(std::string_view country) { return country.substr(0, country.find('-')); }

Result<std::string> NormalizeCountry(std::string_view raw) {
  std::string c(Trim(raw));
  for (char& ch : c)
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  std::string_view alpha2 = CountryAlpha2(c);
  static const std::unordered_set<std::string> kCodes = [] {
    std::unordered_set<std::string> codes;
    for (const char* const* p = uloc_getISOCountries(); *p; ++p) codes.insert(*p);
    return codes;
  }();
  if (alpha2.size() != 2 || !kCodes.count(std::string(alpha2)))
    return Status::Invalid("'" + std::string(raw) + "' is not an ISO 3166-1 alpha-2 country code");
  if (c.size() > 2) {
    std::string_view sub = std::string_view(c).substr(3);
    if (c[2] != '-' || sub.empty() || sub.size() > 3 ||
        !std::all_of(sub.begin(), sub.end(), [](char ch) { return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'); }))
      return Status::Invalid("'" + std::string(raw) + "' is not a country or subdivision code like US-CA");
  }
  return c;
}

Result<std::string> NormalizePhone(std::string_view raw, std::string_view country) {
  std::string_view s = Trim(raw);
  if (std::optional<std::string> e164 = FastE164(s)) return std::move(*e164);
  return NormalizePhoneWithLibphonenumber(s, country);
}

Result<std::string> NormalizePhoneWithLibphonenumber(std::string_view raw, std::string_view country) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  std::string s(Trim(raw));
  if (s.empty()) return Status::Invalid("empty phone number");
  if (!IsValidUtf8(s)) return Status::Invalid("phone number is not valid UTF-8");
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  std::string region = country.empty() ? "ZZ" : std::string(CountryAlpha2(country));
  PhoneNumber number;
  if (util->Parse(s, region, &number) != PhoneNumberUtil::NO_PARSING_ERROR)
    return Status::Invalid("'" + s + "' is not a phone number" +
                           (region == "ZZ" ? " (no country to read it in; give it with +)" : " in " + region));
  if (!util->IsValidNumber(number))
    return Status::Invalid("'" + s + "' is not a valid number" + (region == "ZZ" ? "" : " for " + region));
  std::string e164;
  util->Format(number, PhoneNumberUtil::E164, &e164);
  return e164;
}

Result<std::string> NormalizeName(std::string_view raw) {
  std::string_view s = Trim(raw);
  if (!IsValidUtf8(s)) return Status::Invalid("name is not valid UTF-8");
  std::string collapsed;
  collapsed.reserve(s.size());
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = true;
      continue;
    }
    if (static_cast<unsigned char>(c) < 0x20) return Status::Invalid("control character in name");
    if (space && !collapsed.empty()) collapsed += ' ';
    space = false;
    collapsed += c;
  }
  if (IsAscii(collapsed)) return collapsed;
  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(err);
  if (U_FAILURE(err)) return Status::Internal("ICU NFC unavailable");
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(collapsed);
  icu::UnicodeString n = nfc->normalize(u, err);
  if (U_FAILURE(err)) return Status::Invalid("name cannot be normalised");
  std::string out;
  n.toUTF8String(out);
  return out;
}

std::string NameKey(std::string_view normalized_name) { return FoldCase(normalized_name); }

}  // namespace fairlead
