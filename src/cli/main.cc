// fairlead: the command-line interface. Every job of the product is a command
// here; each takes --data DIR (or FAIRLEAD_DATA) and --tenant.
//
// Exit codes: 0 success; 1 an error (bad input, I/O; the message names where);
// 2 a usage error; 3 an import that committed its good rows and rejected others
// (--partial); 4 an import that rejected rows and so wrote nothing.
#include <malloc.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/context.h"

int main(int argc, char** argv) {
  using namespace fairlead;
  // Query results are dense sets of up to a few MB, made and freed per query. glibc
  // would map each from the kernel and unmap it when freed (page faults on every
  // query); keep such blocks on the heap and the heap's freed memory mapped.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  CLI::App app{"fairlead: a privacy-first B2B sales and marketing data platform.\n"
               "Every read, list, export and message is decided by a policy engine that explains itself."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "fairlead 0.1.0");
  DataOptions data;
  const char* env = std::getenv("FAIRLEAD_DATA");
  data.dir = env && *env ? env : "./fairlead-data";
  data.tenant = "default";
  app.add_option("--data", data.dir, "data directory (database, tenant secrets, rules); env FAIRLEAD_DATA")
      ->capture_default_str();
  app.add_option("--tenant", data.tenant, "tenant name")->capture_default_str();

  int code = 0;
  RegisterCommands(app, data, &code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  return code;
}
