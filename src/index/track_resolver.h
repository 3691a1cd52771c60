// IndexTrackResolver: answers the events import's questions (whose address is this;
// may this person be tracked at this time) from a resident PeopleIndex and an
// address map read from the store once, so no event waits on a store read. The
// decision is the index's DecideRow, the same Decide() a single decision runs.
// Each person's answer is kept with the span of time it holds for (from the time it
// was decided to policy's NextChange), so a person's next event inside that span
// is answered without deciding again.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <limits>
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
  void SetPurpose(const Purpose& purpose) override;
  Result<TrackAnswer> Track(int64_t person_id, Time at) override;
  void Warm(const int64_t* person_ids, size_t n) override;
  void WarmAddresses(const std::string* const* emails, size_t n) override;
  // From the index's accounts: an import meets most of its domains there, not in the store.
  std::optional<int64_t> KnownAccount(const std::string& domain) const override;
  size_t addresses() const { return by_email_.size(); }
  // Answers given without deciding: the person holds no granted consent covering the purpose.
  uint64_t never_trackable() const { return never_trackable_; }
  uint64_t questions() const { return questions_; }  // Track() calls

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
  // By person asked about: the answer for `purpose_` at every time in [from, until).
  struct Memo {
    Time from = 1, until = 0;  // empty
    TrackAnswer answer;
  };
  absl::flat_hash_map<int64_t, Memo> memo_;  // answers for purpose_
  static constexpr size_t kMaxMemo = 4'000'000;
  Time earliest_ = std::numeric_limits<Time>::max();  // the earliest time Track() was asked about
  void Remember(absl::flat_hash_map<int64_t, Memo>::iterator it, int64_t person_id, Memo m);
  Purpose purpose_;
  std::vector<int8_t> covers_;  // per scope set: covers purpose_ (HasGrantedConsent's cache)
  uint64_t never_trackable_ = 0, questions_ = 0;
  std::vector<uint32_t> warm_rows_;  // Warm()'s scratch
  std::vector<Fingerprint> warm_keys_;  // WarmAddresses()' scratch
};

}  // namespace fairlead
