#include "ingest/importer.h"

#include <absl/container/flat_hash_map.h>
#include <absl/strings/match.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <future>
#include <map>
#include <unordered_map>

#include "core/normalize.h"
#include "ingest/csv_reader.h"

namespace fairlead {

Result<Time> ParseLooseDate(std::string_view raw) {
  std::string_view s = Trim(raw);
  Result<Time> t = ParseTime(s);
  if (t.ok()) return t;
  static const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  int d = 0, y = 0, m = 0;
  char mon[4] = {0};
  std::string str(s);
  if (std::sscanf(str.c_str(), "%2d %3s %4d", &d, mon, &y) == 3) {
    std::string lower = AsciiLower(mon);
    for (int i = 0; i < 12; ++i)
      if (lower == kMonths[i]) m = i + 1;
  } else if (std::sscanf(str.c_str(), "%2d/%2d/%4d", &m, &d, &y) != 3) {
    m = 0;
  }
  if (m >= 1 && m <= 12 && y >= 1900) {
    char iso[32];
    std::snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
    Result<Time> r = ParseTime(iso);
    if (r.ok()) return r;
  }
  return Status::Invalid("not a date: '" + str.substr(0, 40) + "' (use 2024-01-05, 2024-01-05T10:00:00Z, "
                         "05 Jan 2024 or 1/5/2024)");
}

namespace {

Result<bool> ParseBool(std::string_view raw) {
  std::string s = AsciiLower(Trim(raw));
  if (s == "true" || s == "yes" || s == "y" || s == "1") return true;
  if (s == "false" || s == "no" || s == "n" || s == "0") return false;
  return Status::Invalid("'" + s + "' is not true/false/yes/no/1/0");
}

Result<Stage> ParseStage(std::string_view raw) {
  std::string s = HeaderKey(raw);
  Stage st;
  if (Parse(s, &st)) return st;
  if (s == "customer" || s == "evangelist") return Stage::kClient;
  if (s == "opportunity" || s == "salesqualifiedlead" || s == "sql" || s == "sales_qualified_lead")
    return Stage::kProspect;
  if (s == "lead" || s == "subscriber" || s == "marketingqualifiedlead" || s == "mql" || s == "other" ||
      s == "marketing_qualified_lead")
    return Stage::kSuspect;
  if (s == "former_customer" || s == "churned") return Stage::kFormerClient;
  return Status::Invalid("'" + std::string(raw) + "' is not a stage (" + Choices<Stage>() + ", or a HubSpot lifecycle stage)");
}

Result<std::string> ParseSeniority(std::string_view raw) {
  std::string s = HeaderKey(raw);
  static const std::map<std::string, std::string> kWords = {
      {"entry", "entry"}, {"junior", "entry"}, {"intern", "entry"}, {"senior", "senior"},
      {"manager", "manager"}, {"director", "director"}, {"head", "director"}, {"vp", "vp"},
      {"vice_president", "vp"}, {"cxo", "cxo"}, {"c_level", "cxo"}, {"c_suite", "cxo"}, {"owner", "cxo"}};
  auto it = kWords.find(s);
  if (it == kWords.end())
    return Status::Invalid("'" + std::string(raw) + "' is not a seniority (entry, senior, manager, director, vp, cxo)");
  return it->second;
}

}  // namespace

Result<std::string> NormalizeDomain(std::string_view raw) {
  std::string_view s = Trim(raw);
  auto starts = [&](std::string_view prefix) {  // absl's string_view is not std's in this build
    return absl::StartsWithIgnoreCase(absl::string_view(s.data(), s.size()),
                                      absl::string_view(prefix.data(), prefix.size()));
  };
  for (std::string_view scheme : {"https://", "http://"})
    if (starts(scheme)) s.remove_prefix(scheme.size());
  if (starts("www.")) s.remove_prefix(4);
  s = s.substr(0, s.find('/'));
  if (s.empty()) return Status::Invalid(raw.empty() ? "missing" : "'" + std::string(raw) + "' is not a domain");
  Result<std::string> host = NormalizeHostName(s);
  if (!host.ok()) return Status::Invalid("'" + std::string(raw) + "' is not a domain: " + host.status().message());
  return host;
}

namespace {

// A row's mapped fields (by column name) and the checks every kind of row shares.
// Problems go to Issue(): the report for the importer, the prepared row for the
// people preparer.
class RowFields {
 public:
  RowFields(const ImportContext& ctx, const ImportOptions& opt) : ctx_(ctx), opt_(opt) {}
  virtual ~RowFields() = default;

