// Index snapshots: a PeopleIndex as loaded, written to one file and read back
// without touching the store.
//
// Layout: a magic line and format version, the key the snapshot was written for
// (tenant, store stamp, suppression fingerprint), then every column in a fixed order
// (vectors of fixed-size records as a count and raw bytes, strings and maps as
// counts and entries), then a BLAKE2b-256 digest of every byte before it. The
// reader maps the file, checks the digest before parsing, then bounds-checks every
// count, so a damaged file is an error, never a crash. Written to a temporary file
// and renamed, so a reader sees a whole snapshot or none. Not a durable record: the
// store is; a snapshot is used as is for the exact stamp it names, or caught up with
// the store's change log since that stamp (PeopleIndex::Load).
#include <fcntl.h>
#include <sodium.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <type_traits>

#include "index/people_index.h"

namespace fairlead {
namespace {

constexpr char kMagic[] = "fairlead people index snapshot\n";
// Bump when the layout or the meaning of any column changes.
constexpr uint32_t kFormatVersion = 2;  // 2: job functions kept as written
constexpr size_t kDigestBytes = crypto_generichash_BYTES;  // 32

class SnapshotWriter {
 public:
  explicit SnapshotWriter(FILE* f) : f_(f) { crypto_generichash_init(&state_, nullptr, 0, kDigestBytes); }

  void Bytes(const void* p, size_t n) {
    if (!n || !ok_) return;
    crypto_generichash_update(&state_, static_cast<const unsigned char*>(p), n);
    if (std::fwrite(p, 1, n, f_) != n) ok_ = false;
  }
  void U64(uint64_t v) { Bytes(&v, sizeof v); }
  void Str(const std::string& s) {
    U64(s.size());
    Bytes(s.data(), s.size());
  }
  template <typename T>
  void Vec(const std::vector<T>& v) {
    // Plain records without padding: the bytes written are the values, nothing else.
    static_assert(std::has_unique_object_representations_v<T>);
    U64(v.size());
    Bytes(v.data(), v.size() * sizeof(T));
  }
  void Bits(const Bitset& b) {
    U64(b.rows());
    U64(b.word_count());
    Bytes(b.words(), b.word_count() * 8);
  }
  bool Finish() {
    unsigned char digest[kDigestBytes];
    crypto_generichash_final(&state_, digest, sizeof digest);
    if (ok_ && std::fwrite(digest, 1, sizeof digest, f_) != sizeof digest) ok_ = false;
    return ok_;
  }

 private:
  FILE* f_;
  crypto_generichash_state state_;
  bool ok_ = true;
};

class SnapshotReader {
 public:
  SnapshotReader(const uint8_t* p, size_t n) : p_(p), end_(p + n) {}

