// decide: the policy engine of policy.md, a pure function of its inputs.
//
// Decide() does no I/O and keeps no state; it may run on many threads at once
// over shared const inputs. Cost: a few hundred nanoseconds for a typical
// subject (linear in the subject's basis records and purchases).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/domain.h"
#include "policy/rules.h"

namespace fairlead {

enum class Reason : uint8_t {
  kSubjectErased, kRoleForbids, kProcessingRestricted, kSuppressed, kRetentionExpired,
  kTransferNotPermitted, kDoNotSell, kEmailHidden, kTrackingRequiresConsent, kContract,
  kObjected, kConsentWithdrawn, kConsent, kConsentUnconfirmed, kSoftOptIn, kLegitimateInterest,
  kNoLawfulBasis, kExportAllowed, kViewAllowed
};
enum class Obligation : uint8_t {
  kIncludeOptOut, kIdentifySender, kSendArt14Notice, kTransferUnderScc, kTransferUnderBcr,
  kMaskEmail, kOmitEmail, kAnonymizeToAccount
};
std::string_view Name(Reason r);
std::string_view Name(Obligation o);
// A sentence for `fairlead why`.
std::string_view Describe(Reason r);
std::string_view Describe(Obligation o);

struct DecisionRequest {
  const Subject* subject = nullptr;   // required
  const Purpose* purpose = nullptr;   // required for contact and track
  Action action = Action::kView;
  std::optional<Channel> channel;     // required for contact
  Role role = Role::kReadOnly;
  const Destination* destination = nullptr;  // export and share; null = no transfer
  bool suppressed = false;
  const TenantSettings* tenant = nullptr;    // null = defaults
  Time at = 0;
  // false: leave Decision::evidence empty (bulk callers that read the answer, reasons
  // and rule references only; the evidence strings cost more than the decision).
  bool explain = true;
};

struct Decision {
  bool allow = false;
  std::optional<LawfulBasis> basis;
  std::vector<Reason> reasons;  // the decisive code first
  std::vector<Obligation> obligations;
  std::vector<std::string> rule_refs;
  // The records that decided, for explanations: "basis record #12 (consent, withdrawn, 2025-02-01)".
  std::vector<std::string> evidence;
};

// The time a purpose's retention counts from as of `at` (readings 6): the newest of
// collected_at and the records whose scope names the purpose (or, with the rules'
// reading unscoped_records_renew_retention, any record covering it); none when there
// is no such time. `record`, when given, is set to the deciding record (null: collected_at).
std::optional<Time> RetentionCountsFrom(const Rules& rules, const Subject& subject, std::string_view purpose_id,
                                        Time at, const BasisRecord** record = nullptr);

// Decides per policy.md's order of evaluation. Returns an Invalid status only
// for a request that cannot be decided (no purpose for contact, no channel).
Result<Decision> Decide(const Rules& rules, const DecisionRequest& request);

}  // namespace fairlead