 protected:
  virtual void Issue(int64_t line, const std::string& field, const std::string& reason, bool skipped = false) = 0;

  // Collects the row's mapped fields; reports a wrong column count or bad UTF-8.
  bool Fields(const CsvRecord& rec) {
    if (rec.fields.size() != columns_.size()) {
      Issue(rec.line, "", "expected " + std::to_string(columns_.size()) + " columns, found " +
                              std::to_string(rec.fields.size()));
      return false;
    }
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (!rec.ascii && !IsValidUtf8(rec.fields[i])) {
        Issue(rec.line, columns_[i].empty() ? "column " + std::to_string(i + 1) : columns_[i],
              "not valid UTF-8 (column " + std::to_string(i + 1) + ")");
        return false;
      }
      // Stored text is shown in reports, exports and mails: no control characters (a
      // NUL, an escape). Line breaks inside a quoted field are text, a tab too.
      if (!rec.ascii) {
        std::string problem = ControlCharacterProblem(rec.fields[i], "\t\n\r");
        if (!problem.empty()) {
          problem.insert(problem.size() - 1, ", column " + std::to_string(i + 1));
          Issue(rec.line, columns_[i].empty() ? "column " + std::to_string(i + 1) : columns_[i], problem);
          return false;
        }
      }
      // Columns no field reads are not copied; a string's capacity is kept row to row.
      if (!columns_[i].empty()) values_[i].assign(Trim(rec.fields[i]));
    }
    return true;
  }
  // The header's fields, by column ("" for a column not read).
  void SetColumns(std::vector<std::string> columns) {
    columns_ = std::move(columns);
    values_.assign(columns_.size(), std::string());
    column_of_.clear();
    for (size_t i = 0; i < columns_.size(); ++i)
      if (!columns_[i].empty()) column_of_[columns_[i]] = i;  // MapHeaders gives a field one column at most
  }
  const std::string& V(std::string_view field) const {
    static const std::string kEmpty;
    auto it = column_of_.find(absl::string_view(field.data(), field.size()));
    return it == column_of_.end() ? kEmpty : values_[it->second];
  }
  bool Has(std::string_view field) const { return !V(field).empty(); }

  // Reports and returns false when `r` failed.
  template <typename T>
  bool Check(const Result<T>& r, int64_t line, const std::string& field) {
    if (r.ok()) return true;
    Issue(line, field, r.status().message());
    return false;
  }

  const ImportContext& ctx_;
  const ImportOptions& opt_;
  std::vector<std::string> columns_;
  std::vector<std::string> values_;                    // this row's, by column, trimmed
  absl::flat_hash_map<std::string, size_t> column_of_;  // field -> its column (found by string_view)
};

// One people row after Prepare: a Person ready to store, or the issue that ends it.
struct PreparedPerson {
  int64_t line = 0;
  std::optional<RowIssue> issue;
  Person p;
  std::vector<std::string> present;  // fields the row gave (they take this source)
  std::string domain, account_name;
  bool email_visibility = false;
};

class PeoplePreparer final : public RowFields {
 public:
  PeoplePreparer(const ImportContext& ctx, const ImportOptions& opt, std::vector<std::string> columns)
      : RowFields(ctx, opt) {
    SetColumns(std::move(columns));
  }

