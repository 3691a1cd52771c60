// Saved leads, accounts and searches, and the feed of what changed about them.
//
// Saving takes a snapshot; CheckSaved compares every saved item of a user with its
// snapshot as of a time, appends one feed entry per change, and moves the snapshot
// on, so each change is reported exactly once. People whose decide(view) denies
// for the user's role never appear in an entry. Not thread-safe (uses the index).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "index/people_index.h"
#include "index/query.h"
#include "intent/intent.h"
#include "store/store.h"

namespace fairlead {

struct WatchContext {
  Store* store = nullptr;
  int64_t tenant = 0;
  QueryContext* query = nullptr;  // index, intent, time, the user's role, purposes, lists
};

// The state a new saved item starts from (its snapshot JSON). Fails for an unknown
// person or account, or a filter that does not parse or evaluate.
Result<std::string> Snapshot(WatchContext& ctx, const SavedItem& item);

// The role a user's saved items were last checked for (their snapshots say), or none
// when the user has none saved. Every check of that user must use it.
Result<std::optional<Role>> CheckedRole(Store& store, int64_t tenant, const std::string& user);

// Compares, records and returns the new feed entries (also stored).
Result<std::vector<FeedEntry>> CheckSaved(WatchContext& ctx, const std::string& user);

}  // namespace fairlead
