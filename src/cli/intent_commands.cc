// CLI: events import, account show, intent top.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <map>

#include "cli/commands.h"
#include "cli/common.h"
#include "core/normalize.h"
#include "intent/events_import.h"
#include "intent/intent.h"
#include "policy/decide.h"

namespace fairlead {
namespace {

using nlohmann::json;

json IntentJson(const IntentModel& m, const TopicIntent& t) {
  json signals = json::array();
  for (int b = 0; b < kSignalCount; ++b)
    if (t.signals & (1 << b)) signals.push_back(SignalName(b));
  return json{{"score", std::round(t.score * 1000) / 1000}, {"gauge", Name(t.gauge)}, {"signals", signals},
              {"last_event", t.last_event ? json(FormatTime(t.last_event)) : json()},
              // Counted over the widespread window (30 days unless intent.json says otherwise).
              {"window_days", m.config().widespread_days},
              {"events_in_window", t.events_in_window}, {"people_in_window", t.people_in_window}};
}

Result<Time> AsOf(const std::string& text) {
  if (text.empty()) return Now();
  Result<Time> t = ParseTime(text);
  if (!t.ok()) return t.status().WithContext("--as-of: ");
  return t;
}

void AddEventsImport(CLI::App& app, DataOptions& data, int* code) {
  CLI::App* events = app.add_subcommand("events", "activity events (intent)");
  events->require_subcommand(1);
  struct Args {
    std::string file, purpose = "analytics.intent";
    bool jsonl = false, dry_run = false, partial = false, json = false, again = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* imp = events->add_subcommand("import", "import events (CSV: time,account_domain,person_email,topic,vendor,"
                                                   "stage,action; or JSON lines with those keys)");
  imp->add_option("file", a->file, "CSV, or JSON lines (.jsonl, .ndjson, .json); - reads standard input (CSV unless "
                                   "--jsonl)")->required();
  imp->add_flag("--jsonl", a->jsonl, "read JSON lines whatever the extension");
  imp->add_option("--purpose", a->purpose, "the analytics purpose person-level tracking is decided for")
      ->capture_default_str();
  imp->add_flag("--dry-run", a->dry_run, "validate and report, write nothing");
  imp->add_flag("--partial", a->partial, "commit the good events, report the rest");
  imp->add_flag("--again", a->again, "import the file even though the same file was imported before");
  imp->add_flag("--json", a->json, "print the report as JSON");
  imp->callback([&data, code, a] {
    auto ctx = Open(data, code);
    if (!ctx) return;
    EventImportOptions opt;
    opt.file = a->file;
    opt.json_lines = a->jsonl;
    opt.analytics_purpose = a->purpose;
    opt.dry_run = a->dry_run;
    opt.partial = a->partial;
    opt.again = a->again;
    opt.now = Now();
    opt.progress = ProgressBar("import events");
    EventImportContext ic{ctx->store.get(), ctx->tenant, &ctx->rules, &ctx->settings, ctx->hasher.get(),
                          &ctx->suppression};
    Result<ImportReport> r = ImportEvents(ic, opt);
    if (!r.ok()) { *code = Fail(r.status()); return; }
    *code = ReportImport(*r, opt.file == "-" ? "<stdin>" : opt.file, "events", opt.dry_run, a->json, std::cout);
  });
}

void AddAccountShow(CLI::App& app, DataOptions& data, int* code) {
  CLI::App* account = app.add_subcommand("account", "accounts");
  account->require_subcommand(1);
  struct Args {
    std::string domain, as_of, role = "list_builder";
  };
  auto a = std::make_shared<Args>();
  CLI::App* show = account->add_subcommand("show", "an account: firmographics, people (as far as decide(view) "
                                                   "allows), intent per topic, buying team");
  show->add_option("domain", a->domain, "the account's domain")->required();
  show->add_option("--as-of", a->as_of, "intent as of this time (default now)");
  show->add_option("--role", a->role, "admin, list_builder or read_only")->capture_default_str();
  show->callback([&data, code, a] {
    auto ctx = Open(data, code);
    if (!ctx) return;
    Role role;
    if (!Parse(a->role, &role)) { *code = Fail(Status::Invalid("--role: must be one of " + Choices<Role>())); return; }
    Result<Time> as_of = AsOf(a->as_of);
    if (!as_of.ok()) { *code = Fail(as_of.status()); return; }
    Result<int64_t> account = ResolveAccount(*ctx, a->domain);
    if (!account.ok()) { *code = Fail(account.status()); return; }
    const int64_t account_id = *account;
    Result<Account> acc = ctx->store->GetAccount(ctx->tenant, account_id);
    if (!acc.ok()) { *code = Fail(acc.status()); return; }
    Result<std::unique_ptr<IntentModel>> model = LoadIntent(*ctx, *as_of);
    if (!model.ok()) { *code = Fail(model.status()); return; }
    const IntentModel& m = **model;

    json topics = json::array();
    for (const auto& [topic, ti] : m.TopicsOf(account_id, *as_of)) {
      json t = IntentJson(m, ti);
      t["topic"] = m.TopicName(topic);
      topics.push_back(t);
    }
    Result<std::vector<int64_t>> people_ids = ctx->store->PeopleOfAccount(ctx->tenant, account_id);
    if (!people_ids.ok()) { *code = Fail(people_ids.status()); return; }
    std::vector<int64_t> active = m.ActivePeople(account_id, *as_of, m.config().stakeholder_days);
    json people = json::array();
    std::map<std::string, std::map<std::string, json>> team;  // function -> seniority -> names
    int64_t hidden = 0;
    for (int64_t pid : *people_ids) {
      Result<Person> p = ctx->store->GetPerson(ctx->tenant, pid);
      if (!p.ok()) { *code = Fail(p.status()); return; }
      Result<Decision> d = DecideStored(*ctx, *p, Action::kView, role, Now());
      if (!d.ok() || !d->allow) {
        ++hidden;
        continue;
      }
      json entry = {{"id", pid}, {"name", p->first_name + " " + p->last_name}, {"title", p->title},
                    {"seniority", p->seniority}, {"function", p->subject.function}, {"country", p->subject.country}};
      people.push_back(entry);
      if (std::binary_search(active.begin(), active.end(), pid)) {
        json& cell = team[p->subject.function.empty() ? "unknown" : p->subject.function]
                         [p->seniority.empty() ? "unknown" : p->seniority];
        if (cell.is_null()) cell = json::array();
        cell.push_back(entry["name"]);
      }
    }
    std::cout << json{{"domain", acc->domain}, {"name", acc->name}, {"industry", acc->industry},
                      {"employee_band", acc->employee_band}, {"revenue_band", acc->revenue_band},
                      {"hq_country", acc->hq_country}, {"technologies", acc->technologies},
                      {"as_of", FormatTime(*as_of)}, {"intent", topics},
                      {"top_topics", [&] {
                         json t = json::array();
                         for (size_t i = 0; i < topics.size() && i < 3; ++i) t.push_back(topics[i]["topic"]);
                         return t;
                       }()},
                      {"people", people}, {"people_not_shown", hidden}, {"buying_team", team}}.dump(2)
              << "\n";
  });
}

void AddIntentTop(CLI::App& app, DataOptions& data, int* code) {
  CLI::App* intent = app.add_subcommand("intent", "intent scores and gauges");
  intent->require_subcommand(1);
  struct Args {
    std::string topic, as_of;
    size_t limit = 20;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* top = intent->add_subcommand("top", "the accounts with the highest intent for a topic");
  top->add_option("--topic", a->topic, "topic")->required();
  top->add_option("--as-of", a->as_of, "as of this time (default now)");
  top->add_option("--limit", a->limit, "how many accounts")->capture_default_str()->check(CLI::Range(1, 1000000));
  top->add_flag("--json", a->json, "JSON lines");
  top->callback([&data, code, a] {
    auto ctx = Open(data, code);
    if (!ctx) return;
    Result<Time> as_of = AsOf(a->as_of);
    if (!as_of.ok()) { *code = Fail(as_of.status()); return; }
    Result<std::unique_ptr<IntentModel>> model = LoadIntent(*ctx, *as_of);
    if (!model.ok()) { *code = Fail(model.status()); return; }
    std::optional<uint32_t> topic = (*model)->FindTopic(AsciiLower(a->topic));
    if (!topic) {
      std::string known;
      for (const std::string& t : (*model)->Topics()) known += (known.empty() ? "" : ", ") + t;
      *code = Fail(Status::NotFound("no events for topic '" + a->topic + "' (" +
                                    (known.empty() ? "no events imported yet" : "topics with events: " + known) + ")"));
      return;
    }
    auto counts = (*model)->GaugeCounts(*topic, *as_of);
    if (!a->json)
      std::cout << "topic " << a->topic << " as of " << FormatTime(*as_of) << ": " << counts[2] << " evaluating, "
                << counts[1] << " ramping up, " << counts[0] << " not active (of accounts with any event)\n";
    for (const auto& [account, ti] : (*model)->Top(*topic, *as_of, a->limit)) {
      Result<Account> acc = ctx->store->GetAccount(ctx->tenant, account);
      std::string domain = acc.ok() ? acc->domain : "#" + std::to_string(account);
      if (a->json) {
        json j = IntentJson(**model, ti);
        j["domain"] = domain;
        std::cout << j.dump(-1, ' ', false, kBadUtf8) << "\n";
      } else {
        std::string signals;
        for (int b = 0; b < kSignalCount; ++b)
          if (ti.signals & (1 << b)) signals += (signals.empty() ? "" : ",") + std::string(SignalName(b));
        char line[256];
        std::snprintf(line, sizeof line, "%-32s %9.2f  %-11s %s", domain.c_str(), ti.score,
                      std::string(Name(ti.gauge)).c_str(), signals.c_str());
        std::cout << line << "\n";
      }
    }
  });
}

}  // namespace

void RegisterIntentCommands(CLI::App& app, DataOptions& data, int* exit_code) {
  AddEventsImport(app, data, exit_code);
  AddAccountShow(app, data, exit_code);
  AddIntentTop(app, data, exit_code);
}

}  // namespace fairlead
