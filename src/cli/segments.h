// What the list, saved-item and alert commands load: the store, the people index and
// the intent model as of a time, with a query context for one role.
#pragma once

#include <memory>
#include <string>

#include "cli/context.h"
#include "index/people_index.h"
#include "index/query.h"
#include "intent/intent.h"

namespace fairlead {

// Everything a list query needs, loaded once per command.
struct Segments {
  std::unique_ptr<AppContext> ctx;
  std::unique_ptr<PeopleIndex> index;
  std::unique_ptr<IntentModel> intent;
  QueryContext query;
  int depth = 0;  // lists referring to lists
};

Status Load(Segments& s, const DataOptions& data, Role role, Time at);
// --at: a time, or now when empty.
Result<Time> TimeOption(const std::string& text);
// Parses --role and --at, then loads.
Status LoadFor(Segments& s, const DataOptions& data, const std::string& role_text, const std::string& at_text);

}  // namespace fairlead
