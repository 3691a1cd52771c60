#include "policy/decide.h"

#include <algorithm>

#include "core/normalize.h"

namespace fairlead {

std::string_view Name(Reason r) {
  static constexpr std::string_view kNames[] = {
      "SUBJECT_ERASED", "ROLE_FORBIDS", "PROCESSING_RESTRICTED", "SUPPRESSED", "RETENTION_EXPIRED",
      "TRANSFER_NOT_PERMITTED", "DO_NOT_SELL", "EMAIL_HIDDEN", "TRACKING_REQUIRES_CONSENT", "CONTRACT",
      "OBJECTED", "CONSENT_WITHDRAWN", "CONSENT", "CONSENT_UNCONFIRMED", "SOFT_OPT_IN",
      "LEGITIMATE_INTEREST", "NO_LAWFUL_BASIS", "EXPORT_ALLOWED", "VIEW_ALLOWED"};
  return kNames[static_cast<int>(r)];
}

std::string_view Name(Obligation o) {
  static constexpr std::string_view kNames[] = {
      "INCLUDE_OPT_OUT", "IDENTIFY_SENDER", "SEND_ART14_NOTICE", "TRANSFER_UNDER_SCC",
      "TRANSFER_UNDER_BCR", "MASK_EMAIL", "OMIT_EMAIL", "ANONYMIZE_TO_ACCOUNT"};
  return kNames[static_cast<int>(o)];
}

std::string_view Describe(Reason r) {
  static constexpr std::string_view kText[] = {
      "the person was erased; only the suppression hash remains and the profile is never used again",
      "exports and shares need the admin role",
      "processing is restricted (GDPR Art. 18): only an admin may view",
      "an email address or phone number of the person is on a suppression list",
      "the data is older than the purpose's retention period",
      "the destination is not adequate at the decision time and no SCCs or BCRs cover the transfer",
      "the person opted out of the sale or sharing of their data (CCPA / Global Privacy Control)",
      "the person's email address is hidden, so it may not be used for contact",
      "person-level tracking needs a granted, unexpired consent (ePrivacy Art. 5(3))",
      "a contract with the person (or client status) allows service contact",
      "the person objected to direct marketing, which is absolute (GDPR Art. 21(3))",
      "the person withdrew their consent for this purpose and channel",
      "the person gave a valid consent for this purpose and channel",
      "a consent exists but is pending or not confirmed by double opt-in",
      "soft opt-in: a recent purchase in this product family and an opt-out offered at collection",
      "legitimate interest: the country allows opt-out marketing to this recipient class and the purpose has an assessment",
      "no lawful basis: no valid consent, no soft opt-in, and no legitimate interest (the country needs consent for this recipient class and channel, or the purpose has no assessment or is not relevant to the job)",
      "the export or share passed every check",
      "viewing is allowed"};
  return kText[static_cast<int>(r)];
}

std::string_view Describe(Obligation o) {
  static constexpr std::string_view kText[] = {
      "include an opt-out in every message",
      "identify the sender",
      "send the Art. 14 transparency notice (the person was never told their data is held)",
      "transfer under standard contractual clauses",
      "transfer under binding corporate rules",
      "mask the hidden email address",
      "omit email addresses that are not downloadable",
      "keep the event at account level, without the person"};
  return kText[static_cast<int>(o)];
}

namespace {

bool Before(const std::optional<Time>& t, Time at) { return t && *t <= at; }

bool IsExpired(const BasisRecord& r, Time at) {
  return r.status == BasisStatus::kExpired || (r.expires_at && *r.expires_at <= at);
}

// A grant's confirmation counts when it is dated by `at` and, unless the reading says
// otherwise, not before the grant itself (reading 21).
bool ValidlyConfirmed(const BasisRecord& r, Time at, bool may_precede_grant) {
  return Before(r.confirmed_at, at) && (may_precede_grant || *r.confirmed_at >= r.at);
}

// How strict a record is as of `at`, for ordering records of equal time (reading 3):
// withdrawn, then expired (by status or by `expires_at`), pending, granted without a
// valid confirmation, granted and confirmed. So the answer never depends on the order
// records are listed in.
int Strictness(const BasisRecord& r, Time at, bool may_precede_grant) {
  switch (r.status) {
    case BasisStatus::kWithdrawn: return 0;
    case BasisStatus::kExpired: return 1;
    case BasisStatus::kPending: return 2;
    case BasisStatus::kGranted:
      if (IsExpired(r, at)) return 1;
      return ValidlyConfirmed(r, at, may_precede_grant) ? 4 : 3;
  }
  return 4;
}

bool LaterThan(const BasisRecord& a, const BasisRecord& b, Time at, bool may_precede_grant) {
  if (a.at != b.at) return a.at > b.at;
  const int sa = Strictness(a, at, may_precede_grant), sb = Strictness(b, at, may_precede_grant);
  if (sa != sb) return sa < sb;
  if (a.expires_at != b.expires_at) return a.expires_at.value_or(INT64_MAX) < b.expires_at.value_or(INT64_MAX);
  return a.id < b.id;
}

// A record without a scope (or channels) can deny everything and allow nothing.
bool Unscoped(const BasisRecord& r) {
  return r.status == BasisStatus::kWithdrawn || r.status == BasisStatus::kExpired;
}

bool CoversPurpose(const BasisRecord& r, std::string_view purpose_id) {
  if (r.scopes.empty()) return Unscoped(r);
  return std::any_of(r.scopes.begin(), r.scopes.end(),
                     [&](const std::string& s) { return ScopeCovers(s, purpose_id); });
}

// Whether a scope names the purpose's kind as a whole: "`marketing` covers all
// marketing" (policy.md), and `sales_outreach` is direct marketing too.
bool ScopeNamesKind(std::string_view scope, PurposeKind kind) {
  if (scope == Name(kind)) return true;
  return scope == Name(PurposeKind::kMarketing) && kind == PurposeKind::kSalesOutreach;
}

// Coverage for deciding: the dotted prefixes of the id (reading 22); a withdrawn or
// expired record whose scope names the purpose's kind covers every purpose of it,
// wherever its id lies (the stricter reading in the direction that denies, as for
// a record without scope, reading 2), unless the rules file's reading says otherwise.
bool CoversPurpose(const BasisRecord& r, const Purpose& purpose, const Readings& readings) {
  if (CoversPurpose(r, purpose.id)) return true;
  return readings.kind_scopes_withdraw_whole_kind && Unscoped(r) &&
         std::any_of(r.scopes.begin(), r.scopes.end(),
                     [&](const std::string& s) { return ScopeNamesKind(s, purpose.kind); });
}

// Codes (and, under reading 20, job functions) compared without regard to ASCII case.
bool SameCode(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x >= 'a' && x <= 'z' ? x - 32 : x) == (y >= 'a' && y <= 'z' ? y - 32 : y);
         });
}

