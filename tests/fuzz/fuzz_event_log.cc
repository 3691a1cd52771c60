// libFuzzer target: reading an event log of any bytes, with any committed length,
// must end in records or an error, never a crash or a read out of bounds. The first
// 8 bytes of the input choose the committed length; the rest is the file.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "store/event_log.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  uint64_t committed = 0;
  if (size >= 8) {
    std::memcpy(&committed, data, 8);
    data += 8;
    size -= 8;
  }
  committed %= (size + 64);  // mostly within the file, sometimes past its end
  static const std::string path = "/tmp/fairlead-fuzz-event-log-" + std::to_string(::getpid());
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  if (size) std::fwrite(data, 1, size, f);
  std::fclose(f);
  uint64_t seen = 0;
  fairlead::Status s = fairlead::ReadEventLog(path, committed, [&](const fairlead::EventRecord& r) {
    seen += r.marker == fairlead::EventRecord::kMarker ? 1 : 1000000;  // only well-marked records reach here
  });
  if (s.ok() && seen != committed / sizeof(fairlead::EventRecord)) __builtin_trap();
  return 0;
}
