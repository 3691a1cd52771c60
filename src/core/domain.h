// The domain model: the words of product.md and policy.md as plain value types.
//
// These are the inputs of the policy engine and the rows of the store. Plain
// structs, no invariants beyond their field comments; copy freely; no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace fairlead {

enum class Recipient : uint8_t { kConsumer, kSoleTrader, kCorporate };
enum class EmailType : uint8_t { kPersonal, kGeneric };
enum class Visibility : uint8_t { kHidden, kVisible, kDownloadable };
enum class Stage : uint8_t { kSuspect, kProspect, kClient, kFormerClient };
enum class LawfulBasis : uint8_t {
  kConsent, kContract, kLegalObligation, kVitalInterest, kPublicTask, kLegitimateInterest
};
enum class BasisStatus : uint8_t { kPending, kGranted, kWithdrawn, kExpired };
enum class PurchaseKind : uint8_t { kSale, kNegotiation };
enum class PurposeKind : uint8_t { kMarketing, kSalesOutreach, kService, kAnalytics, kLegal };
enum class Action : uint8_t { kView, kContact, kTrack, kExport, kShare };
enum class Channel : uint8_t { kEmail, kSms, kPhone, kPost };
enum class Role : uint8_t { kAdmin, kListBuilder, kReadOnly };
enum class TransferMechanism : uint8_t { kNone, kScc, kBcr };
enum class EventStage : uint8_t { kEarly, kMid, kLate };
enum class EventAction : uint8_t { kView, kDownload, kWebinar, kPricing };

constexpr int kChannelCount = 4;
using ChannelSet = uint8_t;  // bit (1 << Channel)
constexpr ChannelSet ChannelBit(Channel c) { return static_cast<ChannelSet>(1u << static_cast<int>(c)); }

// Enum <-> spec word. Parse returns false for an unknown word.
std::string_view Name(Recipient v);
std::string_view Name(EmailType v);
std::string_view Name(Visibility v);
std::string_view Name(Stage v);
std::string_view Name(LawfulBasis v);
std::string_view Name(BasisStatus v);
std::string_view Name(PurchaseKind v);
std::string_view Name(PurposeKind v);
std::string_view Name(Action v);
std::string_view Name(Channel v);
std::string_view Name(Role v);
std::string_view Name(TransferMechanism v);
std::string_view Name(EventStage v);
std::string_view Name(EventAction v);
bool Parse(std::string_view word, Recipient* out);
bool Parse(std::string_view word, EmailType* out);
bool Parse(std::string_view word, Visibility* out);
bool Parse(std::string_view word, Stage* out);
bool Parse(std::string_view word, LawfulBasis* out);
bool Parse(std::string_view word, BasisStatus* out);
bool Parse(std::string_view word, PurchaseKind* out);
bool Parse(std::string_view word, PurposeKind* out);
bool Parse(std::string_view word, Action* out);
bool Parse(std::string_view word, Channel* out);
bool Parse(std::string_view word, Role* out);
bool Parse(std::string_view word, TransferMechanism* out);
bool Parse(std::string_view word, EventStage* out);
bool Parse(std::string_view word, EventAction* out);
// "email, sms or phone": the words accepted, for error messages.
template <typename E> std::string Choices();

struct EmailAddress {
  std::string address;  // normalised: lower-case local part, ASCII (IDNA) domain
  EmailType type = EmailType::kPersonal;
  Visibility visibility = Visibility::kVisible;
};

// A lawful-basis record; records are never edited, history is appended.
struct BasisRecord {
  int64_t id = 0;
  LawfulBasis basis = LawfulBasis::kConsent;
  BasisStatus status = BasisStatus::kPending;
  std::vector<std::string> scopes;  // purpose ids or dotted prefixes; empty = none given
  ChannelSet channels = 0;
  bool channels_given = false;
  Time at = 0;
  std::optional<Time> confirmed_at;
  std::optional<Time> expires_at;
  std::string evidence;  // source, notice version, double-opt-in token... as JSON text
};

struct Purchase {
  std::string family;
  PurchaseKind kind = PurchaseKind::kSale;
  Time at = 0;
};

// A person as the policy engine sees them (policy.md "subject").
struct Subject {
  int64_t id = 0;
  std::string country;  // ISO 3166-1 alpha-2, US states as US-CA; empty = unknown
  Recipient recipient = Recipient::kConsumer;
  std::vector<EmailAddress> emails;
  Stage stage = Stage::kSuspect;
  std::string function;
  std::optional<Time> collected_at;
  bool opt_out_offered_at_collection = false;
  std::optional<Time> transparency_notice_sent_at;
  std::optional<Time> objected_direct_marketing_at;
  bool restricted = false;
  bool do_not_sell = false;  // CCPA do-not-sell/share, or Global Privacy Control
  bool erased = false;
  std::vector<BasisRecord> bases;
  std::vector<Purchase> purchases;
};

struct Purpose {
  std::string id;  // dotted, hierarchical: marketing.security.firewall
  PurposeKind kind = PurposeKind::kMarketing;
  std::string family;
  std::string lia;  // legitimate-interest assessment reference; empty = none
  std::optional<int> retention_days;
  bool requires_double_opt_in = false;
  std::vector<std::string> job_functions;  // empty = relevant to all
  std::string description;
  bool operator==(const Purpose&) const = default;
};

// True when `scope` equals `purpose_id` or is a dotted prefix of it.
bool ScopeCovers(std::string_view scope, std::string_view purpose_id);
bool IsDirectMarketing(PurposeKind kind);

struct TenantSettings {
  std::vector<std::string> double_opt_in_countries = {"DE", "AT"};
  int soft_opt_in_months = 24;
};

// Where an export or share sends data (policy.md "destination").
struct Destination {
  std::string name;
  std::string region;  // country code, EEA or EU; empty = no transfer
  TransferMechanism transfer_mechanism = TransferMechanism::kNone;
  bool us_certified = false;
  bool sale_or_share = false;
  std::optional<Purpose> purpose;  // what the recipient will use the data for
  std::optional<Channel> channel;
};

// Firmographics of a company.
struct Account {
  int64_t id = 0;
  std::string domain;  // normalised, the natural key
  std::string name;
  std::string industry;
  std::string employee_band;
  std::string revenue_band;
  std::string hq_country;
  std::vector<std::string> technologies;
};

// Where a field value came from (product.md capability 1).
struct Provenance {
  int64_t source_id = 0;
  std::string source;  // import name, e.g. "crm-export-2026-11"
  std::optional<Time> collected_at;
  std::string basis;   // the lawful basis it was collected under
  std::string notice;  // the notice version shown at collection
};

// A person profile as stored: the subject plus the descriptive fields.
struct Person {
  Subject subject;
  std::string external_ref;
  std::string first_name;
  std::string last_name;
  std::string phone;  // E.164
  std::string title;
  std::string seniority;
  std::string region;
  int64_t account_id = 0;
  std::string account_domain;
  // field name -> source id; "*" is the source of every field not listed.
  std::vector<std::pair<std::string, int64_t>> field_sources;
};

// An activity event as stored (issue: intent signals). The person id is set only
// where decide(track) allowed it; no email is ever kept with an event.
struct ActivityEvent {
  Time at = 0;
  int64_t account_id = 0;
  int64_t person_id = 0;  // 0 = anonymous, at account level
  std::string topic;
  std::string vendor;
  EventStage stage = EventStage::kEarly;
  EventAction action = EventAction::kView;
  bool senior = false;  // the person's seniority was director or above at the time
};

}  // namespace fairlead
