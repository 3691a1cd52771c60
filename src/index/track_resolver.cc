#include "index/track_resolver.h"

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

Result<TrackAnswer> IndexTrackResolver::Track(int64_t person_id, const Purpose& purpose, Time at) {
  uint32_t row = last_.row;
  if (person_id != last_.person) {
    std::optional<uint32_t> r = index_.RowOf(person_id);
    if (!r) return Status::Internal("person " + std::to_string(person_id) + " is not in the index");
    row = *r;
  }
  index_.FillSubject(row, &scratch_);
  Decision d = index_.DecideSubject(scratch_, row, &purpose, std::nullopt, Action::kTrack, Role::kAdmin, at);
  return TrackAnswer{d.allow, d.allow && IsSeniorSeniority(index_.Seniority(row))};
}

}  // namespace fairlead
