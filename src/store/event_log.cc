#include "store/event_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <future>

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

// Reads [offset, offset + want) into `buf`; fewer bytes only at the end of the file.
Result<size_t> ReadAt(int fd, char* buf, size_t want, uint64_t offset, const std::string& path) {
  size_t got = 0;
  while (got < want) {
    ssize_t n = ::pread(fd, buf + got, want - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("cannot read the event log", path);
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  return got;
}

}  // namespace

void EventLogWriter::Free::operator()(char* p) const { std::free(p); }

Result<std::unique_ptr<EventLogWriter>> EventLogWriter::Open(const std::string& path, uint64_t committed, Io io) {
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
  for (auto& b : w->buffers_) {
    void* buffer = nullptr;
    if (::posix_memalign(&buffer, kBlock, kBufferBytes) != 0) return Status::Io(path + ": cannot allocate the write buffer");
    b.reset(static_cast<char*>(buffer));
  }
  // File systems without O_DIRECT (tmpfs) refuse the open: every write is buffered then.
  if (io == Io::kDirect) w->direct_fd_ = ::open(path.c_str(), O_WRONLY | O_DIRECT | O_CLOEXEC);
  FL_RETURN_IF_ERROR(w->StartAt(committed));
  return w;
}

EventLogWriter::~EventLogWriter() {
  if (pending_.valid()) pending_.wait();
  if (direct_fd_ >= 0) ::close(direct_fd_);
  ::close(fd_);
}

void EventLogWriter::StopDirect() {
  if (direct_fd_ >= 0) ::close(direct_fd_);
  direct_fd_ = -1;
}

Status EventLogWriter::StartAt(uint64_t at) {
  end_ = at;
  buffer_at_ = direct() ? at - at % kBlock : at;
  used_ = static_cast<size_t>(at - buffer_at_);
  Result<size_t> got = ReadAt(fd_, buffers_[cur_].get(), used_, buffer_at_, path_);
  if (!got.ok()) return got.status();
  if (*got < used_) return Status::Io(path_ + ": the event log ends before byte " + std::to_string(at));
  return Status::Ok();
}

Status EventLogWriter::WriteAll(int fd, const char* p, size_t n, uint64_t offset) {
  while (n > 0) {
    ssize_t w = ::pwrite(fd, p, n, static_cast<off_t>(offset));
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return Errno("cannot write the event log", path_);
    p += w;
    offset += static_cast<uint64_t>(w);
    n -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

Result<size_t> EventLogWriter::WriteDirect(int fd, const char* p, size_t n, uint64_t offset, const std::string& path) {
  size_t done = 0;
  while (done < n) {
    ssize_t w = ::pwrite(fd, p + done, n - done, static_cast<off_t>(offset + done));
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno == EINVAL) break;  // another alignment wanted
    if (w < 0) return Errno("cannot write the event log", path);
    done += static_cast<size_t>(w);
    if (w % static_cast<ssize_t>(kBlock) != 0) break;  // part of a block
  }
  return done;
}

Status EventLogWriter::WaitPending() {
  if (!pending_.valid()) return Status::Ok();
  Result<size_t> done = pending_.get();
  if (!done.ok()) return done.status();
  if (*done == in_flight_.length) return Status::Ok();
  StopDirect();  // the rest, and all from now on, through the page cache
  return WriteAll(fd_, buffers_[in_flight_.buffer].get() + *done, in_flight_.length - *done, in_flight_.at + *done);
}

Status EventLogWriter::Flush() {
  FL_RETURN_IF_ERROR(WaitPending());
  if (direct()) {
    const size_t whole = used_ - used_ % kBlock;
    if (whole == 0) return Status::Ok();
    const char* full = buffers_[cur_].get();
    in_flight_ = {cur_, buffer_at_, whole};
    pending_ = std::async(std::launch::async, &EventLogWriter::WriteDirect, direct_fd_, full, whole, buffer_at_,
                          std::cref(path_));
    cur_ ^= 1;  // the partial last block goes on in the other buffer
    std::memcpy(buffers_[cur_].get(), full + whole, used_ - whole);
    buffer_at_ += whole;
    used_ -= whole;
    return Status::Ok();
  }
  FL_RETURN_IF_ERROR(WriteAll(fd_, buffers_[cur_].get(), used_, buffer_at_));
  buffer_at_ += used_;
  used_ = 0;
  return Status::Ok();
}

Status EventLogWriter::Write(const EventRecord* records, size_t n) {
  const char* p = reinterpret_cast<const char*>(records);
  size_t left = n * sizeof(EventRecord);
  while (left > 0) {
    size_t take = std::min(left, kBufferBytes - used_);
    std::memcpy(buffers_[cur_].get() + used_, p, take);
    used_ += take;
    end_ += take;
    p += take;
    left -= take;
    if (used_ == kBufferBytes) FL_RETURN_IF_ERROR(Flush());
  }
  return Status::Ok();
}

Status EventLogWriter::Sync() {
  FL_RETURN_IF_ERROR(Flush());
  FL_RETURN_IF_ERROR(WaitPending());
  // The partial last block through the page cache; it stays in the buffer, to be
  // written again whole (direct) once it fills.
  if (used_ > 0) FL_RETURN_IF_ERROR(WriteAll(fd_, buffers_[cur_].get(), used_, buffer_at_));
  if (::fdatasync(fd_) != 0) return Errno("cannot sync the event log", path_);
  if (created_) {
    FL_RETURN_IF_ERROR(SyncDirectory(path_));
    created_ = false;
  }
  return Status::Ok();
}

void EventLogWriter::Discard() {
  (void)WaitPending();  // best effort: what it wrote is cut off now
  if (::ftruncate(fd_, static_cast<off_t>(committed_)) != 0) return;
  if (StartAt(committed_).ok()) return;
  StopDirect();  // buffered from the committed length on
  used_ = 0;
  buffer_at_ = end_ = committed_;
}

Status ReadEventLogBatches(const std::string& path, uint64_t from, uint64_t committed,
                           const std::function<Status(const EventRecord*, size_t)>& fn) {
  if (committed % sizeof(EventRecord) != 0)
    return Status::Io(path + ": committed length " + std::to_string(committed) + " is not a whole number of records");
  if (from % sizeof(EventRecord) != 0 || from > committed)
    return Status::Internal(path + ": reading from byte " + std::to_string(from) + " of " + std::to_string(committed) +
                            " committed, not a record's start");
  if (from == committed) return Status::Ok();
  // O_DIRECT reads whole blocks: from the block holding `from`, into an aligned buffer.
  constexpr size_t kBlock = 4096, kBatchBytes = 32768 * sizeof(EventRecord);  // 1 MiB
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC);
  bool direct = fd >= 0;
  if (!direct) fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open the event log", path);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  // Two buffers: the next batch is read (by a helper thread, waiting on the disk, not
  // computing) while `fn` works through this one.
  std::unique_ptr<char, decltype(&std::free)> bufs[2] = {{nullptr, &std::free}, {nullptr, &std::free}};
  for (auto& b : bufs) {
    void* memory = nullptr;
    if (::posix_memalign(&memory, kBlock, kBatchBytes) != 0) return Status::Io(path + ": cannot allocate the read buffer");
    b.reset(static_cast<char*>(memory));
  }
  auto want_at = [&](uint64_t at) {
    const uint64_t left = committed - at;
    return static_cast<size_t>(std::min<uint64_t>(kBatchBytes, direct ? (left + kBlock - 1) / kBlock * kBlock : left));
  };
  std::future<Result<size_t>> ahead;  // the read of the batch at `at`, when started early
  uint64_t at = direct ? from - from % kBlock : from;  // the file offset of the batch
  for (int b = 0; at < committed; b ^= 1) {
    const size_t want = want_at(at);
    Result<size_t> got = ahead.valid() ? ahead.get() : ReadAt(fd, bufs[b].get(), want, at, path);
    if (!got.ok() && direct) {
      // A file system that opened with O_DIRECT but will not read that way.
      ::close(fd);
      closer.fd = fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return Errno("cannot open the event log", path);
      direct = false;
      at = std::max(at, from);
      b ^= 1;  // the same buffer again
      continue;
    }
    if (!got.ok()) return got.status();
    const uint64_t begin = std::max(at, from), end = std::min<uint64_t>(committed, at + want);
    if (at + *got < end)
      return Status::Io(path + ": the event log ends at byte " + std::to_string(at + *got) + " but " +
                        std::to_string(committed) + " are committed");
    const EventRecord* records = reinterpret_cast<const EventRecord*>(bufs[b].get() + (begin - at));
    const size_t count = static_cast<size_t>((end - begin) / sizeof(EventRecord));
    for (size_t i = 0; i < count; ++i)
      if (records[i].marker != EventRecord::kMarker)
        return Status::Io(path + ": bad record at byte " + std::to_string(begin + i * sizeof(EventRecord)));
    at += want;
    if (at < committed)
      ahead = std::async(std::launch::async, ReadAt, fd, bufs[b ^ 1].get(), want_at(at), at, std::cref(path));
    FL_RETURN_IF_ERROR(fn(records, count));  // (an early return waits for the read ahead: ~future)
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
