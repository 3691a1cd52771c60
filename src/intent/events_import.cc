#include "intent/events_import.h"

#include <absl/container/flat_hash_map.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <fstream>
#include <iostream>
#include <unordered_map>

#include "core/distinct_count.h"
#include "core/fingerprint.h"
#include "core/json_text.h"
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
        return Status::Conflict(opt_.file + ": a file with the same size and the same bytes where sampled was imported at " +
                                FormatTime(**before) +
                                "; importing it again would count its events twice (give --again to import it anyway)");
    }
    bool jsonl = opt_.json_lines || EndsWith(opt_.file, ".jsonl") || EndsWith(opt_.file, ".ndjson") ||
                 EndsWith(opt_.file, ".json");
    Result<int64_t> before_count = ctx_.store->CountEvents(ctx_.tenant);
    if (!before_count.ok()) return before_count.status();
    FL_RETURN_IF_ERROR(ctx_.store->Begin());
    Status s = jsonl ? JsonLines() : Csv();
    if (!s.ok()) {
      ctx_.store->Rollback();
      return s;
    }
    if (!opt_.dry_run && (report_.rejected == 0 || opt_.partial)) {
      // A file that added no event (only a header, or every row rejected under
      // --partial) is not remembered: importing it again counts nothing twice.
      if (!digest.empty() && report_.inserted > 0)
        s = ctx_.store->RecordFileImport(ctx_.tenant, "events", digest, opt_.now ? opt_.now : Now());
      if (!s.ok()) {
        ctx_.store->Rollback();
        return s;
      }
      s = ctx_.store->Commit();
      if (!s.ok()) return s;  // the store rolled back
      report_.committed = true;
      // The model learns the events as stored (read back from the log, not held twice).
      if (ctx_.model) {
        s = AddStoredEvents(*ctx_.store, ctx_.tenant, *before_count, ctx_.model, std::numeric_limits<Time>::max(),
                            pairs_.Estimate());
        if (!s.ok()) return s.WithContext("the events are stored, but the intent model could not read them back: ");
      }
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
    CsvRecord header;
    Result<bool> first = (*reader)->Next(&header);
    if (!first.ok()) return first.status();
    if (!*first) return Status::Invalid(opt_.file + ": empty file (expected a header line)");
    Result<std::vector<std::string>> cols = MapHeaders(ImportKind::kEvents, header.fields, opt_.file, header.line);
    if (!cols.ok()) return cols.status();
    std::array<int, kCols> at;  // column of each field, -1 when absent
    at.fill(-1);
    for (size_t i = 0; i < cols->size(); ++i)
      for (int c = 0; c < kCols; ++c)
        if ((*cols)[i] == kColumns[c]) at[c] = static_cast<int>(i);
    const bool tail_columns = at[kTopic] >= 0 && at[kVendor] == at[kTopic] + 1 && at[kStage] == at[kTopic] + 2 &&
                              at[kAction] == at[kTopic] + 3;
    // Rows go through Row() in blocks: the block's map entries are fetched from memory
    // together first (Prepare), so their cache misses overlap instead of queueing.
    // A rejected row first flushes the block, so issues stay in the order of lines.
    constexpr size_t kBlock = 64;
    std::vector<CsvLine> records(kBlock);
    std::vector<Prepared> block(kBlock);
    size_t pending = 0;
    auto flush = [&]() -> Status {
      for (size_t i = 0; i < pending; ++i) Prepare(&block[i]);
      warm_people_.clear();
      warm_addresses_.clear();
      for (size_t i = 0; i < pending; ++i) Warm(&block[i]);
      resolver_->Warm(warm_people_.data(), warm_people_.size());
      resolver_->WarmAddresses(warm_addresses_.data(), warm_addresses_.size());
      for (size_t i = 0; i < pending; ++i) FL_RETURN_IF_ERROR(Row(block[i]));
      pending = 0;
      return Status::Ok();
    };
    for (;;) {
      CsvLine& rec = records[pending];
      Result<bool> more = (*reader)->Next(&rec);
      if (!more.ok()) {
        FL_RETURN_IF_ERROR(flush());
        ++report_.rows;
        Issue(0, "", more.status().message());
        continue;
      }
      if (!*more) break;
      ++report_.rows;
      if (opt_.progress && (report_.rows & 4095) == 0) opt_.progress((*reader)->bytes_read(), (*reader)->total_bytes());
      if (rec.fields.size() != cols->size()) {
        FL_RETURN_IF_ERROR(flush());
        Issue(rec.line, "", "expected " + std::to_string(cols->size()) + " columns, found " +
                                std::to_string(rec.fields.size()));
        continue;
      }
      bool utf8 = true;
      for (size_t i = 0; i < cols->size() && utf8 && !rec.ascii; ++i) {
        if (IsValidUtf8(rec.fields[i])) continue;
        FL_RETURN_IF_ERROR(flush());
        Issue(rec.line, (*cols)[i].empty() ? "column " + std::to_string(i + 1) : (*cols)[i], "not valid UTF-8");
        utf8 = false;
      }
      if (!utf8) continue;
      Prepared& p = block[pending++];
      p.line = rec.line;
      for (int c = 0; c < kCols; ++c) p.v[c] = at[c] < 0 ? std::string_view() : Trim(rec.fields[at[c]]);
      // Topic, vendor, stage and action side by side on a plain line: their text as
      // written, commas included, names all four at once (see Tail).
      p.tail = {};
      if (tail_columns && rec.plain) {
        const std::string_view first = rec.fields[at[kTopic]], last = rec.fields[at[kAction]];
        p.tail = std::string_view(first.data(), static_cast<size_t>(last.data() + last.size() - first.data()));
      }
      if (pending == kBlock) FL_RETURN_IF_ERROR(flush());
    }
    FL_RETURN_IF_ERROR(flush());
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
    Prepared p;
    while (std::getline(in, line)) {
      ++n;
      if (Trim(line).empty()) continue;
      ++report_.rows;
      if (line.size() > CsvReader::kDefaultMaxField) {
        Issue(n, "", "line longer than " + std::to_string(CsvReader::kDefaultMaxField) + " bytes");
        continue;
      }
      nlohmann::json j;
      DuplicateKeyCheck keys;
      try {
        j = nlohmann::json::parse(line, keys.Callback());
      } catch (const nlohmann::json::parse_error& e) {
        Issue(n, "", "not JSON: " + JsonErrorDetail(e));
        continue;
      }
      if (!keys.duplicate().empty()) {  // which of the two is meant cannot be told
        const std::string field = FieldOfHeader(ImportKind::kEvents, keys.duplicate());
        Issue(n, field.empty() ? keys.duplicate() : field, "key '" + keys.duplicate() + "' is given twice");
        continue;
      }
      if (!j.is_object()) {
        Issue(n, "", std::string("not a JSON object (a JSON ") + j.type_name() + ")");
        continue;
      }
      // Keys name fields as a CSV header does ("email", "domain", "Buying Stage" ...);
      // keys that name no field are ignored, as extra columns are.
      bool ok = true;
      std::array<std::string, kCols> key_of;
      for (int c = 0; c < kCols; ++c) text[c].clear();
      for (auto it = j.begin(); it != j.end() && ok; ++it) {
        const std::string field = FieldOfHeader(ImportKind::kEvents, it.key());
        if (field.empty()) continue;
        const int c =
            static_cast<int>(std::find(std::begin(kColumns), std::end(kColumns), field) - std::begin(kColumns));
        if (!key_of[c].empty()) {
          Issue(n, field, "keys '" + key_of[c] + "' and '" + it.key() + "' both give it");
          ok = false;
          break;
        }
        key_of[c] = it.key();
        if (it->is_null()) continue;
        if (!it->is_string()) {
          Issue(n, field, std::string("must be a string, not a JSON ") + it->type_name());
          ok = false;
          break;
        }
        text[c] = std::string(Trim(it->get_ref<const std::string&>()));
      }
      if (!ok) continue;
      p.line = n;
      for (int c = 0; c < kCols; ++c) p.v[c] = text[c];
      Prepare(&p);
      FL_RETURN_IF_ERROR(Row(p));
    }
    return Status::Ok();
  }

  // nlohmann's parse error without its code, its column in the line first:
  // "column 2: syntax error while parsing object key - invalid literal; ...".
  static std::string JsonErrorDetail(const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    const size_t colon = what.find(": ", what.find("column"));
    return "column " + std::to_string(e.byte) + ": " + (colon == std::string::npos ? what : what.substr(colon + 2));
  }

  // absl's maps look strings up by absl::string_view (not std's in this build).
  static absl::string_view Key(std::string_view s) { return {s.data(), s.size()}; }

  // A word of at most 15 bytes, lowered into `buf` without allocating (longer: empty).
  static std::string_view LowerWord(std::string_view w, char (&buf)[16]) {
    if (w.size() >= sizeof buf) return {};
    for (size_t i = 0; i < w.size(); ++i) buf[i] = (w[i] >= 'A' && w[i] <= 'Z') ? static_cast<char>(w[i] + 32) : w[i];
    return {buf, w.size()};
  }

  // A topic's or vendor's store id by the text as written (lowered and looked up once).
  struct Names {
    Store::EventNameKind kind;
    absl::flat_hash_map<std::string, uint16_t> by_raw;
  };
  Result<uint16_t> NameOf(Names& names, std::string_view raw) {
    auto it = names.by_raw.find(Key(raw));
    if (it != names.by_raw.end()) return it->second;
    Result<uint16_t> id = ctx_.store->EventNameId(ctx_.tenant, names.kind, AsciiLower(raw));
    if (!id.ok()) return id.status();
    if (names.by_raw.size() >= kMaxNames) names.by_raw.clear();
    names.by_raw.emplace(Key(raw), *id);
    return *id;
  }

  // A row's fields (views into its record) and the keys of its domain and address as
  // written, with their map entries asked from memory.
  struct Prepared {
    int64_t line = 0;
    Values v;
    Fingerprint domain, email;
    bool normalized = false;  // `address` holds the email normalised (by Warm, for a new address)
    std::string address;
    std::string_view tail;  // topic to action as written, when side by side on a plain line
  };
  void Prepare(Prepared* p) {
    p->normalized = false;
    p->domain = fingerprints_.Of(p->v[kDomain]);
    accounts_.prefetch(p->domain);
    if (p->v[kEmail].empty()) return;
    p->email = fingerprints_.Of(p->v[kEmail]);
    people_.prefetch(p->email);
  }

  // Looks the row's keys up once, only to bring the matching slots into cache (the
  // prefetch reached only each probe's first line): independent lookups in a loop
  // overlap their misses. Row() looks up again, from cache (the block's own inserts
  // may have moved entries meanwhile).
  // An address not met before is normalised here, so the resolver can fetch its
  // person's rows with the block's other misses.
  void Warm(Prepared* p) {
    auto a = accounts_.find(p->domain);
    warm_ += a != accounts_.end() ? static_cast<uint64_t>(a->second) : 0;
    if (p->v[kEmail].empty()) return;
    auto w = people_.find(p->email);
    if (w != people_.end()) {
      if (w->second) warm_people_.push_back(w->second);
      return;
    }
    Result<std::string> email = NormalizeEmail(p->v[kEmail]);
    if (!email.ok()) return;  // Row() reports it
    p->address = std::move(*email);
    p->normalized = true;
    warm_addresses_.push_back(&p->address);
  }

  Status Row(const Prepared& p) {
    const int64_t line = p.line;
    const Values& v = p.v;
    Result<Time> at = ParseTime(v[kTime]);
    if (!at.ok()) {
      Issue(line, "time", v[kTime].empty() ? "missing" : at.status().message());
      return Status::Ok();
    }
    r_.at = *at;
    r_.person_id = 0;
    r_.senior = 0;
    // The account: known from an earlier row, or checked now and found or created
    // once the whole row is known to be good.
    std::string domain;
    const Fingerprint& domain_key = p.domain;
    auto known = accounts_.find(domain_key);
    if (known == accounts_.end()) {
      Result<std::string> normalized = NormalizeDomain(v[kDomain]);
      if (!normalized.ok()) {
        Issue(line, "account_domain", normalized.status().message());
        return Status::Ok();
      }
      domain = std::move(*normalized);
    }
    FL_RETURN_IF_ERROR(TailOf(p));
    if (!tail_ok_) return Status::Ok();  // reported
    if (!v[kEmail].empty()) {
      // Whose address, remembered by the text as written (normalising and looking up
      // once per address, not once per event).
      const Fingerprint& email_key = p.email;
      auto who = people_.find(email_key);
      if (who == people_.end()) {
        Result<std::string> email = p.normalized ? Result<std::string>(p.address) : NormalizeEmail(v[kEmail]);
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
        Result<TrackAnswer> t = resolver_->Track(who->second, r_.at);
        if (!t.ok()) return t.status();
        if (t->allow) {
          r_.person_id = who->second;
          r_.senior = t->senior ? 1 : 0;
        } else if (t->never) {
          who->second = 0;  // this import keeps their events at account level without asking again
        }
      }
      if (!r_.person_id) ++report_.anonymized;
    }
    if (known != accounts_.end()) {
      r_.account_id = known->second;
    } else {
      Result<int64_t> id = FindOrCreateAccount(domain);
      if (!id.ok()) return id.status();
      if (accounts_.size() >= kMaxCached) accounts_.clear();
      accounts_.emplace(domain_key, *id);
      r_.account_id = *id;
    }
    FL_RETURN_IF_ERROR(ctx_.store->AddEventRecord(ctx_.tenant, r_));
    pairs_.Add(static_cast<uint64_t>(r_.account_id) << 16 | r_.topic);
    ++report_.inserted;
    return Status::Ok();
  }

  // Topic, vendor, stage and action of a row into r_ (tail_ok_), or the first of them
  // that is bad reported (not tail_ok_). The four texts as written, side by side, are
  // looked up together: a file's few combinations are parsed and named once each.
  struct Tail {
    uint16_t topic, vendor;
    uint8_t stage, action;
  };
  Status TailOf(const Prepared& p) {
    tail_ok_ = false;
    if (!p.tail.empty()) {
      auto it = tails_.find(Key(p.tail));
      if (it != tails_.end()) {
        r_.topic = it->second.topic;
        r_.vendor = it->second.vendor;
        r_.stage = it->second.stage;
        r_.action = it->second.action;
        tail_ok_ = true;
        return Status::Ok();
      }
    }
    const Values& v = p.v;
    if (v[kTopic].empty()) {
      Issue(p.line, "topic", "missing");
      return Status::Ok();
    }
    char word[16];
    EventStage stage;
    EventAction action;
    if (!Parse(LowerWord(v[kStage], word), &stage)) {
      Issue(p.line, "stage",
            v[kStage].empty() ? "missing (one of early, mid or late)"
                              : "'" + std::string(v[kStage]) + "' is not one of early, mid or late");
      return Status::Ok();
    }
    if (!Parse(LowerWord(v[kAction], word), &action)) {
      Issue(p.line, "action",
            v[kAction].empty() ? "missing (one of view, download, webinar or pricing)"
                               : "'" + std::string(v[kAction]) + "' is not one of view, download, webinar or pricing");
      return Status::Ok();
    }
    // Topics and vendors are names shown in every report: no control characters.
    for (int col : {kTopic, kVendor}) {
      std::string problem = ControlCharacterProblem(v[col]);
      if (!problem.empty()) {
        Issue(p.line, kColumns[col], problem);
        return Status::Ok();
      }
    }
    r_.stage = static_cast<uint8_t>(stage);
    r_.action = static_cast<uint8_t>(action);
    Result<uint16_t> topic = NameOf(topics_, v[kTopic]);
    if (!topic.ok()) return topic.status();
    Result<uint16_t> vendor = NameOf(vendors_, v[kVendor]);
    if (!vendor.ok()) return vendor.status();
    r_.topic = *topic;
    r_.vendor = *vendor;
    tail_ok_ = true;
    if (!p.tail.empty()) {
      if (tails_.size() >= kMaxNames) tails_.clear();
      tails_.emplace(Key(p.tail), Tail{r_.topic, r_.vendor, r_.stage, r_.action});
    }
    return Status::Ok();
  }

  Result<int64_t> FindOrCreateAccount(const std::string& domain) {
    if (std::optional<int64_t> known = resolver_->KnownAccount(domain)) return *known;
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
  EventRecord r_;
  DistinctCounter pairs_;  // (account, topic) of the stored events: how many states the model will gain at most
  // By the text as written in the file: the account of a domain, the person of an
  // address (0: nobody's), by the text's fingerprint (no string to chase per probe);
  // a topic's and a vendor's names (few).
  Fingerprinter fingerprints_;
  absl::flat_hash_map<Fingerprint, int64_t, FingerprintHash> accounts_;
  absl::flat_hash_map<Fingerprint, int64_t, FingerprintHash> people_;
  Names topics_{Store::EventNameKind::kTopic, {}}, vendors_{Store::EventNameKind::kVendor, {}};
  absl::flat_hash_map<std::string, Tail> tails_;  // by the four texts as written
  bool tail_ok_ = false;
  ImportReport report_;
  uint64_t warm_ = 0;  // Warm()'s lookups feed it, so they are not optimised away
  std::vector<int64_t> warm_people_;  // the block's known people, for the resolver's Warm()
  std::vector<const std::string*> warm_addresses_;  // the block's new addresses, for WarmAddresses()
};

}  // namespace