  // Fields to a Person, every check and the suppression test: no store access, so it
  // runs on the reading thread. The first problem of a row ends it (out->issue).
  void Prepare(const CsvRecord& rec, PreparedPerson* out) {
    out_ = out;
    out->line = rec.line;
    if (!Fields(rec)) return;
    int64_t line = rec.line;
    Person& p = out->p;
    std::vector<std::string>& present = out->present;
    Subject& s = p.subject;
    auto set = [&](const char* field) { present.push_back(field); };
    // Country first: the phone is read in it.
    std::string country = Has("country") ? V("country") : opt_.default_country;
    if (!country.empty()) {
      Result<std::string> c = NormalizeCountry(country);
      if (!Check(c, line, "country")) return;
      s.country = *c;
      set("country");
    }
    for (const char* field : {"email", "email2"}) {
      if (!Has(field)) continue;
      Result<std::string> e = NormalizeEmail(V(field));
      if (!Check(e, line, field)) return;
      if (std::none_of(s.emails.begin(), s.emails.end(), [&](const EmailAddress& x) { return x.address == *e; }))
        s.emails.push_back({*e, EmailTypeOf(*e), Visibility::kVisible});
    }
    if (Has("email_visibility")) {
      Visibility v;
      if (!Parse(AsciiLower(V("email_visibility")), &v)) {
        Issue(line, "email_visibility", "'" + V("email_visibility") + "' is not " + Choices<Visibility>());
        return;
      }
      for (EmailAddress& e : s.emails) e.visibility = v;
    }
    if (s.emails.empty() && !Has("person_ref")) {
      Issue(line, "email", "missing: a person needs an email or a person_ref");
      return;
    }
    if (Has("phone")) {
      Result<std::string> ph = NormalizePhone(V("phone"), s.country);
      if (!Check(ph, line, "phone")) return;
      p.phone = *ph;
      set("phone");
    }
    std::string first = V("first_name"), last = V("last_name");
    if (first.empty() && last.empty() && Has("full_name")) {
      std::string full = V("full_name");
      size_t sp = full.rfind(' ');
      first = sp == std::string::npos ? full : full.substr(0, sp);
      last = sp == std::string::npos ? "" : full.substr(sp + 1);
    }
    if (!first.empty()) {
      Result<std::string> n = NormalizeName(first);
      if (!Check(n, line, "first_name")) return;
      p.first_name = *n;
      set("first_name");
    }
    if (!last.empty()) {
      Result<std::string> n = NormalizeName(last);
      if (!Check(n, line, "last_name")) return;
      p.last_name = *n;
      set("last_name");
    }
    if (Has("title")) { p.title = V("title"); set("title"); }
    if (Has("seniority")) {
      Result<std::string> sn = ParseSeniority(V("seniority"));
      if (!Check(sn, line, "seniority")) return;
      p.seniority = *sn;
      set("seniority");
    }
    if (Has("function")) { s.function = AsciiLower(V("function")); set("function"); }
    if (Has("region")) { p.region = V("region"); set("region"); }
    s.recipient = opt_.default_recipient;
    if (Has("recipient")) {
      if (!Parse(AsciiLower(V("recipient")), &s.recipient)) {
        Issue(line, "recipient", "'" + V("recipient") + "' is not " + Choices<Recipient>());
        return;
      }
      set("recipient");
    }
    if (Has("stage")) {
      Result<Stage> st = ParseStage(V("stage"));
      if (!Check(st, line, "stage")) return;
      s.stage = *st;
      set("stage");
    }
    for (const char* field : {"collected_at", "transparency_notice_sent_at"}) {
      if (!Has(field)) continue;
      Result<Time> t = ParseLooseDate(V(field));
      if (!Check(t, line, field)) return;
      (std::string(field) == "collected_at" ? s.collected_at : s.transparency_notice_sent_at) = *t;
      set(field);
    }
    if (!s.collected_at) s.collected_at = opt_.now;
    if (Has("opt_out_offered")) {
      Result<bool> b = ParseBool(V("opt_out_offered"));
      if (!Check(b, line, "opt_out_offered")) return;
      s.opt_out_offered_at_collection = *b;
      set("opt_out_offered");
    }
    if (Has("person_ref")) { p.external_ref = V("person_ref"); set("person_ref"); }

    // Suppression before anything is stored.
    if (ctx_.suppression && ctx_.suppression->ContainsAny(*ctx_.hasher, s.emails, p.phone)) {
      Issue(line, "", "on a suppression list: not stored", true);
      return;
    }
    out->domain.clear();
    if (Has("account_domain") && !V("account_domain").empty()) {  // empty: the account is unknown
      Result<std::string> domain = NormalizeDomain(V("account_domain"));
      if (!Check(domain, line, "account_domain")) return;
      out->domain = std::move(*domain);
    }
    if (out->domain.empty() && Has("account_name") && !s.emails.empty())
      out->domain = s.emails[0].address.substr(s.emails[0].address.find('@') + 1);
    out->account_name = V("account_name");
    out->email_visibility = Has("email_visibility");
  }
 private:
  void Issue(int64_t line, const std::string& field, const std::string& reason, bool skipped = false) override {
    out_->issue = RowIssue{line, field, reason, skipped};
  }
  PreparedPerson* out_ = nullptr;
};

class Importer final : public RowFields {
 public:
  Importer(const ImportContext& ctx, const ImportOptions& opt) : RowFields(ctx, opt) {}

