#include "intent/events_import.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <unordered_map>

#include "core/normalize.h"
#include "ingest/csv_reader.h"
#include "policy/decide.h"

namespace fairlead {

bool IsSeniorSeniority(std::string_view s) { return s == "director" || s == "vp" || s == "cxo"; }

namespace {

class EventImporter {
 public:
  EventImporter(const EventImportContext& ctx, const EventImportOptions& opt) : ctx_(ctx), opt_(opt) {}

  Result<ImportReport> Run() {
    Result<Purpose> purpose = ctx_.store->GetPurpose(ctx_.tenant, opt_.analytics_purpose);
    if (!purpose.ok()) return purpose.status().WithContext("the analytics purpose events are tracked for: ");
    purpose_ = *purpose;
    if (purpose_.kind != PurposeKind::kAnalytics)
      return Status::Invalid("purpose '" + purpose_.id + "' is a " + std::string(Name(purpose_.kind)) +
                             " purpose; events are tracked for an analytics purpose");
    bool jsonl = opt_.json_lines || EndsWith(opt_.file, ".jsonl") || EndsWith(opt_.file, ".ndjson");
    FL_RETURN_IF_ERROR(ctx_.store->Begin());
    Status s = jsonl ? JsonLines() : Csv();
    if (!s.ok()) {
      ctx_.store->Rollback();
      return s;
    }
    if (!opt_.dry_run && (report_.rejected == 0 || opt_.partial)) {
      s = ctx_.store->Commit();
      if (!s.ok()) {
        ctx_.store->Rollback();
        return s;
      }
      report_.committed = true;
    } else {
      FL_RETURN_IF_ERROR(ctx_.store->Rollback());
    }
    return std::move(report_);
  }

 private:
  static bool EndsWith(const std::string& s, const char* suffix) {
    std::string_view x(suffix);
    return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
  }

  void Issue(int64_t line, const std::string& field, const std::string& reason) {
    ++report_.rejected;
    if (report_.issues.size() < ImportReport::kMaxIssues) report_.issues.push_back({line, field, reason, false});
  }

  Status Csv() {
    Result<std::unique_ptr<CsvReader>> reader = CsvReader::OpenFile(opt_.file);
    if (!reader.ok()) return reader.status();
    CsvRecord rec;
    Result<bool> first = (*reader)->Next(&rec);
    if (!first.ok()) return first.status();
    if (!*first) return Status::Invalid(opt_.file + ": empty file (expected a header line)");
    Result<std::vector<std::string>> cols = MapHeaders(ImportKind::kEvents, rec.fields, opt_.file);
    if (!cols.ok()) return cols.status();
    for (;;) {
      Result<bool> more = (*reader)->Next(&rec);
      if (!more.ok()) {
        ++report_.rows;
        Issue(0, "", more.status().message());
        continue;
      }
      if (!*more) break;
      ++report_.rows;
      if (opt_.progress && (report_.rows & 4095) == 0) opt_.progress((*reader)->bytes_read(), (*reader)->total_bytes());
      if (rec.fields.size() != cols->size()) {
        Issue(rec.line, "", "expected " + std::to_string(cols->size()) + " columns, found " +
                                std::to_string(rec.fields.size()));
        continue;
      }
      values_.clear();
      bool utf8 = true;
      for (size_t i = 0; i < cols->size(); ++i) {
        if (!IsValidUtf8(rec.fields[i])) {
          Issue(rec.line, (*cols)[i].empty() ? "column " + std::to_string(i + 1) : (*cols)[i], "not valid UTF-8");
          utf8 = false;
          break;
        }
        if (!(*cols)[i].empty()) values_[(*cols)[i]] = std::string(Trim(rec.fields[i]));
      }
      if (!utf8) continue;
      FL_RETURN_IF_ERROR(Row(rec.line));
    }
    if (opt_.progress) opt_.progress((*reader)->bytes_read(), (*reader)->total_bytes());
    return Status::Ok();
  }

  Status JsonLines() {
    std::ifstream in(opt_.file, std::ios::binary);
    if (!in) return Status::Io(opt_.file + ": cannot open");
    std::string line;
    int64_t n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (Trim(line).empty()) continue;
      ++report_.rows;
      if (line.size() > CsvReader::kDefaultMaxField) {
        Issue(n, "", "line longer than " + std::to_string(CsvReader::kDefaultMaxField) + " bytes");
        continue;
      }
      nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object()) {
        Issue(n, "", "not a JSON object");
        continue;
      }
      values_.clear();
      bool ok = true;
      for (const char* key : {"time", "account_domain", "person_email", "topic", "vendor", "stage", "action"}) {
        auto it = j.find(key);
        if (it == j.end() || it->is_null()) continue;
        if (!it->is_string()) {
          Issue(n, key, "must be a string");
          ok = false;
          break;
        }
        values_[key] = std::string(Trim(it->get<std::string>()));
      }
      if (ok) FL_RETURN_IF_ERROR(Row(n));
    }
    return Status::Ok();
  }

