#include "core/phone_fast.h"

#include <phonenumbers/phonemetadata.pb.h>
#include <re2/re2.h>

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

// libphonenumber's compiled-in metadata (a serialised PhoneMetadataCollection).
// The library's build generates these two functions (metadata.h, not installed)
// and PhoneNumberUtil reads its metadata from them.
namespace i18n::phonenumbers {
int metadata_size();
const void* metadata_get();
}  // namespace i18n::phonenumbers

namespace fairlead {
namespace {

using i18n::phonenumbers::PhoneMetadata;
using i18n::phonenumbers::PhoneMetadataCollection;
using i18n::phonenumbers::PhoneNumberDesc;

constexpr size_t kMinLengthForNsn = 2;   // PhoneNumberUtil::kMinLengthForNsn
constexpr size_t kMaxLengthForNsn = 17;  // PhoneNumberUtil::kMaxLengthForNsn
constexpr size_t kMaxLengthCountryCode = 3;

std::unique_ptr<RE2> Compile(const std::string& pattern, bool* ok) {
  if (pattern.empty()) return nullptr;
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>(pattern, options);
  if (!re->ok()) {
    *ok = false;
    return nullptr;
  }
  return re;
}

// PhoneNumberUtil::IsNumberMatchingDesc: a possible length (when any are listed;
// -1 alone means the type has no numbers), then a full match of the pattern
// (RegexBasedMatcher: an empty pattern matches nothing).
struct Desc {
  bool any_length = true;
  uint64_t lengths = 0;  // bit n: length n is possible
  std::unique_ptr<RE2> pattern;

  Desc() = default;
  Desc(const PhoneNumberDesc& desc, bool* ok) : any_length(desc.possible_length_size() == 0) {
    for (int length : desc.possible_length())
      if (length >= 0 && length < 64) lengths |= uint64_t{1} << length;
    pattern = Compile(desc.national_number_pattern(), ok);
  }
  bool Matches(std::string_view nsn) const {
    if (!any_length && !(lengths >> nsn.size() & 1)) return false;
    return pattern && RE2::FullMatch(nsn, *pattern);
  }
};

struct Region {
  bool ok = true;  // every pattern compiled with RE2
  Desc general;
  // premium rate, toll free, shared cost, VoIP, personal number, pager, UAN,
  // voicemail, fixed line: any of them makes a number valid.
  std::array<Desc, 9> types;
  Desc mobile;
  bool same_mobile_and_fixed_line_pattern = false;
  std::unique_ptr<RE2> leading_digits;
  std::unique_ptr<RE2> national_prefix_for_parsing;

  explicit Region(const PhoneMetadata& m)
      : general(m.general_desc(), &ok),
        types{Desc(m.premium_rate(), &ok), Desc(m.toll_free(), &ok),   Desc(m.shared_cost(), &ok),
              Desc(m.voip(), &ok),         Desc(m.personal_number(), &ok), Desc(m.pager(), &ok),
              Desc(m.uan(), &ok),          Desc(m.voicemail(), &ok),   Desc(m.fixed_line(), &ok)},
        mobile(m.mobile(), &ok),
        same_mobile_and_fixed_line_pattern(m.same_mobile_and_fixed_line_pattern()) {
    if (m.has_leading_digits()) {
      leading_digits = Compile(m.leading_digits(), &ok);
      if (!leading_digits) ok = false;  // an empty pattern: leave it to libphonenumber
    }
    national_prefix_for_parsing = Compile(m.national_prefix_for_parsing(), &ok);
  }

  // PhoneNumberUtil::GetNumberTypeHelper(nsn) != UNKNOWN.
  bool IsValid(std::string_view nsn) const {
    if (!general.Matches(nsn)) return false;
    for (const Desc& type : types)
      if (type.Matches(nsn)) return true;
    return !same_mobile_and_fixed_line_pattern && mobile.Matches(nsn);
  }
};

bool MatchesAtStart(const RE2& re, std::string_view text) {
  return re.Match(text, 0, text.size(), RE2::ANCHOR_START, nullptr, 0);
}

// Calling code -> the regions that share it, in PhoneNumberUtil's order: the
// main country for the code first, then the others as the metadata lists them.
// A code's patterns are compiled the first time a number with it comes.
class Metadata {
 public:
  Metadata() {
    if (!collection_.ParseFromArray(i18n::phonenumbers::metadata_get(), i18n::phonenumbers::metadata_size()))
      return;  // no fast path: every number goes to libphonenumber
    for (const PhoneMetadata& m : collection_.metadata()) {
      int code = m.country_code();
      if (m.id() == "ZZ" || code <= 0 || code >= kCodes) continue;
      std::deque<const PhoneMetadata*>& list = sources_[code];
      if (!list.empty() && m.main_country_for_code())
        list.push_front(&m);
      else
        list.push_back(&m);
    }
  }

