// The event log behind Store::AddEvent / ForEachEvent: durable at commit, nothing
// after a rollback, a torn or uncommitted tail ignored and cut off, corruption
// reported with its offset, and events of databases from before the log moved in.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "store/event_log.h"
#include "store/store.h"
#include "testing/test_util.h"

namespace fairlead {
namespace {

ActivityEvent Event(Time at, int64_t account, int64_t person, const std::string& topic, const std::string& vendor = "") {
  ActivityEvent e;
  e.at = at;
  e.account_id = account;
  e.person_id = person;
  e.topic = topic;
  e.vendor = vendor;
  e.stage = EventStage::kLate;
  e.action = EventAction::kPricing;
  e.senior = person % 2 == 1;
  return e;
}

std::vector<ActivityEvent> All(Store& store, int64_t tenant, Time since = INT64_MIN) {
  std::vector<ActivityEvent> out;
  Status s = store.ForEachEvent(tenant, since, [&](const ActivityEvent& e) { out.push_back(e); });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

class EventLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing_util::FreshTestDir("event-log");
    path_ = dir_ + "/db.sqlite";
    Reopen();
  }
  void Reopen() {
    store_.reset();
    auto store = OpenSqliteStore(path_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    auto t = store_->EnsureTenant("t");
    ASSERT_TRUE(t.ok());
    tenant_ = *t;
  }
  std::string LogPath() const { return path_ + "-events/" + std::to_string(tenant_) + ".log"; }
  uint64_t LogSize() const {
    std::error_code ec;
    auto n = std::filesystem::file_size(LogPath(), ec);
    return ec ? 0 : n;
  }

  std::string dir_, path_;
  std::unique_ptr<Store> store_;
  int64_t tenant_ = 0;
};

TEST_F(EventLogTest, CommittedEventsSurviveReopenInStoredOrder) {
  ASSERT_TRUE(store_->Begin().ok());
  ASSERT_TRUE(store_->AddEvent(tenant_, Event(300, 1, 7, "security", "acme")).ok());
  ASSERT_TRUE(store_->AddEvent(tenant_, Event(100, 2, 0, "crm")).ok());
  ASSERT_TRUE(store_->AddEvent(tenant_, Event(200, 1, 8, "security", "globex")).ok());
  ASSERT_TRUE(store_->Commit().ok());
  ASSERT_TRUE(store_->AddEvent(tenant_, Event(50, 3, 9, "data", "acme")).ok());  // its own transaction
  Reopen();
  std::vector<ActivityEvent> e = All(*store_, tenant_);
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(*store_->CountEvents(tenant_), 4);
  EXPECT_EQ(e[0].at, 300);
  EXPECT_EQ(e[0].topic, "security");
  EXPECT_EQ(e[0].vendor, "acme");
  EXPECT_EQ(e[0].person_id, 7);
  EXPECT_TRUE(e[0].senior);
  EXPECT_EQ(e[0].stage, EventStage::kLate);
  EXPECT_EQ(e[0].action, EventAction::kPricing);
  EXPECT_EQ(e[1].topic, "crm");
  EXPECT_EQ(e[1].vendor, "");
  EXPECT_EQ(e[1].person_id, 0);
  EXPECT_EQ(e[2].vendor, "globex");
  EXPECT_EQ(e[3].topic, "data");
  EXPECT_EQ(All(*store_, tenant_, 200).size(), 2u) << "since filters by time";
  EXPECT_EQ(LogSize(), 4 * sizeof(EventRecord));
}

TEST_F(EventLogTest, RollbackLeavesNothingEvenPastTheWriteBatch) {
  ASSERT_TRUE(store_->AddEvent(tenant_, Event(1, 1, 0, "kept")).ok());
  ASSERT_TRUE(store_->Begin().ok());
  for (int i = 0; i < 70000; ++i)  // more than one write batch reaches the file before commit
    ASSERT_TRUE(store_->AddEvent(tenant_, Event(i, 2, 0, "gone-" + std::to_string(i % 3))).ok());
  ASSERT_TRUE(store_->Rollback().ok());
  EXPECT_EQ(*store_->CountEvents(tenant_), 1);
  EXPECT_EQ(LogSize(), sizeof(EventRecord)) << "the rolled-back records are cut off the file";
  ASSERT_TRUE(store_->AddEvent(tenant_, Event(2, 1, 0, "after")).ok());
  Reopen();
  std::vector<ActivityEvent> e = All(*store_, tenant_);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].topic, "kept");
  EXPECT_EQ(e[1].topic, "after") << "names added in the rolled-back transaction are gone, new ones work";
}