bool CoversChannel(const BasisRecord& r, Channel c) {
  if (!r.channels_given) return Unscoped(r);
  return (r.channels & ChannelBit(c)) != 0;
}

template <typename Pred>
const BasisRecord* Latest(const Subject& s, Time at, bool may_precede_grant, Pred pred) {
  const BasisRecord* best = nullptr;
  for (const BasisRecord& r : s.bases)
    if (r.at <= at && pred(r) && (!best || LaterThan(r, *best, at, may_precede_grant))) best = &r;
  return best;
}

std::string DescribeRecord(const BasisRecord& r) {
  std::string s = "basis record #" + std::to_string(r.id) + " (" + std::string(Name(r.basis)) + ", " +
                  std::string(Name(r.status)) + ", scope ";
  for (size_t i = 0; i < r.scopes.size(); ++i) s += (i ? "|" : "") + r.scopes[i];
  if (r.scopes.empty()) s += "none";
  s += ", channels ";
  bool first = true;
  for (int c = 0; c < kChannelCount; ++c)
    if (r.channels & (1u << c)) {
      s += (first ? "" : "|") + std::string(Name(static_cast<Channel>(c)));
      first = false;
    }
  if (first) s += "none";
  s += ", at " + FormatTime(r.at);
  if (r.confirmed_at) s += ", confirmed " + FormatTime(*r.confirmed_at);
  if (r.expires_at) s += ", expires " + FormatTime(*r.expires_at);
  return s + ")";
}

