#include "index/track_resolver.h"

#include "policy/bulk.h"

namespace fairlead {

Result<std::unique_ptr<IndexTrackResolver>> IndexTrackResolver::Build(Store& store, int64_t tenant,
                                                                      const PeopleIndex& index) {
  std::unique_ptr<IndexTrackResolver> r(new IndexTrackResolver(index));
  r->by_email_.reserve(index.rows() + index.rows() / 8);
  Status missing;
  FL_RETURN_IF_ERROR(store.ForEachEmail(tenant, [&](int64_t person, std::string_view address) {
    std::optional<uint32_t> row = index.RowOf(person);
    if (!row) {
      if (missing.ok()) missing = Status::Internal("person " + std::to_string(person) + " has an address but is not in the index");
      return;
    }
    r->by_email_.emplace(r->fingerprints_.Of(address), Who{person, *row});
  }));
  FL_RETURN_IF_ERROR(missing);
  return r;
}

Result<std::optional<int64_t>> IndexTrackResolver::FindPerson(const std::string& email) {
  auto it = by_email_.find(fingerprints_.Of(email));
  if (it == by_email_.end()) return std::optional<int64_t>();
  last_ = it->second;
  return std::optional<int64_t>(it->second.person);
}

void IndexTrackResolver::Remember(absl::flat_hash_map<int64_t, Memo>::iterator it, int64_t person_id, Memo m) {
  if (memo_.size() > kMaxMemo) {  // bounded: forget all, keep this one
    memo_.clear();
    memo_.emplace(person_id, m);
    return;
  }
  it->second = m;
}

void IndexTrackResolver::SetPurpose(const Purpose& purpose) {
  if (purpose == purpose_) return;
  purpose_ = purpose;
  memo_.clear();
  covers_.clear();
}

void IndexTrackResolver::Warm(const int64_t* ids, size_t n) {
  // In stages, each a loop of independent loads whose misses overlap: the rows, then
  // their compact rows and memo entries, then their first basis records.
  warm_rows_.resize(n);
  for (size_t i = 0; i < n; ++i) warm_rows_[i] = ids[i] ? index_.RowOf(ids[i]).value_or(UINT32_MAX) : UINT32_MAX;
  for (size_t i = 0; i < n; ++i)
    if (warm_rows_[i] != UINT32_MAX) {
      index_.PrefetchRow(warm_rows_[i]);
      memo_.prefetch(ids[i]);
    }
  for (size_t i = 0; i < n; ++i)
    if (warm_rows_[i] != UINT32_MAX) index_.PrefetchRecords(warm_rows_[i]);
}

void IndexTrackResolver::WarmAddresses(const std::string* const* emails, size_t n) {
  // The same stages from the addresses: their map slots, then the people's rows and
  // memo entries, then their first basis records.
  warm_keys_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    warm_keys_[i] = fingerprints_.Of(*emails[i]);
    by_email_.prefetch(warm_keys_[i]);
  }
  warm_rows_.clear();
  for (size_t i = 0; i < n; ++i) {
    auto it = by_email_.find(warm_keys_[i]);
    if (it == by_email_.end()) continue;
    index_.PrefetchRow(it->second.row);
    memo_.prefetch(it->second.person);
    warm_rows_.push_back(it->second.row);
  }
  for (uint32_t row : warm_rows_) index_.PrefetchRecords(row);
}

Result<TrackAnswer> IndexTrackResolver::Track(int64_t person_id, Time at) {
  const Purpose& purpose = purpose_;
  ++questions_;
  // An answer kept for this time first: the person's rows need not be read at all.
  // (An answer is kept only for someone holding a granted consent, and the index does
  // not change while the resolver is used, so the check below would pass again.)
  auto it = memo_.find(person_id);
  if (it != memo_.end() && at >= it->second.from && at < it->second.until) return it->second.answer;
  uint32_t row = last_.row;
  if (person_id != last_.person) {
    std::optional<uint32_t> r = index_.RowOf(person_id);
    if (!r) return Status::Internal("person " + std::to_string(person_id) + " is not in the index");
    row = *r;
  }
  // Most people never consented to tracking: denied at every time, nothing to decide.
  if (!index_.HasGrantedConsent(row, purpose.id, &covers_)) {
    ++never_trackable_;
    return TrackAnswer{.allow = false, .senior = false, .never = true};
  }
  if (it == memo_.end()) it = memo_.try_emplace(person_id).first;
  Memo& m = it->second;
  index_.FillSubject(row, &scratch_);
  // Events come in any order of time: first try the earliest time asked about so far.
  // When the answer there holds past `at`, one decision covers the person's events
  // from then on, whatever their order.
  if (earliest_ < at) {
    Decision d = index_.DecideSubject(scratch_, row, &purpose, std::nullopt, Action::kTrack, Role::kAdmin, earliest_);
    const Time next = NextChange(index_.rules(), scratch_, &purpose, &index_.settings(), earliest_);
    if (next > at) {
      TrackAnswer answer{d.allow, d.allow && IsSeniorSeniority(index_.Seniority(row))};
      Remember(it, person_id, Memo{earliest_, next, answer});
      return answer;
    }
  }
  earliest_ = std::min(earliest_, at);
  Decision d = index_.DecideSubject(scratch_, row, &purpose, std::nullopt, Action::kTrack, Role::kAdmin, at);
  TrackAnswer answer{d.allow, d.allow && IsSeniorSeniority(index_.Seniority(row))};
  const Time next = NextChange(index_.rules(), scratch_, &purpose, &index_.settings(), at);
  // The answer holds on [at, next). When that reaches into the span kept (which
  // starts later), nothing changes in between and the two join.
  if (at < m.from && next > m.from && m.from < m.until && m.answer.allow == answer.allow &&
      m.answer.senior == answer.senior) {
    m.from = at;
    m.until = std::max(m.until, next);
  } else {
    Remember(it, person_id, Memo{at, next, answer});
  }
  return answer;
}

std::optional<int64_t> IndexTrackResolver::KnownAccount(const std::string& domain) const {
  std::optional<uint32_t> row = index_.AccountRowOfDomain(domain);
  if (!row) return std::nullopt;
  return index_.AccountId(*row);
}

}  // namespace fairlead