  Result<ImportReport> Run() {
    Result<std::unique_ptr<CsvReader>> reader = CsvReader::OpenFile(opt_.file);
    if (!reader.ok()) return reader.status();
    CsvReader& r = **reader;
    CsvRecord rec;
    Result<bool> first = r.Next(&rec);
    if (!first.ok()) return first.status();
    if (!*first) return Status::Invalid(opt_.file + ": empty file (expected a header line)");
    for (size_t i = 0; i < rec.fields.size(); ++i)
      if (!IsValidUtf8(rec.fields[i]))
        return Status::Invalid(opt_.file + ":" + std::to_string(rec.line) + ":" + std::to_string(i + 1) + ": header is not valid UTF-8");
    Result<std::vector<std::string>> mapped = MapHeaders(opt_.kind, rec.fields, opt_.file, rec.line);
    if (!mapped.ok()) return mapped.status();
    SetColumns(std::move(*mapped));

    FL_RETURN_IF_ERROR(ctx_.store->Begin());
    Status fatal = Body(r, &rec);
    if (!fatal.ok()) {
      ctx_.store->Rollback();
      return fatal;
    }
    bool commit = !opt_.dry_run && (report_.rejected == 0 || opt_.partial);
    if (commit) {
      Status s = ctx_.store->Commit();
      if (!s.ok()) {
        ctx_.store->Rollback();
        return s;
      }
      report_.committed = true;
      if (ctx_.suppression)
        for (const SuppressionKey& k : pending_keys_) ctx_.suppression->Add(k);
    } else {
      FL_RETURN_IF_ERROR(ctx_.store->Rollback());
    }
    return std::move(report_);
  }

 private:
  void Issue(int64_t line, const std::string& field, const std::string& reason, bool skipped = false) override {
    if (skipped) ++report_.suppressed;
    else ++report_.rejected;
    if (report_.issues.size() < ImportReport::kMaxIssues) report_.issues.push_back({line, field, reason, skipped});
  }
  // People: a second thread reads and prepares the next batch of rows (parsing and
  // normalisation: the CPU-heavy half, libphonenumber above all) while this one
  // stores the current batch, in file order. (Two preparing threads were slower:
  // libphonenumber's regex cache takes a lock per use.)
  Status PeopleBody(CsvReader& r) {
    struct Batch {
      std::vector<PreparedPerson> rows;
      uint64_t bytes_read = 0;
      bool end = false;
    };
    constexpr size_t kBatch = 2048;
    PeoplePreparer preparer(ctx_, opt_, columns_);
    // Each batch is freed on the next batch's preparing thread, not here: its strings
    // were allocated there, and freeing them here took this thread's time.
    auto read = [&r, &preparer](Batch spent) {
      { Batch freed = std::move(spent); }
      Batch b;
      CsvRecord rec;
      b.rows.reserve(kBatch);
      while (b.rows.size() < kBatch) {
        Result<bool> more = r.Next(&rec);
        if (!more.ok()) {
          b.rows.emplace_back().issue = RowIssue{0, "", more.status().message(), false};
          continue;
        }
        if (!*more) {
          b.end = true;
          break;
        }
        preparer.Prepare(rec, &b.rows.emplace_back());
      }
      b.bytes_read = r.bytes_read();
      return b;
    };
    std::future<Batch> next = std::async(std::launch::async, read, Batch());
    Batch spent;
    for (;;) {
      Batch b = next.get();
      if (!b.end) next = std::async(std::launch::async, read, std::move(spent));
      for (PreparedPerson& row : b.rows) {
        ++report_.rows;
        Status s = ApplyPerson(row);
        if (s.code() == Status::Code::kIo || s.code() == Status::Code::kInternal) return s;  // `next` joins
      }
      if (opt_.progress) opt_.progress(b.bytes_read, r.total_bytes());
      if (b.end) return Status::Ok();
      spent = std::move(b);
    }
  }

