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
#include <fstream>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "cli/context.h"
#include "core/normalize.h"

namespace {

// The resident index, the address map and the intent model are gigabytes probed at
// random; on 4 KiB pages nearly every probe also misses the TLB, and on a virtual
// machine a page walk costs several memory reads (10M events: 7.97 s -> 7.10 s with
// huge pages, the same peak RSS). glibc backs its heap with transparent huge pages
// only when told so at start, by the tunable glibc.malloc.hugetlb=1 (the kernel's
// default leaves huge pages to madvise, which that tunable does). So fairlead runs
// itself again, once, with the tunable added, unless GLIBC_TUNABLES already names it
// (glibc.malloc.hugetlb=0 keeps 4 KiB pages) or the system has huge pages off.
void ExecWithHugePages(char** argv) {
  if (std::getenv("FAIRLEAD_REEXEC")) return;  // once, even if the loader dropped the tunable
  const char* set = std::getenv("GLIBC_TUNABLES");
  std::string tunables = set ? set : "";
  if (tunables.find("glibc.malloc.hugetlb") != std::string::npos) return;
  std::string mode;
  std::getline(std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled"), mode);
  if (mode.empty() || mode.find("[never]") != std::string::npos) return;
  tunables += tunables.empty() ? "glibc.malloc.hugetlb=1" : ":glibc.malloc.hugetlb=1";
  if (::setenv("GLIBC_TUNABLES", tunables.c_str(), 1) != 0 || ::setenv("FAIRLEAD_REEXEC", "1", 1) != 0) return;
  ::execv("/proc/self/exe", argv);
  // No /proc (or exec refused): run on as started; the variables set do no harm.
}

}  // namespace

int main(int argc, char** argv) {
  using namespace fairlead;
  ExecWithHugePages(argv);
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

  // Every argument is text a command may store or print: bytes that are not UTF-8 are
  // refused here, naming the argument, before anything is opened or written.
  for (int i = 1; i < argc; ++i) {
    if (!IsValidUtf8(argv[i])) {
      std::string shown;
      for (const unsigned char c : std::string_view(argv[i])) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "\\x%02X", c);
        shown += c < 0x80 && c >= 0x20 ? std::string(1, static_cast<char>(c)) : std::string(hex);
      }
      std::cerr << "fairlead: argument " << i << " ('" << shown << "') is not valid UTF-8; give text (and paths) in UTF-8\n";
      return 2;
    }
  }
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
  } catch (const std::exception& e) {
    // A defect, not an input error: say so rather than abort. An open transaction is
    // rolled back when the store closes, so nothing is half-written.
    std::cerr << "fairlead: internal error (please report it): " << e.what() << "\n";
    return 1;
  }
  return code;
}