  const std::vector<Region>* RegionsFor(int code) const {
    if (sources_[code].empty()) return nullptr;
    std::call_once(compiled_[code], [&] {
      regions_[code].reserve(sources_[code].size());
      for (const PhoneMetadata* m : sources_[code]) regions_[code].emplace_back(*m);
    });
    return &regions_[code];
  }

 private:
  static constexpr int kCodes = 1000;
  PhoneMetadataCollection collection_;
  std::array<std::deque<const PhoneMetadata*>, kCodes> sources_;
  mutable std::array<std::once_flag, kCodes> compiled_;
  mutable std::array<std::vector<Region>, kCodes> regions_;
};

const Metadata& TheMetadata() {
  static const Metadata metadata;
  return metadata;
}

}  // namespace

std::optional<std::string> FastE164(std::string_view number) {
  // '+', a digit, then digits with single spaces or hyphens between them: the
  // form in which Parse only strips the plus and the punctuation.
  if (number.size() < 2 || number[0] != '+') return std::nullopt;
  char digits[32];
  size_t n = 0;
  for (size_t i = 1; i < number.size(); ++i) {
    char c = number[i];
    if (c >= '0' && c <= '9') {
      if (n == sizeof digits) return std::nullopt;
      digits[n++] = c;
    } else if ((c == ' ' || c == '-') && i + 1 < number.size() && number[i - 1] >= '0' && number[i - 1] <= '9') {
      continue;
    } else {
      return std::nullopt;
    }
  }
  // MaybeExtractCountryCode: more than kMinLengthForNsn digits after the plus,
  // and a known calling code of 1 to 3 digits that does not start with 0.
  if (n <= kMinLengthForNsn || digits[0] == '0') return std::nullopt;
  const Metadata& metadata = TheMetadata();
  int code = 0;
  const std::vector<Region>* regions = nullptr;
  size_t code_length = 0;
  while (!regions && code_length < kMaxLengthCountryCode) {
    code = code * 10 + (digits[code_length++] - '0');
    regions = metadata.RegionsFor(code);
  }
  if (!regions) return std::nullopt;
  std::string_view nsn(digits + code_length, n - code_length);
  if (nsn.size() < kMinLengthForNsn || nsn.size() > kMaxLengthForNsn) return std::nullopt;
  // ParseHelper strips a national prefix written after the calling code, with
  // the metadata of the code's main region; a number that may start with one is
  // left to libphonenumber.
  const Region& main = regions->front();
  if (!main.ok) return std::nullopt;
  if (main.national_prefix_for_parsing && MatchesAtStart(*main.national_prefix_for_parsing, nsn))
    return std::nullopt;
  // IsValidNumber: the region is the only one for the code, or the first whose
  // leading digits start the number or, without leading digits, that the number
  // is valid in (GetRegionCodeForNumberFromRegionList); then valid there.
  // Italian leading zeros keep the national number's digits as written, so the
  // national significant number is `nsn`.
  const Region* region = nullptr;
  if (regions->size() == 1) {
    region = &main;
  } else {
    for (const Region& r : *regions) {
      if (!r.ok) return std::nullopt;
      if (r.leading_digits ? MatchesAtStart(*r.leading_digits, nsn) : r.IsValid(nsn)) {
        region = &r;
        break;
      }
    }
  }
  if (!region || !region->IsValid(nsn)) return std::nullopt;
  std::string e164;
  e164.reserve(n + 1);
  e164 += '+';
  e164.append(digits, n);
  return e164;
}

}  // namespace fairlead
