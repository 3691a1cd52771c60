// The embedded store: SQLite in WAL mode, secure_delete on, synchronous=FULL so a
// committed write survives power loss. Schema migrations are numbered and run in
// order inside a transaction.
#include <sqlite3.h>

#include <absl/container/flat_hash_map.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <cstdio>
#include <cstring>

#include <algorithm>
#include <map>
#include <numeric>
#include <optional>
#include <thread>
#include <unordered_map>

#include "store/event_log.h"
#include "store/store.h"

namespace fairlead {
namespace {

const char* const kMigrations[] = {
    // 1: the initial schema. Every table carries tenant_id.
    R"sql(
CREATE TABLE tenants (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, settings TEXT NOT NULL);
CREATE TABLE purposes (tenant_id INTEGER NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id));
CREATE TABLE sources (id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL, name TEXT NOT NULL,
  collected_at INTEGER, basis TEXT NOT NULL, notice TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE accounts (id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL, domain TEXT NOT NULL,
  name TEXT NOT NULL, industry TEXT NOT NULL, employee_band TEXT NOT NULL, revenue_band TEXT NOT NULL,
  hq_country TEXT NOT NULL, technologies TEXT NOT NULL, UNIQUE (tenant_id, domain));
CREATE TABLE people (id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL, external_ref TEXT NOT NULL,
  first_name TEXT NOT NULL, last_name TEXT NOT NULL, phone TEXT NOT NULL, title TEXT NOT NULL,
  seniority TEXT NOT NULL, function TEXT NOT NULL, country TEXT NOT NULL, region TEXT NOT NULL,
  recipient TEXT NOT NULL, stage TEXT NOT NULL, account_id INTEGER, collected_at INTEGER,
  opt_out_offered INTEGER NOT NULL, notice_sent_at INTEGER, objected_at INTEGER,
  restricted INTEGER NOT NULL, do_not_sell INTEGER NOT NULL, erased INTEGER NOT NULL,
  field_sources TEXT NOT NULL);
CREATE INDEX people_ref ON people (tenant_id, external_ref) WHERE external_ref <> '';
CREATE TABLE emails (tenant_id INTEGER NOT NULL, address TEXT NOT NULL, person_id INTEGER NOT NULL,
  type TEXT NOT NULL, visibility TEXT NOT NULL, position INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, address)) WITHOUT ROWID;
CREATE INDEX emails_person ON emails (person_id);
CREATE TABLE basis_records (id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL,
  person_id INTEGER NOT NULL, basis TEXT NOT NULL, status TEXT NOT NULL, scopes TEXT NOT NULL,
  channels INTEGER NOT NULL, channels_given INTEGER NOT NULL, at INTEGER NOT NULL,
  confirmed_at INTEGER, expires_at INTEGER, evidence TEXT NOT NULL);
CREATE INDEX basis_person ON basis_records (person_id);
CREATE TABLE purchases (id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL, person_id INTEGER NOT NULL,
  family TEXT NOT NULL, kind TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX purchases_person ON purchases (person_id);
CREATE TABLE suppression (tenant_id INTEGER NOT NULL, list TEXT NOT NULL, key BLOB NOT NULL,
  added_at INTEGER NOT NULL, PRIMARY KEY (tenant_id, list, key)) WITHOUT ROWID;
CREATE TABLE rules_versions (id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL, version TEXT NOT NULL,
  sha256 TEXT NOT NULL, loaded_at INTEGER NOT NULL, body TEXT NOT NULL);
)sql",
    // 2: activity events (intent). No email column: a person id only where tracking was lawful.
    R"sql(
CREATE TABLE events (id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL, account_id INTEGER NOT NULL,
  person_id INTEGER, topic TEXT NOT NULL, vendor TEXT NOT NULL, stage TEXT NOT NULL, action TEXT NOT NULL,
  at INTEGER NOT NULL, senior INTEGER NOT NULL);
CREATE INDEX events_at ON events (tenant_id, at);
CREATE INDEX events_person ON events (person_id) WHERE person_id IS NOT NULL;
CREATE INDEX people_account ON people (tenant_id, account_id);

)sql",
    // 3: lists (dynamic segments and static snapshots) and their assignment to users.
    R"sql(
CREATE TABLE lists (tenant_id INTEGER NOT NULL, name TEXT NOT NULL, is_static INTEGER NOT NULL,
  filter TEXT NOT NULL, topic TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (tenant_id, name));
CREATE TABLE list_members (tenant_id INTEGER NOT NULL, list TEXT NOT NULL, person_id INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, list, person_id)) WITHOUT ROWID;
CREATE TABLE list_assignments (tenant_id INTEGER NOT NULL, list TEXT NOT NULL, user TEXT NOT NULL,
  PRIMARY KEY (tenant_id, list, user)) WITHOUT ROWID;
)sql",
    // 4: saved leads, accounts and searches with their snapshots; the feed of alerts.
    R"sql(
CREATE TABLE saved (tenant_id INTEGER NOT NULL, user TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,
  filter TEXT NOT NULL, topic TEXT NOT NULL, saved_at INTEGER NOT NULL, state TEXT NOT NULL,
  PRIMARY KEY (tenant_id, user, kind, key)) WITHOUT ROWID;
CREATE TABLE feed (id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL, user TEXT NOT NULL, at INTEGER NOT NULL,
  kind TEXT NOT NULL, body TEXT NOT NULL, read INTEGER NOT NULL);
CREATE INDEX feed_user ON feed (tenant_id, user, id);
)sql",
    // 5: events move to an append-only log file per tenant (store/event_log.h); the
    // database keeps each log's committed length and the topic and vendor names.
    // The rows of the old events table are moved by MoveEventsToLog() after this.
    R"sql(
CREATE TABLE event_logs (tenant_id INTEGER PRIMARY KEY, committed_bytes INTEGER NOT NULL);
CREATE TABLE event_names (tenant_id INTEGER NOT NULL, kind INTEGER NOT NULL, name TEXT NOT NULL,
  id INTEGER NOT NULL, PRIMARY KEY (tenant_id, kind, name)) WITHOUT ROWID;
)sql",
    // 6: the index stamp (Store::IndexStamp): a counter bumped, in the same transaction,
    // by every update or delete of what the people index reads and by inserts into
    // the suppression table; inserts into the others show in their largest id. Emails
    // are only ever written with their person's row (WriteEmails), whose new id or
    // update trigger shows them: no per-email trigger on the import path (7% of it).
    R"sql(
CREATE TABLE index_stamp (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL);
INSERT INTO index_stamp VALUES (1, 0);
CREATE TRIGGER index_stamp_accounts_update AFTER UPDATE ON accounts BEGIN UPDATE index_stamp SET seq = seq + 1; END;
CREATE TRIGGER index_stamp_accounts_delete AFTER DELETE ON accounts BEGIN UPDATE index_stamp SET seq = seq + 1; END;
CREATE TRIGGER index_stamp_people_update AFTER UPDATE ON people BEGIN UPDATE index_stamp SET seq = seq + 1; END;
CREATE TRIGGER index_stamp_people_delete AFTER DELETE ON people BEGIN UPDATE index_stamp SET seq = seq + 1; END;
CREATE TRIGGER index_stamp_emails_update AFTER UPDATE ON emails BEGIN UPDATE index_stamp SET seq = seq + 1; END;
CREATE TRIGGER index_stamp_emails_delete AFTER DELETE ON emails BEGIN UPDATE index_stamp SET seq = seq + 1; END;
CREATE TRIGGER index_stamp_basis_records_update AFTER UPDATE ON basis_records BEGIN UPDATE index_stamp SET seq = seq + 1; END;
CREATE TRIGGER index_stamp_basis_records_delete AFTER DELETE ON basis_records BEGIN UPDATE index_stamp SET seq = seq + 1; END;
CREATE TRIGGER index_stamp_purchases_update AFTER UPDATE ON purchases BEGIN UPDATE index_stamp SET seq = seq + 1; END;
CREATE TRIGGER index_stamp_purchases_delete AFTER DELETE ON purchases BEGIN UPDATE index_stamp SET seq = seq + 1; END;
CREATE TRIGGER index_stamp_suppression_update AFTER UPDATE ON suppression BEGIN UPDATE index_stamp SET seq = seq + 1; END;
CREATE TRIGGER index_stamp_suppression_delete AFTER DELETE ON suppression BEGIN UPDATE index_stamp SET seq = seq + 1; END;
CREATE TRIGGER index_stamp_suppression_insert AFTER INSERT ON suppression BEGIN UPDATE index_stamp SET seq = seq + 1; END;
)sql",
    // 7: the index change log, replacing the counter of 6: every update or delete of
    // what the people index reads, and every suppression insert, logs which person or
    // account (or that suppression) changed, so a snapshot can be caught up
    // (Store::IndexChangesSince). Inserts still show in the largest ids. The log's
    // AUTOINCREMENT sequence is the stamp's counter (never reused after pruning); the
    // stamp's text changes form ("log=" for "seq="), so no snapshot keyed by 6's
    // counter is ever taken as current or caught up. The store's random identity is in
    // the stamp too: a snapshot never matches another database that reached the same
    // counts.
    R"sql(
DROP TRIGGER index_stamp_accounts_update;
DROP TRIGGER index_stamp_accounts_delete;
DROP TRIGGER index_stamp_people_update;
DROP TRIGGER index_stamp_people_delete;
DROP TRIGGER index_stamp_emails_update;
DROP TRIGGER index_stamp_emails_delete;
DROP TRIGGER index_stamp_basis_records_update;
DROP TRIGGER index_stamp_basis_records_delete;
DROP TRIGGER index_stamp_purchases_update;
DROP TRIGGER index_stamp_purchases_delete;
DROP TRIGGER index_stamp_suppression_update;
DROP TRIGGER index_stamp_suppression_delete;
DROP TRIGGER index_stamp_suppression_insert;
CREATE TABLE index_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, tenant_id INTEGER NOT NULL,
  kind TEXT NOT NULL, ref INTEGER NOT NULL);
CREATE INDEX index_changes_tenant ON index_changes (tenant_id, seq);
CREATE TABLE index_changes_pruned (tenant_id INTEGER PRIMARY KEY, upto INTEGER NOT NULL);
CREATE TABLE store_identity (id INTEGER PRIMARY KEY CHECK (id = 1), token TEXT NOT NULL);
INSERT INTO store_identity VALUES (1, lower(hex(randomblob(16))));
DROP TABLE index_stamp;
CREATE TRIGGER index_changes_accounts_update AFTER UPDATE ON accounts BEGIN
  INSERT INTO index_changes (tenant_id, kind, ref) VALUES (NEW.tenant_id, 'account', NEW.id);
  INSERT INTO index_changes (tenant_id, kind, ref) SELECT OLD.tenant_id, 'account', OLD.id
    WHERE OLD.tenant_id <> NEW.tenant_id OR OLD.id <> NEW.id; END;
CREATE TRIGGER index_changes_accounts_delete AFTER DELETE ON accounts BEGIN
  INSERT INTO index_changes (tenant_id, kind, ref) VALUES (OLD.tenant_id, 'account', OLD.id); END;
CREATE TRIGGER index_changes_people_update AFTER UPDATE ON people BEGIN
  INSERT INTO index_changes (tenant_id, kind, ref) VALUES (NEW.tenant_id, 'person', NEW.id);
  INSERT INTO index_changes (tenant_id, kind, ref) SELECT OLD.tenant_id, 'person', OLD.id
    WHERE OLD.tenant_id <> NEW.tenant_id OR OLD.id <> NEW.id; END;