  const std::string& V(const char* key) const {
    static const std::string kEmpty;
    auto it = values_.find(key);
    return it == values_.end() ? kEmpty : it->second;
  }

  Status Row(int64_t line) {
    ActivityEvent e;
    Result<Time> at = ParseTime(V("time"));
    if (!at.ok()) {
      Issue(line, "time", V("time").empty() ? "missing" : at.status().message());
      return Status::Ok();
    }
    e.at = *at;
    std::string domain = NormalizeDomain(V("account_domain"));
    if (domain.empty() || domain.find('.') == std::string::npos) {
      Issue(line, "account_domain", "'" + V("account_domain") + "' is not a domain");
      return Status::Ok();
    }
    e.topic = AsciiLower(V("topic"));
    if (e.topic.empty()) {
      Issue(line, "topic", "missing");
      return Status::Ok();
    }
    e.vendor = AsciiLower(V("vendor"));
    if (!Parse(AsciiLower(V("stage")), &e.stage)) {
      Issue(line, "stage", "'" + V("stage") + "' is not one of early, mid or late");
      return Status::Ok();
    }
    if (!Parse(AsciiLower(V("action")), &e.action)) {
      Issue(line, "action", "'" + V("action") + "' is not one of view, download, webinar or pricing");
      return Status::Ok();
    }
    if (!V("person_email").empty()) {
      Result<std::string> email = NormalizeEmail(V("person_email"));
      if (!email.ok()) {
        Issue(line, "person_email", email.status().message());
        return Status::Ok();
      }
      FL_RETURN_IF_ERROR(Track(*email, &e));
      if (!e.person_id) ++report_.anonymized;
    }
    auto it = accounts_.find(domain);
    if (it == accounts_.end()) {
      Result<std::optional<int64_t>> found = ctx_.store->FindAccount(ctx_.tenant, domain);
      if (!found.ok()) return found.status();
      int64_t id;
      if (*found) {
        id = **found;
      } else {
        Account a;
        a.domain = domain;
        Result<int64_t> created = ctx_.store->UpsertAccount(ctx_.tenant, a);
        if (!created.ok()) return created.status();
        id = *created;
      }
      it = accounts_.emplace(domain, id).first;
    }
    e.account_id = it->second;
    FL_RETURN_IF_ERROR(ctx_.store->AddEvent(ctx_.tenant, e));
    ++report_.inserted;
    return Status::Ok();
  }

  // Sets the person on the event only where decide(track) allows it.
  Status Track(const std::string& email, ActivityEvent* e) {
    Result<std::optional<int64_t>> id = ctx_.store->FindPersonByEmail(ctx_.tenant, email);
    if (!id.ok()) return id.status();
    if (!*id) return Status::Ok();  // an unknown person is never created from an event
    auto it = people_.find(**id);
    if (it == people_.end()) {
      if (people_.size() >= kMaxCachedPeople) people_.clear();
      Result<Person> p = ctx_.store->GetPerson(ctx_.tenant, **id);
      if (!p.ok()) return p.status();
      bool suppressed = ctx_.suppression && ctx_.suppression->ContainsAny(*ctx_.hasher, p->subject.emails, p->phone);
      it = people_.emplace(**id, Cached{std::move(*p), suppressed}).first;
    }
    DecisionRequest req;
    req.subject = &it->second.person.subject;
    req.purpose = &purpose_;
    req.action = Action::kTrack;
    req.role = Role::kAdmin;
    req.tenant = ctx_.settings;
    req.suppressed = it->second.suppressed;
    req.at = e->at;
    Result<Decision> d = Decide(*ctx_.rules, req);
    if (!d.ok()) return d.status();
    if (d->allow) {
      e->person_id = **id;
      e->senior = IsSeniorSeniority(it->second.person.seniority);
    }
    return Status::Ok();
  }

  struct Cached {
    Person person;
    bool suppressed;
  };
  static constexpr size_t kMaxCachedPeople = 100000;

  const EventImportContext& ctx_;
  const EventImportOptions& opt_;
  Purpose purpose_;
  std::unordered_map<std::string, std::string> values_;
  std::unordered_map<std::string, int64_t> accounts_;
  std::unordered_map<int64_t, Cached> people_;
  ImportReport report_;
};

}  // namespace

Result<ImportReport> ImportEvents(const EventImportContext& ctx, const EventImportOptions& options) {
  return EventImporter(ctx, options).Run();
}

}  // namespace fairlead
