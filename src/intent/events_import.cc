#include "intent/events_import.h"

#include <absl/container/flat_hash_map.h>
#include <nlohmann/json.hpp>

#include <array>
#include <fstream>
#include <iostream>
#include <unordered_map>

#include "core/fingerprint.h"
#include "core/normalize.h"
#include "ingest/csv_reader.h"
#include "ingest/file_digest.h"
#include "intent/intent.h"
#include "policy/decide.h"

namespace fairlead {

bool IsSeniorSeniority(std::string_view s) { return s == "director" || s == "vp" || s == "cxo"; }

namespace {

// Reads people from the store as events name them (a bounded cache) and decides.
class StoreTrackResolver final : public TrackResolver {
 public:
  explicit StoreTrackResolver(const EventImportContext& ctx) : ctx_(ctx) {}

  Result<std::optional<int64_t>> FindPerson(const std::string& email) override {
    auto it = ids_.find(email);
    if (it != ids_.end()) return it->second;
    Result<std::optional<int64_t>> id = ctx_.store->FindPersonByEmail(ctx_.tenant, email);
    if (!id.ok()) return id.status();
    if (ids_.size() >= kMaxCachedAddresses) ids_.clear();
    ids_.emplace(email, *id);
    return *id;
  }

  void SetPurpose(const Purpose& purpose) override { purpose_ = purpose; }

  Result<TrackAnswer> Track(int64_t person_id, Time at) override {
    auto it = people_.find(person_id);
    if (it == people_.end()) {
      if (people_.size() >= kMaxCachedPeople) people_.clear();
      Result<Person> p = ctx_.store->GetPerson(ctx_.tenant, person_id);
      if (!p.ok()) return p.status();
      bool suppressed = ctx_.suppression && ctx_.suppression->ContainsAny(*ctx_.hasher, p->subject.emails, p->phone);
      it = people_.emplace(person_id, Cached{std::move(*p), suppressed}).first;
    }
    DecisionRequest req;
    req.subject = &it->second.person.subject;
    req.purpose = &purpose_;
    req.action = Action::kTrack;
    req.role = Role::kAdmin;
    req.tenant = ctx_.settings;
    req.suppressed = it->second.suppressed;
    req.at = at;
    Result<Decision> d = Decide(*ctx_.rules, req);
    if (!d.ok()) return d.status();
    return TrackAnswer{d->allow, d->allow && IsSeniorSeniority(it->second.person.seniority)};
  }

 private:
  struct Cached {
    Person person;
    bool suppressed;
  };
  static constexpr size_t kMaxCachedPeople = 100000;
  static constexpr size_t kMaxCachedAddresses = 1000000;
  const EventImportContext& ctx_;
  Purpose purpose_;
  std::unordered_map<int64_t, Cached> people_;
  absl::flat_hash_map<std::string, std::optional<int64_t>> ids_;
};

// The columns of an event, in the order of kColumns.
enum Col { kTime, kDomain, kEmail, kTopic, kVendor, kStage, kAction, kCols };
constexpr const char* kColumns[kCols] = {"time", "account_domain", "person_email", "topic", "vendor", "stage", "action"};
using Values = std::array<std::string_view, kCols>;

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
    std::unique_ptr<TrackResolver> own;
    resolver_ = ctx_.resolver;
    if (!resolver_) {
      own = std::make_unique<StoreTrackResolver>(ctx_);
      resolver_ = own.get();
    }
    resolver_->SetPurpose(purpose_);
    // The same file imported again would count its events twice (events carry no id).
    // Standard input ("-") cannot be read twice, so it is not checked (no digest).
    std::string digest;
    if (opt_.file != "-") {
      Result<std::string> d = FileDigest(opt_.file);
      if (!d.ok()) return d.status();
      digest = std::move(*d);
      Result<std::optional<Time>> before = ctx_.store->FileImportedAt(ctx_.tenant, "events", digest);
      if (!before.ok()) return before.status();
      if (*before && !opt_.again)
        return Status::Conflict(opt_.file + ": this file (the same size and bytes) was imported at " +
                                FormatTime(**before) +
                                "; importing it again would count its events twice (give --again to import it anyway)");
    }
    bool jsonl = opt_.json_lines || EndsWith(opt_.file, ".jsonl") || EndsWith(opt_.file, ".ndjson") ||
                 EndsWith(opt_.file, ".json");
    FL_RETURN_IF_ERROR(ctx_.store->Begin());
    Status s = jsonl ? JsonLines() : Csv();
    if (!s.ok()) {
      ctx_.store->Rollback();
      return s;
    }
    if (!opt_.dry_run && (report_.rejected == 0 || opt_.partial)) {
      if (!digest.empty()) s = ctx_.store->RecordFileImport(ctx_.tenant, "events", digest, opt_.now ? opt_.now : Now());
      if (!s.ok()) {
        ctx_.store->Rollback();
        return s;
      }
      s = ctx_.store->Commit();
      if (!s.ok()) return s;  // the store rolled back
      report_.committed = true;
      if (ctx_.model) AddToModel();
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
    if (ctx_.model) model_events_.reserve((*reader)->total_bytes() / 48);  // an event line is 60-100 bytes
    std::array<int, kCols> at;  // column of each field, -1 when absent
    at.fill(-1);
    for (size_t i = 0; i < cols->size(); ++i)
      for (int c = 0; c < kCols; ++c)
        if ((*cols)[i] == kColumns[c]) at[c] = static_cast<int>(i);
    Values v;
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
      bool utf8 = true;
      for (size_t i = 0; i < cols->size() && utf8 && !rec.ascii; ++i) {
        if (IsValidUtf8(rec.fields[i])) continue;
        Issue(rec.line, (*cols)[i].empty() ? "column " + std::to_string(i + 1) : (*cols)[i], "not valid UTF-8");
        utf8 = false;
      }
      if (!utf8) continue;
      for (int c = 0; c < kCols; ++c) v[c] = at[c] < 0 ? std::string_view() : Trim(rec.fields[at[c]]);
      FL_RETURN_IF_ERROR(Row(rec.line, v));
    }
    if (opt_.progress) opt_.progress((*reader)->bytes_read(), (*reader)->total_bytes());
    return Status::Ok();
  }

