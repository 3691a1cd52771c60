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
  bool ascii = false;  // every byte is known to be printable ASCII or a tab (valid UTF-8, no control character)
};

// The same record as views into one string of its own: one copy of a plain line
// instead of a string per field (what the events import reads 10 million of). Not
// copyable: the views point into the line's own storage.
class CsvLine {
 public:
  CsvLine() = default;
  CsvLine(const CsvLine&) = delete;
  CsvLine& operator=(const CsvLine&) = delete;
  std::vector<std::string_view> fields;  // valid until the next read into this line
  int64_t line = 0;                      // as CsvRecord::line
  bool ascii = false;                    // as CsvRecord::ascii
  // The fields lie in one copy of the line, in order, a comma apart (a plain line), so
  // the bytes from one field to a later one are the line's own.
  bool plain = false;

 private:
  friend class CsvReader;
  std::string text_;  // a plain line's bytes
  CsvRecord record_;  // any other line, read field by field
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
  // The same into a CsvLine: the same fields, lines, errors and positions.
  Result<bool> Next(CsvLine* line);

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
  bool SkipBlankLines();  // false at the end of input
  // A plain line at pos_: its length without the line end, and its commas.
  bool PlainLine(size_t* len, size_t* used);
  bool SplitPlainLine(CsvRecord* rec, size_t* nfields);
  void Consume(size_t used);
  // The fields of the plain line PlainLine() found, copied to `line` (len bytes), in order.
  template <typename F>
  void PlainFields(const char* line, size_t len, F&& each) const {
    size_t from = 0;
    for (uint32_t comma : commas_) {
      each(std::string_view(line + from, comma - from));
      from = comma + 1;
    }
    each(std::string_view(line + from, len - from));
  }
  std::vector<uint32_t> commas_;  // PlainLine's: offsets of the line's commas
  bool ascii_ = false;            // PlainLine's: the line is all printable ASCII (or tabs)
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
