#include "cli/context.h"

#include <sodium.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "store/secret.h"

namespace fairlead {

Result<std::string> ReadFile(const std::string& path) {
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    return ss.str();
  }
  // POSIX reads: a stream would throw on a directory (read() gives EISDIR), and every
  // failure here is an error naming the path.
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Io(path + ": " + std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    close(fd);
    return Status::Io(path + ": is a directory, not a file");
  }
  std::string text;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      close(fd);
      return Status::Io(path + ": " + std::strerror(err));
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return text;
}

namespace {

Status MakeDir(const std::string& dir) {
  if (mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST) return Status::Ok();
  return Status::Io(dir + ": " + std::strerror(errno));
}

Status WriteFileAtomically(const std::string& path, std::string_view text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return Status::Io(tmp + ": cannot write");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return Status::Io(path + ": " + std::strerror(errno));
  return Status::Ok();
}

}  // namespace

std::string IndexSnapshotPath(const AppContext& c) {
  return c.dir + "/fairlead.db-index/tenant-" + std::to_string(c.tenant) + ".snapshot";
}

Result<std::unique_ptr<AppContext>> OpenContext(const DataOptions& options) {
  auto ctx = std::make_unique<AppContext>();
  ctx->dir = options.dir;
  ctx->tenant_name = options.tenant.empty() ? "default" : options.tenant;
  for (char c : ctx->tenant_name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return Status::Invalid("--tenant: '" + ctx->tenant_name + "' may only hold a-z, 0-9, - and _");
  FL_RETURN_IF_ERROR(MakeDir(ctx->dir));
  FL_RETURN_IF_ERROR(MakeDir(ctx->dir + "/secrets"));

  std::string rules_path = ctx->dir + "/rules.toml";
  struct stat st;
  if (stat(rules_path.c_str(), &st) != 0) FL_RETURN_IF_ERROR(WriteFileAtomically(rules_path, DefaultRulesText()));
  Result<std::string> text = ReadFile(rules_path);
  if (!text.ok()) return text.status();
  Result<Rules> rules = ParseRules(*text, rules_path);
  if (!rules.ok()) return rules.status();
  ctx->rules = std::move(*rules);

  Result<std::unique_ptr<Store>> store = OpenSqliteStore(ctx->dir + "/fairlead.db");
  if (!store.ok()) return store.status();
  ctx->store = std::move(*store);
  Result<int64_t> tenant = ctx->store->EnsureTenant(ctx->tenant_name);
  if (!tenant.ok()) return tenant.status();
  ctx->tenant = *tenant;
  Result<TenantSettings> settings = ctx->store->GetTenantSettings(ctx->tenant);
  if (!settings.ok()) return settings.status();
  ctx->settings = *settings;

  // Version the rules: record the file whenever its content changes.
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text->data()), text->size());
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  Result<std::vector<RulesVersion>> versions = ctx->store->ListRulesVersions(ctx->tenant);
  if (!versions.ok()) return versions.status();
  if (versions->empty() || versions->back().sha256 != hex)
    FL_RETURN_IF_ERROR(ctx->store->RecordRulesVersion(ctx->tenant, {ctx->rules.version, hex, Now()}, *text));

  Result<TenantSecret> secret = LoadOrCreateSecret(ctx->dir + "/secrets/" + ctx->tenant_name + ".key");
  if (!secret.ok()) return secret.status();
  ctx->secret = *secret;
  ctx->hasher = std::make_unique<SuppressionHasher>(*secret);
  Result<std::vector<SuppressionEntry>> entries = ctx->store->LoadSuppression(ctx->tenant);
  if (!entries.ok()) return entries.status();
  for (const SuppressionEntry& e : *entries) ctx->suppression.Add(e.key, e.list);
  return ctx;
}

}  // namespace fairlead