  Status Body(CsvReader& r, CsvRecord* rec) {
    if (opt_.kind == ImportKind::kPeople) {
      Provenance p;
      p.source = opt_.source.empty() ? opt_.file : opt_.source;
      p.basis = opt_.basis ? std::string(Name(*opt_.basis)) : "";
      p.notice = opt_.notice;
      p.collected_at = opt_.now;
      Result<int64_t> id = ctx_.store->AddSource(ctx_.tenant, p);
      if (!id.ok()) return id.status();
      source_id_ = *id;
      return PeopleBody(r);
    }
    for (;;) {
      Result<bool> more = r.Next(rec);
      if (!more.ok()) {
        ++report_.rows;
        Issue(0, "", more.status().message());
        continue;
      }
      if (!*more) break;
      ++report_.rows;
      if (opt_.progress && (report_.rows & 4095) == 0) opt_.progress(r.bytes_read(), r.total_bytes());
      Status s = Row(*rec);
      if (s.code() == Status::Code::kIo || s.code() == Status::Code::kInternal) return s;
    }
    if (opt_.progress) opt_.progress(r.bytes_read(), r.total_bytes());
    return Status::Ok();
  }



  Status Row(const CsvRecord& rec) {
    if (!Fields(rec)) return Status::Ok();
    switch (opt_.kind) {
      case ImportKind::kPeople: return Status::Internal("people rows go through PeopleBody");
      case ImportKind::kAccounts: return AccountRow(rec.line);
      case ImportKind::kBases: return BasisRow(rec.line);
      case ImportKind::kPurchases: return PurchaseRow(rec.line);
      case ImportKind::kSuppression: return SuppressionRow(rec.line);
      case ImportKind::kEvents: return Status::Invalid("events are imported by intent/events_import");
    }
    return Status::Ok();
  }

  Result<int64_t> AccountFor(const std::string& domain, const std::string& name) {
    auto it = accounts_.find(absl::string_view(domain.data(), domain.size()));
    if (it != accounts_.end()) return it->second;
    if (name.empty()) {  // nothing to add to a known account: a lookup, not a row rewrite
      Result<std::optional<int64_t>> known = ctx_.store->FindAccount(ctx_.tenant, domain);
      if (!known.ok()) return known.status();
      if (*known) return accounts_.emplace(domain, **known).first->second;
    }
    Account a;
    a.domain = domain;
    a.name = name;
    Result<int64_t> id = ctx_.store->UpsertAccount(ctx_.tenant, a);
    if (id.ok()) accounts_.emplace(domain, *id);
    return id;
  }

