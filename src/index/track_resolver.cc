#include "index/track_resolver.h"

namespace fairlead {

Result<std::unique_ptr<IndexTrackResolver>> IndexTrackResolver::Build(Store& store, int64_t tenant,
                                                                      const PeopleIndex& index) {
  std::unique_ptr<IndexTrackResolver> r(new IndexTrackResolver(index));
  r->by_email_.reserve(index.rows() + index.rows() / 8);
  FL_RETURN_IF_ERROR(store.ForEachEmail(tenant, [&](int64_t person, std::string_view address) {
    r->by_email_.emplace(std::string(address), person);
  }));
  return r;
}

Result<std::optional<int64_t>> IndexTrackResolver::FindPerson(const std::string& email) {
  auto it = by_email_.find(email);
  if (it == by_email_.end()) return std::optional<int64_t>();
  return std::optional<int64_t>(it->second);
}

Result<TrackAnswer> IndexTrackResolver::Track(int64_t person_id, const Purpose& purpose, Time at) {
  std::optional<uint32_t> row = index_.RowOf(person_id);
  if (!row) return Status::Internal("person " + std::to_string(person_id) + " has an address but is not in the index");
  Decision d = index_.DecideRow(*row, &purpose, std::nullopt, Action::kTrack, Role::kAdmin, at);
  return TrackAnswer{d.allow, d.allow && IsSeniorSeniority(index_.Seniority(*row))};
}

}  // namespace fairlead