CREATE TRIGGER index_changes_people_delete AFTER DELETE ON people BEGIN
  INSERT INTO index_changes (tenant_id, kind, ref) VALUES (OLD.tenant_id, 'person', OLD.id); END;
CREATE TRIGGER index_changes_emails_update AFTER UPDATE ON emails BEGIN
  INSERT INTO index_changes (tenant_id, kind, ref) VALUES (NEW.tenant_id, 'person', NEW.person_id);
  INSERT INTO index_changes (tenant_id, kind, ref) SELECT OLD.tenant_id, 'person', OLD.person_id
    WHERE OLD.tenant_id <> NEW.tenant_id OR OLD.person_id <> NEW.person_id; END;
CREATE TRIGGER index_changes_emails_delete AFTER DELETE ON emails BEGIN
  INSERT INTO index_changes (tenant_id, kind, ref) VALUES (OLD.tenant_id, 'person', OLD.person_id); END;
CREATE TRIGGER index_changes_basis_records_update AFTER UPDATE ON basis_records BEGIN
  INSERT INTO index_changes (tenant_id, kind, ref) VALUES (NEW.tenant_id, 'person', NEW.person_id);
  INSERT INTO index_changes (tenant_id, kind, ref) SELECT OLD.tenant_id, 'person', OLD.person_id
    WHERE OLD.tenant_id <> NEW.tenant_id OR OLD.person_id <> NEW.person_id; END;
CREATE TRIGGER index_changes_basis_records_delete AFTER DELETE ON basis_records BEGIN
  INSERT INTO index_changes (tenant_id, kind, ref) VALUES (OLD.tenant_id, 'person', OLD.person_id); END;
CREATE TRIGGER index_changes_purchases_update AFTER UPDATE ON purchases BEGIN
  INSERT INTO index_changes (tenant_id, kind, ref) VALUES (NEW.tenant_id, 'person', NEW.person_id);
  INSERT INTO index_changes (tenant_id, kind, ref) SELECT OLD.tenant_id, 'person', OLD.person_id
    WHERE OLD.tenant_id <> NEW.tenant_id OR OLD.person_id <> NEW.person_id; END;
CREATE TRIGGER index_changes_purchases_delete AFTER DELETE ON purchases BEGIN
  INSERT INTO index_changes (tenant_id, kind, ref) VALUES (OLD.tenant_id, 'person', OLD.person_id); END;
CREATE TRIGGER index_changes_suppression_update AFTER UPDATE ON suppression BEGIN
  INSERT INTO index_changes (tenant_id, kind, ref) VALUES (NEW.tenant_id, 'suppression', 0); END;
CREATE TRIGGER index_changes_suppression_delete AFTER DELETE ON suppression BEGIN
  INSERT INTO index_changes (tenant_id, kind, ref) VALUES (OLD.tenant_id, 'suppression', 0); END;
CREATE TRIGGER index_changes_suppression_insert AFTER INSERT ON suppression BEGIN
  INSERT INTO index_changes (tenant_id, kind, ref) VALUES (NEW.tenant_id, 'suppression', 0); END;
)sql",
    // 8: files imported, by a digest of their bytes (a second import of the same file
    // would count its events twice).
    R"sql(
CREATE TABLE imported_files (tenant_id INTEGER NOT NULL, kind TEXT NOT NULL, digest TEXT NOT NULL,
  imported_at INTEGER NOT NULL, PRIMARY KEY (tenant_id, kind, digest));
)sql",
    // 9: the person index of emails covers what a load of the index reads, in person
    // order, so that load walks it and sorts nothing (the table is in address order; a
    // sort of 11M addresses took about 4 s and its output stepping more).
    R"sql(
DROP INDEX emails_person;
CREATE INDEX emails_by_person ON emails (tenant_id, person_id, position, type, visibility);
)sql",
    // 10: where alerts are delivered besides the feed (webhooks, email digests), and
    // how far each has been delivered.
    R"sql(
CREATE TABLE alert_destinations (id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL, user TEXT NOT NULL,
  kind TEXT NOT NULL, address TEXT NOT NULL, role TEXT NOT NULL, region TEXT NOT NULL,
  transfer_mechanism TEXT NOT NULL, us_certified INTEGER NOT NULL,
  delivered_through INTEGER NOT NULL, created_at INTEGER NOT NULL, last_attempt_at INTEGER NOT NULL,
  last_error TEXT NOT NULL);
CREATE INDEX alert_destinations_user ON alert_destinations (tenant_id, user, id);
)sql",
};

std::string JoinList(const std::vector<std::string>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ";" : "") + v[i];
  return s;
}

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size() && !s.empty()) {
    size_t end = s.find(';', start);
    if (end == std::string_view::npos) end = s.size();
    if (end > start) out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// "<database file>: sqlite: <message>": which file a failure is about (a read-only
// or full disk, a locked file) is what the user acts on.
std::string SqliteError(sqlite3* db, std::string_view message) {
  const char* file = db ? sqlite3_db_filename(db, "main") : nullptr;
  return (file && *file ? std::string(file) + ": " : std::string()) + "sqlite: " + std::string(message);
}

// A prepared statement, reset after each use.
class Stmt {
 public:
  Stmt() = default;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() { sqlite3_finalize(stmt_); }
  Status Prepare(sqlite3* db, const char* sql) {
    db_ = db;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK)
      return Status::Internal(std::string("sqlite prepare: ") + sqlite3_errmsg(db) + " in " + sql);
    return Status::Ok();
  }
  Stmt& Bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); return *this; }
  Stmt& Bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, const std::string& v) { return Bind(i, std::string_view(v)); }
  Stmt& Bind(int i, const char* v) { return Bind(i, std::string_view(v)); }
  Stmt& Bind(int i, std::optional<Time> v) {
    if (v) sqlite3_bind_int64(stmt_, i, *v); else sqlite3_bind_null(stmt_, i);
    return *this;
  }
  Stmt& BindBlob(int i, const void* p, int n) { sqlite3_bind_blob(stmt_, i, p, n, SQLITE_TRANSIENT); return *this; }
  // SQLITE_ROW -> true, SQLITE_DONE -> false.
  Result<bool> Step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    Status s = Status::Io(SqliteError(db_, sqlite3_errmsg(db_)));
    if (rc == SQLITE_CONSTRAINT) s = Status::Conflict(SqliteError(db_, sqlite3_errmsg(db_)));
    Reset();
    return s;
  }
  Status Run() {
    Result<bool> r = Step();
    Reset();
    return r.ok() ? Status::Ok() : r.status();
  }
  void Reset() { sqlite3_reset(stmt_); sqlite3_clear_bindings(stmt_); }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::optional<Time> OptInt(int col) const {
    if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_int64(stmt_, col);
  }
  std::string Text(int col) const {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, col)) : std::string();
  }
  std::string_view Blob(int col) const {
    return std::string_view(static_cast<const char*>(sqlite3_column_blob(stmt_, col)), sqlite3_column_bytes(stmt_, col));
  }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// A page cache of up to 1 GiB (allocated only as used): with 64 MiB, importing 10M
// people became bound by random reads of the email index (over 15 min, against 48 s
// for 1M).
constexpr const char* kLargeCache = "PRAGMA cache_size=-1048576";
// A transaction may keep up to 6 GiB of dirty pages (1,572,864 of 4 KiB) before it
// spills them to the WAL. Past the 1 GiB cache SQLite spilled a 10M-people import into
// a WAL of gigabytes, and then every page it read back searched the WAL's index
// (sqlite3WalFindFrame, 15% of the storing thread's samples) and rewrote hot pages.
constexpr const char* kSpillThreshold = "PRAGMA cache_spill=1572864";

class SqliteStore final : public Store {
 public:
  ~SqliteStore() override {
    stmts_.clear();
    if (db_) sqlite3_close_v2(db_);
  }