class Engine {
 public:
  Engine(const Rules& rules, const DecisionRequest& req)
      : rules_(rules), req_(req), s_(*req.subject), tenant_(req.tenant ? *req.tenant : kDefaultTenant) {}

  Result<Decision> Run();

 private:
  Decision Deny(Reason reason, std::string ref) {
    d_.allow = false;
    d_.basis.reset();
    d_.reasons.insert(d_.reasons.begin(), reason);
    d_.obligations.clear();
    // Step 9's denial carries the anonymisation (policy.md); a track denied by an
    // earlier rule only with the reading that every denied track does (readings 15).
    if (req_.action == Action::kTrack &&
        (reason == Reason::kTrackingRequiresConsent || rules_.readings.anonymize_every_denied_track))
      d_.obligations.push_back(Obligation::kAnonymizeToAccount);
    if (!ref.empty()) d_.rule_refs.push_back(std::move(ref));
    return std::move(d_);
  }
  // The citation for a subject of unknown country: the strictest row (policy.md 11.3).
  // The table's "*" row is cited when it is that row (email: "strictest default").
  std::string UnknownCountryRef(RuleTable table, Time at) const {
    const std::string unknown = "unknown country '" + s_.country + "'";
    if (const MarketingRow* star = rules_.FindRow(table, "*", at)) {
      bool strictest = star->soft_opt_in == SoftOptIn::kNone;
      for (Regime r : star->regime) strictest = strictest && r == Regime::kIn;
      if (strictest) return star->Ref() + " (" + unknown + ")";
    }
    return std::string(Name(table)) + ":*: strictest default for an " + unknown + " (in, no soft opt-in)";
  }
  Decision Allow(Reason reason, std::optional<LawfulBasis> basis, std::string ref) {
    d_.allow = true;
    d_.basis = basis;
    d_.reasons.insert(d_.reasons.begin(), reason);
    if (!ref.empty()) d_.rule_refs.push_back(std::move(ref));
    return std::move(d_);
  }
  void Oblige(Obligation o) {
    if (std::find(d_.obligations.begin(), d_.obligations.end(), o) == d_.obligations.end())
      d_.obligations.push_back(o);
  }
  // A country given and an ISO code (readings 19: otherwise unknown, read strictly).
  bool KnownCountry() const { return !s_.country.empty() && NormalizeCountry(s_.country).ok(); }
  // An address listed more than once is hidden when any listing hides it (the stricter
  // reading of a subject whose records disagree).
  bool Hidden(const EmailAddress& e) const {
    return std::any_of(s_.emails.begin(), s_.emails.end(), [&](const EmailAddress& o) {
      return o.visibility == Visibility::kHidden && (&o == &e || (!e.address.empty() && SameCode(o.address, e.address)));
    });
  }
  // With `why`, says which time the age counts from (for the explanation).
  bool RetentionExpired(std::string* why = nullptr) const;
  Result<Decision> Contact(const Purpose& purpose, Channel channel);
  Result<Decision> Marketing(const Purpose& purpose, Channel channel);
  RecipientClass ClassFor(Channel channel) const;
  Decision AllowMarketing(Reason reason, LawfulBasis basis, std::string ref);

  static const TenantSettings kDefaultTenant;
  const Rules& rules_;
  const DecisionRequest& req_;
  const Subject& s_;
  const TenantSettings& tenant_;
  Decision d_;
  bool unconfirmed_ = false;
};

