// Deterministic demo and benchmark data generator ("fairlead gen").
//
// Generate() writes six CSV files (RFC 4180, header line first, UTF-8, '\n'
// line ends, times as RFC 3339 UTC "2026-03-04T10:00:00Z", lists inside a
// field separated by ';') describing a synthetic B2B sales database; see
// shared/spec/bench.md (section Data):
//   accounts.csv     domain,name,industry,employee_band,revenue_band,
//                    hq_country,technologies
//   people.csv       person_ref,first_name,last_name,email,email2,
//                    email_visibility,phone,title,seniority,function,country,
//                    region,recipient,stage,account_domain,collected_at,
//                    opt_out_offered,transparency_notice_sent_at
//   bases.csv        email,basis,status,scope,channels,at,confirmed_at,
//                    expires_at,source,notice_version   (time-ordered per email)
//   purchases.csv    email,family,kind,at
//   suppression.csv  email
//   events.csv       time,account_domain,person_email,topic,vendor,stage,action
// bases/purchases/suppression identify a person by their first email.
//
// Guarantees:
//  - Deterministic: the same GenOptions produce byte-identical files with any
//    standard library and CPU (own splitmix64 PRNG, integer-only arithmetic,
//    no locale, no <random> distributions; needs GCC or Clang for
//    unsigned __int128).
//  - Streaming: memory is O(accounts) (about 100 bytes per account); people
//    and events are never held in memory.
//  - Every time in the data is at or before GenOptions::as_of.
//  - Emails (email and email2) are unique across people.csv, lowercase ASCII.
//  - Errors are returned as Status values (kInvalid for bad options, kIo
//    naming the file for open/write failures such as a full disk); no
//    exception crosses the API. After an error the files in out_dir are
//    incomplete and should be discarded.
//
// Thread-safety: Generate() keeps all of its state local and may run
// concurrently for different out_dir values (two concurrent runs into the same
// out_dir clobber each other's files). The vocabulary functions return
// references to immutable data initialised on first use; they may be called
// from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"

namespace fairlead::gen {

struct GenOptions {
  uint64_t people = 1000000;
  uint64_t seed = 1;
  // Output directory; created (with parents) if missing.
  std::string out_dir;
  // Unix seconds (2026-11-01T00:00:00Z); every time in the data is at or
  // before this. Must be in [2000-01-01, 9999-12-31].
  int64_t as_of = 1793491200;
  // Number of rows in events.csv; 0 => as many events as people.
  uint64_t events = 0;
};

struct GenCounts {
  uint64_t accounts = 0;    // rows in accounts.csv
  uint64_t people = 0;      // rows in people.csv
  uint64_t bases = 0;       // rows in bases.csv
  uint64_t purchases = 0;   // rows in purchases.csv
  uint64_t suppressed = 0;  // rows in suppression.csv
  uint64_t events = 0;      // rows in events.csv
};

// Writes accounts.csv, people.csv, bases.csv, purchases.csv, suppression.csv
// and events.csv into options.out_dir. `counts` (may be null) receives the
// number of data rows (header excluded) of each file. `progress`, when set,
// is called now and then (and once at the end) with (rows_done, rows_total),
// where rows are accounts + people + events; it runs on the calling thread.
//
// people.csv person_ref is "P" followed by the 1-based index zero-padded to
// max(9, digits(people)) digits, so lexicographic order is numeric order.
Status Generate(const GenOptions& options, GenCounts* counts,
                const std::function<void(uint64_t, uint64_t)>& progress = {});

// Vocabularies used in the data (stable order).
const std::vector<std::string>& Industries();     // ~20, includes "Software"
const std::vector<std::string>& Seniorities();    // entry .. cxo, low to high
const std::vector<std::string>& Functions();      // 12
const std::vector<std::string>& Countries();      // 30 codes, "US-CA" style
const std::vector<std::string>& Technologies();   // ~200, most popular first
const std::vector<std::string>& Topics();         // 12, includes "security"
const std::vector<std::string>& EmployeeBands();  // 8, small to large
const std::vector<std::string>& RevenueBands();   // 8, small to large

}  // namespace fairlead::gen
