#include "store/secret.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace fairlead {

Result<TenantSecret> LoadOrCreateSecret(const std::string& path) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  TenantSecret secret;
  int fd = open(path.c_str(), O_RDONLY);
  if (fd >= 0) {
    ssize_t n = read(fd, secret.data(), secret.size());
    close(fd);
    if (n != static_cast<ssize_t>(secret.size()))
      return Status::Io(path + ": tenant secret is not 32 bytes; restore it from backup (suppression hashes depend on it)");
    return secret;
  }
  if (errno != ENOENT) return Status::Io(path + ": " + std::strerror(errno));
  randombytes_buf(secret.data(), secret.size());
  std::string tmp = path + ".tmp";
  fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return Status::Io(tmp + ": " + std::strerror(errno));
  bool ok = write(fd, secret.data(), secret.size()) == static_cast<ssize_t>(secret.size()) && fsync(fd) == 0;
  close(fd);
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) return Status::Io(path + ": cannot write the tenant secret");
  return secret;
}

}  // namespace fairlead