const TenantSettings Engine::kDefaultTenant{};

bool Engine::RetentionExpired(std::string* why) const {
  const Purpose* p = req_.purpose;
  if (!p || !p->retention_days) return false;
  const BasisRecord* from = nullptr;  // null: collected_at
  const std::optional<Time> newest = RetentionCountsFrom(rules_, s_, p->id, req_.at, &from);
  if (!newest) return false;
  const bool expired = req_.at - *newest > static_cast<int64_t>(*p->retention_days) * kSecondsPerDay;
  if (expired && why)
    *why = "the newest date the data counts from is " + FormatTime(*newest) + " (" +
           (from ? "basis record: " + DescribeRecord(*from) : std::string("collected_at")) + "), more than " +
           std::to_string(*p->retention_days) + " days before " + FormatTime(req_.at);
  return expired;
}

RecipientClass Engine::ClassFor(Channel channel) const {
  switch (s_.recipient) {
    case Recipient::kConsumer: return RecipientClass::kConsumer;
    case Recipient::kSoleTrader: return RecipientClass::kSoleTrader;
    case Recipient::kCorporate: break;
  }
  if (channel != Channel::kEmail) return RecipientClass::kCorporatePersonal;
  bool any = false, all_generic = true;
  for (const EmailAddress& e : s_.emails) {
    if (Hidden(e)) continue;
    any = true;
    all_generic = all_generic && e.type == EmailType::kGeneric;
  }
  return any && all_generic ? RecipientClass::kCorporateGeneric : RecipientClass::kCorporatePersonal;
}

Decision Engine::AllowMarketing(Reason reason, LawfulBasis basis, std::string ref) {
  Oblige(Obligation::kIncludeOptOut);
  Oblige(Obligation::kIdentifySender);
  if (basis == LawfulBasis::kLegitimateInterest && !Before(s_.transparency_notice_sent_at, req_.at))
    Oblige(Obligation::kSendArt14Notice);
  return Allow(reason, basis, std::move(ref));
}

