// libFuzzer target: an index snapshot whose columns are damaged in any way, but whose
// digest matches (as a faulty build could write), must be read as an index or
// refused with an error, never crash or read out of bounds. A real snapshot (two
// accounts, four people) is written once; each input overwrites its bytes from an
// offset the first 4 bytes choose, may cut it there, and the digest is recomputed.
#include <sodium.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "index/people_index.h"
#include "policy/rules.h"
#include "store/store.h"
#include "suppression/suppression.h"

namespace {

using namespace fairlead;

struct World {
  std::string dir, snapshot;
  Rules rules;
  TenantSettings settings;
  PeopleIndex::SnapshotKey key;
  std::string good;  // the snapshot's bytes, digest excluded
};

World* MakeWorld() {
  auto* w = new World;
  w->dir = "/tmp/fairlead-fuzz-snapshot-" + std::to_string(::getpid());
  std::system(("rm -rf '" + w->dir + "' && mkdir -p '" + w->dir + "'").c_str());
  w->snapshot = w->dir + "/t.snapshot";
  Result<Rules> rules = ParseRules(DefaultRulesText(), "default");
  if (!rules.ok()) __builtin_trap();
  w->rules = *rules;
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(w->dir + "/db.sqlite");
  if (!store.ok()) __builtin_trap();
  Store& s = **store;
  int64_t tenant = *s.EnsureTenant("t");
  int64_t accounts[2];
  for (int i = 0; i < 2; ++i) {
    Account a;
    a.domain = "a" + std::to_string(i) + ".example";
    a.industry = i ? "software" : "retail";
    a.technologies = {"k8s"};
    accounts[i] = *s.UpsertAccount(tenant, a);
  }
  for (int i = 0; i < 4; ++i) {
    Person p;
    p.subject.country = i % 2 ? "DE" : "US-CA";
    p.subject.function = "security";
    p.seniority = "director";
    p.subject.emails.push_back({"p" + std::to_string(i) + "@a.example", EmailType::kPersonal, Visibility::kVisible});
    p.account_id = i == 3 ? 0 : accounts[i % 2];
    int64_t id = *s.InsertPerson(tenant, p);
    BasisRecord b;
    b.basis = LawfulBasis::kConsent;
    b.status = BasisStatus::kGranted;
    b.scopes = {"marketing"};
    b.at = 1767225600;
    s.AddBasisRecord(tenant, id, &b);
    s.AddPurchase(tenant, id, {"security", PurchaseKind::kSale, 1767225600});
  }
  TenantSecret secret{};
  SuppressionHasher hasher(secret);
  SuppressionSet suppression;
  suppression.Add(hasher.Key(SuppressionKind::kEmail, "p1@a.example"));
  Result<std::unique_ptr<PeopleIndex>> index =
      PeopleIndex::Load(s, tenant, w->rules, w->settings, hasher, suppression, w->snapshot);
  if (!index.ok()) __builtin_trap();
  w->key = PeopleIndex::KeyFor(tenant, *s.IndexStamp(), hasher, suppression);
  std::ifstream in(w->snapshot, std::ios::binary);
  w->good.assign(std::istreambuf_iterator<char>(in), {});
  if (w->good.size() < crypto_generichash_BYTES) __builtin_trap();
  w->good.resize(w->good.size() - crypto_generichash_BYTES);
  return w;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World* w = MakeWorld();
  if (size < 4) return 0;
  uint32_t at;
  std::memcpy(&at, data, 4);
  data += 4;
  size -= 4;
  std::string bytes = w->good;
  size_t offset = at % bytes.size();
  bool cut = (at >> 31) & 1;
  if (cut) bytes.resize(offset);
  for (size_t i = 0; i < size; ++i) {
    if (offset + i < bytes.size()) bytes[offset + i] = static_cast<char>(data[i]);
    else bytes.push_back(static_cast<char>(data[i]));
  }
  unsigned char digest[crypto_generichash_BYTES];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                     nullptr, 0);
  bytes.append(reinterpret_cast<const char*>(digest), sizeof digest);
  FILE* f = std::fopen(w->snapshot.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
  Result<std::unique_ptr<PeopleIndex>> index = PeopleIndex::ReadSnapshot(w->snapshot, w->key, w->rules, w->settings);
  if (index.ok()) {
    // Whatever was read must be safe to query.
    PeopleIndex& x = **index;
    Bitset all(x.accounts());
    all.SetAll();
    size_t n = x.PeopleOfAccounts(all).Count();
    for (uint32_t row = 0; row < x.rows(); ++row) n += x.AccountOf(row) + x.Seniority(row).size();
    if (x.rows() < 1000) {
      Purpose p;
      p.id = "marketing";
      p.kind = PurposeKind::kMarketing;
      x.Eligible(p, Channel::kEmail, Action::kContact, Role::kListBuilder, 1767225600);
    }
    if (n == SIZE_MAX) std::puts("");
  }
  return 0;
}