TEST_F(EventLogTest, UncommittedTailIsIgnoredAndCutOff) {
  ASSERT_TRUE(store_->AddEvent(tenant_, Event(1, 1, 0, "a")).ok());
  {  // a crash after writing but before the database committed the new length
    std::ofstream out(LogPath(), std::ios::binary | std::ios::app);
    out << std::string(32 * 3 + 5, '\x7f');
  }
  EXPECT_EQ(All(*store_, tenant_).size(), 1u);
  ASSERT_TRUE(store_->AddEvent(tenant_, Event(2, 1, 0, "b")).ok());
  EXPECT_EQ(LogSize(), 2 * sizeof(EventRecord));
  std::vector<ActivityEvent> e = All(*store_, tenant_);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[1].topic, "b");
}

TEST_F(EventLogTest, CorruptionInsideTheCommittedPartIsAnErrorWithItsOffset) {
  ASSERT_TRUE(store_->Begin().ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(store_->AddEvent(tenant_, Event(i, 1, 0, "a")).ok());
  ASSERT_TRUE(store_->Commit().ok());
  {
    std::fstream f(LogPath(), std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(32 + 31);  // the marker of the second record
    f.put('\0');
  }
  Status s = store_->ForEachEvent(tenant_, INT64_MIN, [](const ActivityEvent&) {});
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("byte 32"), std::string::npos) << s.ToString();
  std::filesystem::resize_file(LogPath(), 40);
  s = store_->ForEachEvent(tenant_, INT64_MIN, [](const ActivityEvent&) {});
  EXPECT_FALSE(s.ok()) << "a log shorter than its committed length";
  EXPECT_FALSE(store_->AddEvent(tenant_, Event(9, 1, 0, "a")).ok()) << "never appends over a lost part";
}

TEST_F(EventLogTest, CompactRecordsByNameIdReadBackFromAnyRecordInBatches) {
  using K = Store::EventNameKind;
  ASSERT_TRUE(store_->AddEvent(tenant_, Event(1, 1, 0, "crm", "acme")).ok());  // topic crm=0, vendor acme=0
  ASSERT_TRUE(store_->Begin().ok());
  Result<uint16_t> crm = store_->EventNameId(tenant_, K::kTopic, "crm");
  Result<uint16_t> data = store_->EventNameId(tenant_, K::kTopic, "data");
  Result<uint16_t> acme = store_->EventNameId(tenant_, K::kVendor, "acme");
  ASSERT_TRUE(crm.ok() && data.ok() && acme.ok());
  EXPECT_EQ(*crm, 0);
  EXPECT_EQ(*data, 1) << "ids are dense per kind";
  EXPECT_EQ(*acme, 0) << "the kinds number apart";
  const int kMany = 70000;  // more than one read batch
  for (int i = 0; i < kMany; ++i) {
    EventRecord r;
    r.at = 100 + i;
    r.account_id = 2 + i % 5;
    r.person_id = i % 3;
    r.topic = i % 2 ? *data : *crm;
    r.vendor = *acme;
    r.stage = 2;
    r.action = static_cast<uint8_t>(i % 4);
    r.senior = r.person_id == 1;
    ASSERT_TRUE(store_->AddEventRecord(tenant_, r).ok());
  }
  ASSERT_TRUE(store_->Commit().ok());
  Reopen();
  Result<std::vector<std::string>> topics = store_->EventNames(tenant_, K::kTopic);
  ASSERT_TRUE(topics.ok());
  EXPECT_EQ(*topics, (std::vector<std::string>{"crm", "data"}));
  EXPECT_EQ(*store_->EventNames(tenant_, K::kVendor), (std::vector<std::string>{"acme"}));
  int64_t seen = 0, batches = 0;
  Status s = store_->ForEachEventBatch(tenant_, 1, [&](const EventRecord* r, size_t n) {
    ++batches;
    for (size_t i = 0; i < n; ++i, ++seen) {
      EXPECT_EQ(r[i].at, 100 + seen);
      EXPECT_EQ(r[i].topic, seen % 2 ? 1 : 0);
      EXPECT_EQ(r[i].action, seen % 4);
    }
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(seen, kMany) << "from the second record on: the import's own";
  EXPECT_GT(batches, 1);
  // The string form reads the same records.
  std::vector<ActivityEvent> all = All(*store_, tenant_);
  ASSERT_EQ(all.size(), static_cast<size_t>(kMany + 1));
  EXPECT_EQ(all[2].topic, "data");
  EXPECT_EQ(all[2].vendor, "acme");
  // Past the end: nothing; an error from the callback stops the read and comes back.
  int calls = 0;
  EXPECT_TRUE(store_->ForEachEventBatch(tenant_, kMany + 1, [&](const EventRecord*, size_t) { ++calls; return Status::Ok(); }).ok());
  EXPECT_EQ(calls, 0);
  s = store_->ForEachEventBatch(tenant_, 0, [&](const EventRecord*, size_t) { ++calls; return Status::Invalid("stop here"); });
  EXPECT_EQ(s.message(), "stop here");
  EXPECT_EQ(calls, 1);
}

TEST_F(EventLogTest, ARecordNamingAnUnknownTopicIsAnErrorWithItsOffset) {
  ASSERT_TRUE(store_->AddEvent(tenant_, Event(1, 1, 0, "crm")).ok());
  EventRecord r;
  r.topic = 7;  // no such topic id
  ASSERT_TRUE(store_->AddEventRecord(tenant_, r).ok()) << "ids are the caller's to get right; reads check them";
  Reopen();
  Status s = store_->ForEachEventBatch(tenant_, 0, [](const EventRecord*, size_t) { return Status::Ok(); });
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("byte 32"), std::string::npos) << s.ToString();
  EXPECT_FALSE(store_->ForEachEvent(tenant_, INT64_MIN, [](const ActivityEvent&) {}).ok());
}

TEST_F(EventLogTest, TenantsHaveTheirOwnLogs) {
  auto other = store_->EnsureTenant("other");
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(store_->AddEvent(tenant_, Event(1, 1, 0, "mine")).ok());
  ASSERT_TRUE(store_->AddEvent(*other, Event(2, 5, 0, "theirs")).ok());
  std::vector<ActivityEvent> a = All(*store_, tenant_), b = All(*store_, *other);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0].topic, "mine");
  EXPECT_EQ(b[0].topic, "theirs");
}