Result<Decision> Engine::Marketing(const Purpose& purpose, Channel channel) {
  const Time at = req_.at;
  if (Before(s_.objected_direct_marketing_at, at)) {
    if (req_.explain) d_.evidence.push_back("objection to direct marketing at " + FormatTime(*s_.objected_direct_marketing_at));
    return Deny(Reason::kObjected, "GDPR Art. 21(3)");
  }
  const BasisRecord* consent = Latest(s_, at, rules_.readings.confirmation_may_precede_grant, [&](const BasisRecord& r) {
    return r.basis == LawfulBasis::kConsent && CoversPurpose(r, purpose, rules_.readings) && CoversChannel(r, channel);
  });
  if (consent) {
    if (req_.explain) d_.evidence.push_back("latest consent for this purpose and channel: " + DescribeRecord(*consent));
    if (consent->status == BasisStatus::kWithdrawn) return Deny(Reason::kConsentWithdrawn, "GDPR Art. 7(3)");
    if (consent->status == BasisStatus::kGranted && !IsExpired(*consent, at)) {
      // Country codes compare without regard to case; an unknown country (missing or not
      // an ISO code) is in no list, so only the purpose asks for double opt-in there,
      // unless the reading says it may be one that does (readings 5, 19).
      const std::string_view a2 = CountryAlpha2(s_.country);
      bool doi = purpose.requires_double_opt_in || (rules_.readings.unknown_country_double_opt_in && !KnownCountry()) ||
                 std::any_of(tenant_.double_opt_in_countries.begin(), tenant_.double_opt_in_countries.end(),
                             [&](const std::string& c) { return SameCode(c, a2) || SameCode(c, s_.country); });
      // A confirmation confirms the grant it follows: one dated before the record's own
      // `at` belongs to an earlier request (reading 21).
      const bool confirmed = ValidlyConfirmed(*consent, at, rules_.readings.confirmation_may_precede_grant);
      if (!doi || confirmed)
        return AllowMarketing(Reason::kConsent, LawfulBasis::kConsent, "GDPR Art. 6(1)(a)");
      unconfirmed_ = true;
    } else if (consent->status == BasisStatus::kPending) {
      unconfirmed_ = true;
    }
  }
  if (unconfirmed_) d_.reasons.push_back(Reason::kConsentUnconfirmed);

  RecipientClass cls = ClassFor(channel);
  RuleTable table = TableFor(channel);
  const MarketingRow* row = KnownCountry() ? rules_.FindRow(table, s_.country, at) : nullptr;
  std::string row_ref = row ? row->Ref() : UnknownCountryRef(table, at);
  Regime regime = row ? row->regime[static_cast<int>(cls)] : Regime::kIn;
  if (req_.explain) d_.evidence.push_back("recipient class " + std::string(Name(cls)) + ", regime " +
                        (regime == Regime::kIn ? "in" : "out") + " (" + row_ref + ")");

  if (row && row->soft_opt_in != SoftOptIn::kNone && !purpose.family.empty() &&
      s_.opt_out_offered_at_collection) {
    int window = row->window_months.value_or(tenant_.soft_opt_in_months);
    Time cutoff = SubtractMonths(at, window, rules_.readings.soft_opt_in_cutoff_clamps);
    for (const Purchase& p : s_.purchases) {
      bool kind_ok = p.kind == PurchaseKind::kSale ||
                     (p.kind == PurchaseKind::kNegotiation && row->soft_opt_in == SoftOptIn::kNegotiation);
      const bool in_window = rules_.readings.soft_opt_in_window_includes_cutoff ? p.at >= cutoff : p.at > cutoff;
      if (p.at <= at && in_window && p.family == purpose.family && kind_ok) {
        if (req_.explain) d_.evidence.push_back("purchase (" + std::string(Name(p.kind)) + ", family " + p.family + ", at " +
                              FormatTime(p.at) + ") within " + std::to_string(window) + " months");
        return AllowMarketing(Reason::kSoftOptIn, LawfulBasis::kLegitimateInterest, row_ref);
      }
    }
  }
  if (regime == Regime::kOut && !purpose.lia.empty()) {
    bool relevant = true;
    if (cls == RecipientClass::kCorporatePersonal && row && row->job_relevance && !purpose.job_functions.empty()) {
      // "Among" the purpose's functions: the same string, unless the reading says case
      // aside (reading 20; the importer stores functions in lower case).
      const bool fold = rules_.readings.job_functions_ignore_case;
      // A subject without a function is among none, whatever the list holds (reading 20).
      relevant = !s_.function.empty() &&
                 std::any_of(purpose.job_functions.begin(), purpose.job_functions.end(), [&](const std::string& f) {
                   return fold ? SameCode(f, s_.function) : f == s_.function;
                 });
      if (!relevant && req_.explain)
        d_.evidence.push_back("function '" + s_.function + "' is not among the purpose's job functions");
    }
    if (relevant) {
      if (req_.explain) d_.evidence.push_back("legitimate-interest assessment " + purpose.lia);
      return AllowMarketing(Reason::kLegitimateInterest, LawfulBasis::kLegitimateInterest, row_ref);
    }
  }
  return Deny(Reason::kNoLawfulBasis, row_ref);
}

