// EventLog: the append-only file that holds a tenant's activity events, 32 bytes
// per event, written in batches and made durable with fdatasync before the
// database records the new committed length. The database's committed length is
// the truth: bytes past it (a batch whose transaction never committed, or a torn
// write) are ignored on read and cut off before the next append, so a batch is
// all there or not there. Topic and vendor names are ids here; the store keeps
// the names. Records are in the host's byte order (little-endian on every
// platform fairlead builds for) and carry a format marker.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace fairlead {

struct EventRecord {
  int64_t at = 0;
  int64_t account_id = 0;
  int64_t person_id = 0;  // 0 = anonymous (kept at account level)
  uint16_t topic = 0;     // id of the name (store-kept)
  uint16_t vendor = 0;
  uint8_t stage = 0;      // EventStage
  uint8_t action = 0;     // EventAction
  uint8_t senior = 0;
  uint8_t marker = kMarker;
  static constexpr uint8_t kMarker = 0xE1;  // format 1
};
static_assert(sizeof(EventRecord) == 32, "the log's record is 32 bytes");

// Appends one transaction's records: Open cuts the file to the committed length,
// Write puts records after it (not yet committed: a crash leaves them as a tail
// that the next Open cuts off), Sync makes them durable. The caller then records
// end() as the new committed length.
//
// Where the file system allows it, whole 4 KiB blocks are written with O_DIRECT from
// two reused buffers (one written by a helper thread while the other fills): the bytes
// go to the disk without being copied into fresh page-cache pages (copying 320 MB of
// events into the page cache cost more CPU than parsing them). The last, partial block
// stays in the buffer, is written through the page cache at Sync, and is written
// again, whole, once it fills. Elsewhere (tmpfs, or kBuffered) every byte goes
// through the page cache.
class EventLogWriter {
 public:
  enum class Io { kDirect, kBuffered };
  static Result<std::unique_ptr<EventLogWriter>> Open(const std::string& path, uint64_t committed, Io io = Io::kDirect);
  ~EventLogWriter();
  EventLogWriter(const EventLogWriter&) = delete;
  EventLogWriter& operator=(const EventLogWriter&) = delete;

  Status Write(const EventRecord* records, size_t n);
  Status Sync();
  // Back to the committed length (a rolled-back transaction), best effort: a tail
  // left behind is ignored and cut off by the next Open anyway.
  void Discard();
  uint64_t end() const { return end_; }
  bool direct() const { return direct_fd_ >= 0; }

 private:
  static constexpr size_t kBlock = 4096, kBufferBytes = 1 << 20;
  EventLogWriter(std::string path, int fd, uint64_t committed, bool created)
      : path_(std::move(path)), fd_(fd), committed_(committed), end_(committed), created_(created) {}
  // Puts the buffer at the block holding `at` (direct) or at `at`, with the bytes of
  // that block before `at` read back from the file.
  Status StartAt(uint64_t at);
  // Writes the buffer's whole blocks (direct) or all of it (buffered), keeping the rest.
  Status Flush();
  Status WriteAll(int fd, const char* p, size_t n, uint64_t offset);
  // Writes whole blocks direct: the bytes written before the device refused the
  // alignment or wrote part of a block (the rest then goes buffered).
  static Result<size_t> WriteDirect(int fd, const char* p, size_t n, uint64_t offset, const std::string& path);
  Status WaitPending();  // for the write in flight
  void StopDirect();
  std::string path_;
  int fd_, direct_fd_ = -1;
  uint64_t committed_, end_;
  bool created_;
  struct Free {
    void operator()(char* p) const;
  };
  // Two buffers: a full one is written direct by a helper thread (waiting on the disk)
  // while the next fills. kBufferBytes each, block-aligned.
  std::unique_ptr<char, Free> buffers_[2];
  int cur_ = 0;                 // the buffer filling
  uint64_t buffer_at_ = 0;      // the file offset of its first byte
  size_t used_ = 0;             // its bytes: the file's bytes [buffer_at_, end_)
  struct InFlight {
    int buffer = 0;
    uint64_t at = 0;
    size_t length = 0;
  } in_flight_;
  std::future<Result<size_t>> pending_;  // the write of in_flight_, while valid()
};

// Calls `fn` for every record in the first `committed` bytes of the log at `path`,
// in stored order. A short file or a bad marker inside the committed part is
// corruption: an error naming the byte offset.
Status ReadEventLog(const std::string& path, uint64_t committed, const std::function<void(const EventRecord&)>& fn);
// The same from byte `from` (a record's start) on, in batches of up to 32768 records
// (one reused buffer), every batch's markers checked before `fn` sees it; an error
// from `fn` stops the read and is returned. Read with O_DIRECT where the file system
// allows it (no page-cache copy), through the page cache elsewhere.
Status ReadEventLogBatches(const std::string& path, uint64_t from, uint64_t committed,
                           const std::function<Status(const EventRecord*, size_t)>& fn);

}  // namespace fairlead