  // The store half of a prepared people row, in file order on the importing thread.
  Status ApplyPerson(PreparedPerson& prepared) {
    if (prepared.issue) {
      Issue(prepared.issue->line, prepared.issue->field, prepared.issue->reason, prepared.issue->skipped);
      return Status::Ok();
    }
    int64_t line = prepared.line;
    Person& p = prepared.p;
    Subject& s = p.subject;
    const std::vector<std::string>& present = prepared.present;
    const std::string& domain = prepared.domain;
    if (!domain.empty()) {
      Result<int64_t> acc = AccountFor(domain, prepared.account_name);
      if (!acc.ok()) return acc.status();
      p.account_id = *acc;
      prepared.present.push_back("account");
    }

    // Deduplicate: the emails, then the external ref, identify an existing person.
    std::optional<int64_t> existing;
    for (const EmailAddress& e : s.emails) {
      Result<std::optional<int64_t>> id = ctx_.store->FindPersonByEmail(ctx_.tenant, e.address);
      if (!id.ok()) return id.status();
      if (*id && existing && **id != *existing) {
        Issue(line, "email", "the addresses of this row belong to two different people (#" +
                                 std::to_string(*existing) + " and #" + std::to_string(**id) + "); merge them first");
        return Status::Ok();
      }
      if (*id) existing = *id;
    }
    if (!existing && !p.external_ref.empty()) {
      Result<std::optional<int64_t>> id = ctx_.store->FindPersonByRef(ctx_.tenant, p.external_ref);
      if (!id.ok()) return id.status();
      existing = *id;
    }
    int64_t person_id;
    if (existing) {
      Result<Person> old = ctx_.store->GetPerson(ctx_.tenant, *existing);
      if (!old.ok()) return old.status();
      Person merged = Merge(std::move(*old), p, present, prepared.email_visibility);
      FL_RETURN_IF_ERROR(ctx_.store->UpdatePerson(ctx_.tenant, merged));
      person_id = *existing;
      ++report_.merged;
    } else {
      p.field_sources = {{"*", source_id_}};
      Result<int64_t> id = ctx_.store->InsertPerson(ctx_.tenant, p);
      if (!id.ok()) return id.status();
      person_id = *id;
      ++report_.inserted;
    }
    if (opt_.basis && !opt_.purpose.empty()) {
      BasisRecord b;
      b.basis = *opt_.basis;
      b.status = BasisStatus::kGranted;
      b.scopes = {opt_.purpose};
      b.channels = opt_.channels;
      b.channels_given = true;
      b.at = s.collected_at.value_or(opt_.now);
      b.evidence = nlohmann::json{{"source", opt_.source.empty() ? opt_.file : opt_.source},
                                  {"notice_version", opt_.notice}, {"line", line}}.dump();
      FL_RETURN_IF_ERROR(ctx_.store->AddBasisRecord(ctx_.tenant, person_id, &b));
    }
    return Status::Ok();
  }

  // Fields present in the row replace the stored ones and take this source.
  Person Merge(Person old, const Person& p, const std::vector<std::string>& present, bool email_visibility) {
    auto mark = [&](const std::string& field) {
      auto it = std::find_if(old.field_sources.begin(), old.field_sources.end(),
                             [&](const auto& fs) { return fs.first == field; });
      if (it != old.field_sources.end()) it->second = source_id_;
      else old.field_sources.emplace_back(field, source_id_);
    };
    for (const std::string& f : present) {
      bool changed = true;
      if (f == "first_name") { changed = old.first_name != p.first_name; old.first_name = p.first_name; }
      else if (f == "last_name") { changed = old.last_name != p.last_name; old.last_name = p.last_name; }
      else if (f == "phone") { changed = old.phone != p.phone; old.phone = p.phone; }
      else if (f == "title") { changed = old.title != p.title; old.title = p.title; }
      else if (f == "seniority") { changed = old.seniority != p.seniority; old.seniority = p.seniority; }
      else if (f == "function") { changed = old.subject.function != p.subject.function; old.subject.function = p.subject.function; }
      else if (f == "region") { changed = old.region != p.region; old.region = p.region; }
      else if (f == "country") { changed = old.subject.country != p.subject.country; old.subject.country = p.subject.country; }
      else if (f == "recipient") { changed = old.subject.recipient != p.subject.recipient; old.subject.recipient = p.subject.recipient; }
      else if (f == "stage") { changed = old.subject.stage != p.subject.stage; old.subject.stage = p.subject.stage; }
      else if (f == "collected_at") {
        // Keep the newest collection time: retention counts from it.
        changed = !old.subject.collected_at || *p.subject.collected_at > *old.subject.collected_at;
        if (changed) old.subject.collected_at = p.subject.collected_at;
      }
      else if (f == "transparency_notice_sent_at") { old.subject.transparency_notice_sent_at = p.subject.transparency_notice_sent_at; }
      else if (f == "opt_out_offered") { old.subject.opt_out_offered_at_collection = p.subject.opt_out_offered_at_collection; }
      else if (f == "person_ref") { changed = old.external_ref != p.external_ref; old.external_ref = p.external_ref; }
      else if (f == "account") { changed = old.account_id != p.account_id; old.account_id = p.account_id; }
      if (changed) mark(f);
    }
    for (const EmailAddress& e : p.subject.emails) {
      auto it = std::find_if(old.subject.emails.begin(), old.subject.emails.end(),
                             [&](const EmailAddress& x) { return x.address == e.address; });
      if (it == old.subject.emails.end()) {
        old.subject.emails.push_back(e);
        mark("email:" + e.address);
      } else if (email_visibility) {
        it->visibility = e.visibility;
      }
    }
    return old;
  }

