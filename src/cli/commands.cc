#include "cli/commands.h"

#include "cli/common.h"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

#include "core/json_text.h"
#include "core/normalize.h"
#include "gen/generator.h"
#include "ingest/importer.h"
#include "intent/events_import.h"
#include "policy/decide.h"
#include "policy/explain.h"
#include "policy/scenario.h"

namespace fairlead {
namespace {

using nlohmann::json;

// The purposes a new tenant starts with; the DPO edits them (`fairlead purpose add`).
std::vector<Purpose> DefaultPurposes() {
  std::vector<Purpose> out;
  auto add = [&](std::string id, PurposeKind kind, std::string family, std::string lia, std::optional<int> days,
                 std::vector<std::string> functions, std::string description) {
    Purpose p;
    p.id = std::move(id);
    p.kind = kind;
    p.family = std::move(family);
    p.lia = std::move(lia);
    p.retention_days = days;
    p.job_functions = std::move(functions);
    p.description = std::move(description);
    out.push_back(std::move(p));
  };
  add("marketing", PurposeKind::kMarketing, "", "LIA-2026-01", 1095, {}, "newsletters and product marketing");
  add("marketing.security", PurposeKind::kMarketing, "security", "LIA-2026-02", 1095,
      {"security", "it", "engineering", "executive"}, "marketing of the security product line");
  add("marketing.cloud", PurposeKind::kMarketing, "cloud", "LIA-2026-03", 1095,
      {"it", "engineering", "operations", "executive"}, "marketing of the cloud product line");
  add("sales_outreach", PurposeKind::kSalesOutreach, "", "LIA-2026-04", 730, {}, "one-to-one sales outreach");
  add("service", PurposeKind::kService, "", "", std::nullopt, {}, "service messages to clients");
  add("analytics.intent", PurposeKind::kAnalytics, "", "", 400, {}, "intent signals from content activity");
  return out;
}

Status EnsureDefaultPurposes(AppContext& ctx) {
  Result<std::vector<Purpose>> have = ctx.store->ListPurposes(ctx.tenant);
  if (!have.ok()) return have.status();
  if (!have->empty()) return Status::Ok();
  for (const Purpose& p : DefaultPurposes()) FL_RETURN_IF_ERROR(ctx.store->PutPurpose(ctx.tenant, p));
  return Status::Ok();
}

std::string Describe(ImportKind k) {
  switch (k) {
    case ImportKind::kPeople: return "people";
    case ImportKind::kAccounts: return "accounts";
    case ImportKind::kBases: return "bases";
    case ImportKind::kPurchases: return "purchases";
    case ImportKind::kSuppression: return "suppression";
    case ImportKind::kEvents: return "events";
  }
  return "";
}

// Runs one import, prints its report and returns the exit code.
int DoImport(AppContext& ctx, ImportOptions opt, bool as_json, std::ostream& out) {
  opt.now = Now();
  opt.progress = ProgressBar("import " + Describe(opt.kind));
  ImportContext ic{ctx.store.get(), ctx.tenant, ctx.hasher.get(), &ctx.suppression};
  Result<ImportReport> r = RunImport(ic, opt);
  if (!r.ok()) return Fail(r.status());
  return ReportImport(*r, opt.file, Describe(opt.kind), opt.dry_run, as_json, out);
}

Result<ChannelSet> ParseChannels(const std::string& text) {
  ChannelSet set = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find_first_of(",;", start);
    if (end == std::string::npos) end = text.size();
    std::string one(Trim(std::string_view(text).substr(start, end - start)));
    Channel c;
    if (!one.empty()) {
      if (!Parse(one, &c)) return Status::Invalid("--channels: '" + one + "' is not one of " + Choices<Channel>());
      set |= ChannelBit(c);
    }
    start = end + 1;
  }
  return set;
}

void AddInit(CLI::App& app, DataOptions& data, int* code) {
  CLI::App* cmd = app.add_subcommand("init", "create the data directory, database, rules file and tenant secret");
  cmd->callback([&data, code] {
    auto ctx = Open(data, code);
    if (!ctx) return;
    Status s = EnsureDefaultPurposes(*ctx);
    if (!s.ok()) { *code = Fail(s); return; }
    std::cout << "initialised " << ctx->dir << " (tenant " << ctx->tenant_name << ", rules " << ctx->rules.version
              << ")\n";
  });
}

void AddGen(CLI::App& app, int* code) {
  auto opt = std::make_shared<gen::GenOptions>();
  CLI::App* cmd = app.add_subcommand("gen", "write deterministic demo/benchmark CSV files (bench.md)");
  cmd->add_option("--people", opt->people, "number of people")->capture_default_str();
  cmd->add_option("--seed", opt->seed, "random seed")->capture_default_str();
  cmd->add_option("--out", opt->out_dir, "output directory")->required();
  cmd->add_option("--events", opt->events, "number of intent events (0 = as many as people)");
  auto as_of = std::make_shared<std::string>();
  cmd->add_option("--as-of", *as_of, "the time the data is generated as of (default 2026-11-01)");
  cmd->callback([opt, as_of, code] {
    if (!as_of->empty()) {
      Result<Time> t = ParseTime(*as_of);
      if (!t.ok()) { *code = Fail(t.status().WithContext("--as-of: ")); return; }
      opt->as_of = *t;
    }
    gen::GenCounts counts;
    Status s = gen::Generate(*opt, &counts, ProgressBar("gen"));
    if (!s.ok()) { *code = Fail(s); return; }
    std::cout << "wrote " << counts.accounts << " accounts, " << counts.people << " people, " << counts.bases
              << " basis records, " << counts.purchases << " purchases, " << counts.suppressed
              << " suppressed addresses, " << counts.events << " events to " << opt->out_dir << "\n";
  });
}

void AddImport(CLI::App& app, DataOptions& data, int* code) {
  CLI::App* cmd = app.add_subcommand("import", "import CSV files (people, accounts, bases, purchases)");
  cmd->require_subcommand(1);
  struct Args {
    std::string file, source, notice, purpose, basis, channels = "email", country, recipient = "consumer";
    bool dry_run = false, partial = false, json = false;
  };
  for (ImportKind kind : {ImportKind::kPeople, ImportKind::kAccounts, ImportKind::kBases, ImportKind::kPurchases}) {
    auto a = std::make_shared<Args>();
    std::string help;
    for (const std::string& f : CanonicalFields(kind)) help += (help.empty() ? "" : ", ") + f;
    CLI::App* sub = cmd->add_subcommand(Describe(kind), "import " + Describe(kind) + " (fields: " + help + ")");
    sub->add_option("file", a->file, "CSV file with a header line")->required();
    sub->add_option("--source", a->source, "where the rows came from (provenance; default the file name)");
    sub->add_option("--notice", a->notice, "notice version shown at collection");
    sub->add_flag("--dry-run", a->dry_run, "validate and report, write nothing");
    sub->add_flag("--partial", a->partial, "commit the good rows, report the rest (default: all or nothing)");
    sub->add_flag("--json", a->json, "print the report as JSON");
    if (kind == ImportKind::kPeople) {
      sub->add_option("--purpose", a->purpose, "with --basis: record this basis for this purpose per person");
      sub->add_option("--basis", a->basis, "lawful basis the rows were collected under: " + Choices<LawfulBasis>());
      sub->add_option("--channels", a->channels, "channels of that basis (email,sms,phone,post)")->capture_default_str();
      sub->add_option("--country", a->country, "country for rows without one (also reads their phone numbers)");
      sub->add_option("--recipient", a->recipient, "recipient class for rows without one")->capture_default_str();
    }
    sub->callback([&data, code, kind, a] {
      ImportOptions opt;
      opt.kind = kind;
      opt.file = a->file;
      opt.source = a->source;
      opt.notice = a->notice;
      opt.purpose = a->purpose;
      opt.dry_run = a->dry_run;
      opt.partial = a->partial;
      if (!a->basis.empty()) {
        LawfulBasis b;
        if (!Parse(a->basis, &b)) { *code = Fail(Status::Invalid("--basis: must be one of " + Choices<LawfulBasis>())); return; }
        if (a->purpose.empty()) { *code = Fail(Status::Invalid("--basis needs --purpose (the scope of the basis)")); return; }
        opt.basis = b;
      }
      Result<ChannelSet> ch = ParseChannels(a->channels);
      if (!ch.ok()) { *code = Fail(ch.status()); return; }
      opt.channels = *ch;
      if (!a->country.empty()) {
        Result<std::string> c = NormalizeCountry(a->country);
        if (!c.ok()) { *code = Fail(c.status().WithContext("--country: ")); return; }
        opt.default_country = *c;
      }
      if (!Parse(a->recipient, &opt.default_recipient)) {
        *code = Fail(Status::Invalid("--recipient: must be one of " + Choices<Recipient>()));
        return;
      }
      auto ctx = Open(data, code);
      if (!ctx) return;
      if (!opt.purpose.empty()) {
        Result<Purpose> p = ctx->store->GetPurpose(ctx->tenant, opt.purpose);
        if (!p.ok()) { *code = Fail(p.status().WithContext("--purpose: ")); return; }
      }
      *code = DoImport(*ctx, opt, a->json, std::cout);
    });
  }
}

void AddSuppress(CLI::App& app, DataOptions& data, int* code) {
  CLI::App* cmd = app.add_subcommand("suppress", "suppression lists (stored as keyed hashes, never plaintext)");
  cmd->require_subcommand(1);
  auto a = std::make_shared<std::pair<std::string, std::string>>();  // file, list
  auto country = std::make_shared<std::string>();
  auto flags = std::make_shared<std::array<bool, 3>>();  // dry_run, partial, json
  CLI::App* imp = cmd->add_subcommand("import", "import a suppression list or a national opt-out register "
                                                "(CSV with an email and/or phone column)");
  imp->add_option("file", a->first, "CSV file")->required();
  imp->add_option("--list", a->second, "list name, e.g. robinson-de, tps, unsubscribed")->required();
  imp->add_option("--country", *country, "country to read phone numbers in when the file has no country column");
  imp->add_flag("--dry-run", (*flags)[0], "validate only");
  imp->add_flag("--partial", (*flags)[1], "commit the good rows, report the rest");
  imp->add_flag("--json", (*flags)[2], "print the report as JSON");
  imp->callback([&data, code, a, country, flags] {
    auto ctx = Open(data, code);
    if (!ctx) return;
    ImportOptions opt;
    opt.kind = ImportKind::kSuppression;
    opt.file = a->first;
    opt.suppression_list = a->second;
    opt.default_country = *country;
    opt.dry_run = (*flags)[0];
    opt.partial = (*flags)[1];
    *code = DoImport(*ctx, opt, (*flags)[2], std::cout);
  });

  auto values = std::make_shared<std::vector<std::string>>();
  auto list = std::make_shared<std::string>();
  CLI::App* add = cmd->add_subcommand("add", "add addresses or phone numbers (E.164, or with --country) to a list");
  add->add_option("--list", *list, "list name")->required();
  add->add_option("--country", *country, "country to read phone numbers in");
  add->add_option("values", *values, "emails or phone numbers")->required();
  add->callback([&data, code, values, list, country] {
    auto ctx = Open(data, code);
    if (!ctx) return;
    std::vector<SuppressionKey> keys;
    for (const std::string& v : *values) {
      if (v.find('@') != std::string::npos) {
        Result<std::string> e = NormalizeEmail(v);
        if (!e.ok()) { *code = Fail(e.status().WithContext(v + ": ")); return; }
        keys.push_back(ctx->hasher->Key(SuppressionKind::kEmail, *e));
      } else {
        Result<std::string> p = NormalizePhone(v, *country);
        if (!p.ok()) { *code = Fail(p.status().WithContext(v + ": ")); return; }
        keys.push_back(ctx->hasher->Key(SuppressionKind::kPhone, *p));
      }
    }
    Status s = ctx->store->Begin();
    for (const SuppressionKey& k : keys)
      if (s.ok()) s = ctx->store->AddSuppression(ctx->tenant, {*list, k, Now()});
    if (s.ok()) s = ctx->store->Commit();
    if (!s.ok()) { ctx->store->Rollback(); *code = Fail(s); return; }
    std::cout << "added " << keys.size() << " entries to " << *list << "\n";
  });

  auto check_values = std::make_shared<std::vector<std::string>>();
  CLI::App* check = cmd->add_subcommand("check", "say whether addresses or phone numbers are suppressed");
  check->add_option("--country", *country, "country to read phone numbers in");
  check->add_option("values", *check_values, "emails or phone numbers")->required();
  check->callback([&data, code, check_values, country] {
    auto ctx = Open(data, code);
    if (!ctx) return;
    for (const std::string& v : *check_values) {
      bool email = v.find('@') != std::string::npos;
      Result<std::string> n = email ? NormalizeEmail(v) : NormalizePhone(v, *country);
      if (!n.ok()) { *code = Fail(n.status().WithContext(v + ": ")); return; }
      bool hit = ctx->suppression.Contains(ctx->hasher->Key(email ? SuppressionKind::kEmail : SuppressionKind::kPhone, *n));
      std::cout << *n << ": " << (hit ? "suppressed" : "not suppressed") << "\n";
    }
  });
}

void AddDecide(CLI::App& app, DataOptions& data, int* code) {
  auto file = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("decide", "decide a self-contained scenario (policy.md) and print the result "
                                               "as one JSON line");
  cmd->add_option("--scenario", *file, "scenario JSON file (an object or an array); - for stdin")->required();
  auto rules_file = std::make_shared<std::string>();
  cmd->add_option("--rules", *rules_file, "rules file (default: the built-in rules, or the data dir's when it exists)");
  cmd->callback([&data, code, file, rules_file] {
    Result<std::string> text = ReadFile(*file);
    if (!text.ok()) { *code = Fail(text.status()); return; }
    std::string rules_text(DefaultRulesText()), rules_name = "default-rules.toml";
    std::string path = !rules_file->empty() ? *rules_file : data.dir + "/rules.toml";
    if (!rules_file->empty() || access(path.c_str(), R_OK) == 0) {
      Result<std::string> rt = ReadFile(path);
      if (!rt.ok()) { *code = Fail(rt.status()); return; }
      rules_text = *rt;
      rules_name = path;
    }
    Result<Rules> rules = ParseRules(rules_text, rules_name);
    if (!rules.ok()) { *code = Fail(rules.status()); return; }
    bool array = false;
    Result<std::vector<Result<Scenario>>> scenarios = ParseScenarios(*text, Now(), &array);
    if (!scenarios.ok()) {
      std::cout << json{{"error", *file + ": " + scenarios.status().message()}}.dump(-1, ' ', false, kBadUtf8) << "\n";
      *code = 1;
      return;
    }
    // A scenario that cannot be read or decided is an error object in its place; the
    // others are still answered, and the exit status says something failed.
    json out = json::array();
    for (size_t i = 0; i < scenarios->size(); ++i) {
      const Result<Scenario>& sc = (*scenarios)[i];
      Result<Decision> d = sc.ok() ? Decide(*rules, sc->Request()) : Result<Decision>(sc.status());
      if (d.ok()) {
        out.push_back(DecisionToJson(*d));
        continue;
      }
      // "case.json[1].subject.recipient: ..." (a parse error carries its path) or
      // "case.json[1]: ..." (a decision error); a single object: "case.json: ...".
      const std::string& msg = d.status().message();
      const std::string where = !array ? ": " : msg.rfind("[", 0) == 0 ? "" : "[" + std::to_string(i) + "]: ";
      out.push_back(json{{"error", *file + where + msg}});
      *code = 1;
    }
    std::cout << (array ? out.dump(-1, ' ', false, kBadUtf8) : out[0].dump(-1, ' ', false, kBadUtf8)) << "\n";
  });
}

void AddWhy(CLI::App& app, DataOptions& data, int* code) {
  struct Args {
    std::string person, purpose, channel, action = "contact", role = "list_builder", at;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("why", "explain in words why a person may or may not be used");
  cmd->add_option("--person", a->person, "person id, external ref or email")->required();
  cmd->add_option("--purpose", a->purpose, "purpose id")->required();
  cmd->add_option("--channel", a->channel, "email, sms, phone or post");
  cmd->add_option("--action", a->action, "view, contact, track, export or share")->capture_default_str();
  cmd->add_option("--role", a->role, "admin, list_builder or read_only")->capture_default_str();
  cmd->add_option("--at", a->at, "decide as of this date or time (default now)");
  cmd->add_flag("--json", a->json, "print the decision as JSON");
  cmd->callback([&data, code, a] {
    auto ctx = Open(data, code);
    if (!ctx) return;
    DecisionRequest req;
    if (!Parse(a->action, &req.action)) { *code = Fail(Status::Invalid("--action: must be one of " + Choices<Action>())); return; }
    if (!Parse(a->role, &req.role)) { *code = Fail(Status::Invalid("--role: must be one of " + Choices<Role>())); return; }
    if (!a->channel.empty()) {
      Channel c;
      if (!Parse(a->channel, &c)) { *code = Fail(Status::Invalid("--channel: must be one of " + Choices<Channel>())); return; }
      req.channel = c;
    } else if (req.action == Action::kContact) {
      req.channel = Channel::kEmail;
    }
    req.at = Now();
    if (!a->at.empty()) {
      Result<Time> t = ParseTime(a->at);
      if (!t.ok()) { *code = Fail(t.status().WithContext("--at: ")); return; }
      req.at = *t;
    }
    Result<int64_t> id = ResolvePerson(*ctx, a->person);
    if (!id.ok()) { *code = Fail(id.status()); return; }
    Result<Person> person = ctx->store->GetPerson(ctx->tenant, *id);
    if (!person.ok()) { *code = Fail(person.status()); return; }
    Result<Purpose> purpose = ctx->store->GetPurpose(ctx->tenant, a->purpose);
    if (!purpose.ok()) { *code = Fail(purpose.status()); return; }
    req.subject = &person->subject;
    req.purpose = &*purpose;
    req.tenant = &ctx->settings;
    req.suppressed = ctx->suppression.ContainsAny(*ctx->hasher, person->subject.emails, person->phone);
    Result<Decision> d = Decide(ctx->rules, req);
    if (!d.ok()) { *code = Fail(d.status()); return; }
    if (req.suppressed)  // which address or phone, on which list
      for (std::string& line : SuppressionEvidence(*ctx, *person)) d->evidence.push_back(std::move(line));
    if (a->json) {
      json j = DecisionToJson(*d);
      j["evidence"] = d->evidence;
      std::cout << j.dump(-1, ' ', false, kBadUtf8) << "\n";
    } else {
      std::cout << "person #" << *id << " (" << person->first_name << " " << person->last_name << ", "
                << (person->subject.country.empty() ? "unknown country" : person->subject.country) << ", "
                << Name(person->subject.recipient) << ")\n"
                << Explain(*d, req);
    }
  });
}

void AddPerson(CLI::App& app, DataOptions& data, int* code) {
  CLI::App* cmd = app.add_subcommand("person", "people profiles");
  cmd->require_subcommand(1);
  auto key = std::make_shared<std::string>();
  auto role = std::make_shared<std::string>("list_builder");
  CLI::App* show = cmd->add_subcommand("show", "show a profile as JSON (as far as decide(view) allows)");
  show->add_option("person", *key, "person id, external ref or email")->required();
  show->add_option("--role", *role, "admin, list_builder or read_only")->capture_default_str();
  show->callback([&data, code, key, role] {
    auto ctx = Open(data, code);
    if (!ctx) return;
    Role r;
    if (!Parse(*role, &r)) { *code = Fail(Status::Invalid("--role: must be one of " + Choices<Role>())); return; }
    Result<int64_t> id = ResolvePerson(*ctx, *key);
    if (!id.ok()) { *code = Fail(id.status()); return; }
    Result<Person> p = ctx->store->GetPerson(ctx->tenant, *id);
    if (!p.ok()) { *code = Fail(p.status()); return; }
    Result<Decision> d = DecideStored(*ctx, *p, Action::kView, r, Now());
    if (!d.ok()) { *code = Fail(d.status()); return; }
    if (!d->allow) {
      std::cout << json{{"id", *id}, {"visible", false}, {"decision", DecisionToJson(*d)}}.dump(2) << "\n";
      return;
    }
    bool mask = std::find(d->obligations.begin(), d->obligations.end(), Obligation::kMaskEmail) != d->obligations.end();
    json emails = json::array();
    for (const EmailAddress& e : p->subject.emails) {
      bool hide = mask && e.visibility == Visibility::kHidden;
      emails.push_back({{"address", hide ? std::string("(hidden)") : e.address}, {"type", Name(e.type)},
                        {"visibility", Name(e.visibility)}});
    }
    json bases = json::array();
    for (const BasisRecord& b : p->subject.bases)
      bases.push_back({{"id", b.id}, {"basis", Name(b.basis)}, {"status", Name(b.status)}, {"scope", b.scopes},
                       {"at", FormatTime(b.at)}, {"evidence", b.evidence}});
    json provenance = json::object();
    for (const auto& [field, source] : p->field_sources) {
      Result<Provenance> pv = ctx->store->GetSource(ctx->tenant, source);
      if (pv.ok())
        provenance[field] = {{"source", pv->source}, {"basis", pv->basis}, {"notice", pv->notice},
                             {"collected_at", pv->collected_at ? json(FormatTime(*pv->collected_at)) : json()}};
    }
    const Subject& s = p->subject;
    std::cout << json{{"id", *id}, {"external_ref", p->external_ref}, {"first_name", p->first_name},
                      {"last_name", p->last_name}, {"emails", emails}, {"phone", p->phone}, {"title", p->title},
                      {"seniority", p->seniority}, {"function", s.function}, {"country", s.country},
                      {"region", p->region}, {"recipient", Name(s.recipient)}, {"stage", Name(s.stage)},
                      {"account", p->account_domain},
                      {"suppressed", ctx->suppression.ContainsAny(*ctx->hasher, s.emails, p->phone)}, {"bases", bases},
                      {"purchases", s.purchases.size()}, {"provenance", provenance},
                      {"decision", DecisionToJson(*d)}}.dump(2)
              << "\n";
  });
}

void AddPurpose(CLI::App& app, DataOptions& data, int* code) {
  CLI::App* cmd = app.add_subcommand("purpose", "processing purposes");
  cmd->require_subcommand(1);
  CLI::App* list = cmd->add_subcommand("list", "list the tenant's purposes as JSON lines");
  list->callback([&data, code] {
    auto ctx = Open(data, code);
    if (!ctx) return;
    Status s = EnsureDefaultPurposes(*ctx);
    if (!s.ok()) { *code = Fail(s); return; }
    Result<std::vector<Purpose>> ps = ctx->store->ListPurposes(ctx->tenant);
    if (!ps.ok()) { *code = Fail(ps.status()); return; }
    for (const Purpose& p : *ps) std::cout << PurposeToJson(p).dump(-1, ' ', false, kBadUtf8) << "\n";
  });
  auto body = std::make_shared<std::string>();
  CLI::App* put = cmd->add_subcommand("put", "create or replace a purpose from JSON "
                                             "({\"id\",\"kind\",\"family\",\"lia\",\"retention_days\",...})");
  put->add_option("json", *body, "the purpose as a JSON object")->required();
  put->callback([&data, code, body] {
    auto ctx = Open(data, code);
    if (!ctx) return;
    Result<json> j = ParseJson(*body, "purpose");
    if (!j.ok()) { *code = Fail(j.status()); return; }
    Result<Purpose> p = PurposeFromJson(*j, "purpose");
    if (!p.ok()) { *code = Fail(p.status()); return; }
    Status s = ctx->store->PutPurpose(ctx->tenant, *p);
    if (!s.ok()) { *code = Fail(s); return; }
    std::cout << "saved purpose " << p->id << "\n";
  });
}

void AddRules(CLI::App& app, DataOptions& data, int* code) {
  CLI::App* cmd = app.add_subcommand("rules", "the country rules file");
  cmd->require_subcommand(1);
  auto file = std::make_shared<std::string>();
  CLI::App* check = cmd->add_subcommand("check", "validate a rules file");
  check->add_option("file", *file, "rules file (TOML)")->required();
  check->callback([code, file] {
    Result<std::string> text = ReadFile(*file);
    if (!text.ok()) { *code = Fail(text.status()); return; }
    Result<Rules> r = ParseRules(*text, *file);
    if (!r.ok()) { *code = Fail(r.status()); return; }
    std::cout << *file << ": ok, version " << r->version << ", " << r->rows.size() << " rows, "
              << r->adequacy.size() << " adequacy decisions, " << r->us_frameworks.size() << " US frameworks\n";
  });
  CLI::App* show = cmd->add_subcommand("default", "print the built-in default rules file");
  show->callback([] { std::cout << DefaultRulesText(); });
  CLI::App* versions = cmd->add_subcommand("versions", "list the rules versions the tenant has decided with");
  versions->callback([&data, code] {
    auto ctx = Open(data, code);
    if (!ctx) return;
    Result<std::vector<RulesVersion>> vs = ctx->store->ListRulesVersions(ctx->tenant);
    if (!vs.ok()) { *code = Fail(vs.status()); return; }
    for (const RulesVersion& v : *vs) std::cout << FormatTime(v.loaded_at) << "  " << v.version << "  " << v.sha256 << "\n";
  });
}

void AddConsent(CLI::App& app, DataOptions& data, int* code) {
  CLI::App* consent = app.add_subcommand("consent", "record lawful-basis changes (history is appended, never rewritten)");
  consent->require_subcommand(1);
  struct Args {
    std::string person, basis = "consent", status, scope, channels = "email", at, confirmed_at, expires_at, source,
                notice;
  };
  auto a = std::make_shared<Args>();
  CLI::App* add = consent->add_subcommand("add", "append a basis record: a grant, a withdrawal, a confirmation...");
  add->add_option("--person", a->person, "person id, external ref or email")->required();
  add->add_option("--basis", a->basis, "lawful basis: " + Choices<LawfulBasis>())->capture_default_str();
  add->add_option("--status", a->status, Choices<BasisStatus>())->required();
  add->add_option("--scope", a->scope, "purpose id or prefix it covers")->required();
  add->add_option("--channels", a->channels, "email,sms,phone,post")->capture_default_str();
  add->add_option("--at", a->at, "when (default now)");
  add->add_option("--confirmed-at", a->confirmed_at, "double opt-in confirmation time");
  add->add_option("--expires-at", a->expires_at, "expiry time");
  add->add_option("--source", a->source, "evidence: where it was given (form, preference centre...)");
  add->add_option("--notice", a->notice, "evidence: the notice version shown");
  add->callback([&data, code, a] {
    Status st = [&]() -> Status {
      BasisRecord b;
      if (!Parse(a->basis, &b.basis)) return Status::Invalid("--basis: must be one of " + Choices<LawfulBasis>());
      if (!Parse(a->status, &b.status)) return Status::Invalid("--status: must be one of " + Choices<BasisStatus>());
      b.scopes = {a->scope};
      Result<ChannelSet> ch = ParseChannels(a->channels);
      if (!ch.ok()) return ch.status();
      b.channels = *ch;
      b.channels_given = true;
      b.at = Now();
      struct TimeArg { const std::string* text; const char* flag; std::optional<Time>* out; };
      std::optional<Time> at;
      for (TimeArg t : {TimeArg{&a->at, "--at", &at}, TimeArg{&a->confirmed_at, "--confirmed-at", &b.confirmed_at},
                        TimeArg{&a->expires_at, "--expires-at", &b.expires_at}}) {
        if (t.text->empty()) continue;
        Result<Time> v = ParseTime(*t.text);
        if (!v.ok()) return v.status().WithContext(std::string(t.flag) + ": ");
        *t.out = *v;
      }
      if (at) b.at = *at;
      b.evidence = json{{"source", a->source.empty() ? "cli" : a->source}, {"notice_version", a->notice}}.dump(-1, ' ', false, kBadUtf8);
      auto ctx = OpenContext(data);
      if (!ctx.ok()) return ctx.status();
      Result<int64_t> id = ResolvePerson(**ctx, a->person);
      if (!id.ok()) return id.status();
      Result<Person> p = (*ctx)->store->GetPerson((*ctx)->tenant, *id);
      if (!p.ok()) return p.status();
      FL_RETURN_IF_ERROR((*ctx)->store->AddBasisRecord((*ctx)->tenant, *id, &b));  // durable when it returns
      std::cout << "recorded basis record #" << b.id << " (" << Name(b.basis) << ", " << Name(b.status) << ", "
                << a->scope << ") for person #" << *id << "\n";
      return Status::Ok();
    }();
    if (!st.ok()) *code = Fail(st);
  });

  auto person = std::make_shared<std::string>();
  auto at = std::make_shared<std::string>();
  CLI::App* object = app.add_subcommand("object", "record a person's objection to direct marketing (absolute, Art. 21(3))");
  object->add_option("--person", *person, "person id, external ref or email")->required();
  object->add_option("--at", *at, "when (default now)");
  object->callback([&data, code, person, at] {
    Status st = [&]() -> Status {
      Time when = Now();
      if (!at->empty()) {
        Result<Time> t = ParseTime(*at);
        if (!t.ok()) return t.status().WithContext("--at: ");
        when = *t;
      }
      auto ctx = OpenContext(data);
      if (!ctx.ok()) return ctx.status();
      Result<int64_t> id = ResolvePerson(**ctx, *person);
      if (!id.ok()) return id.status();
      Result<Person> p = (*ctx)->store->GetPerson((*ctx)->tenant, *id);
      if (!p.ok()) return p.status();
      if (!p->subject.objected_direct_marketing_at || *p->subject.objected_direct_marketing_at > when)
        p->subject.objected_direct_marketing_at = when;
      FL_RETURN_IF_ERROR((*ctx)->store->UpdatePerson((*ctx)->tenant, *p));
      std::cout << "person #" << *id << " objected to direct marketing at "
                << FormatTime(*p->subject.objected_direct_marketing_at) << "\n";
      return Status::Ok();
    }();
    if (!st.ok()) *code = Fail(st);
  });
}

void AddDemo(CLI::App& app, DataOptions& data, int* code) {
  auto people = std::make_shared<uint64_t>(5000);
  CLI::App* cmd = app.add_subcommand("demo", "the main job on the embedded default: a demo tenant with generated "
                                             "data, imported through the full path, then decisions explained");
  cmd->add_option("--people", *people, "people to generate")->capture_default_str();
  cmd->callback([&data, code, people] {
    auto ctx = Open(data, code);
    if (!ctx) return;
    Status s = EnsureDefaultPurposes(*ctx);
    if (!s.ok()) { *code = Fail(s); return; }
    Result<int64_t> count = ctx->store->CountPeople(ctx->tenant);
    if (!count.ok()) { *code = Fail(count.status()); return; }
    if (*count == 0) {
      gen::GenOptions g;
      g.people = *people;
      g.seed = 42;
      g.out_dir = ctx->dir + "/demo-csv";
      gen::GenCounts counts;
      s = gen::Generate(g, &counts, ProgressBar("gen"));
      if (!s.ok()) { *code = Fail(s); return; }
      std::cout << "generated " << counts.people << " people at " << counts.accounts << " accounts in " << g.out_dir
                << "\n";
      struct Step { ImportKind kind; const char* file; };
      for (Step st : {Step{ImportKind::kSuppression, "suppression.csv"}, Step{ImportKind::kAccounts, "accounts.csv"},
                      Step{ImportKind::kPeople, "people.csv"}, Step{ImportKind::kBases, "bases.csv"},
                      Step{ImportKind::kPurchases, "purchases.csv"}}) {
        ImportOptions opt;
        opt.kind = st.kind;
        opt.file = g.out_dir + "/" + st.file;
        opt.source = "demo-generator";
        opt.notice = "2026-01";
        opt.suppression_list = "demo-unsubscribed";
        int rc = DoImport(*ctx, opt, false, std::cout);
        if (rc != 0) { *code = rc; return; }
      }
      EventImportOptions ev;
      ev.file = g.out_dir + "/events.csv";
      ev.now = Now();
      ev.progress = ProgressBar("import events");
      EventImportContext ec{ctx->store.get(), ctx->tenant, &ctx->rules, &ctx->settings, ctx->hasher.get(),
                            &ctx->suppression};
      Result<ImportReport> er = ImportEvents(ec, ev);
      if (!er.ok()) { *code = Fail(er.status()); return; }
      int rc = ReportImport(*er, ev.file, "events", false, false, std::cout);
      if (rc != 0) { *code = rc; return; }
    } else {
      std::cout << "the demo tenant already holds " << *count << " people (remove " << ctx->dir
                << " to start again)\n";
    }
    std::cout << "\nNext: fairlead --data " << ctx->dir << " intent top --topic security --as-of 2026-11-01\n"
              << "      fairlead --data " << ctx->dir << " search \"seniority >= director and "
              << "eligible(marketing.security, email)\" --topic security --at 2026-11-01\n"
              << "      fairlead --data " << ctx->dir << " why --person 1 --purpose marketing.security --channel email\n";
    std::cout << "\nExplanations (fairlead why --person ID --purpose P --channel C):\n";
    for (int64_t id : {1, 2, 3}) {
      Result<Person> p = ctx->store->GetPerson(ctx->tenant, id);
      if (!p.ok()) continue;
      Result<Purpose> purpose = ctx->store->GetPurpose(ctx->tenant, "marketing.security");
      if (!purpose.ok()) break;
      Time now = Now();
      Result<Decision> d = DecideStored(*ctx, *p, Action::kContact, Role::kListBuilder, now, &*purpose, Channel::kEmail);
      if (!d.ok()) continue;
      DecisionRequest req;
      req.subject = &p->subject;
      req.purpose = &*purpose;
      req.action = Action::kContact;
      req.channel = Channel::kEmail;
      req.role = Role::kListBuilder;
      req.at = now;
      std::cout << "\nperson #" << id << " (" << p->subject.country << ", " << Name(p->subject.recipient) << "):\n"
                << Explain(*d, req);
    }
  });
}

}  // namespace

void RegisterCommands(CLI::App& app, DataOptions& data, int* exit_code) {
  AddInit(app, data, exit_code);
  AddGen(app, exit_code);
  AddImport(app, data, exit_code);
  AddSuppress(app, data, exit_code);
  AddDecide(app, data, exit_code);
  AddWhy(app, data, exit_code);
  AddPerson(app, data, exit_code);
  AddPurpose(app, data, exit_code);
  AddRules(app, data, exit_code);
  AddDemo(app, data, exit_code);
  AddConsent(app, data, exit_code);
  RegisterIntentCommands(app, data, exit_code);
  RegisterSegmentCommands(app, data, exit_code);
  RegisterSavedCommands(app, data, exit_code);
  RegisterBenchCommands(app, data, exit_code);
}

}  // namespace fairlead