TEST_F(EventLogTest, EventsOfAnOlderDatabaseMoveIntoTheLog) {
  store_.reset();
  {  // the events table as schema versions 2 to 4 had it, with two rows
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    const char* sql =
        "CREATE TABLE events (id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL, account_id INTEGER NOT NULL, "
        "person_id INTEGER, topic TEXT NOT NULL, vendor TEXT NOT NULL, stage TEXT NOT NULL, action TEXT NOT NULL, "
        "at INTEGER NOT NULL, senior INTEGER NOT NULL);"
        "INSERT INTO events VALUES (1, 1, 10, 4, 'security', 'acme', 'mid', 'download', 500, 1);"
        "INSERT INTO events VALUES (2, 1, 11, NULL, 'crm', '', 'early', 'view', 400, 0);";
    ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  Reopen();
  std::vector<ActivityEvent> e = All(*store_, tenant_);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].account_id, 10);
  EXPECT_EQ(e[0].person_id, 4);
  EXPECT_EQ(e[0].stage, EventStage::kMid);
  EXPECT_EQ(e[0].action, EventAction::kDownload);
  EXPECT_TRUE(e[0].senior);
  EXPECT_EQ(e[1].person_id, 0);
  EXPECT_EQ(e[1].topic, "crm");
  Reopen();
  EXPECT_EQ(All(*store_, tenant_).size(), 2u) << "moved once";
}

