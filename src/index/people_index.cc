#include "index/people_index.h"

#include <absl/container/flat_hash_map.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <numeric>
#include <thread>

#include "core/normalize.h"
#include "policy/bulk.h"
#include "policy/scenario.h"

namespace fairlead {

uint32_t Dictionary::Intern(std::string_view s) {
  auto it = ids_.find(std::string(s));
  if (it != ids_.end()) return it->second;
  uint32_t id = static_cast<uint32_t>(names_.size());
  names_.emplace_back(s);
  ids_.emplace(std::string(s), id);
  return id;
}

std::optional<uint32_t> Dictionary::Find(std::string_view s) const {
  auto it = ids_.find(std::string(s));
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

PeopleIndex::PeopleIndex(const Rules& rules, const TenantSettings& settings) : rules_(rules), settings_(settings) {
  countries_.Intern("");
  functions_.Intern("");
  seniorities_.Intern("");
}

bool PeopleIndex::IsPersonField(std::string_view f) {
  return f == "country" || f == "seniority" || f == "function" || f == "recipient" || f == "stage";
}
bool PeopleIndex::IsAccountField(std::string_view f) {
  return f == "industry" || f == "employee_band" || f == "revenue_band" || f == "hq_country" || f == "tech" ||
         f == "domain";
}

std::optional<uint32_t> PeopleIndex::RowOf(int64_t person_id) const {
  if (person_id < 0 || static_cast<uint64_t>(person_id) >= row_of_.size() || row_of_[person_id] == UINT32_MAX)
    return std::nullopt;
  return row_of_[person_id];
}

void PeopleIndex::MapRow(int64_t person_id, uint32_t row) {
  if (person_id < 0) return;
  if (static_cast<uint64_t>(person_id) >= row_of_.size())
    row_of_.resize(std::max<size_t>(static_cast<size_t>(person_id) + 1, row_of_.size() * 5 / 4), UINT32_MAX);
  row_of_[person_id] = row;
}

std::optional<uint32_t> PeopleIndex::AccountRowOf(int64_t account_id) const {
  if (account_id < 0 || static_cast<uint64_t>(account_id) >= account_row_of_.size() ||
      account_row_of_[account_id] == UINT32_MAX)
    return std::nullopt;
  return account_row_of_[account_id];
}

Bitset& PeopleIndex::ValueSet(std::unordered_map<std::string, Bitset>& sets, const std::string& key, size_t rows) {
  auto it = sets.find(key);
  if (it == sets.end()) it = sets.emplace(key, Bitset(rows)).first;
  if (it->second.rows() < rows) it->second.Resize(rows);
  return it->second;
}

uint32_t PeopleIndex::AddAccount(const Account& a) {
  std::optional<uint32_t> known = AccountRowOf(a.id);
  uint32_t row;
  if (known) {
    row = *known;  // attributes of an existing account are only added to (rare; rebuilt on load)
  } else {
    row = static_cast<uint32_t>(account_ids_.size());
    account_ids_.push_back(a.id);
    if (a.id >= 0) {  // store ids are dense: a vector, not a map
      if (static_cast<uint64_t>(a.id) >= account_row_of_.size())
        account_row_of_.resize(std::max<size_t>(static_cast<size_t>(a.id) + 1, account_row_of_.size() * 5 / 4),
                               UINT32_MAX);
      account_row_of_[a.id] = row;
    }
  }
  size_t n = account_ids_.size();
  auto set = [&](const std::string& field, const std::string& value) {
    if (!value.empty()) ValueSet(account_values_, field + "=" + AsciiLower(value), n).Set(row);
  };
  if (!a.domain.empty()) account_of_domain_[AsciiLower(a.domain)] = row;
  set("industry", a.industry);
  set("employee_band", a.employee_band);
  set("revenue_band", a.revenue_band);
  set("hq_country", a.hq_country);
  for (const std::string& t : a.technologies) set("tech", t);
  return row;
}

void PeopleIndex::PutAccount(const Account& a) {
  if (std::optional<uint32_t> known = AccountRowOf(a.id)) {
    const uint32_t row = *known;
    for (auto& [key, bits] : account_values_) bits.Assign(row, false);
    absl::erase_if(account_of_domain_, [row](const auto& entry) { return entry.second == row; });
  }
  AddAccount(a);
}

const Bitset* PeopleIndex::PersonValue(std::string_view field, std::string_view value) const {
  auto it = person_values_.find(std::string(field) + "=" + AsciiLower(value));
  return it == person_values_.end() ? nullptr : &it->second;
}

std::optional<uint32_t> PeopleIndex::AccountRowOfDomain(const std::string& domain) const {
  auto d = account_of_domain_.find(domain);
  if (d == account_of_domain_.end()) return std::nullopt;
  return d->second;
}

const Bitset* PeopleIndex::AccountValue(std::string_view field, std::string_view value) const {
  if (field == "domain") {
    // One account per domain: a small set made on demand instead of a set per domain kept.
    std::optional<uint32_t> row = AccountRowOfDomain(AsciiLower(value));
    if (!row) return nullptr;
    domain_scratch_ = Bitset(accounts());
    domain_scratch_.Set(*row);
    return &domain_scratch_;
  }
  auto it = account_values_.find(std::string(field) + "=" + AsciiLower(value));
  return it == account_values_.end() ? nullptr : &it->second;
}

Bitset PeopleIndex::PeopleOfAccounts(const Bitset& accounts) const {
  Bitset out(rows());
  const size_t runs = account_runs_.size();
  accounts.ForEach([&](uint32_t a) {
    if (a < runs) out.SetRange(account_runs_[a].first, account_runs_[a].second);
  });
  // Rows added since the load (few): by their account, not per account asked.
  for (const auto& [a, extra] : account_extra_)
    if (accounts.Test(a))
      for (uint32_t r : extra) out.Set(r);
  for (uint32_t r : moved_rows_) out.Assign(r, account_of_[r] != kNoAccount && accounts.Test(account_of_[r]));
  return out;
}

void PeopleIndex::Encode(uint32_t row, const Subject& s, std::string_view seniority) {
  CompactPerson c{};
  c.collected_at = s.collected_at.value_or(kNone);
  c.notice_at = s.transparency_notice_sent_at.value_or(kNone);
  c.objected_at = s.objected_direct_marketing_at.value_or(kNone);
  c.country = static_cast<uint16_t>(countries_.Intern(s.country));
  // As written: Decide compares it with the purpose's functions exactly (reading 20);
  // the filter's value set folds case (OtherKeys).
  c.function = static_cast<uint16_t>(functions_.Intern(s.function));
  c.recipient = static_cast<uint8_t>(s.recipient);
  c.stage = static_cast<uint8_t>(s.stage);
  c.flags = static_cast<uint8_t>((s.opt_out_offered_at_collection ? 1 : 0) | (s.restricted ? 2 : 0) |
                                 (s.do_not_sell ? 4 : 0) | (s.erased ? 8 : 0));
  // Decide reads only each address's type and visibility: keep which pairs occur.
  for (const EmailAddress& e : s.emails)
    c.email_kinds |= static_cast<uint8_t>(1u << (static_cast<int>(e.type) * 3 + static_cast<int>(e.visibility)));
  c.first_record = static_cast<uint32_t>(records_.size());
  // Every record and purchase is kept, however many: the bulk form must see what Decide sees.
  const uint32_t n_records = static_cast<uint32_t>(std::min<size_t>(s.bases.size(), UINT32_MAX));
  const uint32_t n_purchases = static_cast<uint32_t>(std::min<size_t>(s.purchases.size(), UINT32_MAX));
  c.SetCounts(n_records, n_purchases);
  for (size_t i = 0; i < n_records; ++i) {
    const BasisRecord& b = s.bases[i];
    std::string scopes;
    for (size_t k = 0; k < b.scopes.size(); ++k) scopes += (k ? "\x1f" : "") + b.scopes[k];
    records_.push_back({b.at, b.confirmed_at.value_or(kNone), b.expires_at.value_or(kNone), scope_sets_.Intern(scopes),
                        static_cast<uint8_t>(b.basis), static_cast<uint8_t>(b.status), b.channels,
                        static_cast<uint8_t>(b.channels_given ? 1 : 0)});
  }
  c.first_purchase = static_cast<uint32_t>(purchases_.size());
  for (size_t i = 0; i < n_purchases; ++i)
    purchases_.push_back({s.purchases[i].at, families_.Intern(s.purchases[i].family),
                          static_cast<uint8_t>(s.purchases[i].kind)});
  people_[row] = c;
  seniority_[row] = static_cast<uint8_t>(std::min<uint32_t>(seniorities_.Intern(AsciiLower(seniority)), 255));
}

// The value sets a row belongs to, one function per column, so that a bulk load can
// look each distinct value's sets up once: a key ending in '=' (empty value) is none.
std::array<std::string, 2> PeopleIndex::CountryKeys(uint32_t country) const {
  const std::string& name = countries_.Name(country);
  std::array<std::string, 2> keys = {"country=" + AsciiLower(name), "country=" + AsciiLower(CountryAlpha2(name))};
  if (keys[1] == keys[0]) keys[1] = "=";
  return keys;
}

std::array<std::string, 4> PeopleIndex::OtherKeys(uint8_t seniority, uint16_t function, uint8_t recipient,
                                                  uint8_t stage) const {
  return {"seniority=" + seniorities_.Name(seniority), "function=" + AsciiLower(functions_.Name(function)),
          "recipient=" + std::string(Name(static_cast<Recipient>(recipient))),
          "stage=" + std::string(Name(static_cast<Stage>(stage)))};
}

void PeopleIndex::SetValues(uint32_t row, bool on) {
  const CompactPerson& c = people_[row];
  auto assign = [&](const std::string& key) {
    if (key.back() != '=') ValueSet(person_values_, key, rows()).Assign(row, on);
  };
  for (const std::string& key : CountryKeys(c.country)) assign(key);
  for (const std::string& key : OtherKeys(seniority_[row], c.function, c.recipient, c.stage)) assign(key);
}

void PeopleIndex::SetAllValues() {
  const size_t n = rows();
  auto set_of = [&](const std::string& key) { return key.back() == '=' ? nullptr : &ValueSet(person_values_, key, n); };
  // The sets of each distinct value, by the value's id (map nodes do not move).
  std::vector<std::array<Bitset*, 2>> by_country(countries_.size());
  for (uint32_t c = 0; c < by_country.size(); ++c) {
    std::array<std::string, 2> keys = CountryKeys(c);
    by_country[c] = {set_of(keys[0]), set_of(keys[1])};
  }
  absl::flat_hash_map<uint64_t, std::array<Bitset*, 4>> by_rest;
  for (uint32_t row = 0; row < n; ++row) {
    const CompactPerson& c = people_[row];
    for (Bitset* b : by_country[c.country])
      if (b) b->Set(row);
    const uint64_t code = uint64_t{seniority_[row]} | uint64_t{c.function} << 8 | uint64_t{c.recipient} << 24 |
                          uint64_t{c.stage} << 32;
    auto [it, added] = by_rest.try_emplace(code);
    if (added) {
      std::array<std::string, 4> keys = OtherKeys(seniority_[row], c.function, c.recipient, c.stage);
      for (size_t i = 0; i < keys.size(); ++i) it->second[i] = set_of(keys[i]);
    }
    for (Bitset* b : it->second)
      if (b) b->Set(row);
  }
}

Subject PeopleIndex::SubjectOf(uint32_t row) const {
  Subject s;
  FillSubject(row, &s);
  return s;
}

void PeopleIndex::FillSubject(uint32_t row, Subject* out) const {
  const CompactPerson& c = people_[row];
  Subject& s = *out;
  s.id = person_ids_[row];
  s.country = countries_.Name(c.country);
  s.function = functions_.Name(c.function);
  s.recipient = static_cast<Recipient>(c.recipient);
  s.stage = static_cast<Stage>(c.stage);
  auto opt = [](Time t) { return t == kNone ? std::nullopt : std::optional<Time>(t); };
  s.collected_at = opt(c.collected_at);
  s.transparency_notice_sent_at = opt(c.notice_at);
  s.objected_direct_marketing_at = opt(c.objected_at);
  s.opt_out_offered_at_collection = c.flags & 1;
  s.restricted = c.flags & 2;
  s.do_not_sell = c.flags & 4;
  s.erased = c.flags & 8;
  s.emails.clear();
  for (int k = 0; k < 6; ++k)
    if (c.email_kinds & (1u << k))
      s.emails.push_back({"", static_cast<EmailType>(k / 3), static_cast<Visibility>(k % 3)});
  // Assigned in place (strings and vectors keep their capacity when `out` is reused).
  s.bases.resize(c.Records());
  for (uint32_t k = 0; k < c.Records(); ++k) {
    const uint32_t i = c.first_record + k;
    const CompactRecord& r = records_[i];
    BasisRecord& b = s.bases[k];
    b.id = i + 1;
    b.basis = static_cast<LawfulBasis>(r.basis);
    b.status = static_cast<BasisStatus>(r.status);
    const std::string& scopes = scope_sets_.Name(r.scopes);
    size_t n = 0;
    for (size_t start = 0; start < scopes.size(); ++n) {
      size_t end = scopes.find('\x1f', start);
      if (end == std::string::npos) end = scopes.size();
      if (n == b.scopes.size()) b.scopes.emplace_back();
      b.scopes[n].assign(scopes, start, end - start);
      start = end + 1;
    }
    b.scopes.resize(n);
    b.channels = r.channels;
    b.channels_given = r.flags & 1;
    b.at = r.at;
    b.confirmed_at = opt(r.confirmed_at);
    b.expires_at = opt(r.expires_at);
    b.evidence.clear();
  }
  s.purchases.resize(c.Purchases());
  for (uint32_t k = 0; k < c.Purchases(); ++k) {
    const CompactPurchase& p = purchases_[c.first_purchase + k];
    s.purchases[k].family = families_.Name(p.family);
    s.purchases[k].kind = static_cast<PurchaseKind>(p.kind);
    s.purchases[k].at = p.at;
  }
}

bool PeopleIndex::HasGrantedConsent(uint32_t row, std::string_view purpose_id, std::vector<int8_t>* covers) const {
  const CompactPerson& c = people_[row];
  for (uint32_t k = 0; k < c.Records(); ++k) {
    const CompactRecord& r = records_[c.first_record + k];
    if (r.basis != static_cast<uint8_t>(LawfulBasis::kConsent) || r.status != static_cast<uint8_t>(BasisStatus::kGranted))
      continue;
    if (covers->size() <= r.scopes) covers->resize(scope_sets_.size(), -1);
    int8_t& known = (*covers)[r.scopes];
    if (known < 0) {
      // The scope set's scopes, joined by 0x1f (as FillSubject splits them).
      const std::string& scopes = scope_sets_.Name(r.scopes);
      known = 0;
      for (size_t start = 0; start < scopes.size() && !known;) {
        size_t end = scopes.find('\x1f', start);
        if (end == std::string::npos) end = scopes.size();
        known = ScopeCovers(std::string_view(scopes).substr(start, end - start), purpose_id) ? 1 : 0;
        start = end + 1;
      }
    }
    if (known) return true;
  }
  return false;
}

Decision PeopleIndex::DecideSubject(const Subject& s, uint32_t row, const Purpose* purpose,
                                    std::optional<Channel> channel, Action action, Role role, Time at,
                                    const Destination* destination) const {
  DecisionRequest req;
  req.destination = destination;
  req.subject = &s;
  req.purpose = purpose;
  req.action = action;
  req.channel = channel;
  req.role = role;
  req.suppressed = suppressed_.Test(row);
  req.tenant = &settings_;
  req.at = at;
  req.explain = false;  // the index reads answers and reasons; `why` explains from the store
  Result<Decision> d = Decide(rules_, req);
  if (d.ok()) return *d;
  Decision denied;
  denied.reasons.push_back(Reason::kNoLawfulBasis);
  denied.rule_refs.push_back(d.status().message());
  return denied;
}

bool PeopleIndex::ViewableRow(uint32_t row, Role role) const {
  constexpr uint8_t kRestricted = 2, kErased = 8;  // CompactPerson::flags
  const uint8_t f = people_[row].flags;
  if (f & kErased) return false;
  return role == Role::kAdmin || !((f & kRestricted) || suppressed_.Test(row));
}

const Bitset& PeopleIndex::Viewable(Role role) {
  std::optional<Bitset>& cached = viewable_[static_cast<size_t>(role)];
  if (!cached) {
    const uint32_t n = static_cast<uint32_t>(rows());
    cached.emplace(n);
    for (uint32_t row = 0; row < n; ++row)
      if (ViewableRow(row, role)) cached->Set(row);
  }
  return *cached;
}

Decision PeopleIndex::DecideRow(uint32_t row, const Purpose* purpose, std::optional<Channel> channel, Action action,
                                Role role, Time at, const Destination* destination) const {
  return DecideSubject(SubjectOf(row), row, purpose, channel, action, role, at, destination);
}

// Hot path of every eligibility build: the row's subject is reconstructed once.
void PeopleIndex::Refresh(EligibilityEntry& e, uint32_t row, Time at) {
  Subject& s = refresh_subject_;
  FillSubject(row, &s);
  e.bits.Assign(row, DecideSubject(s, row, &e.purpose, e.channel, e.action, e.role, at).allow);
  Time next = NextChange(rules_, s, &e.purpose, &settings_, at);
  if (next != kNever) e.changes.emplace(next, row);
}

void PeopleIndex::Build(EligibilityEntry& e, Time at) {
  e.at = at;
  e.bits = Bitset(rows());
  e.changes = {};
  for (uint32_t row = 0; row < rows(); ++row) Refresh(e, row, at);
}

const Bitset& PeopleIndex::Eligible(const Purpose& purpose, std::optional<Channel> channel, Action action, Role role,
                                    Time at) {
  std::string key = PurposeToJson(purpose).dump() + "|" + (channel ? std::string(Name(*channel)) : "-") + "|" +
                    std::string(Name(action)) + "|" + std::string(Name(role));
  auto it = eligibility_.find(key);
  if (it == eligibility_.end()) {
    auto e = std::make_unique<EligibilityEntry>();
    e->purpose = purpose;
    e->channel = channel;
    e->action = action;
    e->role = role;
    Build(*e, at);
    it = eligibility_.emplace(key, std::move(e)).first;
    return it->second->bits;
  }
  EligibilityEntry& e = *it->second;
  if (at < e.at) {
    // A past time: decide afresh, without disturbing the cached present.
    scratch_.purpose = purpose;
    scratch_.channel = channel;
    scratch_.action = action;
    scratch_.role = role;
    Build(scratch_, at);
    return scratch_.bits;
  }
  while (!e.changes.empty() && e.changes.top().first <= at) {
    uint32_t row = e.changes.top().second;
    e.changes.pop();
    Refresh(e, row, at);
  }
  e.at = at;
  return e.bits;
}

void PeopleIndex::Upsert(const Person& person, bool suppressed) {
  std::optional<uint32_t> existing = RowOf(person.subject.id);
  uint32_t row;
  if (existing) {
    row = *existing;
    SetValues(row, false);
  } else {
    row = static_cast<uint32_t>(person_ids_.size());
    person_ids_.push_back(person.subject.id);
    MapRow(person.subject.id, row);
    people_.emplace_back();
    seniority_.emplace_back();
    std::optional<uint32_t> account = person.account_id ? AccountRowOf(person.account_id) : std::nullopt;
    account_of_.push_back(account.value_or(kNoAccount));
    if (account) account_extra_[*account].push_back(row);
    suppressed_.Resize(rows());
    for (auto& [key, e] : eligibility_) e->bits.Resize(rows());
  }
  if (existing) {
    std::optional<uint32_t> account = person.account_id ? AccountRowOf(person.account_id) : std::nullopt;
    uint32_t now_in = account.value_or(kNoAccount);
    if (account_of_[row] != now_in) {
      account_of_[row] = now_in;
      if (account) {  // once per account, however often the person moves back and forth
        std::vector<uint32_t>& extra = account_extra_[*account];
        if (std::find(extra.begin(), extra.end(), row) == extra.end()) extra.push_back(row);
      }
      moved_rows_.push_back(row);  // the old run still covers the row: PeopleOfAccounts rechecks it
    }
  }
  Encode(row, person.subject, person.seniority);
  SetValues(row, true);
  suppressed_.Assign(row, suppressed);
  for (auto& [key, e] : eligibility_) Refresh(*e, row, e->at);
  for (size_t r = 0; r < viewable_.size(); ++r) {
    if (!viewable_[r]) continue;
    viewable_[r]->Resize(rows());
    viewable_[r]->Assign(row, ViewableRow(row, static_cast<Role>(r)));
  }
}

bool PeopleIndex::AddBasisRecord(int64_t person_id, const BasisRecord& record) {
  std::optional<uint32_t> row = RowOf(person_id);
  if (!row) return false;
  Subject s = SubjectOf(*row);
  s.bases.push_back(record);
  std::string seniority = seniorities_.Name(seniority_[*row]);
  Encode(*row, s, seniority);  // the attribute sets do not change
  for (auto& [key, e] : eligibility_) Refresh(*e, *row, e->at);
  return true;
}

size_t PeopleIndex::MemoryBytes() const {
  size_t bytes = person_ids_.capacity() * 8 + account_of_.capacity() * 4 + people_.capacity() * sizeof(CompactPerson) +
                 records_.capacity() * sizeof(CompactRecord) + purchases_.capacity() * sizeof(CompactPurchase) +
                 row_of_.capacity() * 4 + seniority_.capacity() +
                 account_of_domain_.capacity() * (sizeof(std::pair<std::string, uint32_t>) + 1) +
                 account_ids_.capacity() * 8 + account_row_of_.capacity() * 4 + account_runs_.capacity() * 8;
  for (const auto& [k, b] : person_values_) bytes += b.word_count() * 8 + k.size();
  for (const auto& [k, b] : account_values_) bytes += b.word_count() * 8 + k.size();
  for (const auto& [k, e] : eligibility_) bytes += e->bits.word_count() * 8 + e->changes.size() * 16;
  return bytes + suppressed_.word_count() * 8;
}

Result<std::unique_ptr<PeopleIndex>> PeopleIndex::Load(Store& store, int64_t tenant, const Rules& rules,
                                                       const TenantSettings& settings, const SuppressionHasher& hasher,
                                                       const SuppressionSet& suppression,
                                                       const std::string& snapshot_path, LoadInfo* info) {
  LoadInfo unused;
  LoadInfo& li = info ? *info : unused;
  li = LoadInfo();
  SnapshotKey key;
  // Writes the snapshot at `key` and forgets the changes it includes.
  auto write = [&](const PeopleIndex& index) {
    Status w = index.WriteSnapshot(snapshot_path, key);
    if (w.ok()) {
      li.snapshot_written = true;
      w = store.PruneIndexChanges(tenant, key.stamp);
      if (!w.ok()) li.note += (li.note.empty() ? "" : "; ") + std::string("change log not pruned: ") + w.message();
    } else {
      li.note += (li.note.empty() ? "" : "; ") + std::string("snapshot not written: ") + w.message();
    }
  };
  if (!snapshot_path.empty()) {
    // The stamp is read before the store: a write during the load makes the snapshot
    // written below look older than it is (caught up again next time), never newer.
    Result<std::string> stamp = store.IndexStamp();
    if (stamp.ok()) {
      key = KeyFor(tenant, *stamp, hasher, suppression);
      std::string written_at;
      Result<std::unique_ptr<PeopleIndex>> snap = ReadSnapshot(snapshot_path, key, rules, settings, &written_at);
      if (snap.ok() && written_at == key.stamp) {
        li.from_snapshot = true;
        return snap;
      }
      if (snap.ok()) {
        Status caught = (*snap)->CatchUp(store, tenant, written_at, hasher, suppression, &li);
        if (caught.ok()) {
          li.from_snapshot = true;
          if (li.caught_up_people + li.caught_up_accounts > std::max<size_t>(1000, (*snap)->rows() / 50)) write(**snap);
          return snap;
        }
        li.caught_up_people = li.caught_up_accounts = 0;
        li.note = caught.message();
      } else {
        li.note = snap.status().message();
      }
    } else {
      li.note = stamp.status().message();
    }
  }
  Result<std::unique_ptr<PeopleIndex>> loaded = LoadFromStore(store, tenant, rules, settings, hasher, suppression);
  if (loaded.ok() && !key.stamp.empty()) write(**loaded);
  return loaded;
}

Status PeopleIndex::CatchUp(Store& store, int64_t tenant, const std::string& since, const SuppressionHasher& hasher,
                            const SuppressionSet& suppression, LoadInfo* info) {
  Result<Store::IndexChanges> changes = store.IndexChangesSince(tenant, since);
  if (!changes.ok()) return changes.status();
  if (!changes->complete) return Status::Invalid("stale snapshot: the change log no longer reaches back to it");
  if (changes->suppression) return Status::Invalid("stale snapshot: a suppression entry changed since");
  if (changes->people.size() > std::max<size_t>(1000, rows() / 8))
    return Status::Invalid("stale snapshot: " + std::to_string(changes->people.size()) +
                           " people changed since (reading them all is quicker)");
  // Accounts first: the people who changed may be at a new one.
  for (int64_t id : changes->accounts) {
    Result<Account> a = store.GetAccount(tenant, id);
    if (!a.ok()) return a.status().WithContext("catching up account " + std::to_string(id) + ": ");
    PutAccount(*a);
  }
  for (int64_t id : changes->people) {
    Result<Person> p = store.GetPerson(tenant, id);
    if (!p.ok()) return p.status().WithContext("catching up person " + std::to_string(id) + ": ");
    Upsert(*p, suppression.ContainsAny(hasher, p->subject.emails, p->phone));
  }
  info->caught_up_accounts = changes->accounts.size();
  info->caught_up_people = changes->people.size();
  return Status::Ok();
}

Result<std::unique_ptr<PeopleIndex>> PeopleIndex::LoadFromStore(Store& store, int64_t tenant, const Rules& rules,
                                                                const TenantSettings& settings,
                                                                const SuppressionHasher& hasher,
                                                                const SuppressionSet& suppression) {
  auto index = std::make_unique<PeopleIndex>(rules, settings);
  PeopleIndex& x = *index;
  // Reserved up front: grown by doubling, the index's vectors and maps were copied into
  // fresh pages (and rehashed) while the reader waited, a gigabyte at 10M people.
  Result<Store::LoadBounds> bounds = store.IndexLoadBounds(tenant);
  if (!bounds.ok()) return bounds.status();
  const auto accounts_bound = static_cast<size_t>(std::max<int64_t>(bounds->accounts, 0));
  x.account_ids_.reserve(accounts_bound);
  x.account_row_of_.reserve(accounts_bound + 1);
  x.account_of_domain_.reserve(accounts_bound);
  const auto people_bound = static_cast<size_t>(std::max<int64_t>(bounds->people, 0));
  x.person_ids_.reserve(people_bound);
  x.account_of_.reserve(people_bound);
  x.people_.reserve(people_bound);
  x.seniority_.reserve(people_bound);
  x.records_.reserve(static_cast<size_t>(std::max<int64_t>(bounds->bases, 0)));
  x.purchases_.reserve(static_cast<size_t>(std::max<int64_t>(bounds->purchases, 0)));
  // Load in id order, then renumber so that each account's people are contiguous.
  // Two threads: this one reads the store (SQLite's stepping and decoding, about
  // two thirds of the work); a second one turns each batch of people into index rows
  // and checks their addresses against the suppression list (HMACs). Batches go
  // through a queue in order, so rows keep the store's order, and only the second
  // thread touches the index until the scan ends. Two full batches may wait, so that
  // one slow batch does not stall the reader (10M people: the reader waited 4.3 s of
  // a 25 s scan with one batch in flight and the index's vectors growing by doubling,
  // 0.1-0.6 s with both changes). (Copying each person into a recycled batch, to reuse
  // its buffers, made the second thread's reads miss the cache: 15 s against 10 s.)
  constexpr size_t kBatch = 4096, kQueued = 2;
  struct Batch {
    std::vector<Person> rows;
  };
  struct Pipe {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Batch> full;
    bool closed = false;
    std::exception_ptr failure;  // of the second thread; it then drains the queue
  } pipe;
  std::vector<uint32_t> suppressed_rows;
  auto encode = [&x, &suppression, &hasher, &suppressed_rows](const Batch& batch) {
    for (const Person& p : batch.rows) {
      const uint32_t row = static_cast<uint32_t>(x.person_ids_.size());
      x.person_ids_.push_back(p.subject.id);
      std::optional<uint32_t> account = p.account_id ? x.AccountRowOf(p.account_id) : std::nullopt;
      x.account_of_.push_back(account.value_or(kNoAccount));
      x.people_.emplace_back();
      x.seniority_.emplace_back();
      x.Encode(row, p.subject, p.seniority);
      if (suppression.size() != 0 && suppression.ContainsAny(hasher, p.subject.emails, p.phone))
        suppressed_rows.push_back(row);
    }
  };
  std::thread worker([&pipe, &encode] {
    for (;;) {
      Batch batch;
      {
        std::unique_lock lock(pipe.mu);
        pipe.cv.wait(lock, [&] { return !pipe.full.empty() || pipe.closed; });
        if (pipe.full.empty()) return;
        batch = std::move(pipe.full.front());
        pipe.full.pop_front();
      }
      pipe.cv.notify_all();
      if (!pipe.failure) {
        try {
          encode(batch);
        } catch (...) {
          pipe.failure = std::current_exception();
        }
      }
    }
  });
  // Ends the second thread however the scan ends (an exception included).
  struct Join {
    Pipe& pipe;
    std::thread& worker;
    ~Join() {
      {
        std::lock_guard lock(pipe.mu);
        pipe.closed = true;
      }
      pipe.cv.notify_all();
      worker.join();
    }
  };
  Batch current;
  auto hand_over = [&] {
    std::unique_lock lock(pipe.mu);
    pipe.cv.wait(lock, [&] { return pipe.full.size() < kQueued; });
    pipe.full.push_back(std::move(current));
    lock.unlock();
    current = Batch();
    current.rows.reserve(kBatch);
    pipe.cv.notify_all();
  };
  Status s;
  {
    Join join{pipe, worker};
    // The accounts first, in the scan's read transaction (so of the same state as the
    // people), while the store reads the basis records and purchases beside them.
    auto load_accounts = [&] {
      return store.ForEachAccount(tenant, [&](Account&& account) { x.AddAccount(account); });
    };
    s = store.ForEachPerson(tenant, [&](Person&& p) {
      current.rows.push_back(std::move(p));
      if (current.rows.size() == kBatch) hand_over();
    }, Store::PersonScan::kPolicy, load_accounts);
    if (!current.rows.empty()) hand_over();
  }
  if (pipe.failure) std::rethrow_exception(pipe.failure);
  if (!s.ok()) return s;
  size_t n = x.person_ids_.size();
  std::vector<uint8_t> suppressed(n, 0);
  for (uint32_t row : suppressed_rows) suppressed[row] = 1;
  // The new order: by account (people of no account last), in id order within each; a
  // counting sort, as account rows are dense.
  const size_t accounts = x.account_ids_.size();
  auto bucket = [&](uint32_t a) { return a == kNoAccount ? accounts : static_cast<size_t>(a); };
  std::vector<uint32_t> start(accounts + 2, 0);
  for (uint32_t a : x.account_of_) ++start[bucket(a) + 1];
  std::partial_sum(start.begin(), start.end(), start.begin());
  std::vector<uint32_t> order(n);
  for (uint32_t row = 0; row < n; ++row) order[start[bucket(x.account_of_[row])]++] = row;
  auto permute = [&](auto& v) {
    std::remove_reference_t<decltype(v)> out(v.size());
    for (size_t i = 0; i < n; ++i) out[i] = std::move(v[order[i]]);
    v = std::move(out);
  };
  permute(x.person_ids_);
  permute(x.account_of_);
  permute(x.people_);
  permute(x.seniority_);
  permute(suppressed);
  x.suppressed_ = Bitset(n);
  x.account_runs_.assign(x.account_ids_.size(), {0, 0});
  for (uint32_t row = 0; row < n; ++row) {
    x.MapRow(x.person_ids_[row], row);
    if (suppressed[row]) x.suppressed_.Set(row);
    uint32_t a = x.account_of_[row];
    if (a != kNoAccount) {
      auto& run = x.account_runs_[a];
      if (run.first == run.second) run.first = row;
      run.second = row + 1;
    }
  }
  // The bounds span every tenant: give back what another tenant's share reserved.
  auto fit = [](auto& v) {
    if (v.capacity() > v.size() + v.size() / 4 + 4096) v.shrink_to_fit();
  };
  fit(x.records_);
  fit(x.purchases_);
  x.SetAllValues();
  return index;
}

}  // namespace fairlead
