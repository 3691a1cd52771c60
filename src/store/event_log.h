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
class EventLogWriter {
 public:
  static Result<std::unique_ptr<EventLogWriter>> Open(const std::string& path, uint64_t committed);
  ~EventLogWriter();
  EventLogWriter(const EventLogWriter&) = delete;
  EventLogWriter& operator=(const EventLogWriter&) = delete;

  Status Write(const EventRecord* records, size_t n);
  Status Sync();
  // Back to the committed length (a rolled-back transaction), best effort: a tail
  // left behind is ignored and cut off by the next Open anyway.
  void Discard();
  uint64_t end() const { return end_; }

 private:
  EventLogWriter(std::string path, int fd, uint64_t committed, bool created)
      : path_(std::move(path)), fd_(fd), committed_(committed), end_(committed), created_(created) {}
  std::string path_;
  int fd_;
  uint64_t committed_, end_;
  bool created_;
};

// Calls `fn` for every record in the first `committed` bytes of the log at `path`,
// in stored order. A short file or a bad marker inside the committed part is
// corruption: an error naming the byte offset.
Status ReadEventLog(const std::string& path, uint64_t committed, const std::function<void(const EventRecord&)>& fn);
// The same from byte `from` (a record's start) on, in batches of up to 32768 records
// (one reused buffer), every batch's markers checked before `fn` sees it; an error
// from `fn` stops the read and is returned.
Status ReadEventLogBatches(const std::string& path, uint64_t from, uint64_t committed,
                           const std::function<Status(const EventRecord*, size_t)>& fn);

}  // namespace fairlead
