// Helpers shared by the CLI's command files: error printing, opening the data
// directory, the progress bar and the import report.
#pragma once

#include <functional>
#include <iosfwd>
#include <limits>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/context.h"
#include "ingest/importer.h"
#include "intent/intent.h"
#include "policy/decide.h"

namespace fairlead {

// Output JSON is written with this handler (`.dump(-1, ' ', false, kBadUtf8)`): bytes
// that are not UTF-8, from a file or a stored value, come out as U+FFFD where
// nlohmann's plain dump would throw and stop the command.
inline constexpr auto kBadUtf8 = nlohmann::json::error_handler_t::replace;

// Prints "fairlead: <status>" to stderr; returns exit code 1.
int Fail(const Status& s);
// Opens the context or prints the error (setting *code); null on failure.
std::unique_ptr<AppContext> Open(const DataOptions& data, int* code);
// A progress bar on stderr, only when it is a terminal.
std::function<void(uint64_t, uint64_t)> ProgressBar(const std::string& label);
// Prints the report (text or JSON) and returns the exit code: 0, 3 (partial) or 4 (nothing written).
int ReportImport(const ImportReport& rep, const std::string& file, const std::string& kind, bool dry_run,
                 bool as_json, std::ostream& out);

// One decision about a stored person with the tenant's rules, settings and
// suppression lists (the person's suppression is looked up here).
// Which of the person's addresses and phone are on a suppression list, in words
// ("address jan@example.nl is on suppression list 'unsubscribed'"); a hidden address
// is named by its position only. Empty when none is.
std::vector<std::string> SuppressionEvidence(const AppContext& ctx, const Person& person);

Result<Decision> DecideStored(const AppContext& ctx, const Person& person, Action action, Role role, Time at,
                              const Purpose* purpose = nullptr, std::optional<Channel> channel = std::nullopt);

// The tenant's intent model, built from every stored event at or before `upto` with
// the thresholds of DATA/intent.json (defaults when absent). A command that answers
// "as of" a time passes it, so the answer does not change when later events arrive.
Result<std::unique_ptr<IntentModel>> LoadIntent(AppContext& ctx, Time upto = std::numeric_limits<Time>::max());

// A person named on the command line by id, external ref or email.
Result<int64_t> ResolvePerson(AppContext& ctx, const std::string& key);
// An account named on the command line by its domain (or website): its id, or why not.
Result<int64_t> ResolveAccount(AppContext& ctx, const std::string& domain);

}  // namespace fairlead
