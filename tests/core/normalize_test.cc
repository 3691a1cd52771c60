#include "core/normalize.h"

#include <gtest/gtest.h>
#include <idn2.h>

#include "testing/test_util.h"

namespace fairlead {
namespace {

// NormalizeEmail skips libidn2 for plain ASCII host names; this pins that libidn2
// would have returned the same name (lowercased) for every host the fast path takes,
// and that names near the edges (hyphens, "xn--", long labels) still reach libidn2.
TEST(NormalizeEmail, PlainAsciiHostsMatchLibidn2) {
  testing_util::Random rnd(7);
  const std::string alphabet = "abcXYZ019-";
  int compared = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string host;
    int labels = 1 + rnd.Int(3);
    for (int l = 0; l < labels; ++l) {
      if (l) host += '.';
      int len = rnd.Chance(2) ? 60 + rnd.Int(6) : 1 + rnd.Int(6);
      for (int k = 0; k < len; ++k) host += alphabet[static_cast<size_t>(rnd.Int(static_cast<int>(alphabet.size())))];
    }
    if (rnd.Chance(10)) host.insert(0, "xn--");
    Result<std::string> fast = NormalizeEmail("A.b@" + host);
    char* ascii = nullptr;
    int rc = idn2_to_ascii_8z(host.c_str(), &ascii, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
    if (rc != IDN2_OK) rc = idn2_to_ascii_8z(host.c_str(), &ascii, IDN2_NFC_INPUT | IDN2_TRANSITIONAL);
    if (rc == IDN2_OK) {
      std::string expect = AsciiLower(ascii);
      idn2_free(ascii);
      bool has_dot = expect.find('.') != std::string::npos;
      bool ldh = expect.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-.") == std::string::npos;
      if (has_dot && ldh) {
        ASSERT_TRUE(fast.ok()) << host << ": " << fast.status().message();
        EXPECT_EQ(*fast, "a.b@" + expect) << host;
        ++compared;
      } else {
        EXPECT_FALSE(fast.ok()) << host;
      }
    } else {
      EXPECT_FALSE(fast.ok()) << host << " -> " << *fast;  // libidn2 refused it: so must we
    }
  }
  EXPECT_GT(compared, 5000);
}

TEST(NormalizeEmail, FoldsCaseAndConvertsIdn) {
  EXPECT_EQ(*NormalizeEmail("  Jane.Doe@Example.COM "), "jane.doe@example.com");
  EXPECT_EQ(*NormalizeEmail("<jane@example.com>"), "jane@example.com");
  EXPECT_EQ(*NormalizeEmail("jürgen@Bücher.de"), "jürgen@xn--bcher-kva.de");
  EXPECT_EQ(*NormalizeEmail("ÉLODIE@example.fr"), "élodie@example.fr");
  EXPECT_EQ(*NormalizeEmail("a@example.com."), "a@example.com");
}

TEST(NormalizeEmail, RejectsWithAReason) {
  for (const char* bad : {"", "no-at-sign", "@example.com", "a@", "a@localhost", "a b@example.com", "a@exa mple.com",
                          "a@example..com", "a@\xff.com"}) {
    Result<std::string> r = NormalizeEmail(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_FALSE(r.status().message().empty());
  }
}

// Found by fuzz_normalize: libidn2 reads a C string, so a NUL in a non-ASCII address's
// domain ended it there ("x.\0..om" became "x.", an address that did not normalise
// to itself); a domain ending in two dots kept one.
TEST(NormalizeEmail, RejectsControlCharactersAndAnEmptyLastLabel) {
  using namespace std::string_literals;
  for (const std::string& bad : {"\xc7\x85mal@x.\0\0om"s, "jane@example.\0com"s, "jürgen@bücher.de\x01"s,
                                 "jürgen@bücher\x7f.de"s, "jürgen@bücher.de.."s, "jane@example.com.."s}) {
    Result<std::string> r = NormalizeEmail(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
  EXPECT_EQ(*NormalizeEmail("jürgen@bücher.de."), "jürgen@xn--bcher-kva.de");
}

// An account's host name follows the same rules as an email's domain.
TEST(NormalizeHostName, SameRulesAsAnEmailDomain) {
  EXPECT_EQ(*NormalizeHostName("Bücher.DE"), "xn--bcher-kva.de");
  EXPECT_EQ(*NormalizeHostName("Acme.com."), "acme.com");
  EXPECT_EQ(*NormalizeHostName("xn--bcher-kva.de"), "xn--bcher-kva.de");
  for (const char* bad : {"", "foo", "exa mple.com", "x..com", ".x.com", "x.com..", "x\x01.com", "a_b.com"}) {
    Result<std::string> r = NormalizeHostName(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
  EXPECT_NE(NormalizeHostName("foo").status().message().find("no dot"), std::string::npos);
}

// What normalises, normalises to itself: the key of an address read back from the
// store is the key it was stored under.
TEST(NormalizeEmail, IsIdempotent) {
  for (const char* raw : {"  Jane.Doe@Example.COM ", "jürgen@Bücher.de", "\xc7\x85mal@x.com", "ÉLODIE@example.fr.",
                          "a.b+tag@xn--bcher-kva.de", "Straße@straße.de"}) {
    Result<std::string> once = NormalizeEmail(raw);
    ASSERT_TRUE(once.ok()) << raw;
    EXPECT_EQ(*NormalizeEmail(*once), *once) << raw;
  }
}

TEST(EmailType, RoleAddressesAreGeneric) {
  for (const char* g : {"info@x.com", "sales@x.com", "contact@x.com", "office@x.com", "hello@x.com", "support@x.com",
                        "team@x.com", "admin@x.com", "marketing@x.com", "enquiries@x.com", "INFO@x.com"})
    EXPECT_EQ(EmailTypeOf(g), EmailType::kGeneric) << g;
  for (const char* p : {"jane@x.com", "information@x.com", "sales.team@x.com", "j.info@x.com", "info+de@x.com"})
    EXPECT_EQ(EmailTypeOf(p), EmailType::kPersonal) << p;
}

TEST(NormalizePhone, E164WithTheCountry) {
  EXPECT_EQ(*NormalizePhone("030 1234567", "DE"), "+49301234567");
  EXPECT_EQ(*NormalizePhone("+44 20 7946 0958", ""), "+442079460958");
  EXPECT_EQ(*NormalizePhone("(415) 555-2671", "US-CA"), "+14155552671");
  EXPECT_EQ(*NormalizePhone("06 12 34 56 78", "FR"), "+33612345678");
  EXPECT_FALSE(NormalizePhone("12", "DE").ok());
  EXPECT_FALSE(NormalizePhone("030 1234567", "").ok());
  EXPECT_FALSE(NormalizePhone("not a number", "GB").ok());
}

TEST(NormalizeName, NfcTrimAndCaseFoldKey) {
  EXPECT_EQ(*NormalizeName("  Zoë   van  Dijk "), "Zoë van Dijk");
  EXPECT_EQ(*NormalizeName("Zoe\xCC\x88"), "Zo\xC3\xAB");  // combining diaeresis -> NFC
  EXPECT_EQ(NameKey("MÜLLER"), NameKey("müller"));
  EXPECT_EQ(NameKey("Straße"), "strasse");
  EXPECT_FALSE(NormalizeName("bad\xff").ok());
}

TEST(NormalizeCountry, IsoCodesAndSubdivisions) {
  EXPECT_EQ(*NormalizeCountry("de"), "DE");
  EXPECT_EQ(*NormalizeCountry("us-ca"), "US-CA");
  EXPECT_FALSE(NormalizeCountry("XX").ok());
  EXPECT_FALSE(NormalizeCountry("Germany").ok());
  EXPECT_FALSE(NormalizeCountry("US-").ok());
  EXPECT_EQ(CountryAlpha2("US-CA"), "US");
}

TEST(ScopeCovers, DottedPrefixesOnly) {
  EXPECT_TRUE(ScopeCovers("marketing", "marketing"));
  EXPECT_TRUE(ScopeCovers("marketing", "marketing.security.firewall"));
  EXPECT_TRUE(ScopeCovers("marketing.security", "marketing.security.firewall"));
  EXPECT_FALSE(ScopeCovers("marketing.security", "marketing"));
  EXPECT_FALSE(ScopeCovers("marketing", "marketingx"));
  EXPECT_FALSE(ScopeCovers("", "marketing"));
}

}  // namespace
}  // namespace fairlead