// The writer on its own, with and without O_DIRECT: transactions of random sizes
// (inside a block, across blocks, across the 1 MiB buffer), some discarded, the
// writer reopened at each committed length; both files hold exactly the committed
// records, and reading from any record on returns them in order.
TEST(EventLogWriterTest, DirectAndBufferedWritesLeaveTheSameCommittedRecords) {
  const std::string dir = testing_util::FreshTestDir("event-log-writer");
  std::mt19937_64 rng(7);
  for (EventLogWriter::Io io : {EventLogWriter::Io::kDirect, EventLogWriter::Io::kBuffered}) {
    const std::string path = dir + (io == EventLogWriter::Io::kDirect ? "/direct.log" : "/buffered.log");
    std::mt19937_64 sizes(11);  // the same transactions for both
    uint64_t committed = 0;
    int64_t next = 0;  // the `at` of the next committed record
    std::vector<EventRecord> batch;
    for (int txn = 0; txn < 40; ++txn) {
      Result<std::unique_ptr<EventLogWriter>> w = EventLogWriter::Open(path, committed, io);
      ASSERT_TRUE(w.ok()) << w.status().ToString();
      if (io == EventLogWriter::Io::kBuffered) {
        EXPECT_FALSE((*w)->direct());
      }
      if (io == EventLogWriter::Io::kDirect && txn == 0) {  // where the file system has O_DIRECT, it is used
        int probe = ::open(path.c_str(), O_WRONLY | O_DIRECT);
        EXPECT_EQ((*w)->direct(), probe >= 0);
        if (probe >= 0) ::close(probe);
      }
      const bool keep = sizes() % 4 != 0;
      const size_t kinds[] = {1, 3, 127, 128, 129, 4000, 40000};
      size_t n = kinds[sizes() % std::size(kinds)];
      int64_t at = next;
      for (size_t written = 0; written < n;) {  // in uneven pieces, as the store writes
        size_t piece = std::min<size_t>(n - written, 1 + rng() % 9000);
        batch.assign(piece, EventRecord());
        for (EventRecord& r : batch) r.at = at++, r.account_id = r.at * 3;
        ASSERT_TRUE((*w)->Write(batch.data(), batch.size()).ok());
        written += piece;
      }
      EXPECT_EQ((*w)->end(), committed + n * sizeof(EventRecord));
      if (keep) {
        ASSERT_TRUE((*w)->Sync().ok());
        committed = (*w)->end();
        next = at;
      } else {
        (*w)->Discard();
        EXPECT_EQ(std::filesystem::file_size(path), committed);
      }
      EXPECT_EQ(std::filesystem::file_size(path) >= committed, true);
    }
    ASSERT_EQ(committed % sizeof(EventRecord), 0u);
    const int64_t records = static_cast<int64_t>(committed / sizeof(EventRecord));
    ASSERT_GT(records, 100000) << "the run crossed the write buffer";
    for (int64_t from : {int64_t{0}, int64_t{1}, int64_t{127}, int64_t{128}, records / 2, records - 1, records}) {
      int64_t expect = from;
      Status s = ReadEventLogBatches(path, static_cast<uint64_t>(from) * sizeof(EventRecord), committed,
                                     [&](const EventRecord* r, size_t n) {
                                       for (size_t i = 0; i < n; ++i, ++expect) {
                                         if (r[i].at != expect || r[i].account_id != expect * 3)
                                           return Status::Invalid("record " + std::to_string(expect) + " holds " +
                                                                  std::to_string(r[i].at));
                                       }
                                       return Status::Ok();
                                     });
      ASSERT_TRUE(s.ok()) << s.ToString() << " reading from " << from;
      EXPECT_EQ(expect, records) << "from " << from;
    }
  }
  std::ifstream a(dir + "/direct.log", std::ios::binary), b(dir + "/buffered.log", std::ios::binary);
  std::string da((std::istreambuf_iterator<char>(a)), {}), db((std::istreambuf_iterator<char>(b)), {});
  EXPECT_TRUE(da == db) << "the two ways write the same bytes";
}

}  // namespace
}  // namespace fairlead