Result<ImportReport> ImportEvents(const EventImportContext& ctx, const EventImportOptions& options) {
  return EventImporter(ctx, options).Run();
}

Status AddStoredEvents(Store& store, int64_t tenant, int64_t first, IntentModel* model, Time upto,
                       uint64_t distinct_pairs) {
  // The store's name ids to the model's (every name, so any record maps).
  Result<std::vector<std::string>> topics = store.EventNames(tenant, Store::EventNameKind::kTopic);
  if (!topics.ok()) return topics.status();
  Result<std::vector<std::string>> vendors = store.EventNames(tenant, Store::EventNameKind::kVendor);
  if (!vendors.ok()) return vendors.status();
  std::vector<uint32_t> topic, vendor;
  for (const std::string& n : *topics) topic.push_back(model->TopicId(n));
  for (const std::string& n : *vendors) vendor.push_back(model->VendorId(n));
  // The model takes the events in batches of the size it prefers (large once it adds
  // them grouped by where its states lie: see IntentModel::Add), gathered from the
  // store's smaller ones.
  std::vector<IntentEvent> batch;
  size_t kept = 0;
  if (distinct_pairs) model->ReserveFor(distinct_pairs);
  Status read = store.ForEachEventBatch(tenant, first, [&](const EventRecord* r, size_t n) {
    const size_t want = model->PreferredBatch();
    if (batch.size() < kept + n) batch.resize(std::max(kept + n, std::min(want, 2 * batch.size())));
    for (size_t i = 0; i < n; ++i) {
      if (r[i].at > upto) continue;
      IntentEvent& e = batch[kept++];
      e.at = r[i].at;
      e.account_id = r[i].account_id;
      e.person_id = r[i].person_id;
      e.topic = topic[r[i].topic];  // in range: the store checked every record
      e.vendor = vendor[r[i].vendor];
      e.stage = static_cast<EventStage>(r[i].stage);
      e.action = static_cast<EventAction>(r[i].action);
      e.senior = r[i].senior != 0;
    }
    if (kept >= want) {
      batch.resize(kept);
      model->Add(batch);
      kept = 0;
    }
    return Status::Ok();
  });
  if (!read.ok()) return read;
  batch.resize(kept);
  model->Add(batch);
  model->ReleaseScratch();
  return Status::Ok();
}

}  // namespace fairlead