  Status AccountRow(int64_t line) {
    Account a;
    Result<std::string> domain = NormalizeDomain(V("domain"));
    if (!Check(domain, line, "domain")) return Status::Ok();
    a.domain = std::move(*domain);
    a.name = V("name");
    a.industry = V("industry");
    a.employee_band = V("employee_band");
    a.revenue_band = V("revenue_band");
    if (Has("hq_country")) {
      Result<std::string> c = NormalizeCountry(V("hq_country"));
      if (!Check(c, line, "hq_country")) return Status::Ok();
      a.hq_country = *c;
    }
    std::string tech = V("technologies");
    for (size_t start = 0; start < tech.size();) {
      size_t end = tech.find(';', start);
      if (end == std::string::npos) end = tech.size();
      std::string t = AsciiLower(Trim(std::string_view(tech).substr(start, end - start)));
      if (!t.empty()) a.technologies.push_back(t);
      start = end + 1;
    }
    Result<std::optional<int64_t>> existing = ctx_.store->FindAccount(ctx_.tenant, a.domain);
    if (!existing.ok()) return existing.status();
    Result<int64_t> id = ctx_.store->UpsertAccount(ctx_.tenant, a);
    if (!id.ok()) return id.status();
    ++(*existing ? report_.merged : report_.inserted);
    return Status::Ok();
  }

  Result<int64_t> PersonByEmail(int64_t line, bool* reported) {
    Result<std::string> e = NormalizeEmail(V("email"));
    if (!e.ok()) {
      Issue(line, "email", e.status().message());
      *reported = true;
      return Status::Invalid("");
    }
    Result<std::optional<int64_t>> id = ctx_.store->FindPersonByEmail(ctx_.tenant, *e);
    if (!id.ok()) return id.status();
    if (!*id && ctx_.suppression && ctx_.suppression->Contains(ctx_.hasher->Key(SuppressionKind::kEmail, *e))) {
      Issue(line, "email", "on a suppression list: the person is not stored", true);
      *reported = true;
      return Status::Invalid("");
    }
    if (!*id) {
      Issue(line, "email", "no person with this address (import the people first)");
      *reported = true;
      return Status::Invalid("");
    }
    return **id;
  }