Result<Decision> Engine::Contact(const Purpose& purpose, Channel channel) {
  switch (purpose.kind) {
    case PurposeKind::kService: {
      const BasisRecord* contract = Latest(s_, req_.at, rules_.readings.confirmation_may_precede_grant, [&](const BasisRecord& r) {
        return r.basis == LawfulBasis::kContract && (r.scopes.empty() || CoversPurpose(r, purpose, rules_.readings));
      });
      if (contract && contract->status == BasisStatus::kGranted && !IsExpired(*contract, req_.at)) {
        if (req_.explain) d_.evidence.push_back(DescribeRecord(*contract));
        return Allow(Reason::kContract, LawfulBasis::kContract, "GDPR Art. 6(1)(b)");
      }
      if (s_.stage == Stage::kClient) {
        if (req_.explain) d_.evidence.push_back("stage client");
        return Allow(Reason::kContract, LawfulBasis::kContract, "GDPR Art. 6(1)(b)");
      }
      return Deny(Reason::kNoLawfulBasis, "GDPR Art. 6(1)(b): no contract with the person");
    }
    case PurposeKind::kAnalytics:
    case PurposeKind::kLegal:
      return Deny(Reason::kNoLawfulBasis, "policy.md rule 12: no contact for analytics or legal purposes");
    case PurposeKind::kMarketing:
    case PurposeKind::kSalesOutreach:
      return Marketing(purpose, channel);
  }
  return Status::Internal("unknown purpose kind");
}

