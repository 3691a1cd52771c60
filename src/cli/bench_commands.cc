// CLI: the fairlead side of the benchmark (bench/run drives it; ../shared/spec/bench.md).
//   fairlead bench export --gen GEN --out EXPORT   the precomputed tables the peers may use
//   fairlead bench run --export EXPORT --out OUT.json  Q1..Q5 timed in one process
//   fairlead bench events --file EVENTS.csv --out OUT.json  the events path with the index resident
//   fairlead bench phones --file PEOPLE.csv --out OUT.json  phone normalisation alone on a people file's phones
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <unordered_map>

#include "cli/commands.h"
#include "cli/common.h"
#include "core/normalize.h"
#include "core/phone_fast.h"
#include "index/filter.h"
#include "index/people_index.h"
#include "index/query.h"
#include "index/track_resolver.h"
#include "ingest/csv_reader.h"
#include "ingest/header_map.h"
#include "intent/events_import.h"
#include "policy/decide.h"
#include "policy/scenario.h"

namespace fairlead {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

double Ms(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); }
// CPU time of the calling thread (user + system), in seconds.
double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  if (v.empty()) return 0;
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// The benchmark's fixed parameters (bench.md "Queries").
json Params(int runs) {
  return json{{"q1_countries", {"DE", "FR", "GB", "NL", "US-CA"}},
              {"q1_seniorities", {"director", "vp", "cxo"}},
              {"q1_industry", "Software"},
              {"q3_techs", {"kubernetes", "terraform", "snowflake", "okta", "datadog"}},
              {"q3_bands", {"51-200", "201-500", "501-1000"}},
              {"q3_functions", {"engineering", "it"}},
              {"top_k", 100},
              {"runs", runs},
              {"purpose", "marketing.security"},
              {"channel", "email"},
              {"topic", "security"}};
}

std::string Q1Filter(const json& p) {
  std::string countries, seniorities;
  for (const auto& c : p["q1_countries"]) countries += (countries.empty() ? "" : ", ") + c.get<std::string>();
  for (const auto& s : p["q1_seniorities"]) seniorities += (seniorities.empty() ? "" : ", ") + s.get<std::string>();
  return "country in (" + countries + ") and seniority in (" + seniorities + ") and industry = " +
         p["q1_industry"].get<std::string>() + " and eligible(" + p["purpose"].get<std::string>() + ", " +
         p["channel"].get<std::string>() + ") and not suppressed";
}

std::string Q3Filter(const json& p) {
  auto join = [](const json& a) {
    std::string s;
    for (const auto& v : a) s += (s.empty() ? "" : ", ") + v.get<std::string>();
    return s;
  };
  return "any(tech: [" + join(p["q3_techs"]) + "]) and employee_band in (" + join(p["q3_bands"]) +
         ") and function in (" + join(p["q3_functions"]) + ") and not list:bench-q3-static";
}

struct Bench {
  std::unique_ptr<AppContext> ctx;
  std::unique_ptr<PeopleIndex> index;
  std::unique_ptr<IntentModel> intent;
  QueryContext query;
  std::unordered_map<int64_t, std::string> ref_of;  // person id -> person_ref
  Bitset static_list;
};

// How long the index took to load from the store, to write as a snapshot and to read
// back from it (bench run measures all three, then queries the index read back).
struct LoadTimes {
  double store_s = 0, snapshot_write_s = 0, snapshot_read_s = 0;
  size_t snapshot_bytes = 0;
};

// Times a load of the people index from the store (no snapshot), the snapshot write, and
// a start from that snapshot (which must be used).
Status TimeLoads(AppContext& c, LoadTimes* times, std::unique_ptr<PeopleIndex>* started) {
  const std::string snapshot = IndexSnapshotPath(c);
  Result<std::string> stamp = c.store->IndexStamp();
  if (!stamp.ok()) return stamp.status();
  auto t0 = Clock::now();
  Result<std::unique_ptr<PeopleIndex>> cold =
      PeopleIndex::Load(*c.store, c.tenant, c.rules, c.settings, *c.hasher, c.suppression);
  if (!cold.ok()) return cold.status();
  auto t1 = Clock::now();
  FL_RETURN_IF_ERROR((*cold)->WriteSnapshot(snapshot, PeopleIndex::KeyFor(c.tenant, *stamp, *c.hasher, c.suppression)));
  auto t2 = Clock::now();
  cold->reset();
  times->store_s = Ms(t0, t1) / 1000;
  times->snapshot_write_s = Ms(t1, t2) / 1000;
  times->snapshot_bytes = std::filesystem::file_size(snapshot);
  auto t3 = Clock::now();
  PeopleIndex::LoadInfo info;
  Result<std::unique_ptr<PeopleIndex>> index =
      PeopleIndex::Load(*c.store, c.tenant, c.rules, c.settings, *c.hasher, c.suppression, snapshot, &info);
  if (!index.ok()) return index.status();
  times->snapshot_read_s = Ms(t3, Clock::now()) / 1000;
  if (!info.from_snapshot) return Status::Internal("the snapshot just written was not used: " + info.note);
  *started = std::move(*index);
  return Status::Ok();
}

