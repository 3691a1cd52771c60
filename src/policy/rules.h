// Rules: the country rules of jurisdictions.md as data (the rules file).
//
// A Rules value is immutable once parsed and may be shared between threads. The
// engine never hard-codes a row: every regime, soft opt-in window, adequacy date
// and US framework comes from here, with its citation and validity interval
// [valid_from, valid_to).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/domain.h"
#include "core/status.h"
#include "core/time.h"

namespace fairlead {

enum class Regime : uint8_t { kIn, kOut };
enum class SoftOptIn : uint8_t { kNone, kSale, kNegotiation };
// The four recipient classes of policy.md 11.3.
enum class RecipientClass : uint8_t { kConsumer, kSoleTrader, kCorporatePersonal, kCorporateGeneric };
std::string_view Name(RecipientClass c);
// The table a channel is decided by: email and sms share "email".
enum class RuleTable : uint8_t { kEmail, kPhone, kPost };
std::string_view Name(RuleTable t);
RuleTable TableFor(Channel channel);

struct Validity {
  Time from = 0;
  std::optional<Time> to;  // exclusive; none = still in force
  bool Contains(Time t) const { return t >= from && (!to || t < *to); }
};

struct MarketingRow {
  RuleTable table = RuleTable::kEmail;
  std::string country;  // "GB", "US-CA", or "*"
  Regime regime[4] = {Regime::kIn, Regime::kIn, Regime::kIn, Regime::kIn};  // by RecipientClass
  SoftOptIn soft_opt_in = SoftOptIn::kNone;
  std::optional<int> window_months;  // none = the tenant's soft_opt_in_months
  bool job_relevance = false;
  std::string citation;
  Validity valid;
  int line = 0;  // in the rules file
  // "email:DE: UWG §7(2) Nr. 2 and §7(3)"
  std::string Ref() const;
};

struct AdequacyRow {
  std::string region;
  Validity valid;
  std::string citation;
  int line = 0;
};

struct UsFramework {
  std::string name;
  Validity valid;
  std::string citation;
  int line = 0;
};

// Where policy.md leaves a choice open (docs/policy-readings.md): the stricter reading
// by default; a rules file may choose the other in its [readings] table.
struct Readings {
  bool unknown_country_transfer_rule = true;        // 7: unknown origin read as EEA/GB/CH
  bool unknown_country_double_opt_in = false;       // 5: unknown country requires double opt-in
  bool unscoped_records_renew_retention = false;    // 6: a record without scope renews the age
  bool soft_opt_in_window_includes_cutoff = false;  // 13: a purchase exactly the window back counts
  bool anonymize_every_denied_track = false;        // 15: ANONYMIZE_TO_ACCOUNT on a track denied before step 9
  bool job_functions_ignore_case = false;           // 20: "IT Security" is among ["it security"]
  bool confirmation_may_precede_grant = false;      // 21: a confirmed_at before the record's at confirms it
  bool soft_opt_in_cutoff_clamps = false;           // 13: 29 Feb 24 months back is 28 Feb, not 1 Mar
  bool gb_ch_subjects_may_send_to_eea = false;      // 7: a GB or CH subject sent into the EEA is no transfer
  bool kind_scopes_withdraw_whole_kind = true;      // 22: a withdrawal scoped `marketing` covers every marketing purpose
};

struct Rules {
  std::string version;
  std::string source;  // file name it was read from
  std::vector<MarketingRow> rows;
  std::vector<std::string> eea;      // member states
  // Parts of a member state with an ISO code of their own (RE, GF, GP, MQ, YT, MF, AX):
  // EEA territory, on either side of a transfer.
  std::vector<std::string> eea_territories;
  std::vector<std::string> origins;  // "EEA", "GB", "CH": whose subjects the transfer rule protects
  std::vector<AdequacyRow> adequacy;
  std::vector<UsFramework> us_frameworks;
  Readings readings;

  // The row for (table, country) in force at `at`: the country's own row
  // ("US-CA", then "US"), else the "*" row. Null when none is in force, or when
  // `country` is empty (unknown): the caller then applies the strictest regime.
  const MarketingRow* FindRow(RuleTable table, std::string_view country, Time at) const;
  bool IsEea(std::string_view country) const;
  // Whether the transfer rule applies to a subject of `country`.
  bool IsProtectedOrigin(std::string_view country) const;
  // Whether sending data of a subject of `origin` to `region` at `at` needs a
  // mechanism. When not, `ref` names what made it lawful (adequacy row, framework);
  // when it does, `ref` says why where more than "not adequate" is known (a US
  // framework that ended, a recipient that is not certified), else it is left empty.
  // `origin` "" is a subject of unknown country (it may be outside the EEA).
  bool TransferNeedsMechanism(std::string_view origin, std::string_view region, bool us_certified,
                              Time at, std::string* ref) const;
};

// Parses and validates a rules file (TOML). Errors name the file, line and field.
Result<Rules> ParseRules(std::string_view text, std::string_view source_name);
// The rules file compiled into the binary (rules/default-rules.toml).
std::string_view DefaultRulesText();

}  // namespace fairlead
