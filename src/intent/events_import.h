// Events import: activity events (CSV or JSON lines) into the store, each
// person-level event first decided with decide(action=track) for the tenant's
// analytics purpose. Where tracking is not allowed the event is kept against the
// account alone: no person id, and the email is never written anywhere
// (obligation ANONYMIZE_TO_ACCOUNT). Unknown accounts are created from the
// domain. Malformed events are reported per line; all-or-nothing unless partial.
#pragma once

#include <string>

#include "core/domain.h"
#include "ingest/importer.h"
#include "policy/rules.h"

namespace fairlead {

struct EventImportOptions {
  std::string file;
  bool json_lines = false;  // default: by extension (.jsonl, .ndjson)
  std::string analytics_purpose = "analytics.intent";
  bool dry_run = false;
  bool partial = false;
  Time now = 0;
  std::function<void(uint64_t done, uint64_t total)> progress;
};

struct EventImportContext {
  Store* store = nullptr;
  int64_t tenant = 0;
  const Rules* rules = nullptr;
  const TenantSettings* settings = nullptr;
  const SuppressionHasher* hasher = nullptr;
  const SuppressionSet* suppression = nullptr;
};

Result<ImportReport> ImportEvents(const EventImportContext& ctx, const EventImportOptions& options);

// Seniority words (entry < senior < manager < director < vp < cxo): true from director up.
bool IsSeniorSeniority(std::string_view seniority);

}  // namespace fairlead