  bool ok() const { return ok_; }
  bool Bytes(void* out, size_t n) {
    if (!ok_ || static_cast<size_t>(end_ - p_) < n) return ok_ = false;
    if (n) std::memcpy(out, p_, n);
    p_ += n;
    return true;
  }
  uint64_t U64() {
    uint64_t v = 0;
    Bytes(&v, sizeof v);
    return v;
  }
  // A count of `size`-byte items that must fit in what is left.
  size_t Count(size_t size) {
    uint64_t n = U64();
    if (!ok_ || (size && n > static_cast<uint64_t>(end_ - p_) / size)) {
      ok_ = false;
      return 0;
    }
    return static_cast<size_t>(n);
  }
  std::string Str() {
    size_t n = Count(1);
    std::string s(n, '\0');
    Bytes(s.data(), n);
    return s;
  }
  template <typename T>
  void Vec(std::vector<T>* v) {
    size_t n = Count(sizeof(T));
    v->resize(n);
    Bytes(v->data(), n * sizeof(T));
  }
  Bitset Bits() {
    uint64_t rows = U64();
    size_t words = Count(8);
    if (!ok_ || words != (rows + 63) / 64) {
      ok_ = false;
      return Bitset();
    }
    Bitset b(static_cast<size_t>(rows));
    Bytes(b.words(), words * 8);
    return b;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
  bool ok_ = true;
};

// A read-only mapping of a whole file.
struct Mapping {
  const uint8_t* data = nullptr;
  size_t size = 0;
  Mapping() = default;
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping() {
    if (data) munmap(const_cast<uint8_t*>(data), size);
  }
};

Status MapFile(const std::string& path, Mapping* m) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound(path + ": no snapshot");
    return Status::Io(path + ": " + std::strerror(errno));
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return Status::Io(path + ": " + std::strerror(e));
  }
  m->size = static_cast<size_t>(st.st_size);
  if (m->size == 0) {
    close(fd);
    return Status::Invalid(path + ": empty snapshot");
  }
  void* p = mmap(nullptr, m->size, PROT_READ, MAP_PRIVATE, fd, 0);
  int e = errno;
  close(fd);
  if (p == MAP_FAILED) {
    m->size = 0;
    return Status::Io(path + ": " + std::strerror(e));
  }
  madvise(p, m->size, MADV_SEQUENTIAL);
  m->data = static_cast<const uint8_t*>(p);
  return Status::Ok();
}

template <typename Map>
void WriteBitsetMap(SnapshotWriter& w, const Map& m) {
  w.U64(m.size());
  for (const auto& [k, b] : m) {
    w.Str(k);
    w.Bits(b);
  }
}

void WriteDictionary(SnapshotWriter& w, const Dictionary& d) {
  w.U64(d.size());
  for (size_t i = 0; i < d.size(); ++i) w.Str(d.Name(static_cast<uint32_t>(i)));
}

bool ReadDictionary(SnapshotReader& r, Dictionary* d) {
  size_t n = r.Count(8);
  for (size_t i = 0; i < n && r.ok(); ++i) {
    std::string name = r.Str();
    if (!r.ok() || d->Intern(name) != i) return false;  // names are distinct, in id order
  }
  return r.ok();
}

}  // namespace

PeopleIndex::SnapshotKey PeopleIndex::KeyFor(int64_t tenant, std::string stamp, const SuppressionHasher& hasher,
                                             const SuppressionSet& suppression) {
  SnapshotKey k;
  k.tenant = tenant;
  k.stamp = std::move(stamp);
  // The suppressed bits depend on the tenant's secret: a key made with it (not the
  // secret) tells whether it is the same one.
  k.suppression = SuppressionHasher::Hex(hasher.Key(SuppressionKind::kEmail, "fairlead-index-snapshot@invalid")) +
                  " size=" + std::to_string(suppression.size());
  return k;
}