Result<Decision> Engine::Run() {
  const Action action = req_.action;
  const bool moves = action == Action::kExport || action == Action::kShare;
  const bool admin_view = req_.role == Role::kAdmin && action == Action::kView;

  if (s_.erased) return Deny(Reason::kSubjectErased, "GDPR Art. 17");
  if (moves && req_.role != Role::kAdmin) return Deny(Reason::kRoleForbids, "role " + std::string(Name(req_.role)));
  if (s_.restricted && !admin_view) return Deny(Reason::kProcessingRestricted, "GDPR Art. 18");
  if (req_.suppressed && !admin_view) return Deny(Reason::kSuppressed, "suppression list");
  std::string aged;
  if (!admin_view && RetentionExpired(req_.explain ? &aged : nullptr)) {
    if (req_.explain) d_.evidence.push_back(aged);
    return Deny(Reason::kRetentionExpired, "GDPR Art. 5(1)(e); retention " +
                std::to_string(*req_.purpose->retention_days) + " days for " + req_.purpose->id);
  }

  const Destination* dest = req_.destination;
  // A subject whose country is unknown (missing or not an ISO code) may be in the EEA,
  // GB or CH: the transfer rule applies to them too (readings 7).
  const bool transfer = moves && dest && !dest->region.empty();
  const bool origin_unknown = transfer && rules_.readings.unknown_country_transfer_rule &&
                              !KnownCountry();
  if (transfer && (origin_unknown || rules_.IsProtectedOrigin(s_.country))) {
    std::string ref;
    if (origin_unknown) d_.rule_refs.push_back("transfer: unknown country '" + s_.country + "' read as EEA/GB/CH");
    // An unknown code is no country: a destination repeating it is not "the same country".
    if (rules_.TransferNeedsMechanism(origin_unknown ? "" : s_.country, dest->region, dest->us_certified, req_.at,
                                      &ref)) {
      if (dest->transfer_mechanism == TransferMechanism::kScc) {
        Oblige(Obligation::kTransferUnderScc);
        d_.rule_refs.push_back("GDPR Art. 46(2)(c): standard contractual clauses to " + dest->region);
      } else if (dest->transfer_mechanism == TransferMechanism::kBcr) {
        Oblige(Obligation::kTransferUnderBcr);
        d_.rule_refs.push_back("GDPR Art. 47: binding corporate rules to " + dest->region);
      } else {
        return Deny(Reason::kTransferNotPermitted, "GDPR Art. 44-46: " + dest->region + " not adequate on " +
                                                       FormatDate(req_.at) + (ref.empty() ? "" : "; " + ref));
      }
    } else {
      d_.rule_refs.push_back(ref);
    }
  }
  if (action == Action::kShare && dest && dest->sale_or_share && s_.do_not_sell)
    return Deny(Reason::kDoNotSell, "CCPA Cal. Civ. Code §1798.120");

  bool any_hidden = false, all_hidden = !s_.emails.empty(), all_downloadable = true;
  for (const EmailAddress& e : s_.emails) {
    any_hidden = any_hidden || e.visibility == Visibility::kHidden;
    all_hidden = all_hidden && Hidden(e);
    all_downloadable = all_downloadable && e.visibility == Visibility::kDownloadable;
  }
  if (action == Action::kContact && req_.channel == Channel::kEmail && all_hidden)
    return Deny(Reason::kEmailHidden, "email visibility: hidden");
  if (action == Action::kView && any_hidden) Oblige(Obligation::kMaskEmail);
  if (action == Action::kExport && !all_downloadable) Oblige(Obligation::kOmitEmail);

  if (action == Action::kTrack) {
    if (!req_.purpose) return Status::Invalid("track needs a purpose");
    const BasisRecord* consent = Latest(s_, req_.at, rules_.readings.confirmation_may_precede_grant, [&](const BasisRecord& r) {
      return r.basis == LawfulBasis::kConsent && CoversPurpose(r, *req_.purpose, rules_.readings);
    });
    if (consent && req_.explain) d_.evidence.push_back("latest consent for this purpose: " + DescribeRecord(*consent));
    if (consent && consent->status == BasisStatus::kGranted && !IsExpired(*consent, req_.at))
      return Allow(Reason::kConsent, LawfulBasis::kConsent, "ePrivacy Art. 5(3) (Directive 2002/58/EC)");
    return Deny(Reason::kTrackingRequiresConsent, "ePrivacy Art. 5(3) (Directive 2002/58/EC)");
  }
  if (action == Action::kContact) {
    if (!req_.purpose) return Status::Invalid("contact needs a purpose");
    if (!req_.channel) return Status::Invalid("contact needs a channel (email, sms, phone or post)");
    return Contact(*req_.purpose, *req_.channel);
  }
  if (moves) {
    if (dest && dest->purpose) {
      DecisionRequest sub = req_;
      sub.action = Action::kContact;
      sub.purpose = &*dest->purpose;
      sub.channel = dest->channel ? dest->channel : (req_.channel ? req_.channel : Channel::kEmail);
      sub.destination = nullptr;
      Result<Decision> contact = Engine(rules_, sub).Run();
      if (!contact.ok()) return contact.status();
      Decision out = std::move(*contact);
      if (out.allow) {
        for (Obligation o : out.obligations) Oblige(o);
        out.obligations = std::move(d_.obligations);
        out.rule_refs.insert(out.rule_refs.begin(), d_.rule_refs.begin(), d_.rule_refs.end());
      }
      if (req_.explain)
        out.evidence.insert(out.evidence.begin(), "the destination will use the data for " + dest->purpose->id +
                                                    " by " + std::string(Name(*sub.channel)));
      return out;
    }
    return Allow(Reason::kExportAllowed, std::nullopt, "");
  }
  return Allow(Reason::kViewAllowed, std::nullopt, "");
}

}  // namespace

std::optional<Time> RetentionCountsFrom(const Rules& rules, const Subject& s, std::string_view purpose_id, Time at,
                                        const BasisRecord** record) {
  std::optional<Time> newest;
  if (Before(s.collected_at, at)) newest = s.collected_at;
  if (record) *record = nullptr;
  for (const BasisRecord& r : s.bases) {
    // An unscoped record, which can deny everything, renews nothing (the stricter reading).
    const bool renews = (!r.scopes.empty() || rules.readings.unscoped_records_renew_retention) &&
                        CoversPurpose(r, purpose_id);
    if (r.at <= at && renews && (!newest || r.at > *newest)) {
      newest = r.at;
      if (record) *record = &r;
    }
  }
  return newest;
}

Result<Decision> Decide(const Rules& rules, const DecisionRequest& request) {
  if (!request.subject) return Status::Invalid("decide needs a subject");
  return Engine(rules, request).Run();
}

}  // namespace fairlead
