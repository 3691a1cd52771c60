// Importer: CSV files into the store through the full path: header mapping,
// normalisation, validation with a per-row report, suppression check before
// anything is stored, deduplication on normalised email (and external ref) with
// merge into existing profiles keeping per-field provenance, and all-or-nothing
// commit by default.
//
// Streams the file: memory is bounded by the number of distinct account domains
// and the (capped) list of reported rows, never by the file size. One import at
// a time per Store.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/domain.h"
#include "core/status.h"
#include "ingest/header_map.h"
#include "store/store.h"
#include "suppression/suppression.h"

namespace fairlead {

struct ImportOptions {
  ImportKind kind = ImportKind::kPeople;
  std::string file;
  std::string source;                // provenance: where the rows came from (default: the file name)
  std::string notice;                // notice version shown at collection
  std::string purpose;               // with `basis`: a basis record per imported person
  std::optional<LawfulBasis> basis;
  ChannelSet channels = ChannelBit(Channel::kEmail);
  std::string default_country;       // for rows without a country
  Recipient default_recipient = Recipient::kConsumer;
  std::string suppression_list;      // kSuppression: the list's name
  bool dry_run = false;
  bool partial = false;              // commit the good rows, report the rest
  Time now = 0;
  std::function<void(uint64_t done, uint64_t total)> progress;  // bytes
};

struct RowIssue {
  int64_t line = 0;
  std::string field;  // "" when the whole row is concerned
  std::string reason;
  bool skipped = false;  // a suppressed row: expected, not an error
};

struct ImportReport {
  uint64_t rows = 0;
  uint64_t inserted = 0;
  uint64_t merged = 0;
  uint64_t suppressed = 0;
  uint64_t rejected = 0;
  uint64_t anonymized = 0;  // events kept at account level only
  bool committed = false;
  std::vector<RowIssue> issues;  // capped at kMaxIssues; `rejected` counts them all
  static constexpr size_t kMaxIssues = 10000;
};

struct ImportContext {
  Store* store = nullptr;
  int64_t tenant = 0;
  const SuppressionHasher* hasher = nullptr;
  SuppressionSet* suppression = nullptr;  // updated after a committed suppression import
};

// A non-OK status is a fatal problem (unreadable file, unusable header, store
// I/O); nothing is committed then. Row problems are in the report.
Result<ImportReport> RunImport(const ImportContext& ctx, const ImportOptions& options);

// An account's domain, as a website or a bare domain: "https://www.Acme.com/about" ->
// "acme.com"; a host name normalised as an email's domain is (NormalizeHostName), so
// "Bücher.de" -> "xn--bcher-kva.de". An error says why it is not a domain.
Result<std::string> NormalizeDomain(std::string_view raw);

// Dates as CRM exports write them: RFC 3339, "05 Jan 2024" (LinkedIn), "1/5/2024" (US).
Result<Time> ParseLooseDate(std::string_view text);

}  // namespace fairlead
