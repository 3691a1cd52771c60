// IndexTrackResolver: answers the events import's questions (whose address is this;
// may this person be tracked at this time) from a resident PeopleIndex and an
// address map read from the store once, so no event waits on a store read. The
// decision is the index's DecideRow, the same Decide() a single decision runs.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <memory>
#include <string>

#include "core/fingerprint.h"
#include "index/people_index.h"
#include "intent/events_import.h"

namespace fairlead {

class IndexTrackResolver final : public TrackResolver {
 public:
  // Reads every address of the tenant. The index must stay alive and unchanged
  // (one writer) while the resolver is used.
  static Result<std::unique_ptr<IndexTrackResolver>> Build(Store& store, int64_t tenant, const PeopleIndex& index);

  Result<std::optional<int64_t>> FindPerson(const std::string& email) override;
  Result<TrackAnswer> Track(int64_t person_id, const Purpose& purpose, Time at) override;
  size_t addresses() const { return by_email_.size(); }

 private:
  explicit IndexTrackResolver(const PeopleIndex& index) : index_(index) {}
  const PeopleIndex& index_;
  struct Who {
    int64_t person;
    uint32_t row;
  };
  Fingerprinter fingerprints_;
  absl::flat_hash_map<Fingerprint, Who, FingerprintHash> by_email_;  // by the address's fingerprint
  Who last_{-1, 0};  // the last person found: Track() usually asks for them next
  Subject scratch_;  // reused by Track(), so a decision allocates little
};

}  // namespace fairlead
