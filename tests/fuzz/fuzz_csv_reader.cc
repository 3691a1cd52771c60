// libFuzzer target: the CSV reader must never crash, hang or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ingest/csv_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto reader = fairlead::CsvReader::FromString(std::string(reinterpret_cast<const char*>(data), size));
  reader->set_max_field_bytes(256);
  fairlead::CsvRecord rec;
  for (size_t guard = 0; guard <= size + 1; ++guard) {
    fairlead::Result<bool> more = reader->Next(&rec);
    if (more.ok() && !*more) break;
  }
  // The same bytes into views (the one-pass plain-line scan reads 16 bytes at a time).
  reader = fairlead::CsvReader::FromString(std::string(reinterpret_cast<const char*>(data), size));
  reader->set_max_field_bytes(256);
  fairlead::CsvLine line;
  for (size_t guard = 0; guard <= size + 1; ++guard) {
    fairlead::Result<bool> more = reader->Next(&line);
    if (more.ok() && !*more) break;
  }
  return 0;
}
