#include "store/event_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>

namespace fairlead {

namespace {

Status Errno(const std::string& what, const std::string& path) {
  return Status::Io(path + ": " + what + ": " + std::strerror(errno));
}

// Makes a newly created file's directory entry durable.
Status SyncDirectory(const std::string& file) {
  size_t slash = file.rfind('/');
  std::string dir = slash == std::string::npos ? "." : file.substr(0, slash);
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::Ok() : Errno("cannot sync directory", dir);
}

}  // namespace

Result<std::unique_ptr<EventLogWriter>> EventLogWriter::Open(const std::string& path, uint64_t committed) {
  bool created = ::access(path.c_str(), F_OK) != 0;
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("cannot open the event log", path);
  std::unique_ptr<EventLogWriter> w(new EventLogWriter(path, fd, committed, created));
  off_t size = ::lseek(fd, 0, SEEK_END);
  if (size < 0) return Errno("cannot size the event log", path);
  if (static_cast<uint64_t>(size) < committed)
    return Status::Io(path + ": the event log holds " + std::to_string(size) + " bytes but " +
                      std::to_string(committed) + " are committed (file truncated outside fairlead?)");
  // Whatever lies past the committed length never committed: cut it off.
  if (static_cast<uint64_t>(size) > committed && ::ftruncate(fd, static_cast<off_t>(committed)) != 0)
    return Errno("cannot cut the uncommitted tail", path);
  return w;
}

EventLogWriter::~EventLogWriter() { ::close(fd_); }

Status EventLogWriter::Write(const EventRecord* records, size_t n) {
  const char* p = reinterpret_cast<const char*>(records);
  size_t left = n * sizeof(EventRecord);
  while (left > 0) {
    ssize_t w = ::pwrite(fd_, p, left, static_cast<off_t>(end_));
    if (w < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot write the event log", path_);
    }
    p += w;
    end_ += static_cast<uint64_t>(w);
    left -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

Status EventLogWriter::Sync() {
  if (::fdatasync(fd_) != 0) return Errno("cannot sync the event log", path_);
  if (created_) {
    FL_RETURN_IF_ERROR(SyncDirectory(path_));
    created_ = false;
  }
  return Status::Ok();
}

void EventLogWriter::Discard() {
  if (::ftruncate(fd_, static_cast<off_t>(committed_)) == 0) end_ = committed_;
}

Status ReadEventLogBatches(const std::string& path, uint64_t from, uint64_t committed,
                           const std::function<Status(const EventRecord*, size_t)>& fn) {
  if (committed % sizeof(EventRecord) != 0)
    return Status::Io(path + ": committed length " + std::to_string(committed) + " is not a whole number of records");
  if (from % sizeof(EventRecord) != 0 || from > committed)
    return Status::Internal(path + ": reading from byte " + std::to_string(from) + " of " + std::to_string(committed) +
                            " committed, not a record's start");
  if (from == committed) return Status::Ok();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open the event log", path);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  constexpr size_t kBatch = 32768;  // records per read (1 MiB)
  std::vector<EventRecord> buf(static_cast<size_t>(std::min<uint64_t>(kBatch, (committed - from) / sizeof(EventRecord))));
  uint64_t offset = from;
  while (offset < committed) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(committed - offset, buf.size() * sizeof(EventRecord)));
    size_t got = 0;
    while (got < want) {
      ssize_t n = ::pread(fd, reinterpret_cast<char*>(buf.data()) + got, want - got, static_cast<off_t>(offset + got));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Errno("cannot read the event log", path);
      if (n == 0)
        return Status::Io(path + ": the event log ends at byte " + std::to_string(offset + got) + " but " +
                          std::to_string(committed) + " are committed");
      got += static_cast<size_t>(n);
    }
    size_t count = want / sizeof(EventRecord);
    for (size_t i = 0; i < count; ++i)
      if (buf[i].marker != EventRecord::kMarker)
        return Status::Io(path + ": bad record at byte " + std::to_string(offset + i * sizeof(EventRecord)));
    FL_RETURN_IF_ERROR(fn(buf.data(), count));
    offset += want;
  }
  return Status::Ok();
}

Status ReadEventLog(const std::string& path, uint64_t committed, const std::function<void(const EventRecord&)>& fn) {
  return ReadEventLogBatches(path, 0, committed, [&](const EventRecord* records, size_t n) {
    for (size_t i = 0; i < n; ++i) fn(records[i]);
    return Status::Ok();
  });
}

}  // namespace fairlead
