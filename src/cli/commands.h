// The CLI commands, registered on a CLI11 app. Each callback sets *exit_code.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/context.h"

namespace fairlead {

void RegisterCommands(CLI::App& app, DataOptions& data, int* exit_code);
// intent_commands.cc: events import, account show, intent top.
void RegisterIntentCommands(CLI::App& app, DataOptions& data, int* exit_code);
// segment_commands.cc: search, list, explain.
void RegisterSegmentCommands(CLI::App& app, DataOptions& data, int* exit_code);
// saved_commands.cc: save, alerts (the feed, its webhooks and email digests).
void RegisterSavedCommands(CLI::App& app, DataOptions& data, int* exit_code);
// bench_commands.cc: bench export, bench run.
void RegisterBenchCommands(CLI::App& app, DataOptions& data, int* exit_code);

}  // namespace fairlead