Status PeopleIndex::WriteSnapshot(const std::string& path, const SnapshotKey& key) const {
  std::error_code ec;
  std::filesystem::path target(path);
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path(), ec);
  if (ec) return Status::Io(target.parent_path().string() + ": " + ec.message());
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return Status::Io(tmp + ": " + std::strerror(errno));
  std::setvbuf(f, nullptr, _IOFBF, 1 << 20);
  SnapshotWriter w(f);
  w.Bytes(kMagic, sizeof kMagic - 1);
  w.U64(kFormatVersion);
  w.U64(static_cast<uint64_t>(key.tenant));
  w.Str(key.stamp);
  w.Str(key.suppression);
  w.Vec(person_ids_);
  w.Vec(row_of_);
  w.Vec(account_of_);
  w.Vec(people_);
  w.Vec(records_);
  w.Vec(purchases_);
  w.Vec(seniority_);
  for (const Dictionary* d : {&seniorities_, &countries_, &functions_, &scope_sets_, &families_}) WriteDictionary(w, *d);
  // By account row, so the same index always writes the same bytes (a flat map's
  // order depends on its history).
  std::vector<std::pair<uint32_t, const std::string*>> domains;
  domains.reserve(account_of_domain_.size());
  for (const auto& [domain, row] : account_of_domain_) domains.emplace_back(row, &domain);
  std::sort(domains.begin(), domains.end());
  w.U64(domains.size());
  for (const auto& [row, domain] : domains) {
    w.Str(*domain);
    w.U64(row);
  }
  WriteBitsetMap(w, person_values_);
  WriteBitsetMap(w, account_values_);
  w.Bits(suppressed_);
  w.Vec(account_ids_);
  w.Vec(account_row_of_);
  std::vector<uint32_t> runs;  // pairs are not plain records: as begin, end, begin, end...
  runs.reserve(account_runs_.size() * 2);
  for (const auto& [b, e] : account_runs_) {
    runs.push_back(b);
    runs.push_back(e);
  }
  w.Vec(runs);
  w.U64(account_extra_.size());
  for (const auto& [a, rows] : account_extra_) {
    w.U64(a);
    w.Vec(rows);
  }
  w.Vec(moved_rows_);
  bool ok = w.Finish();
  if (std::fclose(f) != 0) ok = false;
  if (!ok) {
    std::remove(tmp.c_str());
    return Status::Io(tmp + ": could not write the index snapshot");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = Status::Io(path + ": " + std::strerror(errno));
    std::remove(tmp.c_str());
    return s;
  }
  return Status::Ok();
}

