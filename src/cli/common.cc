#include "cli/common.h"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

#include "core/normalize.h"
#include "ingest/importer.h"
#include "intent/events_import.h"

namespace fairlead {

using nlohmann::json;

// The tenant's intent thresholds: DATA/intent.json when present, else the defaults.
static Result<IntentConfig> LoadIntentConfig(const AppContext& ctx) {
  std::string path = ctx.dir + "/intent.json";
  if (access(path.c_str(), R_OK) != 0) return IntentConfig();
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  return IntentConfigFromJson(*text, path);
}

// Builds the model from the stored events up to `upto` (incremental from here on).
Result<std::unique_ptr<IntentModel>> LoadIntent(AppContext& ctx, Time upto) {
  Result<IntentConfig> config = LoadIntentConfig(ctx);
  if (!config.ok()) return config.status();
  auto model = std::make_unique<IntentModel>(*config);
  Status s = AddStoredEvents(*ctx.store, ctx.tenant, 0, model.get(), upto);
  if (!s.ok()) return s;
  return model;
}


int Fail(const Status& s) {
  std::cerr << "fairlead: " << s.ToString() << "\n";
  return 1;
}

// Opens the context or prints the error; null on failure.
std::unique_ptr<AppContext> Open(const DataOptions& data, int* code) {
  Result<std::unique_ptr<AppContext>> ctx = OpenContext(data);
  if (!ctx.ok()) {
    *code = Fail(ctx.status());
    return nullptr;
  }
  return std::move(*ctx);
}

// A progress bar on stderr, only when it is a terminal.
std::function<void(uint64_t, uint64_t)> ProgressBar(const std::string& label) {
  if (!isatty(2)) return {};
  return [label](uint64_t done, uint64_t total) {
    if (total == 0) {
      std::fprintf(stderr, "\r%s: %llu", label.c_str(), static_cast<unsigned long long>(done));
    } else {
      int pct = static_cast<int>(100.0 * done / total);
      int bar = pct / 4;
      std::fprintf(stderr, "\r%s [%.*s%*s] %3d%%", label.c_str(), bar, "#########################", 25 - bar, "", pct);
    }
    if (done == total) std::fprintf(stderr, "\n");
  };
}

std::vector<std::string> SuppressionEvidence(const AppContext& ctx, const Person& person) {
  std::vector<std::string> out;
  for (const SuppressionSet::Match& m : ctx.suppression.Matches(*ctx.hasher, person.subject.emails, person.phone)) {
    std::string what;
    if (m.email_index < 0) {
      what = "phone " + person.phone;
    } else {
      const EmailAddress& e = person.subject.emails[static_cast<size_t>(m.email_index)];
      what = e.visibility == Visibility::kHidden ? "a hidden address (email #" + std::to_string(m.email_index + 1) + ")"
                                                 : "address " + e.address;
    }
    out.push_back(what + (m.list.empty() ? " is on a suppression list" : " is on suppression list '" + m.list + "'"));
  }
  return out;
}

Result<Decision> DecideStored(const AppContext& ctx, const Person& person, Action action, Role role, Time at,
                              const Purpose* purpose, std::optional<Channel> channel) {
  DecisionRequest req;
  req.subject = &person.subject;
  req.purpose = purpose;
  req.action = action;
  req.channel = channel;
  req.role = role;
  req.tenant = &ctx.settings;
  req.at = at;
  req.suppressed = ctx.suppression.ContainsAny(*ctx.hasher, person.subject.emails, person.phone);
  return Decide(ctx.rules, req);
}

int ReportImport(const ImportReport& rep, const std::string& file, const std::string& kind, bool dry_run,
                 bool as_json, std::ostream& out) {
  if (as_json) {
    json issues = json::array();
    for (const RowIssue& i : rep.issues)
      issues.push_back({{"line", i.line}, {"field", i.field}, {"reason", i.reason}, {"skipped", i.skipped}});
    out << json{{"file", file}, {"kind", kind}, {"rows", rep.rows}, {"inserted", rep.inserted},
                {"merged", rep.merged}, {"suppressed", rep.suppressed}, {"anonymized", rep.anonymized},
                {"rejected", rep.rejected}, {"committed", rep.committed}, {"dry_run", dry_run}, {"issues", issues}}.dump(-1, ' ', false, kBadUtf8)
        << "\n";
  } else {
    for (const RowIssue& i : rep.issues) {
      if (i.skipped) continue;
      std::cerr << (i.line ? file + ":" + std::to_string(i.line) + ": " : std::string())
                << (i.field.empty() ? "" : i.field + ": ") << i.reason << "\n";
    }
    if (rep.rejected > rep.issues.size()) std::cerr << "... and more rejected rows\n";
    out << kind << ": " << rep.rows << " rows, " << rep.inserted << " new, ";
    if (kind != "events") out << rep.merged << " merged, " << rep.suppressed << " suppressed (not stored), ";
    if (rep.anonymized) out << rep.anonymized << " kept at account level only (no tracking basis), ";
    out << rep.rejected << " rejected; "
        << (dry_run ? "dry run, nothing written"
            : rep.committed ? "committed"
                            : "NOTHING written (all-or-nothing; fix the rows or use --partial)")
        << "\n";
  }
  if (rep.rejected == 0) return 0;
  return rep.committed ? 3 : 4;
}

Result<int64_t> ResolveAccount(AppContext& ctx, const std::string& domain) {
  Result<std::string> normalized = NormalizeDomain(domain);
  if (!normalized.ok()) return normalized.status();
  Result<std::optional<int64_t>> id = ctx.store->FindAccount(ctx.tenant, *normalized);
  if (!id.ok()) return id.status();
  if (!*id) return Status::NotFound("no account with domain '" + domain + "'");
  return **id;
}

Result<int64_t> ResolvePerson(AppContext& ctx, const std::string& key) {
  if (!key.empty() && key.find_first_not_of("0123456789") == std::string::npos) return std::stoll(key);
  if (key.find('@') != std::string::npos) {
    Result<std::string> e = NormalizeEmail(key);
    if (!e.ok()) return e.status().WithContext("--person: ");
    Result<std::optional<int64_t>> id = ctx.store->FindPersonByEmail(ctx.tenant, *e);
    if (!id.ok()) return id.status();
    if (!*id) return Status::NotFound("--person: no person with address " + *e);
    return **id;
  }
  Result<std::optional<int64_t>> id = ctx.store->FindPersonByRef(ctx.tenant, key);
  if (!id.ok()) return id.status();
  if (!*id) return Status::NotFound("--person: no person with id or ref '" + key + "'");
  return **id;
}

}  // namespace fairlead
