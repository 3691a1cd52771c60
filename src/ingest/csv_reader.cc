#include "ingest/csv_reader.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/normalize.h"

namespace fairlead {

namespace {
constexpr size_t kChunk = 1 << 20;

// The bytes that end an unquoted run: delimiter, line ends and the quote.
struct Specials {
  bool at[256] = {};
  constexpr Specials() { at[static_cast<unsigned char>(',')] = at['\n'] = at['\r'] = at['"'] = true; }
};
constexpr Specials kSpecial;
}

Result<std::unique_ptr<CsvReader>> CsvReader::OpenFile(const std::string& path) {
  if (path == "-") {  // standard input: read as it comes, size unknown, never closed here
    std::unique_ptr<CsvReader> r(new CsvReader());
    r->name_ = "<stdin>";
    r->file_ = stdin;
    r->own_file_ = false;
    return r;
  }
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Status::Io(path + ": " + std::strerror(errno));
  std::unique_ptr<CsvReader> r(new CsvReader());
  r->name_ = path;
  r->file_ = f;
  struct stat st;
  if (fstat(fileno(f), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::Io(path + ": is a directory, not a file");  // r closes f
    if (S_ISREG(st.st_mode)) r->total_ = static_cast<uint64_t>(st.st_size);
  }
  return r;
}

std::unique_ptr<CsvReader> CsvReader::FromString(std::string text, std::string name) {
  std::unique_ptr<CsvReader> r(new CsvReader());
  r->name_ = std::move(name);
  r->total_ = text.size();
  r->buf_ = std::move(text);
  r->eof_ = true;
  return r;
}

CsvReader::~CsvReader() {
  if (file_ && own_file_) std::fclose(file_);
}

bool CsvReader::Fill() {
  if (pos_ < buf_.size()) return true;
  if (eof_ || !file_) return false;
  buf_.resize(kChunk);
  size_t n = std::fread(buf_.data(), 1, kChunk, file_);
  buf_.resize(n);
  pos_ = 0;
  if (n < kChunk) eof_ = true;
  return n > 0;
}

int CsvReader::Peek() {
  if (!Fill()) return -1;
  return static_cast<unsigned char>(buf_[pos_]);
}

Status CsvReader::Error(int64_t line, int64_t column, const std::string& why) {
  return Status::Invalid(name_ + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + why);
}

void CsvReader::SkipRestOfLine() {
  for (int c; (c = Peek()) != -1;) {
    ++pos_;
    ++consumed_;
    if (c == '\n') {
      ++line_;
      column_ = 1;
      return;
    }
  }
}

namespace {

// One pass over a line of `n` bytes at most: where its '\n' is, where its commas are,
// and whether a byte >= 0x80 occurs. Not plain (false): no '\n' within the n bytes, or
// a quote, or a '\r' anywhere but just before the '\n'. 16 bytes at a time where the
// machine has SSE2; any quote or '\r' sends the rest of the line to the byte loop.
bool ScanPlainLine(const char* s, size_t n, std::vector<uint32_t>* commas, size_t* len, size_t* used, bool* high) {
  commas->clear();
  unsigned hi = 0;
  size_t i = 0;
#ifdef __SSE2__
  const __m128i nl = _mm_set1_epi8('\n'), comma = _mm_set1_epi8(','), quote = _mm_set1_epi8('"'),
                cr = _mm_set1_epi8('\r'), space = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t'),
                del = _mm_set1_epi8(0x7f);
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
    const unsigned m_nl = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl)));
    const unsigned keep = m_nl ? (1u << __builtin_ctz(m_nl)) - 1 : 0xFFFFu;  // the bytes before a '\n'
    const unsigned m_odd =
        static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, cr))));
    if (m_odd & keep) break;  // the byte loop decides
    for (unsigned m = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, comma))) & keep; m; m &= m - 1)
      commas->push_back(static_cast<uint32_t>(i + static_cast<size_t>(__builtin_ctz(m))));
    // High bytes, and control bytes other than a tab (signed: a high byte is below ' ' too).
    const __m128i odd_text = _mm_or_si128(_mm_andnot_si128(_mm_cmpeq_epi8(v, tab), _mm_cmplt_epi8(v, space)),
                                          _mm_cmpeq_epi8(v, del));
    hi |= static_cast<unsigned>(_mm_movemask_epi8(odd_text)) & keep;
    if (m_nl) {
      *len = i + static_cast<size_t>(__builtin_ctz(m_nl));
      *used = *len + 1;
      *high = hi != 0;
      return true;
    }
  }
#endif
  for (; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\n' || (c == '\r' && i + 1 < n && s[i + 1] == '\n')) {
      *len = i;
      *used = i + (c == '\r' ? 2 : 1);
      *high = hi != 0;
      return true;
    }
    if (c == '"' || c == '\r') return false;
    if (c == ',') commas->push_back(static_cast<uint32_t>(i));
    hi |= (c & 0x80u) | static_cast<unsigned>((c < 0x20 && c != '\t') || c == 0x7f);
  }
  return false;
}

}  // namespace

// The common case at a fraction of the cost: a whole line in the buffer with no quote
// and no carriage return before its end, no longer than a field may be, split at its
// commas. Anything else goes the byte-by-byte way, which gives the same fields.
bool CsvReader::PlainLine(size_t* len, size_t* used) {
  const size_t avail = buf_.size() - pos_;
  bool high = false;
  if (!ScanPlainLine(buf_.data() + pos_, std::min(avail, max_field_ + 2), &commas_, len, used, &high)) return false;
  if (*len > max_field_) return false;
  // A line of only printable ASCII (and tabs) is valid UTF-8 with no control
  // character; otherwise the caller checks each field.
  ascii_ = !high;
  return true;
}

