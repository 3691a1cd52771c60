#include "core/phone_fast.h"

#include <gtest/gtest.h>
#include <phonenumbers/phonenumberutil.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/normalize.h"
#include "testing/test_util.h"

namespace fairlead {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

const PhoneNumberUtil& Util() { return *PhoneNumberUtil::GetInstance(); }

// What NormalizePhone answered before the fast path: libphonenumber alone.
std::optional<std::string> LibraryE164(const std::string& s) {
  Result<std::string> e164 = NormalizePhoneWithLibphonenumber(s, "");
  if (!e164.ok()) return std::nullopt;
  return *e164;
}

// Every region's example number of every type it has, and every non-geographic
// calling code's, in E.164 and in international format (spaces, some hyphens).
std::vector<std::string> ExampleNumbers() {
  std::vector<std::string> out;
  auto add = [&](const PhoneNumber& number) {
    for (auto format : {PhoneNumberUtil::E164, PhoneNumberUtil::INTERNATIONAL}) {
      std::string s;
      Util().Format(number, format, &s);
      out.push_back(s);
    }
  };
  std::set<std::string> regions;
  Util().GetSupportedRegions(&regions);
  for (const std::string& region : regions) {
    std::set<PhoneNumberUtil::PhoneNumberType> types;
    Util().GetSupportedTypesForRegion(region, &types);
    for (auto type : types) {
      PhoneNumber number;
      if (Util().GetExampleNumberForType(region, type, &number)) add(number);
    }
  }
  std::set<int> global;
  Util().GetSupportedGlobalNetworkCallingCodes(&global);
  for (int code : global) {
    PhoneNumber number;
    if (Util().GetExampleNumberForNonGeoEntity(code, &number)) add(number);
  }
  return out;
}

// The fast path may decline, but when it answers, libphonenumber gives the same.
void ExpectAgrees(const std::string& s, int* answered, int* valid) {
  std::optional<std::string> fast = FastE164(s);
  std::optional<std::string> library = LibraryE164(s);
  if (library) ++*valid;
  if (!fast) return;
  ++*answered;
  ASSERT_TRUE(library.has_value()) << s << ": fast path says valid " << *fast << ", libphonenumber says not";
  ASSERT_EQ(*fast, *library) << s;
}

TEST(FastE164, AgreesWithLibphonenumberOnEveryExampleNumber) {
  std::vector<std::string> examples = ExampleNumbers();
  ASSERT_GT(examples.size(), 2000u);
  int answered = 0, valid = 0;
  for (const std::string& s : examples) ASSERT_NO_FATAL_FAILURE(ExpectAgrees(s, &answered, &valid));
  // It answers for nearly every valid one (those it declines start with a
  // national prefix pattern of their region, or have one it leaves alone).
  EXPECT_GT(answered, valid * 8 / 10) << answered << " of " << valid;
}

TEST(FastE164, AgreesWithLibphonenumberNearEveryExampleNumber) {
  // Each example with one digit changed, one removed, one added: numbers that
  // are often one pattern away from valid.
  testing_util::Random rnd(11);
  int answered = 0, valid = 0, tried = 0;
  for (const std::string& example : ExampleNumbers()) {
    if (example.find(' ') != std::string::npos) continue;
    for (int k = 0; k < 6; ++k) {
      std::string s = example;
      size_t at = 2 + rnd.Int(static_cast<int>(s.size()) - 2);
      char digit = static_cast<char>('0' + rnd.Int(10));
      switch (k % 3) {
        case 0: s[at] = digit; break;
        case 1: s.erase(at, 1); break;
        case 2: s.insert(at, 1, digit); break;
      }
      ++tried;
      ASSERT_NO_FATAL_FAILURE(ExpectAgrees(s, &answered, &valid));
    }
  }
  EXPECT_GT(tried, 5000);
  EXPECT_GT(answered, valid / 2) << answered << " of " << valid;
}

TEST(FastE164, AgreesWithLibphonenumberOnRandomDigitsForEveryCallingCode) {
  std::set<int> codes;
  Util().GetSupportedCallingCodes(&codes);
  ASSERT_GT(codes.size(), 200u);
  testing_util::Random rnd(5);
  int answered = 0, valid = 0;
  for (int code : codes) {
    for (int k = 0; k < 120; ++k) {
      std::string s = "+" + std::to_string(code);
      int length = 1 + rnd.Int(18);
      for (int i = 0; i < length; ++i) s += static_cast<char>('0' + rnd.Int(10));
      ASSERT_NO_FATAL_FAILURE(ExpectAgrees(s, &answered, &valid));
    }
  }
  EXPECT_GT(answered, 0);
}

TEST(FastE164, TakesOnlyAPlusAndDigitsWithSingleSeparators) {
  EXPECT_EQ(FastE164("+16502530000"), "+16502530000");
  EXPECT_EQ(FastE164("+1 650-253-0000"), "+16502530000");
  EXPECT_EQ(FastE164("+44 20 7946 0958"), "+442079460958");
  for (const char* declined : {"+1  6502530000", "+1 650 253 0000 ", " +16502530000", "+ 16502530000",
                               "+16502530000-", "tel:+16502530000", "16502530000", "+1 (650) 253-0000",
                               "+1.650.253.0000", "\xEF\xBC\x8B" "16502530000", "+0123456789", "+",
                               "+12", "+999123456", "+16502530000x12"})
    EXPECT_EQ(FastE164(declined), std::nullopt) << declined;
}

TEST(FastE164, LeavesANationalPrefixAfterTheCodeToLibphonenumber) {
  // Parse strips Germany's national prefix 0 after +49; the fast path declines
  // and NormalizePhone's answer is libphonenumber's.
  EXPECT_EQ(FastE164("+49 030 1234567"), std::nullopt);
  EXPECT_EQ(*NormalizePhone("+49 030 1234567", ""), "+49301234567");
  EXPECT_EQ(*NormalizePhone("+49 30 1234567", "FR"), "+49301234567");
  // Italy keeps its leading zero as part of the number.
  EXPECT_EQ(FastE164("+39 06 6982 0000"), LibraryE164("+39 06 6982 0000"));
  EXPECT_FALSE(NormalizePhone("+49 1", "").ok());
}

}  // namespace
}  // namespace fairlead