  Status Open(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK)
      return Status::Io(path + ": cannot open database: " + (db_ ? sqlite3_errmsg(db_) : "out of memory"));
    sqlite3_busy_timeout(db_, 5000);
    // Reads through a memory map (up to SQLite's 2 GiB cap) copy no pages into the cache.
    FL_RETURN_IF_ERROR(Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA secure_delete=ON; "
                            "PRAGMA foreign_keys=ON; PRAGMA mmap_size=2147418112;"));
    FL_RETURN_IF_ERROR(Exec(kLargeCache));
    FL_RETURN_IF_ERROR(Exec(kSpillThreshold));
    events_dir_ = path + "-events";
    FL_RETURN_IF_ERROR(Migrate());
    return MoveEventsToLog();
  }

  Status Exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown";
      sqlite3_free(err);
      return Status::Io(SqliteError(db_, msg));
    }
    return Status::Ok();
  }

  Status Migrate() {
    FL_RETURN_IF_ERROR(Exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)"));
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    int64_t have = q->Int(0);
    q->Reset();
    const int64_t want = sizeof(kMigrations) / sizeof(kMigrations[0]);
    if (have > want) return Status::Invalid("database schema version " + std::to_string(have) +
                                            " is newer than this fairlead (" + std::to_string(want) + ")");
    for (int64_t v = have + 1; v <= want; ++v) {
      FL_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
      Status s = Exec(kMigrations[v - 1]);
      if (s.ok()) s = Exec(("INSERT INTO schema_migrations VALUES (" + std::to_string(v) + ")").c_str());
      if (!s.ok()) {
        Exec("ROLLBACK");
        return s.WithContext("migration " + std::to_string(v) + ": ");
      }
      FL_RETURN_IF_ERROR(Exec("COMMIT"));
    }
    return Status::Ok();
  }

  Status Begin() override {
    if (depth_++ == 0) return Exec("BEGIN IMMEDIATE");
    return Status::Ok();
  }
  Status Commit() override {
    if (depth_ == 0) return Status::Internal("commit without begin");
    if (--depth_ > 0) return Status::Ok();
    // Events first: the log is made durable, then its new length commits with the
    // rest of the transaction. A failure anywhere rolls everything back.
    Status s = FlushEvents();
    if (s.ok()) s = Exec("COMMIT");
    if (!s.ok()) {
      Exec("ROLLBACK");
      DropPendingEvents();
    }
    return s;
  }
  Status Rollback() override {
    if (depth_ == 0) return Status::Ok();
    depth_ = 0;
    DropPendingEvents();
    return Exec("ROLLBACK");
  }

  Result<int64_t> EnsureTenant(std::string_view name) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "SELECT id FROM tenants WHERE name = ?"));
    q->Bind(1, name);
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (*row) {
      int64_t id = q->Int(0);
      q->Reset();
      return id;
    }
    q->Reset();
    FL_RETURN_IF_ERROR(Get(&q, "INSERT INTO tenants (name, settings) VALUES (?, ?)"));
    FL_RETURN_IF_ERROR(q->Bind(1, name).Bind(2, SettingsJson(TenantSettings())).Run());
    return sqlite3_last_insert_rowid(db_);
  }

  static std::string SettingsJson(const TenantSettings& s) {
    return nlohmann::json{{"double_opt_in_countries", s.double_opt_in_countries},
                          {"soft_opt_in_months", s.soft_opt_in_months}}.dump();
  }

  Result<TenantSettings> GetTenantSettings(int64_t tenant) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "SELECT settings FROM tenants WHERE id = ?"));
    q->Bind(1, tenant);
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("tenant " + std::to_string(tenant));
    nlohmann::json j = nlohmann::json::parse(q->Text(0), nullptr, false);
    q->Reset();
    TenantSettings s;
    if (j.is_object()) {
      s.double_opt_in_countries = j.value("double_opt_in_countries", s.double_opt_in_countries);
      s.soft_opt_in_months = j.value("soft_opt_in_months", s.soft_opt_in_months);
    }
    return s;
  }

  Status PutTenantSettings(int64_t tenant, const TenantSettings& settings) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "UPDATE tenants SET settings = ? WHERE id = ?"));
    return q->Bind(1, SettingsJson(settings)).Bind(2, tenant).Run();
  }

  Status PutPurpose(int64_t tenant, const Purpose& p) override {
    nlohmann::json j = {{"id", p.id}, {"kind", std::string(Name(p.kind))}, {"family", p.family}, {"lia", p.lia},
                        {"retention_days", p.retention_days ? nlohmann::json(*p.retention_days) : nlohmann::json()},
                        {"requires_double_opt_in", p.requires_double_opt_in}, {"job_functions", p.job_functions},
                        {"description", p.description}};
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "INSERT INTO purposes (tenant_id, id, body) VALUES (?, ?, ?) "
                               "ON CONFLICT (tenant_id, id) DO UPDATE SET body = excluded.body"));
    return q->Bind(1, tenant).Bind(2, p.id).Bind(3, j.dump()).Run();
  }

  static Purpose PurposeFromBody(const std::string& body) {
    nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
    Purpose p;
    if (!j.is_object()) return p;
    p.id = j.value("id", "");
    Parse(j.value("kind", "marketing"), &p.kind);
    p.family = j.value("family", "");
    p.lia = j.value("lia", "");
    if (j.contains("retention_days") && j["retention_days"].is_number_integer()) p.retention_days = j["retention_days"].get<int>();
    p.requires_double_opt_in = j.value("requires_double_opt_in", false);
    p.job_functions = j.value("job_functions", std::vector<std::string>());
    p.description = j.value("description", "");
    return p;
  }

  Result<Purpose> GetPurpose(int64_t tenant, std::string_view id) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "SELECT body FROM purposes WHERE tenant_id = ? AND id = ?"));
    q->Bind(1, tenant).Bind(2, id);
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("no purpose '" + std::string(id) + "' (see `fairlead purpose list`)");
    Purpose p = PurposeFromBody(q->Text(0));
    q->Reset();
    return p;
  }

  Result<std::vector<Purpose>> ListPurposes(int64_t tenant) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "SELECT body FROM purposes WHERE tenant_id = ? ORDER BY id"));
    q->Bind(1, tenant);
    std::vector<Purpose> out;
    for (;;) {
      Result<bool> row = q->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      out.push_back(PurposeFromBody(q->Text(0)));
    }
    q->Reset();
    return out;
  }

  Result<int64_t> AddSource(int64_t tenant, const Provenance& s) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "INSERT INTO sources (tenant_id, name, collected_at, basis, notice, created_at) "
                               "VALUES (?, ?, ?, ?, ?, strftime('%s','now'))"));
    FL_RETURN_IF_ERROR(q->Bind(1, tenant).Bind(2, s.source).Bind(3, s.collected_at).Bind(4, s.basis)
                           .Bind(5, s.notice).Run());
    return sqlite3_last_insert_rowid(db_);
  }

  Result<Provenance> GetSource(int64_t tenant, int64_t id) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "SELECT name, collected_at, basis, notice FROM sources WHERE tenant_id = ? AND id = ?"));
    q->Bind(1, tenant).Bind(2, id);
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("source " + std::to_string(id));
    Provenance p{id, q->Text(0), q->OptInt(1), q->Text(2), q->Text(3)};
    q->Reset();
    return p;
  }

  Result<int64_t> UpsertAccount(int64_t tenant, const Account& a) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q,
        "INSERT INTO accounts (tenant_id, domain, name, industry, employee_band, revenue_band, hq_country, technologies) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, domain) DO UPDATE SET "
        "name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE name END, "
        "industry = CASE WHEN excluded.industry <> '' THEN excluded.industry ELSE industry END, "
        "employee_band = CASE WHEN excluded.employee_band <> '' THEN excluded.employee_band ELSE employee_band END, "
        "revenue_band = CASE WHEN excluded.revenue_band <> '' THEN excluded.revenue_band ELSE revenue_band END, "
        "hq_country = CASE WHEN excluded.hq_country <> '' THEN excluded.hq_country ELSE hq_country END, "
        "technologies = CASE WHEN excluded.technologies <> '' THEN excluded.technologies ELSE technologies END "
        "RETURNING id"));
    q->Bind(1, tenant).Bind(2, a.domain).Bind(3, a.name).Bind(4, a.industry).Bind(5, a.employee_band)
        .Bind(6, a.revenue_band).Bind(7, a.hq_country).Bind(8, JoinList(a.technologies));
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    int64_t id = q->Int(0);
    q->Reset();
    return id;
  }

  Result<std::optional<int64_t>> FindAccount(int64_t tenant, std::string_view domain) override {
    return FindId("SELECT id FROM accounts WHERE tenant_id = ? AND domain = ?", tenant, domain);
  }

  Result<Account> GetAccount(int64_t tenant, int64_t id) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "SELECT domain, name, industry, employee_band, revenue_band, hq_country, technologies "
                               "FROM accounts WHERE tenant_id = ? AND id = ?"));
    q->Bind(1, tenant).Bind(2, id);
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("account " + std::to_string(id));
    Account a{id, q->Text(0), q->Text(1), q->Text(2), q->Text(3), q->Text(4), q->Text(5), SplitList(q->Text(6))};
    q->Reset();
    return a;
  }

  Status ForEachAccount(int64_t tenant, const std::function<void(Account&&)>& fn) override {
    Stmt q;
    FL_RETURN_IF_ERROR(q.Prepare(db_, "SELECT id, domain, name, industry, employee_band, revenue_band, hq_country, "
                                      "technologies FROM accounts WHERE +tenant_id = ? ORDER BY id"));
    q.Bind(1, tenant);
    return Rows(&q, [&](const Stmt& r) {
      fn(Account{r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5), r.Text(6), SplitList(r.Text(7))});
    });
  }

  Status ForEachEmail(int64_t tenant, const std::function<void(int64_t, std::string_view)>& fn) override {
    Stmt q;  // the primary key's order: one sequential pass
    FL_RETURN_IF_ERROR(q.Prepare(db_, "SELECT person_id, address FROM emails WHERE tenant_id = ?"));
    q.Bind(1, tenant);
    for (;;) {
      Result<bool> r = q.Step();
      if (!r.ok()) return r.status();
      if (!*r) return Status::Ok();
      std::string_view address = q.Blob(1);
      fn(q.Int(0), address);
    }
  }

  Result<std::optional<int64_t>> FindPersonByEmail(int64_t tenant, std::string_view email) override {
    return FindId("SELECT person_id FROM emails WHERE tenant_id = ? AND address = ?", tenant, email);
  }
  Result<std::optional<int64_t>> FindPersonByRef(int64_t tenant, std::string_view ref) override {
    if (ref.empty()) return std::optional<int64_t>();
    return FindId("SELECT id FROM people WHERE tenant_id = ? AND external_ref = ? AND external_ref <> ''", tenant, ref);
  }

  static std::string SourcesJson(const Person& p) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [field, id] : p.field_sources) j[field] = id;
    return j.dump();
  }

  Stmt& BindPerson(Stmt* q, int64_t tenant, const Person& p) {
    const Subject& s = p.subject;
    return q->Bind(1, tenant).Bind(2, p.external_ref).Bind(3, p.first_name).Bind(4, p.last_name).Bind(5, p.phone)
        .Bind(6, p.title).Bind(7, p.seniority).Bind(8, s.function).Bind(9, s.country).Bind(10, p.region)
        .Bind(11, Name(s.recipient)).Bind(12, Name(s.stage))
        .Bind(13, p.account_id ? std::optional<Time>(p.account_id) : std::nullopt).Bind(14, s.collected_at)
        .Bind(15, int64_t{s.opt_out_offered_at_collection}).Bind(16, s.transparency_notice_sent_at)
        .Bind(17, s.objected_direct_marketing_at).Bind(18, int64_t{s.restricted}).Bind(19, int64_t{s.do_not_sell})
        .Bind(20, int64_t{s.erased}).Bind(21, SourcesJson(p));
  }

  // Only with the person's own row written in the same transaction (InsertPerson,
  // UpdatePerson): the index change log sees emails through that row (migration 7).
  Status WriteEmails(int64_t tenant, int64_t person, const std::vector<EmailAddress>& emails) {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "INSERT INTO emails (tenant_id, address, person_id, type, visibility, position) "
                               "VALUES (?, ?, ?, ?, ?, ?)"));
    for (size_t i = 0; i < emails.size(); ++i) {
      Status s = q->Bind(1, tenant).Bind(2, emails[i].address).Bind(3, person).Bind(4, Name(emails[i].type))
                     .Bind(5, Name(emails[i].visibility)).Bind(6, static_cast<int64_t>(i)).Run();
      if (!s.ok()) return s.WithContext("email " + emails[i].address + ": ");
    }
    return Status::Ok();
  }

  Result<int64_t> InsertPerson(int64_t tenant, const Person& p) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q,
        "INSERT INTO people (tenant_id, external_ref, first_name, last_name, phone, title, seniority, function, "
        "country, region, recipient, stage, account_id, collected_at, opt_out_offered, notice_sent_at, objected_at, "
        "restricted, do_not_sell, erased, field_sources) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    FL_RETURN_IF_ERROR(BindPerson(q, tenant, p).Run());
    int64_t id = sqlite3_last_insert_rowid(db_);
    FL_RETURN_IF_ERROR(WriteEmails(tenant, id, p.subject.emails));
    return id;
  }

  Status UpdatePerson(int64_t tenant, const Person& p) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q,
        "UPDATE people SET tenant_id = ?1, external_ref = ?2, first_name = ?3, last_name = ?4, phone = ?5, "
        "title = ?6, seniority = ?7, function = ?8, country = ?9, region = ?10, recipient = ?11, stage = ?12, "
        "account_id = ?13, collected_at = ?14, opt_out_offered = ?15, notice_sent_at = ?16, objected_at = ?17, "
        "restricted = ?18, do_not_sell = ?19, erased = ?20, field_sources = ?21 WHERE id = ?22 AND tenant_id = ?1"));
    BindPerson(q, tenant, p).Bind(22, p.subject.id);
    FL_RETURN_IF_ERROR(q->Run());
    if (sqlite3_changes(db_) != 1) return Status::NotFound("person " + std::to_string(p.subject.id));
    FL_RETURN_IF_ERROR(Get(&q, "DELETE FROM emails WHERE tenant_id = ? AND person_id = ?"));
    FL_RETURN_IF_ERROR(q->Bind(1, tenant).Bind(2, p.subject.id).Run());
    return WriteEmails(tenant, p.subject.id, p.subject.emails);
  }

  // Column lists and row readers shared by GetPerson and ForEachPerson.
  static constexpr const char* kPersonColumns =
      "p.external_ref, p.first_name, p.last_name, p.phone, p.title, p.seniority, p.function, p.country, "
      "p.region, p.recipient, p.stage, p.account_id, p.collected_at, p.opt_out_offered, p.notice_sent_at, "
      "p.objected_at, p.restricted, p.do_not_sell, p.erased, p.field_sources, COALESCE(a.domain, ''), p.id";
  static void ReadPerson(const Stmt& q, Person* p) {
    Subject& s = p->subject;
    p->external_ref = q.Text(0);
    p->first_name = q.Text(1);
    p->last_name = q.Text(2);
    p->phone = q.Text(3);
    p->title = q.Text(4);
    p->seniority = q.Text(5);
    s.function = q.Text(6);
    s.country = q.Text(7);
    p->region = q.Text(8);
    Parse(q.Text(9), &s.recipient);
    Parse(q.Text(10), &s.stage);
    p->account_id = q.OptInt(11).value_or(0);
    s.collected_at = q.OptInt(12);
    s.opt_out_offered_at_collection = q.Int(13) != 0;
    s.transparency_notice_sent_at = q.OptInt(14);
    s.objected_direct_marketing_at = q.OptInt(15);
    s.restricted = q.Int(16) != 0;
    s.do_not_sell = q.Int(17) != 0;
    s.erased = q.Int(18) != 0;
    std::string sources = q.Text(19);
    nlohmann::json fs = sources.empty() ? nlohmann::json() : nlohmann::json::parse(sources, nullptr, false);
    if (fs.is_object())
      for (auto it = fs.begin(); it != fs.end(); ++it)
        if (it->is_number_integer()) p->field_sources.emplace_back(it.key(), it->get<int64_t>());
    p->account_domain = q.Text(20);
    s.id = q.Int(21);
  }
  // Each of these selects person_id as its last column.
  static constexpr const char* kEmailColumns = "address, type, visibility, person_id";
  static EmailAddress ReadEmail(const Stmt& q) {
    EmailAddress e;
    e.address = q.Text(0);
    Parse(q.Text(1), &e.type);
    Parse(q.Text(2), &e.visibility);
    return e;
  }
  static constexpr const char* kBasisColumns =
      "id, basis, status, scopes, channels, channels_given, at, confirmed_at, expires_at, evidence, person_id";
  static BasisRecord ReadBasis(const Stmt& q) {
    BasisRecord b;
    b.id = q.Int(0);
    Parse(q.Text(1), &b.basis);
    Parse(q.Text(2), &b.status);
    b.scopes = SplitList(q.Text(3));
    b.channels = static_cast<ChannelSet>(q.Int(4));
    b.channels_given = q.Int(5) != 0;
    b.at = q.Int(6);
    b.confirmed_at = q.OptInt(7);
    b.expires_at = q.OptInt(8);
    b.evidence = q.Text(9);
    return b;
  }
  static constexpr const char* kPurchaseColumns = "family, kind, at, person_id";
  static Purchase ReadPurchase(const Stmt& q) {
    Purchase pu;
    pu.family = q.Text(0);
    Parse(q.Text(1), &pu.kind);
    pu.at = q.Int(2);
    return pu;
  }

  // Runs `q` and calls `fn` on each row.
  template <typename Fn>
  static Status Rows(Stmt* q, Fn fn) {
    for (;;) {
      Result<bool> r = q->Step();
      if (!r.ok()) return r.status();
      if (!*r) break;
      fn(*q);
    }
    q->Reset();
    return Status::Ok();
  }

  Result<Person> GetPerson(int64_t tenant, int64_t id) override {
    static const std::string kOne = std::string("SELECT ") + kPersonColumns +
        " FROM people p LEFT JOIN accounts a ON a.id = p.account_id WHERE p.tenant_id = ? AND p.id = ?";
    static const std::string kEmails = std::string("SELECT ") + kEmailColumns +
        " FROM emails WHERE tenant_id = ? AND person_id = ? ORDER BY position";
    static const std::string kBases = std::string("SELECT ") + kBasisColumns +
        " FROM basis_records WHERE tenant_id = ? AND person_id = ? ORDER BY id";
    static const std::string kPurchases = std::string("SELECT ") + kPurchaseColumns +
        " FROM purchases WHERE tenant_id = ? AND person_id = ? ORDER BY id";
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, kOne.c_str()));
    q->Bind(1, tenant).Bind(2, id);
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("no person with id " + std::to_string(id));
    Person p;
    ReadPerson(*q, &p);
    q->Reset();
    Subject& s = p.subject;
    FL_RETURN_IF_ERROR(Get(&q, kEmails.c_str()));
    q->Bind(1, tenant).Bind(2, id);
    FL_RETURN_IF_ERROR(Rows(q, [&](const Stmt& r) { s.emails.push_back(ReadEmail(r)); }));
    FL_RETURN_IF_ERROR(Get(&q, kBases.c_str()));
    q->Bind(1, tenant).Bind(2, id);
    FL_RETURN_IF_ERROR(Rows(q, [&](const Stmt& r) { s.bases.push_back(ReadBasis(r)); }));
    FL_RETURN_IF_ERROR(Get(&q, kPurchases.c_str()));
    q->Bind(1, tenant).Bind(2, id);
    FL_RETURN_IF_ERROR(Rows(q, [&](const Stmt& r) { s.purchases.push_back(ReadPurchase(r)); }));
    return p;
  }

  // kPersonColumns / kBasisColumns with the columns no decision reads replaced by ''.
  static std::string PolicyColumns(std::string cols) {
    for (const char* c : {"p.external_ref", "p.first_name", "p.last_name", "p.title", "p.region", "p.field_sources",
                          "evidence"}) {
      size_t at = cols.find(c);
      if (at != std::string::npos) cols.replace(at, std::strlen(c), "''");
    }
    return cols;
  }

  // Rows of one kind by person: added in rowid order, then put in person order by a
  // stable counting sort over the person ids (rowid order within a person, as ORDER BY
  // person_id, id would give), without SQLite's sorter.
  template <typename Row>
  class ByPerson {
   public:
    static constexpr uint64_t kMaxRange = uint64_t{1} << 26;  // person ids one table of offsets spans
    void Reserve(size_t n) {
      persons_.reserve(n);
      rows_.reserve(n);
    }
    void Add(int64_t person, Row row) {
      if (rows_.empty()) lo_ = hi_ = person;
      lo_ = std::min(lo_, person);
      hi_ = std::max(hi_, person);
      persons_.push_back(person);
      rows_.push_back(std::move(row));
    }
    // False when the person ids spread wider than kMaxRange or the rows exceed 32-bit
    // offsets (the caller then asks SQLite to sort).
    bool Sort() {
      if (rows_.empty()) return true;
      const uint64_t range = static_cast<uint64_t>(hi_ - lo_) + 1;
      if (range > kMaxRange || rows_.size() >= UINT32_MAX) return false;
      start_.assign(range + 1, 0);
      for (int64_t p : persons_) ++start_[p - lo_ + 1];
      std::partial_sum(start_.begin(), start_.end(), start_.begin());
      order_.resize(rows_.size());
      for (uint32_t i = 0; i < rows_.size(); ++i) order_[start_[persons_[i] - lo_]++] = i;
      for (size_t k = range; k > 0; --k) start_[k] = start_[k - 1];  // each start_[k] had moved to its end
      start_[0] = 0;
      std::vector<int64_t>().swap(persons_);
      return true;
    }
    template <typename Fn>
    void Each(int64_t person, Fn fn) const {
      if (rows_.empty() || person < lo_ || person > hi_) return;
      for (uint32_t i = start_[person - lo_], end = start_[person - lo_ + 1]; i < end; ++i) fn(rows_[order_[i]]);
    }

   private:
    int64_t lo_ = 0, hi_ = 0;
    std::vector<int64_t> persons_;  // by row, until Sort()
    std::vector<Row> rows_;
    std::vector<uint32_t> order_;  // rows by person, then rowid
    std::vector<uint32_t> start_;  // person - lo_ -> its first entry in order_
  };
  // A basis record as a policy scan needs it (no evidence), in 40 bytes; its scopes
  // text, one of few, is held once.
  struct CompactBasis {
    int64_t id, at, confirmed_at, expires_at;
    uint32_t scopes;  // index into the scan's distinct scope lists
    LawfulBasis basis;
    BasisStatus status;
    ChannelSet channels;
    uint8_t flags;  // 1: channels given, 2: confirmed_at set, 4: expires_at set
  };
  struct CompactPurchase {
    int64_t at;
    uint32_t family;  // index into the scan's distinct families
    PurchaseKind kind;
  };
  static_assert(sizeof(CompactBasis) == 40 && sizeof(CompactPurchase) == 16);
  // The basis records and purchases of a tenant for a policy scan: each table read
  // once in rowid order (sequential) and put in person order in memory. SQLite's sort
  // of them was most of a load's time before the first person (10M people: load
  // 29.9-30.7 s with it, 24.4-25.2 s without).
  struct PolicyChildren {
    ByPerson<CompactBasis> bases;
    ByPerson<CompactPurchase> purchases;
    std::vector<std::vector<std::string>> scopes;
    std::vector<std::string> families;

    // False when either table's person ids spread too wide (see ByPerson::Sort).
    Result<bool> Read(sqlite3* db, int64_t tenant) {
      absl::flat_hash_map<std::string, uint32_t> scope_ids, family_ids;
      auto intern = [](absl::flat_hash_map<std::string, uint32_t>& ids, std::string_view text, auto add) {
        auto it = ids.find(absl::string_view(text.data(), text.size()));
        if (it != ids.end()) return it->second;
        uint32_t id = static_cast<uint32_t>(ids.size());
        ids.emplace(std::string(text), id);
        add(text);
        return id;
      };
      // Reserved up front (the largest ids bound the rows): grown by doubling, the
      // buffers were copied into fresh pages, hundreds of MB at 10M people.
      Stmt bounds;
      FL_RETURN_IF_ERROR(bounds.Prepare(db, "SELECT (SELECT MAX(id) FROM basis_records), "
                                            "(SELECT MAX(id) FROM purchases)"));
      Result<bool> got = bounds.Step();
      if (!got.ok()) return got.status();
      bases.Reserve(static_cast<size_t>(std::max<int64_t>(bounds.OptInt(0).value_or(0), 0)));
      purchases.Reserve(static_cast<size_t>(std::max<int64_t>(bounds.OptInt(1).value_or(0), 0)));
      bounds.Reset();
      // The columns (and their places) of ReadBasis and ReadPurchase, in rowid order.
      Stmt b;
      FL_RETURN_IF_ERROR(b.Prepare(db, ("SELECT " + PolicyColumns(kBasisColumns) +
                                        " FROM basis_records WHERE +tenant_id = ?").c_str()));
      b.Bind(1, tenant);
      FL_RETURN_IF_ERROR(Rows(&b, [&](const Stmt& r) {
        CompactBasis c{};
        c.id = r.Int(0);
        Parse(r.Blob(1), &c.basis);
        Parse(r.Blob(2), &c.status);
        c.scopes = intern(scope_ids, r.Blob(3), [&](std::string_view t) { scopes.push_back(SplitList(t)); });
        c.channels = static_cast<ChannelSet>(r.Int(4));
        c.flags = (r.Int(5) != 0 ? 1 : 0);
        c.at = r.Int(6);
        if (std::optional<Time> t = r.OptInt(7)) c.confirmed_at = *t, c.flags |= 2;
        if (std::optional<Time> t = r.OptInt(8)) c.expires_at = *t, c.flags |= 4;
        bases.Add(r.Int(10), c);
      }));
      Stmt p;
      FL_RETURN_IF_ERROR(p.Prepare(db, (std::string("SELECT ") + kPurchaseColumns +
                                        " FROM purchases WHERE +tenant_id = ?").c_str()));
      p.Bind(1, tenant);
      FL_RETURN_IF_ERROR(Rows(&p, [&](const Stmt& r) {
        CompactPurchase c{};
        c.family = intern(family_ids, r.Blob(0), [&](std::string_view t) { families.emplace_back(t); });
        Parse(r.Blob(1), &c.kind);
        c.at = r.Int(2);
        purchases.Add(r.Int(3), c);
      }));
      return bases.Sort() && purchases.Sort();
    }
    void Take(int64_t person, Subject* s) const {
      bases.Each(person, [&](const CompactBasis& c) {
        BasisRecord& b = s->bases.emplace_back();
        b.id = c.id;
        b.basis = c.basis;
        b.status = c.status;
        b.scopes = scopes[c.scopes];
        b.channels = c.channels;
        b.channels_given = c.flags & 1;
        b.at = c.at;
        if (c.flags & 2) b.confirmed_at = c.confirmed_at;
        if (c.flags & 4) b.expires_at = c.expires_at;
      });
      purchases.Each(person, [&](const CompactPurchase& c) {
        s->purchases.push_back(Purchase{families[c.family], c.kind, c.at});
      });
    }
  };

  // Runs `first` on this connection, inside the scan's read transaction, while a second
  // read-only connection reads the policy scan's basis records and purchases on a second
  // thread (10M people: 3-5 s that the accounts' load then overlaps). The answer is
  // PolicyChildren::Read's, or none when that read cannot stand for this transaction's:
  // no second connection (an in-memory database), or it read another state (a write
  // committed between the two transactions' starts: their IndexStamps differ, as every
  // write to a table the index reads changes the stamp). `children` is then empty again,
  // to be read on this connection.
  Result<std::optional<bool>> ReadChildrenBeside(int64_t tenant, const std::function<Status()>& first,
                                                 PolicyChildren* children) {
    struct Side {
      sqlite3* db = nullptr;
      ~Side() {
        if (db) sqlite3_close_v2(db);
      }
    } side;
    const char* file = sqlite3_db_filename(db_, "main");
    if (!file || !*file ||
        sqlite3_open_v2(file, &side.db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
      FL_RETURN_IF_ERROR(first());
      return std::optional<bool>();
    }
    Result<bool> read = false;
    Result<std::string> side_stamp = std::string();
    std::exception_ptr failure;
    // A test's seam: the second connection starts late, so that a write `first` makes
    // commits before it reads (the stamps then differ).
    const char* delay = std::getenv("FAIRLEAD_TEST_SIDE_READ_DELAY_MS");
    const int delay_ms = delay ? std::atoi(delay) : 0;
    std::thread reader([&] {
      try {
        if (delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
        if (sqlite3_exec(side.db, "PRAGMA mmap_size=2147418112; BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) {
          side_stamp = Status::Io(SqliteError(side.db, sqlite3_errmsg(side.db)));
          return;
        }
        side_stamp = ReadStamp(side.db);
        if (side_stamp.ok()) read = children->Read(side.db, tenant);
        sqlite3_exec(side.db, "COMMIT", nullptr, nullptr, nullptr);
      } catch (...) {
        failure = std::current_exception();
      }
    });
    struct JoinReader {
      std::thread& t;
      ~JoinReader() { t.join(); }
    };
    Result<std::string> stamp = std::string();
    Status first_status = Status::Ok();
    {
      JoinReader join{reader};
      stamp = ReadStamp(db_);  // of the state the scan's transaction reads
      if (stamp.ok()) first_status = first();
    }
    if (failure) std::rethrow_exception(failure);
    if (!stamp.ok()) return stamp.status();
    FL_RETURN_IF_ERROR(first_status);
    if (!side_stamp.ok() || !read.ok() || *side_stamp != *stamp) {
      *children = PolicyChildren();
      return std::optional<bool>();
    }
    return std::optional<bool>(*read);
  }

  Status ForEachPerson(int64_t tenant, const std::function<void(Person&&)>& fn, PersonScan scan,
                       const std::function<Status()>& first) override {
    // Sequential scans and sorts run 1.5-2.5x faster with a small page cache: SQLite's
    // sorter sizes its in-memory runs by it (one huge run sorts slowly), and pages
    // copied into a large cache cost page faults. The large cache is for the random
    // reads of imports; it comes back when the scan ends.
    // Two sorter threads: the sorts of the basis records and purchases of a full scan
    // run before the first person comes out (a policy scan sorts them itself, below).
    FL_RETURN_IF_ERROR(Exec("PRAGMA cache_size=-2000; PRAGMA threads=2"));
    struct RestoreCache {
      SqliteStore* self;
      ~RestoreCache() {
        self->Exec(kLargeCache);
        self->Exec("PRAGMA threads=0");
      }
    } restore{this};
    // Every table as of one state: one read transaction around the scans (an active
    // statement would hold one too, but a table read to its end, as the policy scan's
    // basis records and purchases are, or an empty one, ends its statement). Declared
    // before the statements, so they are finalised before it ends.
    struct ReadTransaction {
      SqliteStore* self = nullptr;
      ~ReadTransaction() {
        if (self) self->Exec("COMMIT");
      }
    } read_transaction;
    if (sqlite3_get_autocommit(db_)) {
      FL_RETURN_IF_ERROR(Exec("BEGIN"));
      read_transaction.self = this;
    }
    bool policy = scan == PersonScan::kPolicy;
    std::string person_cols = policy ? PolicyColumns(kPersonColumns) : kPersonColumns;
    std::string basis_cols = policy ? PolicyColumns(kBasisColumns) : kBasisColumns;
    // Four scans in person-id order, merged: one pass over each table, no per-person query.
    // For basis records and purchases the '+' keeps SQLite from walking an index with a
    // table lookup per row, random unless the rows were stored in person order: a
    // sequential scan and a sort are 3 to 13 times faster on shuffled rows (1M people).
    // A policy scan reads them in rowid order and sorts them in memory (PolicyChildren).
    Stmt people, emails, bases, purchases;
    FL_RETURN_IF_ERROR(people.Prepare(db_, ("SELECT " + person_cols +
        " FROM people p LEFT JOIN (SELECT NULL AS domain) a WHERE +p.tenant_id = ? ORDER BY p.id").c_str()));
    // Emails walk their covering person index (migration 9): in order, no sort.
    FL_RETURN_IF_ERROR(emails.Prepare(db_, (std::string("SELECT ") + kEmailColumns +
        " FROM emails INDEXED BY emails_by_person WHERE tenant_id = ? ORDER BY person_id, position").c_str()));
    FL_RETURN_IF_ERROR(bases.Prepare(db_, ("SELECT " + basis_cols +
        " FROM basis_records WHERE +tenant_id = ? ORDER BY +person_id, +id").c_str()));
    FL_RETURN_IF_ERROR(purchases.Prepare(db_, (std::string("SELECT ") + kPurchaseColumns +
        " FROM purchases WHERE +tenant_id = ? ORDER BY +person_id, +id").c_str()));
    people.Bind(1, tenant);
    emails.Bind(1, tenant);
    bases.Bind(1, tenant);
    purchases.Bind(1, tenant);
    struct Cursor {
      Stmt* q;
      int person_col;
      bool has = false;
      Status Advance() {
        Result<bool> r = q->Step();
        if (!r.ok()) return r.status();
        has = *r;
        return Status::Ok();
      }
      int64_t person() const { return q->Int(person_col); }
    };
    Cursor ce{&emails, 3}, cb{&bases, 10}, cp{&purchases, 3};
    auto Collect = [](Cursor& c, int64_t id, auto take) -> Status {
      while (c.has && c.person() < id) FL_RETURN_IF_ERROR(c.Advance());
      while (c.has && c.person() == id) {
        take();
        FL_RETURN_IF_ERROR(c.Advance());
      }
      return Status::Ok();
    };
    // The first read: the transaction reads the state as of now, `first` included.
    FL_RETURN_IF_ERROR(ce.Advance());
    std::optional<PolicyChildren> children;
    std::optional<bool> children_read;  // PolicyChildren::Read's answer, once read
    if (policy) children.emplace();
    if (first && policy) {
      Result<std::optional<bool>> beside = ReadChildrenBeside(tenant, first, &*children);
      if (!beside.ok()) return beside.status();
      children_read = *beside;
    } else if (first) {
      FL_RETURN_IF_ERROR(first());
    }
    if (policy) {
      if (!children_read) {
        Result<bool> read = children->Read(db_, tenant);
        if (!read.ok()) return read.status();
        children_read = *read;
      }
      if (!*children_read) children.reset();
    }
    if (!children) {
      FL_RETURN_IF_ERROR(cb.Advance());
      FL_RETURN_IF_ERROR(cp.Advance());
    }
    for (;;) {
      Result<bool> r = people.Step();
      if (!r.ok()) return r.status();
      if (!*r) break;
      Person p;
      ReadPerson(people, &p);
      int64_t id = p.subject.id;
      // Child rows of a person that no longer exists sort before; skip them.
      FL_RETURN_IF_ERROR(Collect(ce, id, [&] { p.subject.emails.push_back(ReadEmail(emails)); }));
      if (children) {
        children->Take(id, &p.subject);
      } else {
        FL_RETURN_IF_ERROR(Collect(cb, id, [&] { p.subject.bases.push_back(ReadBasis(bases)); }));
        FL_RETURN_IF_ERROR(Collect(cp, id, [&] { p.subject.purchases.push_back(ReadPurchase(purchases)); }));
      }
      fn(std::move(p));
    }
    return Status::Ok();
  }

  Result<int64_t> CountPeople(int64_t tenant) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "SELECT COUNT(*) FROM people WHERE tenant_id = ?"));
    q->Bind(1, tenant);
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    int64_t n = q->Int(0);
    q->Reset();
    return n;
  }

  // The stamp: the store's identity, the change log's counter and the largest ids of
  // the tables whose inserts are not logged.
  struct Stamp {
    std::string store;
    int64_t log = 0, accounts = 0, people = 0, bases = 0, purchases = 0;
  };
  static std::string StampText(const Stamp& t) {
    return "sqlite " + t.store + " log=" + std::to_string(t.log) + " accounts=" + std::to_string(t.accounts) +
           " people=" + std::to_string(t.people) + " bases=" + std::to_string(t.bases) +
           " purchases=" + std::to_string(t.purchases);
  }
  static std::optional<Stamp> ParseStamp(std::string_view text) {
    Stamp t;
    char store[64] = {};
    long long v[5];
    std::string copy(text);
    int end = 0;
    if (std::sscanf(copy.c_str(), "sqlite %63s log=%lld accounts=%lld people=%lld bases=%lld purchases=%lld%n", store,
                    &v[0], &v[1], &v[2], &v[3], &v[4], &end) != 6 ||
        static_cast<size_t>(end) != copy.size())
      return std::nullopt;
    t.store = store;
    t.log = v[0], t.accounts = v[1], t.people = v[2], t.bases = v[3], t.purchases = v[4];
    if (StampText(t) != text) return std::nullopt;
    return t;
  }

  Result<LoadBounds> IndexLoadBounds(int64_t) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "SELECT (SELECT MAX(id) FROM accounts), (SELECT MAX(id) FROM people), "
                               "(SELECT MAX(id) FROM basis_records), (SELECT MAX(id) FROM purchases)"));
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    LoadBounds b{q->OptInt(0).value_or(0), q->OptInt(1).value_or(0), q->OptInt(2).value_or(0),
                 q->OptInt(3).value_or(0)};
    q->Reset();
    return b;
  }

  Result<std::string> IndexStamp() override { return ReadStamp(db_); }

  static Result<std::string> ReadStamp(sqlite3* db) {
    Stmt stmt;
    Stmt* q = &stmt;
    FL_RETURN_IF_ERROR(q->Prepare(db, "SELECT (SELECT token FROM store_identity), "
                                      "(SELECT seq FROM sqlite_sequence WHERE name = 'index_changes'), "
                                      "(SELECT MAX(id) FROM accounts), (SELECT MAX(id) FROM people), "
                                      "(SELECT MAX(id) FROM basis_records), (SELECT MAX(id) FROM purchases)"));
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    Stamp t;
    t.store = q->Text(0);
    t.log = q->OptInt(1).value_or(0);
    t.accounts = q->OptInt(2).value_or(0);
    t.people = q->OptInt(3).value_or(0);
    t.bases = q->OptInt(4).value_or(0);
    t.purchases = q->OptInt(5).value_or(0);
    q->Reset();
    return StampText(t);
  }

  Result<IndexChanges> IndexChangesSince(int64_t tenant, std::string_view stamp) override {
    IndexChanges out;
    std::optional<Stamp> since = ParseStamp(stamp);
    Result<std::string> now_text = IndexStamp();
    if (!now_text.ok()) return now_text.status();
    std::optional<Stamp> now = ParseStamp(*now_text);
    if (!since || !now || since->store != now->store || since->log > now->log) {
      out.complete = false;  // another database, or another form of stamp
      return out;
    }
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "SELECT upto FROM index_changes_pruned WHERE tenant_id = ?"));
    q->Bind(1, tenant);
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    int64_t pruned = *row ? q->Int(0) : 0;
    q->Reset();
    if (since->log < pruned) {
      out.complete = false;
      return out;
    }
    auto ids = [&](const char* sql, int64_t after, std::vector<int64_t>* into) -> Status {
      Stmt* s;
      FL_RETURN_IF_ERROR(Get(&s, sql));
      s->Bind(1, after).Bind(2, tenant);
      return Rows(s, [&](const Stmt& r) { into->push_back(r.Int(0)); });
    };
    FL_RETURN_IF_ERROR(ids("SELECT id FROM people WHERE id > ? AND tenant_id = ?", since->people, &out.people));
    FL_RETURN_IF_ERROR(
        ids("SELECT person_id FROM basis_records WHERE id > ? AND tenant_id = ?", since->bases, &out.people));
    FL_RETURN_IF_ERROR(
        ids("SELECT person_id FROM purchases WHERE id > ? AND tenant_id = ?", since->purchases, &out.people));
    FL_RETURN_IF_ERROR(ids("SELECT id FROM accounts WHERE id > ? AND tenant_id = ?", since->accounts, &out.accounts));
    FL_RETURN_IF_ERROR(Get(&q, "SELECT kind, ref FROM index_changes WHERE tenant_id = ? AND seq > ?"));
    q->Bind(1, tenant).Bind(2, since->log);
    FL_RETURN_IF_ERROR(Rows(q, [&](const Stmt& r) {
      std::string kind = r.Text(0);
      if (kind == "person") out.people.push_back(r.Int(1));
      else if (kind == "account") out.accounts.push_back(r.Int(1));
      else out.suppression = true;
    }));
    for (std::vector<int64_t>* v : {&out.people, &out.accounts}) {
      std::sort(v->begin(), v->end());
      v->erase(std::unique(v->begin(), v->end()), v->end());
    }
    return out;
  }

  Status PruneIndexChanges(int64_t tenant, std::string_view stamp) override {
    std::optional<Stamp> upto = ParseStamp(stamp);
    if (!upto) return Status::Invalid("not an index stamp of this store: " + std::string(stamp));
    return InTransaction([&]() -> Status {
      Stmt* q;
      FL_RETURN_IF_ERROR(Get(&q, "DELETE FROM index_changes WHERE tenant_id = ? AND seq <= ?"));
      FL_RETURN_IF_ERROR(q->Bind(1, tenant).Bind(2, upto->log).Run());
      FL_RETURN_IF_ERROR(Get(&q, "INSERT INTO index_changes_pruned VALUES (?, ?) "
                                 "ON CONFLICT (tenant_id) DO UPDATE SET upto = MAX(upto, excluded.upto)"));
      return q->Bind(1, tenant).Bind(2, upto->log).Run();
    });
  }

  Result<std::vector<int64_t>> PeopleOfAccount(int64_t tenant, int64_t account_id) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "SELECT id FROM people WHERE tenant_id = ? AND account_id = ? ORDER BY id"));
    q->Bind(1, tenant).Bind(2, account_id);
    std::vector<int64_t> out;
    for (;;) {
      Result<bool> r = q->Step();
      if (!r.ok()) return r.status();
      if (!*r) break;
      out.push_back(q->Int(0));
    }
    q->Reset();
    return out;
  }

  Status AddBasisRecord(int64_t tenant, int64_t person, BasisRecord* b) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "INSERT INTO basis_records (tenant_id, person_id, basis, status, scopes, channels, "
                               "channels_given, at, confirmed_at, expires_at, evidence) VALUES (?,?,?,?,?,?,?,?,?,?,?)"));
    FL_RETURN_IF_ERROR(q->Bind(1, tenant).Bind(2, person).Bind(3, Name(b->basis)).Bind(4, Name(b->status))
                           .Bind(5, JoinList(b->scopes)).Bind(6, int64_t{b->channels}).Bind(7, int64_t{b->channels_given})
                           .Bind(8, b->at).Bind(9, b->confirmed_at).Bind(10, b->expires_at).Bind(11, b->evidence).Run());
    b->id = sqlite3_last_insert_rowid(db_);
    return Status::Ok();
  }

  Status AddPurchase(int64_t tenant, int64_t person, const Purchase& p) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "INSERT INTO purchases (tenant_id, person_id, family, kind, at) VALUES (?,?,?,?,?)"));
    return q->Bind(1, tenant).Bind(2, person).Bind(3, p.family).Bind(4, Name(p.kind)).Bind(5, p.at).Run();
  }

  Status AddSuppression(int64_t tenant, const SuppressionEntry& e) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "INSERT OR IGNORE INTO suppression (tenant_id, list, key, added_at) VALUES (?,?,?,?)"));
    return q->Bind(1, tenant).Bind(2, e.list).BindBlob(3, e.key.data(), static_cast<int>(e.key.size()))
        .Bind(4, e.added_at).Run();
  }

  Result<std::vector<SuppressionEntry>> LoadSuppression(int64_t tenant) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "SELECT list, key, added_at FROM suppression WHERE tenant_id = ?"));
    q->Bind(1, tenant);
    std::vector<SuppressionEntry> out;
    for (;;) {
      Result<bool> r = q->Step();
      if (!r.ok()) return r.status();
      if (!*r) break;
      SuppressionEntry e;
      e.list = q->Text(0);
      std::string_view blob = q->Blob(1);
      if (blob.size() != e.key.size()) return Status::Io("suppression: a stored key is not 32 bytes (corrupt database?)");
      std::copy(blob.begin(), blob.end(), e.key.begin());
      e.added_at = q->Int(2);
      out.push_back(std::move(e));
    }
    q->Reset();
    return out;
  }

  Status AddEvent(int64_t tenant, const ActivityEvent& e) override {
    if (depth_ == 0) return InTransaction([&] { return AddEvent(tenant, e); });
    EventRecord r;
    r.at = e.at;
    r.account_id = e.account_id;
    r.person_id = e.person_id;
    Result<uint16_t> topic = EventNameId(tenant, EventNameKind::kTopic, e.topic);
    if (!topic.ok()) return topic.status();
    Result<uint16_t> vendor = EventNameId(tenant, EventNameKind::kVendor, e.vendor);
    if (!vendor.ok()) return vendor.status();
    r.topic = *topic;
    r.vendor = *vendor;
    r.stage = static_cast<uint8_t>(e.stage);
    r.action = static_cast<uint8_t>(e.action);
    r.senior = e.senior ? 1 : 0;
    return AddEventRecord(tenant, r);
  }

  Status AddEventRecord(int64_t tenant, const EventRecord& r) override {
    if (depth_ == 0) return InTransaction([&] { return AddEventRecord(tenant, r); });
    Pending& p = pending_events_[tenant];
    p.buffer.push_back(r);
    p.buffer.back().marker = EventRecord::kMarker;
    if (p.buffer.size() >= kEventBatch) return WritePending(tenant, p);
    return Status::Ok();
  }

  Result<std::vector<std::string>> EventNames(int64_t tenant, EventNameKind kind) override {
    Result<EventNameSets*> names = Names(tenant);
    if (!names.ok()) return names.status();
    return kind == EventNameKind::kTopic ? (*names)->topics : (*names)->vendors;
  }

  Status ForEachEventBatch(int64_t tenant, int64_t first,
                           const std::function<Status(const EventRecord*, size_t)>& fn) override {
    Result<uint64_t> committed = CommittedEventBytes(tenant);
    if (!committed.ok()) return committed.status();
    Result<EventNameSets*> names = Names(tenant);
    if (!names.ok()) return names.status();
    const size_t topics = (*names)->topics.size(), vendors = (*names)->vendors.size();
    const std::string path = EventLogPath(tenant);
    uint64_t from = std::min(*committed, static_cast<uint64_t>(std::max<int64_t>(first, 0)) * sizeof(EventRecord));
    uint64_t at = from;
    return ReadEventLogBatches(path, from, *committed, [&](const EventRecord* r, size_t n) -> Status {
      for (size_t i = 0; i < n; ++i)
        if (r[i].topic >= topics || r[i].vendor >= vendors || r[i].stage > 2 || r[i].action > 3)
          return Status::Io(path + ": the record at byte " + std::to_string(at + i * sizeof(EventRecord)) +
                            " names a topic, vendor, stage or action that does not exist");
      at += n * sizeof(EventRecord);
      return fn(r, n);
    });
  }

  Status ForEachEvent(int64_t tenant, Time since, const std::function<void(const ActivityEvent&)>& fn) override {
    Result<EventNameSets*> names = Names(tenant);
    if (!names.ok()) return names.status();
    const EventNameSets& n = **names;
    ActivityEvent e;
    return ForEachEventBatch(tenant, 0, [&](const EventRecord* records, size_t count) {
      for (size_t i = 0; i < count; ++i) {
        const EventRecord& r = records[i];
        if (r.at < since) continue;
        e.at = r.at;
        e.account_id = r.account_id;
        e.person_id = r.person_id;
        e.topic = n.topics[r.topic];
        e.vendor = n.vendors[r.vendor];
        e.stage = static_cast<EventStage>(r.stage);
        e.action = static_cast<EventAction>(r.action);
        e.senior = r.senior != 0;
        fn(e);
      }
      return Status::Ok();
    });
  }

  Result<int64_t> CountEvents(int64_t tenant) override {
    Result<uint64_t> committed = CommittedEventBytes(tenant);
    if (!committed.ok()) return committed.status();
    return static_cast<int64_t>(*committed / sizeof(EventRecord));
  }

  Status PutList(int64_t tenant, const ListInfo& l, const std::vector<int64_t>& members) override {
    return InTransaction([&]() -> Status {
      Stmt* q;
      FL_RETURN_IF_ERROR(Get(&q, "INSERT INTO lists (tenant_id, name, is_static, filter, topic, created_at) VALUES "
                                 "(?,?,?,?,?,?) ON CONFLICT (tenant_id, name) DO UPDATE SET is_static = excluded.is_static, "
                                 "filter = excluded.filter, topic = excluded.topic, created_at = excluded.created_at"));
      FL_RETURN_IF_ERROR(q->Bind(1, tenant).Bind(2, l.name).Bind(3, int64_t{l.is_static}).Bind(4, l.filter)
                             .Bind(5, l.topic).Bind(6, l.created_at).Run());
      FL_RETURN_IF_ERROR(Get(&q, "DELETE FROM list_members WHERE tenant_id = ? AND list = ?"));
      FL_RETURN_IF_ERROR(q->Bind(1, tenant).Bind(2, l.name).Run());
      FL_RETURN_IF_ERROR(Get(&q, "INSERT INTO list_members (tenant_id, list, person_id) VALUES (?,?,?)"));
      for (int64_t id : members) FL_RETURN_IF_ERROR(q->Bind(1, tenant).Bind(2, l.name).Bind(3, id).Run());
      return Status::Ok();
    });
  }

  Result<std::vector<ListInfo>> ListLists(int64_t tenant) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "SELECT l.name, l.is_static, l.filter, l.topic, l.created_at, "
                               "(SELECT COUNT(*) FROM list_members m WHERE m.tenant_id = l.tenant_id AND m.list = l.name), "
                               "(SELECT group_concat(user, char(31)) FROM list_assignments a WHERE a.tenant_id = "
                               "l.tenant_id AND a.list = l.name) FROM lists l WHERE l.tenant_id = ? ORDER BY l.name"));
    q->Bind(1, tenant);
    std::vector<ListInfo> out;
    FL_RETURN_IF_ERROR(Rows(q, [&](const Stmt& r) {
      ListInfo l{r.Text(0), r.Int(1) != 0, r.Text(2), r.Text(3), r.Int(4), r.Int(5), {}};
      std::string users = r.Text(6);
      for (size_t start = 0; start < users.size();) {
        size_t end = users.find('\x1f', start);
        if (end == std::string::npos) end = users.size();
        l.assigned.push_back(users.substr(start, end - start));
        start = end + 1;
      }
      out.push_back(std::move(l));
    }));
    return out;
  }

  Result<ListInfo> GetList(int64_t tenant, std::string_view name) override {
    Result<std::vector<ListInfo>> all = ListLists(tenant);
    if (!all.ok()) return all.status();
    for (ListInfo& l : *all)
      if (l.name == name) return std::move(l);
    return Status::NotFound("no list named '" + std::string(name) + "' (see `fairlead list show`)");
  }

  Result<std::vector<int64_t>> ListMembers(int64_t tenant, std::string_view name) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "SELECT person_id FROM list_members WHERE tenant_id = ? AND list = ? ORDER BY person_id"));
    q->Bind(1, tenant).Bind(2, name);
    std::vector<int64_t> out;
    FL_RETURN_IF_ERROR(Rows(q, [&](const Stmt& r) { out.push_back(r.Int(0)); }));
    return out;
  }

  Status AssignList(int64_t tenant, std::string_view name, std::string_view user) override {
    Result<ListInfo> l = GetList(tenant, name);
    if (!l.ok()) return l.status();
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "INSERT OR IGNORE INTO list_assignments (tenant_id, list, user) VALUES (?,?,?)"));
    return q->Bind(1, tenant).Bind(2, name).Bind(3, user).Run();
  }

  Status UnassignList(int64_t tenant, std::string_view name, std::string_view user) override {
    Result<ListInfo> l = GetList(tenant, name);
    if (!l.ok()) return l.status();
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "DELETE FROM list_assignments WHERE tenant_id = ? AND list = ? AND user = ?"));
    FL_RETURN_IF_ERROR(q->Bind(1, tenant).Bind(2, name).Bind(3, user).Run());
    if (sqlite3_changes(db_) == 0)
      return Status::NotFound("list '" + std::string(name) + "' is not assigned to " + std::string(user));
    return Status::Ok();
  }

  Status DeleteList(int64_t tenant, std::string_view name) override {
    Result<ListInfo> l = GetList(tenant, name);
    if (!l.ok()) return l.status();
    return InTransaction([&]() -> Status {
      for (const char* sql : {"DELETE FROM list_members WHERE tenant_id = ? AND list = ?",
                              "DELETE FROM list_assignments WHERE tenant_id = ? AND list = ?",
                              "DELETE FROM lists WHERE tenant_id = ? AND name = ?"}) {
        Stmt* q;
        FL_RETURN_IF_ERROR(Get(&q, sql));
        FL_RETURN_IF_ERROR(q->Bind(1, tenant).Bind(2, name).Run());
      }
      return Status::Ok();
    });
  }

  Status PutSaved(int64_t tenant, const SavedItem& i) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "INSERT OR REPLACE INTO saved (tenant_id, user, kind, key, filter, topic, saved_at, state) "
                               "VALUES (?,?,?,?,?,?,?,?)"));
    return q->Bind(1, tenant).Bind(2, i.user).Bind(3, i.kind).Bind(4, i.key).Bind(5, i.filter).Bind(6, i.topic)
        .Bind(7, i.saved_at).Bind(8, i.state).Run();
  }

  Result<std::vector<SavedItem>> ListSaved(int64_t tenant, std::string_view user) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "SELECT user, kind, key, filter, topic, saved_at, state FROM saved WHERE tenant_id = ? "
                               "AND (user = ? OR ? = '') ORDER BY user, kind, key"));
    q->Bind(1, tenant).Bind(2, user).Bind(3, user);
    std::vector<SavedItem> out;
    FL_RETURN_IF_ERROR(Rows(q, [&](const Stmt& r) {
      out.push_back({r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Int(5), r.Text(6)});
    }));
    return out;
  }

  Status RemoveSaved(int64_t tenant, std::string_view user, std::string_view kind, std::string_view key) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "DELETE FROM saved WHERE tenant_id = ? AND user = ? AND kind = ? AND key = ?"));
    FL_RETURN_IF_ERROR(q->Bind(1, tenant).Bind(2, user).Bind(3, kind).Bind(4, key).Run());
    if (sqlite3_changes(db_) == 0)
      return Status::NotFound("nothing saved as " + std::string(kind) + " '" + std::string(key) + "'");
    return Status::Ok();
  }

  Status AddFeed(int64_t tenant, FeedEntry* e) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "INSERT INTO feed (tenant_id, user, at, kind, body, read) VALUES (?,?,?,?,?,0)"));
    FL_RETURN_IF_ERROR(q->Bind(1, tenant).Bind(2, e->user).Bind(3, e->at).Bind(4, e->kind).Bind(5, e->body).Run());
    e->id = sqlite3_last_insert_rowid(db_);
    return Status::Ok();
  }

  Result<std::vector<FeedEntry>> ListFeed(int64_t tenant, std::string_view user, bool unread_only) override {
    return Feed(tenant, user, unread_only, 0);
  }

  Result<std::vector<FeedEntry>> FeedAfter(int64_t tenant, std::string_view user, int64_t after_id) override {
    return Feed(tenant, user, false, after_id);
  }

  // A user's feed entries past `after_id`, all or only the unread ones, in order.
  Result<std::vector<FeedEntry>> Feed(int64_t tenant, std::string_view user, bool unread_only, int64_t after_id) {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "SELECT id, user, at, kind, body, read FROM feed WHERE tenant_id = ? AND user = ? "
                               "AND (read = 0 OR ? = 0) AND id > ? ORDER BY id"));
    q->Bind(1, tenant).Bind(2, user).Bind(3, int64_t{unread_only}).Bind(4, after_id);
    std::vector<FeedEntry> out;
    FL_RETURN_IF_ERROR(Rows(q, [&](const Stmt& r) {
      out.push_back({r.Int(0), r.Text(1), r.Int(2), r.Text(3), r.Text(4), r.Int(5) != 0});
    }));
    return out;
  }

  Status MarkFeedRead(int64_t tenant, std::string_view user) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "UPDATE feed SET read = 1 WHERE tenant_id = ? AND user = ? AND read = 0"));
    return q->Bind(1, tenant).Bind(2, user).Run();
  }

  Result<int64_t> LastFeedId(int64_t tenant, std::string_view user) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "SELECT coalesce(max(id), 0) FROM feed WHERE tenant_id = ? AND user = ?"));
    q->Bind(1, tenant).Bind(2, user);
    int64_t last = 0;
    FL_RETURN_IF_ERROR(Rows(q, [&](const Stmt& r) { last = r.Int(0); }));
    return last;
  }

  Status AddAlertDestination(int64_t tenant, AlertDestination* d) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "INSERT INTO alert_destinations (tenant_id, user, kind, address, role, region, "
                               "transfer_mechanism, us_certified, delivered_through, created_at, last_attempt_at, "
                               "last_error) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"));
    FL_RETURN_IF_ERROR(q->Bind(1, tenant).Bind(2, d->user).Bind(3, d->kind).Bind(4, d->address)
                           .Bind(5, Name(d->role)).Bind(6, d->destination.region)
                           .Bind(7, Name(d->destination.transfer_mechanism))
                           .Bind(8, int64_t{d->destination.us_certified}).Bind(9, d->delivered_through)
                           .Bind(10, d->created_at).Bind(11, d->last_attempt_at).Bind(12, d->last_error).Run());
    d->id = sqlite3_last_insert_rowid(db_);
    return Status::Ok();
  }

  Result<std::vector<AlertDestination>> ListAlertDestinations(int64_t tenant, std::string_view user) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "SELECT id, user, kind, address, role, region, transfer_mechanism, us_certified, "
                               "delivered_through, created_at, last_attempt_at, last_error FROM alert_destinations "
                               "WHERE tenant_id = ? AND (user = ? OR ? = '') ORDER BY user, id"));
    q->Bind(1, tenant).Bind(2, user).Bind(3, user);
    std::vector<AlertDestination> out;
    Status bad = Status::Ok();
    FL_RETURN_IF_ERROR(Rows(q, [&](const Stmt& r) {
      AlertDestination d;
      d.id = r.Int(0);
      d.user = r.Text(1);
      d.kind = r.Text(2);
      d.address = r.Text(3);
      if (!Parse(r.Text(4), &d.role) || !Parse(r.Text(6), &d.destination.transfer_mechanism))
        bad = Status::Internal("alert destination " + std::to_string(d.id) + ": damaged role or transfer mechanism");
      d.destination.name = d.kind + " " + d.address;
      d.destination.region = r.Text(5);
      d.destination.us_certified = r.Int(7) != 0;
      d.delivered_through = r.Int(8);
      d.created_at = r.Int(9);
      d.last_attempt_at = r.Int(10);
      d.last_error = r.Text(11);
      out.push_back(std::move(d));
    }));
    if (!bad.ok()) return bad;
    return out;
  }

  Status RemoveAlertDestination(int64_t tenant, int64_t id) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "DELETE FROM alert_destinations WHERE tenant_id = ? AND id = ?"));
    FL_RETURN_IF_ERROR(q->Bind(1, tenant).Bind(2, id).Run());
    if (sqlite3_changes(db_) == 0) return Status::NotFound("no alert destination " + std::to_string(id));
    return Status::Ok();
  }

  Status RecordAlertAttempt(int64_t tenant, int64_t id, int64_t delivered_through, Time at,
                            std::string_view error) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "UPDATE alert_destinations SET delivered_through = max(delivered_through, ?), "
                               "last_attempt_at = ?, last_error = ? WHERE tenant_id = ? AND id = ?"));
    FL_RETURN_IF_ERROR(q->Bind(1, delivered_through).Bind(2, at).Bind(3, error).Bind(4, tenant).Bind(5, id).Run());
    if (sqlite3_changes(db_) == 0) return Status::NotFound("no alert destination " + std::to_string(id));
    return Status::Ok();
  }

  Result<std::optional<Time>> FileImportedAt(int64_t tenant, std::string_view kind, std::string_view digest) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "SELECT imported_at FROM imported_files WHERE tenant_id = ? AND kind = ? AND digest = ?"));
    q->Bind(1, tenant).Bind(2, kind).Bind(3, digest);
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    std::optional<Time> at;
    if (*row) at = q->Int(0);
    q->Reset();
    return at;
  }

  Status RecordFileImport(int64_t tenant, std::string_view kind, std::string_view digest, Time at) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "INSERT INTO imported_files (tenant_id, kind, digest, imported_at) VALUES (?,?,?,?) "
                               "ON CONFLICT (tenant_id, kind, digest) DO UPDATE SET imported_at = excluded.imported_at"));
    return q->Bind(1, tenant).Bind(2, kind).Bind(3, digest).Bind(4, at).Run();
  }

  Status RecordRulesVersion(int64_t tenant, const RulesVersion& v, std::string_view text) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "INSERT INTO rules_versions (tenant_id, version, sha256, loaded_at, body) VALUES (?,?,?,?,?)"));
    return q->Bind(1, tenant).Bind(2, v.version).Bind(3, v.sha256).Bind(4, v.loaded_at).Bind(5, text).Run();
  }

  Result<std::vector<RulesVersion>> ListRulesVersions(int64_t tenant) override {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "SELECT version, sha256, loaded_at FROM rules_versions WHERE tenant_id = ? ORDER BY id"));
    q->Bind(1, tenant);
    std::vector<RulesVersion> out;
    for (;;) {
      Result<bool> r = q->Step();
      if (!r.ok()) return r.status();
      if (!*r) break;
      out.push_back({q->Text(0), q->Text(1), q->Int(2)});
    }
    q->Reset();
    return out;
  }

 private:
  Status Get(Stmt** out, const char* sql) {
    auto it = stmts_.find(sql);
    if (it == stmts_.end()) {
      auto stmt = std::make_unique<Stmt>();
      FL_RETURN_IF_ERROR(stmt->Prepare(db_, sql));
      it = stmts_.emplace(sql, std::move(stmt)).first;
    }
    *out = it->second.get();
    // A statement left mid-result by an early return would ignore new bindings: always start clean.
    (*out)->Reset();
    return Status::Ok();
  }

  Result<std::optional<int64_t>> FindId(const char* sql, int64_t tenant, std::string_view key) {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, sql));
    q->Bind(1, tenant).Bind(2, key);
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    std::optional<int64_t> id;
    if (*row) id = q->Int(0);
    q->Reset();
    return id;
  }

  // Events: the names of topics (kind 0) and vendors (kind 1) per tenant, as ids.
  struct EventNameSets {
    std::vector<std::string> topics, vendors;
    absl::flat_hash_map<std::string, uint16_t> topic_ids, vendor_ids;  // found by string_view
  };

  std::string EventLogPath(int64_t tenant) const { return events_dir_ + "/" + std::to_string(tenant) + ".log"; }

  Result<EventNameSets*> Names(int64_t tenant) {
    auto it = names_.find(tenant);
    if (it != names_.end()) return it->second.get();
    auto n = std::make_unique<EventNameSets>();
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "SELECT kind, name, id FROM event_names WHERE tenant_id = ? ORDER BY kind, id"));
    q->Bind(1, tenant);
    for (;;) {
      Result<bool> row = q->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      auto& list = q->Int(0) == 0 ? n->topics : n->vendors;
      auto& ids = q->Int(0) == 0 ? n->topic_ids : n->vendor_ids;
      if (q->Int(2) != static_cast<int64_t>(list.size())) {
        q->Reset();
        return Status::Io("event_names: ids of tenant " + std::to_string(tenant) + " are not dense");
      }
      ids.emplace(q->Text(1), static_cast<uint16_t>(list.size()));
      list.push_back(q->Text(1));
    }
    q->Reset();
    return names_.emplace(tenant, std::move(n)).first->second.get();
  }

  // The id of a topic or vendor name, added (inside the open transaction) when new.
  Result<uint16_t> EventNameId(int64_t tenant, EventNameKind kind, std::string_view name) override {
    if (depth_ == 0) {
      Result<uint16_t> id = Status::Internal("unset");
      FL_RETURN_IF_ERROR(InTransaction([&] {
        id = EventNameId(tenant, kind, name);
        return id.status();
      }));
      return id;
    }
    Result<EventNameSets*> names = Names(tenant);
    if (!names.ok()) return names.status();
    const bool topic = kind == EventNameKind::kTopic;
    auto& list = topic ? (*names)->topics : (*names)->vendors;
    auto& ids = topic ? (*names)->topic_ids : (*names)->vendor_ids;
    auto it = ids.find(absl::string_view(name.data(), name.size()));
    if (it != ids.end()) return it->second;
    if (list.size() > UINT16_MAX)
      return Status::Invalid(std::string("more than 65536 distinct ") + (topic ? "topics" : "vendors") + "; '" +
                             std::string(name) + "' cannot be added");
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "INSERT INTO event_names (tenant_id, kind, name, id) VALUES (?, ?, ?, ?)"));
    auto id = static_cast<uint16_t>(list.size());
    FL_RETURN_IF_ERROR(
        q->Bind(1, tenant).Bind(2, int64_t{static_cast<int>(kind)}).Bind(3, std::string(name)).Bind(4, int64_t{id}).Run());
    ids.emplace(std::string(name), id);
    list.emplace_back(name);
    return id;
  }

  // `fn` in a transaction (nested inside an open one, as Begin/Commit count):
  // committed when it succeeds, rolled back when not.
  Status InTransaction(const std::function<Status()>& fn) {
    FL_RETURN_IF_ERROR(Begin());
    Status s = fn();
    if (!s.ok()) {
      Rollback();
      return s;
    }
    return Commit();
  }

  Result<uint64_t> CommittedEventBytes(int64_t tenant) {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "SELECT committed_bytes FROM event_logs WHERE tenant_id = ?"));
    q->Bind(1, tenant);
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    uint64_t n = *row ? static_cast<uint64_t>(q->Int(0)) : 0;
    q->Reset();
    return n;
  }

  // A transaction's events: written to the log as they come (past the committed
  // length, so not yet part of it), made durable and committed in Commit().
  struct Pending {
    std::vector<EventRecord> buffer;
    std::unique_ptr<EventLogWriter> writer;
  };
  static constexpr size_t kEventBatch = 32768;  // 1 MiB

  Status WritePending(int64_t tenant, Pending& p) {
    if (!p.writer) {
      Result<uint64_t> committed = CommittedEventBytes(tenant);
      if (!committed.ok()) return committed.status();
      if (::mkdir(events_dir_.c_str(), 0700) != 0 && errno != EEXIST)
        return Status::Io(events_dir_ + ": cannot create the event log directory: " + std::strerror(errno));
      Result<std::unique_ptr<EventLogWriter>> w = EventLogWriter::Open(EventLogPath(tenant), *committed);
      if (!w.ok()) return w.status();
      p.writer = std::move(*w);
    }
    FL_RETURN_IF_ERROR(p.writer->Write(p.buffer.data(), p.buffer.size()));
    p.buffer.clear();
    return Status::Ok();
  }

  // Inside the outermost transaction, before COMMIT: each tenant's events are made
  // durable in its log, and the log's new length goes into the transaction.
  Status FlushEvents() {
    for (auto& [tenant, p] : pending_events_) {
      if (!p.buffer.empty()) FL_RETURN_IF_ERROR(WritePending(tenant, p));
      if (!p.writer) continue;
      FL_RETURN_IF_ERROR(p.writer->Sync());
      Stmt* q;
      FL_RETURN_IF_ERROR(Get(&q, "INSERT INTO event_logs (tenant_id, committed_bytes) VALUES (?, ?) "
                                 "ON CONFLICT (tenant_id) DO UPDATE SET committed_bytes = excluded.committed_bytes"));
      FL_RETURN_IF_ERROR(q->Bind(1, tenant).Bind(2, static_cast<int64_t>(p.writer->end())).Run());
    }
    pending_events_.clear();
    return Status::Ok();
  }

  // Names added in a rolled-back transaction are gone from the database: forget the
  // cache. Written events are cut back off the logs.
  void DropPendingEvents() {
    for (auto& [tenant, p] : pending_events_)
      if (p.writer) p.writer->Discard();
    pending_events_.clear();
    names_.clear();
  }

  // Databases from before migration 5 kept events in a table: move them to the logs.
  Status MoveEventsToLog() {
    Stmt* q;
    FL_RETURN_IF_ERROR(Get(&q, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'events'"));
    Result<bool> row = q->Step();
    if (!row.ok()) return row.status();
    bool exists = q->Int(0) > 0;
    q->Reset();
    if (!exists) return Status::Ok();
    Status s = InTransaction([&]() -> Status {
      Stmt old;
      FL_RETURN_IF_ERROR(old.Prepare(db_, "SELECT tenant_id, account_id, COALESCE(person_id, 0), topic, vendor, stage, "
                                          "action, at, senior FROM events ORDER BY id"));
      for (;;) {
        Result<bool> r = old.Step();
        if (!r.ok()) return r.status();
        if (!*r) break;
        ActivityEvent e;
        e.account_id = old.Int(1);
        e.person_id = old.Int(2);
        e.topic = old.Text(3);
        e.vendor = old.Text(4);
        Parse(old.Text(5), &e.stage);
        Parse(old.Text(6), &e.action);
        e.at = old.Int(7);
        e.senior = old.Int(8) != 0;
        FL_RETURN_IF_ERROR(AddEvent(old.Int(0), e));
      }
      return Exec("DROP TABLE events");
    });
    return s.ok() ? s : s.WithContext("moving events to the event log: ");
  }

  sqlite3* db_ = nullptr;
  std::string events_dir_;
  std::unordered_map<int64_t, Pending> pending_events_;
  std::unordered_map<int64_t, std::unique_ptr<EventNameSets>> names_;
  int depth_ = 0;
  std::map<const char*, std::unique_ptr<Stmt>> stmts_;  // keyed by the literal's address
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path) {
  // No memory statistics: with them every SQLite allocation takes a global mutex (an
  // import allocates for every bound value and row). Settable only before SQLite
  // initialises; where something initialised it first, it stays on (SQLITE_MISUSE).
  static const int no_memstatus = [] { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }();
  (void)no_memstatus;
  auto store = std::make_unique<SqliteStore>();
  FL_RETURN_IF_ERROR(store->Open(path));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace fairlead