  Status BasisRow(int64_t line) {
    BasisRecord b;
    if (!Parse(AsciiLower(V("basis")), &b.basis)) {
      Issue(line, "basis", "'" + V("basis") + "' is not one of " + Choices<LawfulBasis>());
      return Status::Ok();
    }
    if (!Parse(AsciiLower(V("status")), &b.status)) {
      Issue(line, "status", "'" + V("status") + "' is not one of " + Choices<BasisStatus>());
      return Status::Ok();
    }
    std::string scope = V("scope");
    for (size_t start = 0; start < scope.size();) {
      size_t end = scope.find(';', start);
      if (end == std::string::npos) end = scope.size();
      std::string one(Trim(std::string_view(scope).substr(start, end - start)));
      if (!one.empty()) b.scopes.push_back(one);
      start = end + 1;
    }
    if (b.scopes.empty()) {
      Issue(line, "scope", "missing: a basis record covers a purpose");
      return Status::Ok();
    }
    std::string channels = V("channels");
    b.channels_given = !channels.empty();
    for (size_t start = 0; start < channels.size();) {
      size_t end = channels.find(';', start);
      if (end == std::string::npos) end = channels.size();
      std::string one = AsciiLower(Trim(std::string_view(channels).substr(start, end - start)));
      Channel c;
      if (!Parse(one, &c)) {
        Issue(line, "channels", "'" + one + "' is not one of " + Choices<Channel>());
        return Status::Ok();
      }
      b.channels |= ChannelBit(c);
      start = end + 1;
    }
    Result<Time> at = ParseLooseDate(V("at"));
    if (!Check(at, line, "at")) return Status::Ok();
    b.at = *at;
    for (const char* field : {"confirmed_at", "expires_at"}) {
      if (!Has(field)) continue;
      Result<Time> t = ParseLooseDate(V(field));
      if (!Check(t, line, field)) return Status::Ok();
      (std::string(field) == "confirmed_at" ? b.confirmed_at : b.expires_at) = *t;
    }
    b.evidence = nlohmann::json{{"source", Has("source") ? V("source") : (opt_.source.empty() ? opt_.file : opt_.source)},
                                {"notice_version", Has("notice_version") ? V("notice_version") : opt_.notice},
                                {"line", line}}.dump();
    bool reported = false;
    Result<int64_t> person = PersonByEmail(line, &reported);
    if (!person.ok()) return reported ? Status::Ok() : person.status();
    FL_RETURN_IF_ERROR(ctx_.store->AddBasisRecord(ctx_.tenant, *person, &b));
    ++report_.inserted;
    return Status::Ok();
  }

  Status PurchaseRow(int64_t line) {
    Purchase p;
    p.family = V("family");
    if (Trim(p.family).empty()) {
      // A purchase in no product line could never be "in the purpose's family".
      Issue(line, "family", "missing (the product line of the purchase, as purposes name it)");
      return Status::Ok();
    }
    if (!Parse(AsciiLower(V("kind")), &p.kind)) {
      Issue(line, "kind", "'" + V("kind") + "' is not one of " + Choices<PurchaseKind>());
      return Status::Ok();
    }
    Result<Time> at = ParseLooseDate(V("at"));
    if (!Check(at, line, "at")) return Status::Ok();
    p.at = *at;
    bool reported = false;
    Result<int64_t> person = PersonByEmail(line, &reported);
    if (!person.ok()) return reported ? Status::Ok() : person.status();
    FL_RETURN_IF_ERROR(ctx_.store->AddPurchase(ctx_.tenant, *person, p));
    ++report_.inserted;
    return Status::Ok();
  }

  Status SuppressionRow(int64_t line) {
    std::vector<SuppressionKey> keys;
    if (Has("email")) {
      Result<std::string> e = NormalizeEmail(V("email"));
      if (!Check(e, line, "email")) return Status::Ok();
      keys.push_back(ctx_.hasher->Key(SuppressionKind::kEmail, *e));
    }
    if (Has("phone")) {
      std::string country = Has("country") ? V("country") : opt_.default_country;
      Result<std::string> ph = NormalizePhone(V("phone"), country);
      if (!Check(ph, line, "phone")) return Status::Ok();
      keys.push_back(ctx_.hasher->Key(SuppressionKind::kPhone, *ph));
    }
    if (keys.empty()) {
      Issue(line, "", "neither an email nor a phone");
      return Status::Ok();
    }
    for (const SuppressionKey& k : keys) {
      FL_RETURN_IF_ERROR(ctx_.store->AddSuppression(ctx_.tenant, {opt_.suppression_list, k, opt_.now}));
      pending_keys_.push_back(k);
    }
    ++report_.inserted;
    return Status::Ok();
  }

  absl::flat_hash_map<std::string, int64_t> accounts_;  // by domain: found without chasing a node
  std::vector<SuppressionKey> pending_keys_;
  int64_t source_id_ = 0;
  ImportReport report_;
};

}  // namespace

Result<ImportReport> RunImport(const ImportContext& ctx, const ImportOptions& options) {
  if (options.kind == ImportKind::kSuppression && options.suppression_list.empty())
    return Status::Invalid("a suppression import needs a list name (--list)");
  return Importer(ctx, options).Run();
}

}  // namespace fairlead
