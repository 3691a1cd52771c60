// The CLI's view of a data directory: the store, the rules, the tenant and its
// secret, opened once per command. Everything is passed explicitly from here; no
// globals.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "policy/rules.h"
#include "store/store.h"
#include "suppression/suppression.h"

namespace fairlead {

struct DataOptions {
  std::string dir;     // --data, FAIRLEAD_DATA, or ./fairlead-data
  std::string tenant;  // --tenant, default "default"
};

struct AppContext {
  std::string dir;
  std::unique_ptr<Store> store;
  int64_t tenant = 0;
  std::string tenant_name;
  Rules rules;
  TenantSettings settings;
  TenantSecret secret;  // the suppression hashes' key; webhook signing keys derive from it
  std::unique_ptr<SuppressionHasher> hasher;
  SuppressionSet suppression;
};

// Creates the directory, database, rules file and tenant secret when missing,
// validates the rules (recording a new version when the file changed) and loads
// the suppression set.
Result<std::unique_ptr<AppContext>> OpenContext(const DataOptions& options);

// Where the tenant's people index snapshot lives (PeopleIndex::Load).
std::string IndexSnapshotPath(const AppContext& c);

// Reads a whole file ("-" = standard input).
Result<std::string> ReadFile(const std::string& path);

}  // namespace fairlead
