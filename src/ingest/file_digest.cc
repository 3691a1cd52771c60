#include "ingest/file_digest.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace fairlead {

Result<std::string> FileDigest(const std::string& path) {
  constexpr uint64_t kEdge = 64 << 10, kBlock = 4 << 10, kBlocks = 64;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Io(path + ": " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st;
  if (fstat(fd, &st) != 0) return Status::Io(path + ": " + std::strerror(errno));
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, 32);
  std::vector<unsigned char> buf(kEdge);
  // Hashes [offset, offset + n) of the file, n <= kEdge.
  auto take = [&](uint64_t offset, uint64_t n) -> Status {
    uint64_t done = 0;
    while (done < n) {
      ssize_t got = ::pread(fd, buf.data() + done, n - done, static_cast<off_t>(offset + done));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return Status::Io(path + ": " + std::strerror(errno));
      if (got == 0) return Status::Io(path + ": changed while it was read");
      done += static_cast<uint64_t>(got);
    }
    crypto_generichash_update(&state, buf.data(), n);
    return Status::Ok();
  };
  if (size <= 2 * kEdge + kBlocks * kBlock) {
    for (uint64_t at = 0; at < size; at += kEdge) FL_RETURN_IF_ERROR(take(at, std::min(kEdge, size - at)));
  } else {
    FL_RETURN_IF_ERROR(take(0, kEdge));
    const uint64_t middle = size - 2 * kEdge - kBlock;  // room for a block's start
    for (uint64_t i = 0; i < kBlocks; ++i) FL_RETURN_IF_ERROR(take(kEdge + middle * i / (kBlocks - 1), kBlock));
    FL_RETURN_IF_ERROR(take(size - kEdge, kEdge));
  }
  unsigned char out[32];
  crypto_generichash_final(&state, out, sizeof out);
  char hex[2 * sizeof out + 1];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return std::to_string(size) + ":" + hex;
}

}  // namespace fairlead