Result<std::unique_ptr<PeopleIndex>> PeopleIndex::ReadSnapshot(const std::string& path, const SnapshotKey& key,
                                                               const Rules& rules, const TenantSettings& settings,
                                                               std::string* stamp) {
  Mapping m;
  FL_RETURN_IF_ERROR(MapFile(path, &m));
  auto damaged = [&](const std::string& what) { return Status::Invalid(path + ": damaged index snapshot (" + what + ")"); };
  const size_t header = sizeof kMagic - 1;
  if (m.size < header + kDigestBytes || std::memcmp(m.data, kMagic, header) != 0)
    return Status::Invalid(path + ": not an index snapshot");
  const size_t body = m.size - kDigestBytes;
  unsigned char digest[kDigestBytes];
  crypto_generichash(digest, sizeof digest, m.data, body, nullptr, 0);
  if (sodium_memcmp(digest, m.data + body, kDigestBytes) != 0) return damaged("digest mismatch");

  SnapshotReader r(m.data + header, body - header);
  if (r.U64() != kFormatVersion) return Status::Invalid(path + ": snapshot of another format version");
  SnapshotKey have;
  have.tenant = static_cast<int64_t>(r.U64());
  have.stamp = r.Str();
  have.suppression = r.Str();
  if (!r.ok()) return damaged("header");
  if (have.tenant != key.tenant) return Status::Invalid(path + ": snapshot of another tenant");
  if (stamp) *stamp = have.stamp;
  else if (have.stamp != key.stamp) return Status::Invalid(path + ": stale snapshot (store is at " + key.stamp + ")");
  if (have.suppression != key.suppression) return Status::Invalid(path + ": snapshot of other suppression");

  auto index = std::make_unique<PeopleIndex>(rules, settings);
  PeopleIndex& x = *index;
  x.seniorities_ = Dictionary();
  x.countries_ = Dictionary();
  x.functions_ = Dictionary();
  r.Vec(&x.person_ids_);
  r.Vec(&x.row_of_);
  r.Vec(&x.account_of_);
  r.Vec(&x.people_);
  r.Vec(&x.records_);
  r.Vec(&x.purchases_);
  r.Vec(&x.seniority_);
  for (Dictionary* d : {&x.seniorities_, &x.countries_, &x.functions_, &x.scope_sets_, &x.families_})
    if (!ReadDictionary(r, d)) return damaged("dictionary");
  size_t domains = r.Count(16);
  x.account_of_domain_.reserve(domains);
  for (size_t i = 0; i < domains && r.ok(); ++i) {
    std::string d = r.Str();
    x.account_of_domain_[std::move(d)] = static_cast<uint32_t>(r.U64());
  }
  for (auto* map : {&x.person_values_, &x.account_values_}) {
    size_t n = r.Count(24);
    for (size_t i = 0; i < n && r.ok(); ++i) {
      std::string k = r.Str();
      (*map)[std::move(k)] = r.Bits();
    }
  }
  x.suppressed_ = r.Bits();
  r.Vec(&x.account_ids_);
  r.Vec(&x.account_row_of_);
  std::vector<uint32_t> runs;
  r.Vec(&runs);
  if (runs.size() % 2) return damaged("account runs");
  x.account_runs_.resize(runs.size() / 2);
  for (size_t i = 0; i < x.account_runs_.size(); ++i) x.account_runs_[i] = {runs[2 * i], runs[2 * i + 1]};
  size_t extra = r.Count(16);
  for (size_t i = 0; i < extra && r.ok(); ++i) {
    uint32_t a = static_cast<uint32_t>(r.U64());
    r.Vec(&x.account_extra_[a]);
  }
  r.Vec(&x.moved_rows_);
  if (!r.ok()) return damaged("truncated column");

  // The digest says the bytes are the ones written; these say they fit together, so
  // no query can index out of bounds even on a snapshot written by a faulty build.
  const size_t n = x.person_ids_.size(), accounts = x.account_ids_.size();
  if (x.account_of_.size() != n || x.people_.size() != n || x.seniority_.size() != n || x.suppressed_.rows() != n ||
      x.account_runs_.size() > accounts)  // accounts added after the load from the store have no run
    return damaged("column lengths differ");
  for (uint32_t a : x.account_of_)
    if (a != kNoAccount && a >= accounts) return damaged("account row out of range");
  for (uint32_t row : x.row_of_)
    if (row != UINT32_MAX && row >= n) return damaged("row out of range");
  for (uint32_t row : x.account_row_of_)
    if (row != UINT32_MAX && row >= accounts) return damaged("account row out of range");
  for (const auto& [b, e] : x.account_runs_)
    if (b > e || e > n) return damaged("account run out of range");
  for (const auto& [a, rows] : x.account_extra_) {
    if (a >= accounts) return damaged("account row out of range");
    for (uint32_t row : rows)
      if (row >= n) return damaged("row out of range");
  }
  for (uint32_t row : x.moved_rows_)
    if (row >= n) return damaged("row out of range");
  for (const auto& [domain, row] : x.account_of_domain_)
    if (row >= accounts) return damaged("account row out of range");
  for (const auto& [k, b] : x.person_values_)
    if (b.rows() > n) return damaged("value set too long");
  for (const auto& [k, b] : x.account_values_)
    if (b.rows() > accounts) return damaged("value set too long");
  for (size_t row = 0; row < n; ++row) {
    const CompactPerson& c = x.people_[row];
    if (c.country >= x.countries_.size() || c.function >= x.functions_.size() ||
        x.seniority_[row] >= x.seniorities_.size() ||
        uint64_t{c.first_record} + c.Records() > x.records_.size() ||
        uint64_t{c.first_purchase} + c.Purchases() > x.purchases_.size())
      return damaged("person record out of range");
  }
  for (const CompactRecord& rec : x.records_)
    if (rec.scopes >= x.scope_sets_.size()) return damaged("basis record out of range");
  for (const CompactPurchase& p : x.purchases_)
    if (p.family >= x.families_.size()) return damaged("purchase out of range");
  // Read back at exact sizes: room for the records and purchases that writes append,
  // so the first ones do not copy the whole column (10k withdrawals at 10M people
  // went from 0.1 to 0.9 s without it).
  x.records_.reserve(x.records_.size() + x.records_.size() / 16 + 1024);
  x.purchases_.reserve(x.purchases_.size() + x.purchases_.size() / 16 + 1024);
  return index;
}

}  // namespace fairlead