Status LoadBench(Bench& b, const DataOptions& data, Time at, bool refs, LoadTimes* times = nullptr) {
  Result<std::unique_ptr<AppContext>> ctx = OpenContext(data);
  if (!ctx.ok()) return ctx.status();
  b.ctx = std::move(*ctx);
  AppContext& c = *b.ctx;
  if (times) {
    FL_RETURN_IF_ERROR(TimeLoads(c, times, &b.index));
  } else {
    Result<std::unique_ptr<PeopleIndex>> index = PeopleIndex::Load(*c.store, c.tenant, c.rules, c.settings, *c.hasher,
                                                                   c.suppression, IndexSnapshotPath(c));
    if (!index.ok()) return index.status();
    b.index = std::move(*index);
  }
  Result<std::unique_ptr<IntentModel>> intent = LoadIntent(c);
  if (!intent.ok()) return intent.status();
  b.intent = std::move(*intent);
  b.query.index = b.index.get();
  b.query.intent = b.intent.get();
  b.query.at = at;
  b.query.role = Role::kListBuilder;
  b.query.purpose_of = [&c](std::string_view id) { return c.store->GetPurpose(c.tenant, id); };
  b.static_list = Bitset(b.index->rows());
  Bench* self = &b;
  b.query.list_rows = [self](std::string_view name) -> Result<Bitset> {
    if (name != "bench-q3-static") return Status::NotFound("no list " + std::string(name));
    return self->static_list;
  };
  if (refs) {
    FL_RETURN_IF_ERROR(c.store->ForEachPerson(c.tenant, [&](Person&& p) {
      b.ref_of.emplace(p.subject.id, p.external_ref);
    }));
  }
  return Status::Ok();
}

Status WriteLines(const std::string& path, const std::string& header, const std::vector<std::string>& lines) {
  std::ofstream out(path);
  out << header << "\n";
  for (const std::string& l : lines) out << l << "\n";
  if (!out.flush()) return Status::Io(path + ": cannot write");
  return Status::Ok();
}

