// CsvReader: a streaming RFC 4180 reader that knows where it is.
//
// Reads records from a file (or a string) in fixed-size chunks, so memory stays
// bounded by the longest record. Every record carries the physical line it
// starts on; every error names the line and column. After a malformed record the
// reader skips to the end of that line and goes on, so one bad row never hides
// the rest. Not thread-safe; one reader per thread.
//
// Written here rather than taken from libcsv (Debian's RFC 4180 parser) because
// libcsv reports neither the position of a record nor of an error, and skips
// blank lines silently, which would make "line N" in the import report wrong.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace fairlead {

struct CsvRecord {
  std::vector<std::string> fields;
  int64_t line = 0;  // 1-based physical line where the record starts
  bool ascii = false;  // every byte of the record is known to be ASCII (so valid UTF-8)
};

class CsvReader {
 public:
  static constexpr size_t kDefaultMaxField = 1 << 20;  // 1 MiB

  // "-" reads standard input.
  static Result<std::unique_ptr<CsvReader>> OpenFile(const std::string& path);
  static std::unique_ptr<CsvReader> FromString(std::string text, std::string name = "<input>");
  ~CsvReader();

  // Fills `record` and returns true, or returns false at the end. A non-OK
  // status is a malformed record (the reader has moved past it; call again).
  Result<bool> Next(CsvRecord* record);

  void set_max_field_bytes(size_t n) { max_field_ = n; }
  // Plain lines (no quote, no carriage return inside) are split at their commas in one
  // go; off = every byte through the state machine, the reference the tests compare with.
  void set_plain_line_fast_path(bool on) { fast_ = on; }
  const std::string& name() const { return name_; }
  // Bytes consumed so far and the total size (0 when unknown), for progress bars.
  uint64_t bytes_read() const { return consumed_; }
  uint64_t total_bytes() const { return total_; }

 private:
  CsvReader() = default;
  bool Fill();  // false at end of input
  int Peek();   // -1 at end
  void SkipRestOfLine();
  bool SplitPlainLine(CsvRecord* rec, size_t* nfields);
  Status Error(int64_t line, int64_t column, const std::string& why);

  std::string name_;
  FILE* file_ = nullptr;
  bool own_file_ = true;
  std::string buf_;
  size_t pos_ = 0;
  uint64_t consumed_ = 0;
  uint64_t total_ = 0;
  bool eof_ = false;
  int64_t line_ = 1;
  int64_t column_ = 1;
  size_t max_field_ = kDefaultMaxField;
  bool fast_ = true;
};

}  // namespace fairlead