  Status JsonLines() {
    std::ifstream file;
    if (opt_.file != "-") {
      file.open(opt_.file, std::ios::binary);
      if (!file) return Status::Io(opt_.file + ": cannot open");
    }
    std::istream& in = opt_.file == "-" ? std::cin : file;
    std::string line;
    int64_t n = 0;
    std::array<std::string, kCols> text;
    Values v;
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
      bool ok = true;
      for (int c = 0; c < kCols && ok; ++c) {
        text[c].clear();
        auto it = j.find(kColumns[c]);
        if (it == j.end() || it->is_null()) continue;
        if (!it->is_string()) {
          Issue(n, kColumns[c], "must be a string");
          ok = false;
          continue;
        }
        text[c] = std::string(Trim(it->get<std::string>()));
      }
      if (!ok) continue;
      for (int c = 0; c < kCols; ++c) v[c] = text[c];
      FL_RETURN_IF_ERROR(Row(n, v));
    }
    return Status::Ok();
  }

  // absl's maps look strings up by absl::string_view (not std's in this build).
  static absl::string_view Key(std::string_view s) { return {s.data(), s.size()}; }

  // A word of at most 15 bytes, lowered into `buf` without allocating (longer: empty).
  static std::string_view LowerWord(std::string_view w, char (&buf)[16]) {
    if (w.size() >= sizeof buf) return {};
    for (size_t i = 0; i < w.size(); ++i) buf[i] = (w[i] >= 'A' && w[i] <= 'Z') ? static_cast<char>(w[i] + 32) : w[i];
    return {buf, w.size()};
  }

  // A topic or vendor as written, lowered once; `local` numbers the lowered names
  // of this import (the model interns them when the import commits).
  struct Word {
    std::string lower;
    uint32_t local = 0;
  };
  struct Names {
    absl::flat_hash_map<std::string, Word> by_raw;
    std::vector<std::string> lowered;  // by local id
  };
  static const Word& NameOf(Names& names, std::string_view raw) {
    auto it = names.by_raw.find(Key(raw));
    if (it != names.by_raw.end()) return it->second;
    Word n{AsciiLower(raw), static_cast<uint32_t>(names.lowered.size())};
    names.lowered.push_back(n.lower);
    if (names.by_raw.size() >= kMaxNames) names.by_raw.clear();
    return names.by_raw.emplace(Key(raw), std::move(n)).first->second;
  }

  // The committed events into the model, with the model's ids for their names.
  void AddToModel() {
    std::vector<uint32_t> topic(topics_.lowered.size()), vendor(vendors_.lowered.size());
    for (size_t i = 0; i < topic.size(); ++i) topic[i] = ctx_.model->TopicId(topics_.lowered[i]);
    for (size_t i = 0; i < vendor.size(); ++i) vendor[i] = ctx_.model->VendorId(vendors_.lowered[i]);
    for (IntentEvent& e : model_events_) {
      e.topic = topic[e.topic];
      e.vendor = vendor[e.vendor];
    }
    ctx_.model->Add(model_events_);
  }

  Status Row(int64_t line, const Values& v) {
    Result<Time> at = ParseTime(v[kTime]);
    if (!at.ok()) {
      Issue(line, "time", v[kTime].empty() ? "missing" : at.status().message());
      return Status::Ok();
    }
    e_.at = *at;
    e_.person_id = 0;
    e_.senior = false;
    // The account: known from an earlier row, or checked now and found or created
    // once the whole row is known to be good.
    std::string domain;
    const Fingerprint domain_key = fingerprints_.Of(v[kDomain]);
    auto known = accounts_.find(domain_key);
    if (known == accounts_.end()) {
      domain = NormalizeDomain(v[kDomain]);
      if (domain.empty() || domain.find('.') == std::string::npos) {
        Issue(line, "account_domain", "'" + std::string(v[kDomain]) + "' is not a domain");
        return Status::Ok();
      }
    }
    if (v[kTopic].empty()) {
      Issue(line, "topic", "missing");
      return Status::Ok();
    }
    char word[16];
    if (!Parse(LowerWord(v[kStage], word), &e_.stage)) {
      Issue(line, "stage", "'" + std::string(v[kStage]) + "' is not one of early, mid or late");
      return Status::Ok();
    }
    if (!Parse(LowerWord(v[kAction], word), &e_.action)) {
      Issue(line, "action", "'" + std::string(v[kAction]) + "' is not one of view, download, webinar or pricing");
      return Status::Ok();
    }
    const Word& topic = NameOf(topics_, v[kTopic]);
    const Word& vendor = NameOf(vendors_, v[kVendor]);
    e_.topic = topic.lower;
    e_.vendor = vendor.lower;
    if (!v[kEmail].empty()) {
      // Whose address, remembered by the text as written (normalising and looking up
      // once per address, not once per event).
      const Fingerprint email_key = fingerprints_.Of(v[kEmail]);
      auto who = people_.find(email_key);
      if (who == people_.end()) {
        Result<std::string> email = NormalizeEmail(v[kEmail]);
        if (!email.ok()) {
          Issue(line, "person_email", email.status().message());
          return Status::Ok();
        }
        Result<std::optional<int64_t>> found = resolver_->FindPerson(*email);  // an unknown person is never created
        if (!found.ok()) return found.status();
        if (people_.size() >= kMaxCached) people_.clear();
        who = people_.emplace(email_key, found->value_or(0)).first;
      }
      if (who->second) {
        Result<TrackAnswer> t = resolver_->Track(who->second, e_.at);
        if (!t.ok()) return t.status();
        if (t->allow) {
          e_.person_id = who->second;
          e_.senior = t->senior;
        }
      }
      if (!e_.person_id) ++report_.anonymized;
    }
    if (known != accounts_.end()) {
      e_.account_id = known->second;
    } else {
      Result<int64_t> id = FindOrCreateAccount(domain);
      if (!id.ok()) return id.status();
      if (accounts_.size() >= kMaxCached) accounts_.clear();
      accounts_.emplace(domain_key, *id);
      e_.account_id = *id;
    }
    FL_RETURN_IF_ERROR(ctx_.store->AddEvent(ctx_.tenant, e_));
    ++report_.inserted;
    if (ctx_.model) {
      IntentEvent ie;
      ie.at = e_.at;
      ie.account_id = e_.account_id;
      ie.person_id = e_.person_id;
      ie.topic = topic.local;  // the model's id once committed (AddToModel)
      ie.vendor = vendor.local;
      ie.stage = e_.stage;
      ie.action = e_.action;
      ie.senior = e_.senior;
      model_events_.push_back(ie);
    }
    return Status::Ok();
  }

  Result<int64_t> FindOrCreateAccount(const std::string& domain) {
    Result<std::optional<int64_t>> found = ctx_.store->FindAccount(ctx_.tenant, domain);
    if (!found.ok()) return found.status();
    if (*found) return **found;
    fairlead::Account a;
    a.domain = domain;
    return ctx_.store->UpsertAccount(ctx_.tenant, a);
  }

  static constexpr size_t kMaxCached = 4'000'000;
  static constexpr size_t kMaxNames = 100'000;
  const EventImportContext& ctx_;
  const EventImportOptions& opt_;
  Purpose purpose_;
  TrackResolver* resolver_ = nullptr;
  ActivityEvent e_;
  // By the text as written in the file: the account of a domain, the person of an
  // address (0: nobody's), by the text's fingerprint (no string to chase per probe);
  // a topic's and a vendor's names (few).
  Fingerprinter fingerprints_;
  absl::flat_hash_map<Fingerprint, int64_t, FingerprintHash> accounts_;
  absl::flat_hash_map<Fingerprint, int64_t, FingerprintHash> people_;
  Names topics_, vendors_;
  std::vector<IntentEvent> model_events_;
  ImportReport report_;
};

}  // namespace

Result<ImportReport> ImportEvents(const EventImportContext& ctx, const EventImportOptions& options) {
  return EventImporter(ctx, options).Run();
}

}  // namespace fairlead