long PeakRssKb() {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

void AddBenchExport(CLI::App* bench, DataOptions& data, int* code) {
  struct Args {
    std::string out, at = "2026-11-01T00:00:00Z";
    int runs = 5;
    uint64_t seed = 7;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = bench->add_subcommand("export", "write the precomputed tables the peers may use (not timed)");
  cmd->add_option("--out", a->out, "export directory")->required();
  cmd->add_option("--at", a->at, "decision time")->capture_default_str();
  cmd->add_option("--runs", a->runs, "runs per query")->capture_default_str();
  cmd->add_option("--seed", a->seed, "seed for the static list and the withdrawals")->capture_default_str();
  cmd->callback([&data, code, a] {
    Status st = [&]() -> Status {
      Result<Time> at = ParseTime(a->at);
      if (!at.ok()) return at.status();
      Bench b;
      FL_RETURN_IF_ERROR(LoadBench(b, data, *at, true));
      json params = Params(a->runs);
      params["at"] = a->at;
      std::string mk = "mkdir -p '" + a->out + "'";
      if (std::system(mk.c_str()) != 0) return Status::Io(a->out + ": cannot create");
      Result<Purpose> purpose = b.query.purpose_of(params["purpose"].get<std::string>());
      if (!purpose.ok()) return purpose.status();
      const Bitset& elig = b.index->Eligible(*purpose, Channel::kEmail, Action::kContact, Role::kListBuilder, *at);
      std::vector<std::string> lines;
      lines.reserve(b.index->rows());
      for (uint32_t r = 0; r < b.index->rows(); ++r)
        lines.push_back(b.ref_of[b.index->PersonId(r)] + "," + (elig.Test(r) && !b.index->Suppressed().Test(r) ? "1" : "0"));
      FL_RETURN_IF_ERROR(WriteLines(a->out + "/eligibility.csv", "person_ref,eligible", lines));
      lines.clear();
      if (std::optional<uint32_t> topic = b.intent->FindTopic("security")) {
        for (const auto& [account, ti] : b.intent->Top(*topic, *at, SIZE_MAX)) {
          Result<Account> acc = b.ctx->store->GetAccount(b.ctx->tenant, account);
          if (!acc.ok()) return acc.status();
          char score[64];
          std::snprintf(score, sizeof score, "%.17g", ti.score);
          lines.push_back(acc->domain + "," + score + "," + std::to_string(static_cast<int>(ti.gauge)));
        }
      }
      FL_RETURN_IF_ERROR(WriteLines(a->out + "/account_intent.csv", "domain,score,gauge", lines));
      // A deterministic static list (100k, or a tenth of the people when fewer) and 10k withdrawals.
      uint64_t x = a->seed * 0x9E3779B97F4A7C15ull + 1;
      auto next = [&x]() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
      };
      size_t n = b.index->rows();
      std::vector<uint32_t> rows(n);
      for (uint32_t i = 0; i < n; ++i) rows[i] = i;
      for (size_t i = n; i > 1; --i) std::swap(rows[i - 1], rows[next() % i]);
      size_t list_size = std::min<size_t>(100000, n / 10), withdrawals = std::min<size_t>(10000, n / 10);
      lines.clear();
      for (size_t i = 0; i < list_size; ++i) lines.push_back(b.ref_of[b.index->PersonId(rows[i])]);
      std::sort(lines.begin(), lines.end());
      FL_RETURN_IF_ERROR(WriteLines(a->out + "/static_list.csv", "person_ref", lines));
      lines.clear();
      for (size_t i = list_size; i < list_size + withdrawals && i < n; ++i)
        lines.push_back(b.ref_of[b.index->PersonId(rows[i])]);
      std::sort(lines.begin(), lines.end());
      FL_RETURN_IF_ERROR(WriteLines(a->out + "/withdrawals.csv", "person_ref", lines));
      std::ofstream(a->out + "/params.json") << params.dump(2) << "\n";
      std::cout << "exported " << n << " eligibility rows (" << elig.Count() << " eligible) to " << a->out << "\n";
      return Status::Ok();
    }();
    if (!st.ok()) *code = Fail(st);
  });
}

Result<std::vector<std::string>> ReadRefs(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::Io(path + ": cannot open");
  std::vector<std::string> out;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(line);
  return out;
}

void AddBenchRun(CLI::App* bench, DataOptions& data, int* code) {
  struct Args {
    std::string export_dir, out;
    bool no_cold_load = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = bench->add_subcommand("run", "time Q1..Q5 in one process on the data directory's tenant");
  cmd->add_option("--export", a->export_dir, "the directory `bench export` wrote")->required();
  cmd->add_option("--out", a->out, "result JSON")->required();
  cmd->add_flag("--no-cold-load", a->no_cold_load,
                "start from the index snapshot without first timing a load from the store "
                "(for profiling the queries; the result has no cold load figures)");
  cmd->callback([&data, code, a] {
    Status st = [&]() -> Status {
      Result<std::string> ptext = ReadFile(a->export_dir + "/params.json");
      if (!ptext.ok()) return ptext.status();
      json params = json::parse(*ptext, nullptr, false);
      if (params.is_discarded()) return Status::Invalid("params.json: not JSON");
      Result<Time> at = ParseTime(params["at"].get<std::string>());
      if (!at.ok()) return at.status();
      int runs = params["runs"].get<int>();
      size_t k = params["top_k"].get<size_t>();
      Bench b;
      LoadTimes load;
      FL_RETURN_IF_ERROR(LoadBench(b, data, *at, false, a->no_cold_load ? nullptr : &load));
      // Person refs by id (only to print ids; not timed).
      std::unordered_map<std::string, int64_t> id_of;
      std::unordered_map<int64_t, std::string> ref_of;
      FL_RETURN_IF_ERROR(b.ctx->store->ForEachPerson(b.ctx->tenant, [&](Person&& p) {
        id_of.emplace(p.external_ref, p.subject.id);
        ref_of.emplace(p.subject.id, p.external_ref);
      }));
      Result<std::vector<std::string>> static_refs = ReadRefs(a->export_dir + "/static_list.csv");
      if (!static_refs.ok()) return static_refs.status();
      for (const std::string& r : *static_refs)
        if (auto id = id_of.find(r); id != id_of.end())
          if (auto row = b.index->RowOf(id->second)) b.static_list.Set(*row);
      Result<FilterNode> q1 = ParseFilter(Q1Filter(params));
      if (!q1.ok()) return q1.status();
      Result<FilterNode> q3 = ParseFilter(Q3Filter(params));
      if (!q3.ok()) return q3.status();
      Result<FilterNode> q4 = ParseFilter(Q1Filter(params) + " and gauge(" + params["topic"].get<std::string>() +
                                          ") >= ramping_up");
      if (!q4.ok()) return q4.status();
      // Build the eligibility set and the intent table once before timing (as the peers
      // get theirs precomputed).
      auto tb0 = Clock::now();
      FL_RETURN_IF_ERROR(Evaluate(*q1, b.query).status());
      auto tb1 = Clock::now();
      if (std::optional<uint32_t> t = b.intent->FindTopic(params["topic"].get<std::string>()))
        IntentTableFor(b.query, *t);
      auto tb2 = Clock::now();
      json result = {{"system", "fairlead"}, {"version", "0.1.0"}, {"load_s", load.store_s},
                     {"snapshot_write_s", load.snapshot_write_s}, {"snapshot_load_s", load.snapshot_read_s},
                     {"snapshot_bytes", load.snapshot_bytes},
                     {"eligibility_build_s", Ms(tb0, tb1) / 1000}, {"intent_table_build_s", Ms(tb1, tb2) / 1000}};
      auto ids_of = [&](const RankedPage& page) {
        json ids = json::array();
        for (int64_t id : page.person_ids) ids.push_back(ref_of[id]);
        return ids;
      };
      std::vector<double> t_q1, t_q2, t_q3, t_q4;
      size_t q1_count = 0, q3_count = 0, q4_count = 0;
      json q2_ids, q3_ids;
      for (int i = 0; i < runs; ++i) {
        auto s = Clock::now();
        Result<Bitset> r1 = Evaluate(*q1, b.query);
        if (!r1.ok()) return r1.status();
        q1_count = r1->Count();
        auto e = Clock::now();
        t_q1.push_back(Ms(s, e));

        s = Clock::now();
        Result<Bitset> r2 = Evaluate(*q1, b.query);
        if (!r2.ok()) return r2.status();
        RankedPage p2 = Rank(*r2, b.query, "security", 0, k);
        e = Clock::now();
        t_q2.push_back(Ms(s, e));
        q2_ids = ids_of(p2);

        s = Clock::now();
        Result<Bitset> r3 = Evaluate(*q3, b.query);
        if (!r3.ok()) return r3.status();
        q3_count = r3->Count();
        RankedPage p3 = Rank(*r3, b.query, "security", 0, k);
        e = Clock::now();
        t_q3.push_back(Ms(s, e));
        q3_ids = ids_of(p3);

        s = Clock::now();
        Result<Bitset> r4 = Evaluate(*q4, b.query);  // Q1's people at accounts ramping up or evaluating
        if (!r4.ok()) return r4.status();
        Bitset accounts(b.index->accounts());
        r4->ForEach([&](uint32_t row) {
          if (b.index->AccountOf(row) != PeopleIndex::kNoAccount) accounts.Set(b.index->AccountOf(row));
        });
        q4_count = accounts.Count();
        e = Clock::now();
        t_q4.push_back(Ms(s, e));
      }
      result["queries"]["Q1"] = {{"median_ms", Median(t_q1)}, {"runs_ms", t_q1}, {"count", q1_count}};
      result["queries"]["Q2"] = {{"median_ms", Median(t_q2)}, {"runs_ms", t_q2}, {"ids", q2_ids}};
      result["queries"]["Q3"] = {{"median_ms", Median(t_q3)}, {"runs_ms", t_q3}, {"count", q3_count}, {"ids", q3_ids}};
      result["queries"]["Q4"] = {{"median_ms", Median(t_q4)}, {"runs_ms", t_q4}, {"count", q4_count}};

      // Q5: withdrawals through the normal write path (one durable transaction), then Q2.
      Result<std::vector<std::string>> wrefs = ReadRefs(a->export_dir + "/withdrawals.csv");
      if (!wrefs.ok()) return wrefs.status();
      Store& store = *b.ctx->store;
      auto w0 = Clock::now();
      FL_RETURN_IF_ERROR(store.Begin());
      std::vector<std::pair<int64_t, BasisRecord>> changed;
      for (const std::string& r : *wrefs) {
        auto id = id_of.find(r);
        if (id == id_of.end()) continue;
        BasisRecord rec;
        rec.basis = LawfulBasis::kConsent;
        rec.status = BasisStatus::kWithdrawn;
        rec.scopes = {"marketing"};
        rec.channels = ChannelBit(Channel::kEmail);
        rec.channels_given = true;
        rec.at = *at;
        rec.evidence = R"({"source":"bench"})";
        Status s = store.AddBasisRecord(b.ctx->tenant, id->second, &rec);
        if (!s.ok()) {
          store.Rollback();
          return s;
        }
        changed.emplace_back(id->second, rec);
      }
      FL_RETURN_IF_ERROR(store.Commit());
      auto w1 = Clock::now();
      for (const auto& [id, rec] : changed) b.index->AddBasisRecord(id, rec);
      auto w2 = Clock::now();
      Result<Bitset> r5 = Evaluate(*q1, b.query);
      if (!r5.ok()) return r5.status();
      RankedPage p5 = Rank(*r5, b.query, "security", 0, k);
      auto w3 = Clock::now();
      result["queries"]["Q5"] = {{"write_ms", Ms(w0, w1)}, {"index_update_ms", Ms(w1, w2)}, {"query_ms", Ms(w2, w3)},
                                 {"ids", ids_of(p5)}, {"withdrawals", changed.size()}};
      result["memory"] = {{"index_bytes", b.index->MemoryBytes()}, {"people", b.index->rows()},
                          {"index_bytes_per_person", b.index->rows() ? double(b.index->MemoryBytes()) / b.index->rows() : 0},
                          {"peak_rss_bytes", PeakRssKb() * 1024}};
      // A start after Q5's writes: the snapshot (written before them) caught up from the
      // store's change log.
      {
        AppContext& c = *b.ctx;
        PeopleIndex::LoadInfo info;
        auto s0 = Clock::now();
        Result<std::unique_ptr<PeopleIndex>> caught = PeopleIndex::Load(
            *c.store, c.tenant, c.rules, c.settings, *c.hasher, c.suppression, IndexSnapshotPath(c), &info);
        if (!caught.ok()) return caught.status();
        auto s1 = Clock::now();
        if (!info.from_snapshot) return Status::Internal("the start after Q5 did not use the snapshot: " + info.note);
        result["catch_up"] = {{"load_s", Ms(s0, s1) / 1000}, {"people", info.caught_up_people},
                              {"snapshot_rewritten", info.snapshot_written}};
      }
      std::ofstream(a->out) << result.dump(2) << "\n";
      std::cout << "Q1 " << Median(t_q1) << " ms (" << q1_count << "), Q2 " << Median(t_q2) << " ms, Q3 "
                << Median(t_q3) << " ms (" << q3_count << "), Q4 " << Median(t_q4) << " ms (" << q4_count
                << "), Q5 write " << Ms(w0, w1) << " ms + index " << Ms(w1, w2) << " ms + query " << Ms(w2, w3)
                << " ms; load " << load.store_s << " s (snapshot: written " << load.snapshot_write_s << " s, read " << load.snapshot_read_s << " s), eligibility build " << Ms(tb0, tb1) / 1000 << " s\n";
      return Status::Ok();
    }();
    if (!st.ok()) *code = Fail(st);
  });
}

void AddBenchDecide(CLI::App* bench, int* code) {
  struct Args {
    std::string out;
    size_t n = 100000;
    uint64_t seed = 11;
    int runs = 5;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = bench->add_subcommand("decide", "generate contact-by-email requests (the scenario JSON contract), "
                                                  "decide them on one core and write requests and answers");
  cmd->add_option("--out", a->out, "output directory")->required();
  cmd->add_option("--n", a->n, "number of requests")->capture_default_str();
  cmd->add_option("--seed", a->seed, "seed")->capture_default_str();
  cmd->add_option("--runs", a->runs, "timed passes over all requests")->capture_default_str();
  cmd->callback([code, a] {
    Status st = [&]() -> Status {
      Result<Rules> rules = ParseRules(DefaultRulesText(), "default-rules.toml");
      if (!rules.ok()) return rules.status();
      if (std::system(("mkdir -p '" + a->out + "'").c_str()) != 0) return Status::Io(a->out + ": cannot create");
      uint64_t x = a->seed * 0x9E3779B97F4A7C15ull + 7;
      auto next = [&x]() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
      };
      auto pick = [&](const std::vector<std::string>& v) -> const std::string& { return v[next() % v.size()]; };
      // Contact by email for a marketing purpose: the rules Cedar can state (consent and its
      // withdrawal, double opt-in, objection, suppression, the country regime and LIA).
      const std::vector<std::string> countries = {"DE", "FR", "GB", "IE", "NL", "BE", "ES", "IT", "AT", "DK",
                                                  "FI", "SE", "PL", "US", "CA", "JP", "BR"};
      const std::vector<std::string> recipients = {"consumer", "sole_trader", "corporate"};
      const std::vector<std::string> functions = {"security", "it", "finance", "marketing"};
      const std::vector<std::string> scopes = {"marketing", "marketing.security", "marketing.cloud"};
      const std::vector<std::string> statuses = {"granted", "granted", "withdrawn", "pending"};
      const Time at = 1793491200;  // 2026-11-01
      std::ofstream req(a->out + "/requests.jsonl"), ans(a->out + "/answers.jsonl");
      std::vector<Scenario> scenarios;
      scenarios.reserve(a->n);
      for (size_t i = 0; i < a->n; ++i) {
        json s;
        s["subject"] = {{"country", pick(countries)}, {"recipient", pick(recipients)},
                        {"function", pick(functions)},
                        {"email", next() % 10 == 0 ? "info@example.com" : "p" + std::to_string(i) + "@example.com"}};
        if (next() % 12 == 0) s["subject"]["objected_direct_marketing_at"] = FormatTime(at - 86400 * (next() % 300 + 1));
        json bases = json::array();
        int records = static_cast<int>(next() % 3);
        for (int r = 0; r < records; ++r) {
          json b = {{"basis", "consent"}, {"status", pick(statuses)}, {"scope", pick(scopes)},
                    {"channels", next() % 4 ? json{"email"} : json{"sms"}},
                    {"at", FormatTime(at - 86400 * static_cast<Time>(next() % 700 + 1) - r)}};
          if (next() % 3) b["confirmed_at"] = FormatTime(at - 86400 * static_cast<Time>(next() % 1 + 0) - 1);
          bases.push_back(b);
        }
        s["subject"]["bases"] = bases;
        s["purpose"] = {{"id", "marketing.security"}, {"kind", "marketing"}, {"family", "security"},
                        {"lia", next() % 4 ? json("LIA-1") : json(nullptr)}, {"retention_days", nullptr},
                        {"requires_double_opt_in", next() % 5 == 0},
                        {"job_functions", next() % 2 ? json{"security", "it"} : json::array()}};
        s["action"] = "contact";
        s["channel"] = "email";
        s["actor"] = {{"role", "list_builder"}};
        s["suppressed"] = next() % 25 == 0;
        s["at"] = FormatTime(at);
        Result<Scenario> sc = ScenarioFromJson(s, at);
        if (!sc.ok()) return sc.status();
        scenarios.push_back(std::move(*sc));
        req << s.dump(-1, ' ', false, kBadUtf8) << "\n";
      }
      std::vector<DecisionRequest> requests;
      for (const Scenario& s : scenarios) requests.push_back(s.Request());
      std::vector<double> rates;
      size_t allowed = 0;
      for (int run = 0; run < a->runs; ++run) {
        allowed = 0;
        auto t0 = Clock::now();
        for (const DecisionRequest& r : requests) {
          Result<Decision> d = Decide(*rules, r);
          allowed += d.ok() && d->allow;
        }
        auto t1 = Clock::now();
        rates.push_back(requests.size() / (Ms(t0, t1) / 1000));
      }
      for (const DecisionRequest& r : requests) {
        Result<Decision> d = Decide(*rules, r);
        if (!d.ok()) return d.status();
        ans << DecisionToJson(*d).dump(-1, ' ', false, kBadUtf8) << "\n";
      }
      json result = {{"system", "fairlead"}, {"requests", requests.size()}, {"allowed", allowed},
                     {"decides_per_s_median", Median(rates)}, {"runs_per_s", rates},
                     {"note", "in-memory requests (parsed before timing), one thread"}};
      std::ofstream(a->out + "/fairlead_decide.json") << result.dump(2) << "\n";
      std::cout << "decide: " << Median(rates) << " decisions/s on one core (" << allowed << " of " << requests.size()
                << " allowed)\n";
      return Status::Ok();
    }();
    if (!st.ok()) *code = Fail(st);
  });
}

// Profiling only the timed part: with FAIRLEAD_PERF_CTL naming the control FIFO of
// `perf record --control=fifo:FIFO -D -1`, the timed part is bracketed by "enable" and
// "disable" (perf then samples nothing of the loads).
void PerfControl(const char* command) {
  const char* fifo = std::getenv("FAIRLEAD_PERF_CTL");
  if (!fifo || !*fifo) return;
  std::ofstream(fifo) << command << "\n" << std::flush;
}

// The events path as the server will run it: the people index, the address map and
// the intent model resident (loaded first, timed apart), then the import timed from
// the first byte read to the durable commit with every event decided, stored and scored.
void AddBenchEvents(CLI::App* bench, DataOptions& data, int* code) {
  struct Args {
    std::string file, out, purpose = "analytics.intent";
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = bench->add_subcommand("events", "import events with the index resident and time the path "
                                                  "(parse, decide(track), durable store, score)");
  cmd->add_option("--file", a->file, "events CSV or JSON lines")->required();
  cmd->add_option("--out", a->out, "result JSON")->required();
  cmd->add_option("--purpose", a->purpose, "the analytics purpose")->capture_default_str();
  cmd->callback([&data, code, a] {
    Status st = [&]() -> Status {
      auto t0 = Clock::now();
      Result<std::unique_ptr<AppContext>> ctx = OpenContext(data);
      if (!ctx.ok()) return ctx.status();
      AppContext& c = **ctx;
      Result<std::unique_ptr<PeopleIndex>> index =
          PeopleIndex::Load(*c.store, c.tenant, c.rules, c.settings, *c.hasher, c.suppression, IndexSnapshotPath(c));
      if (!index.ok()) return index.status();
      auto t1 = Clock::now();
      Result<std::unique_ptr<IndexTrackResolver>> resolver = IndexTrackResolver::Build(*c.store, c.tenant, **index);
      if (!resolver.ok()) return resolver.status();
      auto t2 = Clock::now();
      Result<std::unique_ptr<IntentModel>> model = LoadIntent(c);
      if (!model.ok()) return model.status();
      auto t3 = Clock::now();
      EventImportContext ic{c.store.get(), c.tenant, &c.rules, &c.settings, c.hasher.get(), &c.suppression,
                            resolver->get(), model->get()};
      EventImportOptions opt;
      opt.file = a->file;
      opt.analytics_purpose = a->purpose;
      // What the loads wrote (a new index snapshot is a gigabyte at 10M people, and the
      // bench runs right after the imports) goes to the disk before the timing starts:
      // a resident server has no such write-back in flight when events arrive.
      ::sync();
      const int64_t rss_before_kb = PeakRssKb();
      PerfControl("enable");
      auto t4 = Clock::now();
      const double cpu0 = ThreadCpuSeconds();
      Result<ImportReport> r = ImportEvents(ic, opt);
      const double cpu = ThreadCpuSeconds() - cpu0;
      auto t5 = Clock::now();
      PerfControl("disable");
      if (!r.ok()) return r.status();
      if (!r->committed) return Status::Invalid(a->file + ": " + std::to_string(r->rejected) + " events rejected");
      double secs = Ms(t4, t5) / 1000;
      json result = {{"system", "fairlead"},
                     {"events", r->inserted},
                     {"anonymized", r->anonymized},
                     {"events_s", secs},
                     {"events_per_s", r->inserted / secs},
                     {"events_cpu_s", cpu},
                     {"events_per_cpu_s", r->inserted / cpu},
                     {"index_load_s", Ms(t0, t1) / 1000},
                     {"address_map_s", Ms(t1, t2) / 1000},
                     {"addresses", (*resolver)->addresses()},
                     {"track_questions", (*resolver)->questions()},
                     {"track_never", (*resolver)->never_trackable()},
                     {"intent_load_s", Ms(t2, t3) / 1000},
                     {"peak_rss_before_import_bytes", rss_before_kb * 1024},
                     {"peak_rss_bytes", PeakRssKb() * 1024},
                     {"note", "one thread; index, address map and intent model resident, and the loads' writes "
                              "synced to disk, before timing"}};
      std::ofstream(a->out) << result.dump(2) << "\n";
      std::cout << "events: " << r->inserted << " in " << secs << " s = " << static_cast<int64_t>(r->inserted / secs)
                << " events/s, " << cpu << " s of CPU = " << static_cast<int64_t>(r->inserted / cpu)
                << " events per CPU second (" << r->anonymized << " kept at account level); index load " << Ms(t0, t1) / 1000
                << " s, address map " << Ms(t1, t2) / 1000 << " s, intent model " << Ms(t2, t3) / 1000 << " s\n";
      return Status::Ok();
    }();
    if (!st.ok()) *code = Fail(st);
  });
}

void AddBenchLoad(CLI::App* bench, DataOptions& data, int* code) {
  CLI::App* cmd = bench->add_subcommand("load", "time loading the people index from the store, writing its "
                                                "snapshot and starting from the snapshot (prints JSON)");
  cmd->callback([&data, code] {
    Status st = [&]() -> Status {
      Result<std::unique_ptr<AppContext>> ctx = OpenContext(data);
      if (!ctx.ok()) return ctx.status();
      LoadTimes t;
      std::unique_ptr<PeopleIndex> index;
      FL_RETURN_IF_ERROR(TimeLoads(**ctx, &t, &index));
      json out = {{"people", index->rows()}, {"load_s", t.store_s}, {"snapshot_write_s", t.snapshot_write_s},
                  {"snapshot_load_s", t.snapshot_read_s}, {"snapshot_bytes", t.snapshot_bytes}};
      std::cout << out.dump(-1, ' ', false, kBadUtf8) << "\n";
      return Status::Ok();
    }();
    if (!st.ok()) *code = Fail(st);
  });
}

// What the people import's phone normalisation costs by itself: every phone of the
// file through NormalizePhone (the RE2 fast path where it answers, libphonenumber's
// parse, validation and E.164 format otherwise) in the row's country, on one thread,
// the file read and split before the clock starts; and, for comparison, libphonenumber
// alone on up to the first 100,000 of them. The import does the first for every row;
// bench/run reports both beside the ingest figure.
void AddBenchPhones(CLI::App* bench, int* code) {
  struct Args {
    std::string file, out;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = bench->add_subcommand("phones", "time phone normalisation alone on the phones of a people file");
  cmd->add_option("--file", a->file, "people CSV (its phone and country columns)")->required();
  cmd->add_option("--out", a->out, "result JSON")->required();
  cmd->callback([a, code] {
    Status st = [&]() -> Status {
      Result<std::unique_ptr<CsvReader>> reader = CsvReader::OpenFile(a->file);
      if (!reader.ok()) return reader.status();
      CsvRecord rec;
      Result<bool> header = (*reader)->Next(&rec);
      if (!header.ok()) return header.status();
      if (!*header) return Status::Invalid(a->file + ": empty file (expected a header line)");
      std::optional<size_t> phone_col, country_col;
      for (size_t i = 0; i < rec.fields.size(); ++i) {
        std::string field = FieldOfHeader(ImportKind::kPeople, rec.fields[i]);
        if (field == "phone") phone_col = i;
        if (field == "country") country_col = i;
      }
      if (!phone_col) return Status::Invalid(a->file + ":1: no column maps to the phone field");
      std::vector<std::pair<std::string, std::string>> phones;  // (phone, country)
      for (;;) {
        Result<bool> more = (*reader)->Next(&rec);
        if (!more.ok()) continue;  // the import reports such lines; here they have no phone to time
        if (!*more) break;
        if (*phone_col >= rec.fields.size() || Trim(rec.fields[*phone_col]).empty()) continue;
        std::string country;
        if (country_col && *country_col < rec.fields.size()) {
          Result<std::string> c = NormalizeCountry(rec.fields[*country_col]);
          if (c.ok()) country = *c;
        }
        phones.emplace_back(std::string(rec.fields[*phone_col]), std::move(country));
      }
      size_t valid = 0;
      double cpu0 = ThreadCpuSeconds();
      Clock::time_point t0 = Clock::now();
      for (const auto& [phone, country] : phones) valid += NormalizePhone(phone, country).ok();
      Clock::time_point t1 = Clock::now();
      double cpu = ThreadCpuSeconds() - cpu0, secs = Ms(t0, t1) / 1000;
      size_t sample = std::min<size_t>(phones.size(), 100000), library_valid = 0;
      Clock::time_point t2 = Clock::now();
      for (size_t i = 0; i < sample; ++i)
        library_valid += NormalizePhoneWithLibphonenumber(phones[i].first, phones[i].second).ok();
      Clock::time_point t3 = Clock::now();
      size_t fast = 0;
      for (const auto& [phone, country] : phones) fast += FastE164(Trim(phone)).has_value();
      double library_us = sample ? Ms(t2, t3) * 1000 / sample : 0.0;
      json result = {{"phones", phones.size()}, {"valid", valid}, {"phones_s", secs}, {"phones_cpu_s", cpu},
                     {"us_per_phone", phones.empty() ? 0.0 : secs * 1e6 / phones.size()},
                     {"fast_path", fast}, {"library_sample", sample}, {"library_sample_valid", library_valid},
                     {"library_us_per_phone", library_us},
                     {"note", "NormalizePhone (RE2 fast path, else libphonenumber parse + IsValidNumber + "
                              "E.164) on one thread; library_us_per_phone: libphonenumber alone on the "
                              "first library_sample phones"}};
      std::ofstream(a->out) << result.dump(2) << "\n";
      std::cout << "phones: " << phones.size() << " (" << valid << " valid, " << fast << " by the fast path) in "
                << secs << " s = " << (phones.empty() ? 0.0 : secs * 1e6 / phones.size())
                << " us each; libphonenumber alone: " << library_us << " us each (first " << sample << ")\n";
      return Status::Ok();
    }();
    if (!st.ok()) *code = Fail(st);
  });
}

}  // namespace

void RegisterBenchCommands(CLI::App& app, DataOptions& data, int* exit_code) {
  CLI::App* bench = app.add_subcommand("bench", "the fairlead side of the benchmark (see bench/run)");
  bench->require_subcommand(1);
  AddBenchExport(bench, data, exit_code);
  AddBenchRun(bench, data, exit_code);
  AddBenchDecide(bench, exit_code);
  AddBenchEvents(bench, data, exit_code);
  AddBenchLoad(bench, data, exit_code);
  AddBenchPhones(bench, exit_code);
}

}  // namespace fairlead
