#include "suppression/suppression.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <random>

#include "store/secret.h"

namespace fairlead {
namespace {

// The hasher reuses the keyed HMAC state; every key must still be the plain
// HMAC-SHA256(secret, kind prefix + value), so stored keys stay valid.
TEST(Suppression, KeyIsHmacSha256OfPrefixAndValue) {
  TenantSecret secret;
  for (size_t i = 0; i < secret.size(); ++i) secret[i] = static_cast<uint8_t>(i * 7 + 3);
  SuppressionHasher h(secret);
  // Lengths across SHA-256's block edges (the prefix is 6 bytes: 49-50, 57-58, 113-122).
  std::vector<std::string> values{"", "jane@x.com", "+4930123456", std::string(200, 'a')};
  std::mt19937 rng(7);
  for (size_t n : {49, 50, 57, 58, 113, 114, 121, 122, 300})
    for (int k = 0; k < 3; ++k) {
      std::string v(n, '\0');
      for (char& c : v) c = static_cast<char>(rng());
      values.push_back(v);
    }
  for (const std::string& value : values) {
    for (auto [kind, prefix] : {std::pair{SuppressionKind::kEmail, "email:"}, {SuppressionKind::kPhone, "phone:"}}) {
      std::string msg = prefix + value;
      SuppressionKey expect;
      crypto_auth_hmacsha256(expect.data(), reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
                             secret.data());
      EXPECT_EQ(h.Key(kind, value), expect) << msg;
      EXPECT_EQ(h.Key(kind, value), expect) << "the second key from the same hasher too";
    }
  }
}

TEST(Suppression, KeyedHashDependsOnSecretAndKind) {
  TenantSecret a{}, b{};
  b[0] = 1;
  SuppressionHasher ha(a), hb(b);
  EXPECT_EQ(ha.Key(SuppressionKind::kEmail, "jane@x.com"), ha.Key(SuppressionKind::kEmail, "jane@x.com"));
  EXPECT_NE(ha.Key(SuppressionKind::kEmail, "jane@x.com"), hb.Key(SuppressionKind::kEmail, "jane@x.com"));
  EXPECT_NE(ha.Key(SuppressionKind::kEmail, "+4930"), ha.Key(SuppressionKind::kPhone, "+4930"));
  EXPECT_EQ(SuppressionHasher::Hex(ha.Key(SuppressionKind::kEmail, "jane@x.com")).size(), 64u);
}

TEST(Suppression, SetMatchesAnyEmailOrThePhone) {
  TenantSecret s{};
  SuppressionHasher h(s);
  SuppressionSet set;
  set.Add(h.Key(SuppressionKind::kEmail, "b@x.com"));
  set.Add(h.Key(SuppressionKind::kPhone, "+442079460958"));
  std::vector<EmailAddress> emails = {{"a@x.com"}, {"b@x.com"}};
  EXPECT_TRUE(set.ContainsAny(h, emails, ""));
  EXPECT_FALSE(set.ContainsAny(h, {{"a@x.com"}}, ""));
  EXPECT_TRUE(set.ContainsAny(h, {{"a@x.com"}}, "+442079460958"));
}

TEST(Suppression, SetNamesTheListOfEachMatch) {
  TenantSecret s{};
  SuppressionHasher h(s);
  SuppressionSet set;
  set.Add(h.Key(SuppressionKind::kEmail, "b@x.com"), "unsubscribed");
  set.Add(h.Key(SuppressionKind::kEmail, "b@x.com"), "robinson");  // the first list is kept
  set.Add(h.Key(SuppressionKind::kPhone, "+442079460958"), "tps");
  set.Add(h.Key(SuppressionKind::kEmail, "c@x.com"));
  EXPECT_EQ(set.size(), 3u);
  ASSERT_NE(set.ListOf(h.Key(SuppressionKind::kEmail, "b@x.com")), nullptr);
  EXPECT_EQ(*set.ListOf(h.Key(SuppressionKind::kEmail, "b@x.com")), "unsubscribed");
  EXPECT_EQ(set.ListOf(h.Key(SuppressionKind::kEmail, "a@x.com")), nullptr);
  std::vector<EmailAddress> emails = {{"a@x.com"}, {"b@x.com"}, {"c@x.com"}};
  std::vector<SuppressionSet::Match> m = set.Matches(h, emails, "+442079460958");
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].email_index, 1);
  EXPECT_EQ(m[0].list, "unsubscribed");
  EXPECT_EQ(m[1].email_index, 2);
  EXPECT_EQ(m[1].list, "");
  EXPECT_EQ(m[2].email_index, -1);
  EXPECT_EQ(m[2].list, "tps");
  EXPECT_TRUE(set.Matches(h, {{"a@x.com"}}, "").empty());
}

TEST(Secret, CreatedOnceThenReadBack) {
  std::string path = ::testing::TempDir() + "/secret-test.key";
  std::remove(path.c_str());
  Result<TenantSecret> first = LoadOrCreateSecret(path);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Result<TenantSecret> second = LoadOrCreateSecret(path);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);
  EXPECT_NE(*first, TenantSecret{});
}

}  // namespace
}  // namespace fairlead