void CsvReader::Consume(size_t used) {
  pos_ += used;
  consumed_ += used;
  ++line_;
  column_ = 1;
}

bool CsvReader::SplitPlainLine(CsvRecord* rec, size_t* nfields) {
  size_t len, used;
  if (!PlainLine(&len, &used)) return false;
  const char* begin = buf_.data() + pos_;
  rec->ascii = ascii_;
  const size_t n = commas_.size() + 1;
  if (rec->fields.size() < n) rec->fields.resize(n);
  size_t k = 0;
  PlainFields(begin, len, [&](std::string_view f) { rec->fields[k++].assign(f); });
  *nfields = n;
  Consume(used);
  return true;
}

bool CsvReader::SkipBlankLines() {
  for (;;) {
    int c = Peek();
    if (c == -1) return false;
    if (c != '\n' && c != '\r') return true;
    ++pos_;
    ++consumed_;
    if (c == '\n') { ++line_; column_ = 1; }
  }
}

Result<bool> CsvReader::Next(CsvLine* out) {
  out->fields.clear();
  out->plain = false;
  if (!SkipBlankLines()) return false;
  out->line = line_;
  size_t len, used;
  if (fast_ && PlainLine(&len, &used)) {
    out->text_.assign(buf_.data() + pos_, len);
    out->ascii = ascii_;
    out->plain = true;
    PlainFields(out->text_.data(), len, [&](std::string_view f) { out->fields.push_back(f); });
    Consume(used);
    return true;
  }
  Result<bool> more = Next(&out->record_);
  if (!more.ok() || !*more) return more;
  out->line = out->record_.line;
  out->ascii = out->record_.ascii;
  for (const std::string& f : out->record_.fields) out->fields.emplace_back(f);
  return true;
}

Result<bool> CsvReader::Next(CsvRecord* rec) {
  size_t nfields = 0;  // fields of this record so far; rec->fields is cut to it on return
  struct Cut {
    CsvRecord* rec;
    size_t* n;
    ~Cut() { rec->fields.resize(*n); }
  } cut{rec, &nfields};
  // Skip blank lines (an empty line is no record).
  if (!SkipBlankLines()) return false;
  rec->line = line_;
  if (fast_ && SplitPlainLine(rec, &nfields)) return true;
  rec->ascii = false;  // not looked at on this path
  for (;;) {
    // Start of a field, read straight into the record's string (its capacity is
    // kept from record to record).
    if (nfields == rec->fields.size()) rec->fields.emplace_back();
    std::string& field = rec->fields[nfields];
    int c = Peek();
    int64_t field_column = column_;
    field.clear();
    if (c == '"') {
      int64_t open_line = line_;
      ++pos_; ++consumed_; ++column_;
      for (;;) {
        c = Peek();
        if (c == -1)
          return Error(open_line, field_column, "quoted field is never closed (a \" is missing)");
        ++pos_; ++consumed_; ++column_;
        if (c == '"') {
          if (Peek() == '"') {
            ++pos_; ++consumed_; ++column_;
            field += '"';
            continue;
          }
          break;
        }
        if (c == '\n') { ++line_; column_ = 1; }
        field += static_cast<char>(c);
        if (field.size() > max_field_) {
          Status s = Error(line_, field_column, "field longer than " + std::to_string(max_field_) + " bytes");
          // Resynchronise: skip to the closing quote, then to the end of that line.
          for (int d; (d = Peek()) != -1;) {
            ++pos_; ++consumed_;
            if (d == '\n') { ++line_; column_ = 1; }
            if (d == '"') {
              if (Peek() == '"') { ++pos_; ++consumed_; continue; }
              break;
            }
          }
          SkipRestOfLine();
          return s;
        }
      }
      c = Peek();
      if (c != ',' && c != '\n' && c != '\r' && c != -1) {
        Status s = Error(line_, column_, "unexpected character after a closing quote (a quote inside a "
                                         "quoted field must be doubled: \"\")");
        SkipRestOfLine();
        return s;
      }
    } else {
      // An unquoted field: take the run up to the next special byte in one piece.
      for (;;) {
        if (!Fill()) break;
        const char* begin = buf_.data() + pos_;
        const char* end = buf_.data() + buf_.size();
        const char* p = begin;
        while (p < end && !kSpecial.at[static_cast<unsigned char>(*p)]) ++p;
        size_t n = static_cast<size_t>(p - begin);
        if (field.size() + n > max_field_) {
          n = max_field_ + 1 - field.size();  // the byte that goes over the limit
          field.append(begin, n);
          pos_ += n; consumed_ += n; column_ += static_cast<int64_t>(n);
          Status s = Error(line_, field_column, "field longer than " + std::to_string(max_field_) + " bytes");
          SkipRestOfLine();
          return s;
        }
        field.append(begin, n);
        pos_ += n; consumed_ += n; column_ += static_cast<int64_t>(n);
        if (p == end) continue;  // the chunk ended inside the field
        if (*p == '"') {
          Status s = Error(line_, column_, "a quote inside an unquoted field (quote the whole field and "
                                           "double the quote)");
          SkipRestOfLine();
          return s;
        }
        break;
      }
    }
    ++nfields;
    // After a field: delimiter, end of record, or end of input.
    c = Peek();
    if (c == ',') {
      ++pos_; ++consumed_; ++column_;
      continue;
    }
    if (c == '\r') {
      ++pos_; ++consumed_;
      if (Peek() == '\n') { ++pos_; ++consumed_; }
      ++line_;
      column_ = 1;
      return true;
    }
    if (c == '\n') {
      ++pos_; ++consumed_;
      ++line_;
      column_ = 1;
      return true;
    }
    return true;  // end of input
  }
}

}  // namespace fairlead
