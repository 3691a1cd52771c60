// CLI: search, list (create, show, export-ids, assign), explain.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <set>

#include "cli/commands.h"
#include "cli/common.h"
#include "core/normalize.h"
#include "index/filter.h"
#include "index/people_index.h"
#include "index/query.h"
#include "saved/watch.h"

namespace fairlead {
namespace {

using nlohmann::json;

// Everything a list query needs, loaded once per command.
struct Segments {
  std::unique_ptr<AppContext> ctx;
  std::unique_ptr<PeopleIndex> index;
  std::unique_ptr<IntentModel> intent;
  QueryContext query;
  int depth = 0;  // lists referring to lists
};

Status Load(Segments& s, const DataOptions& data, Role role, Time at) {
  Result<std::unique_ptr<AppContext>> ctx = OpenContext(data);
  if (!ctx.ok()) return ctx.status();
  s.ctx = std::move(*ctx);
  AppContext& c = *s.ctx;
  Result<std::unique_ptr<PeopleIndex>> index =
      PeopleIndex::Load(*c.store, c.tenant, c.rules, c.settings, *c.hasher, c.suppression, IndexSnapshotPath(c));
  if (!index.ok()) return index.status();
  s.index = std::move(*index);
  Result<std::unique_ptr<IntentModel>> intent = LoadIntent(c, at);
  if (!intent.ok()) return intent.status();
  s.intent = std::move(*intent);
  s.query.index = s.index.get();
  s.query.intent = s.intent.get();
  s.query.at = at;
  s.query.role = role;
  s.query.purpose_of = [&c](std::string_view id) { return c.store->GetPurpose(c.tenant, id); };
  Segments* self = &s;
  s.query.list_rows = [self](std::string_view name) -> Result<Bitset> {
    if (self->depth > 8) return Status::Invalid("list:" + std::string(name) + ": lists refer to each other in a cycle");
    AppContext& c = *self->ctx;
    Result<ListInfo> list = c.store->GetList(c.tenant, name);
    if (!list.ok()) return list.status();
    Result<FilterNode> filter = ParseFilter(list->filter);
    if (!filter.ok()) return filter.status().WithContext("list " + list->name + ": ");
    ++self->depth;
    Result<Bitset> rows = [&]() -> Result<Bitset> {
      if (!list->is_static) return Evaluate(*filter, self->query);
      // A static list is a snapshot, re-decided at use: its members, less anyone the
      // filter's policy terms (and the view decision) would now exclude.
      Result<std::vector<int64_t>> members = c.store->ListMembers(c.tenant, name);
      if (!members.ok()) return members.status();
      Bitset out(self->index->rows());
      for (int64_t id : *members)
        if (std::optional<uint32_t> row = self->index->RowOf(id)) out.Set(*row);
      std::vector<const FilterNode*> policy_terms;
      std::vector<const FilterNode*> stack = {&*filter};
      while (!stack.empty()) {
        const FilterNode* n = stack.back();
        stack.pop_back();
        if (n->kind == FilterNode::Kind::kAnd)
          for (const FilterNode& ch : n->children) stack.push_back(&ch);
        else if (n->kind == FilterNode::Kind::kEligible)
          policy_terms.push_back(n);
      }
      for (const FilterNode* t : policy_terms) {
        Result<Bitset> b = Evaluate(*t, self->query);
        if (!b.ok()) return b;
        out.And(*b);
      }
      out.And(ViewableRows(self->query));
      out.AndNot(self->index->Suppressed());
      return out;
    }();
    --self->depth;
    return rows;
  };
  return Status::Ok();
}

Result<Time> TimeOption(const std::string& text) {
  if (text.empty()) return Now();
  Result<Time> t = ParseTime(text);
  if (!t.ok()) return t.status().WithContext("--at: ");
  return t;
}

// Parses --role and --at, then loads.
Status LoadFor(Segments& s, const DataOptions& data, const std::string& role_text, const std::string& at_text) {
  Role role;
  if (!Parse(role_text, &role)) return Status::Invalid("--role: must be one of " + Choices<Role>());
  Result<Time> at = TimeOption(at_text);
  if (!at.ok()) return at.status();
  return Load(s, data, role, *at);
}

Result<FilterNode> FilterOption(const std::string& text, bool is_json) {
  if (!is_json) {
    Result<FilterNode> f = ParseFilter(text);
    if (!f.ok()) return f.status().WithContext("filter: ");
    return f;
  }
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return Status::Invalid("filter: not valid JSON");
  return FilterFromJson(j);
}

// Prints a page of people, as text or JSON lines.
Status PrintPage(Segments& s, const RankedPage& page, bool as_json, std::ostream& out) {
  AppContext& c = *s.ctx;
  if (!as_json) out << page.total << " people\n";
  for (size_t i = 0; i < page.person_ids.size(); ++i) {
    Result<Person> p = c.store->GetPerson(c.tenant, page.person_ids[i]);
    if (!p.ok()) return p.status();
    if (as_json) {
      out << json{{"id", p->subject.id}, {"name", p->first_name + " " + p->last_name}, {"title", p->title},
                  {"seniority", p->seniority}, {"function", p->subject.function}, {"country", p->subject.country},
                  {"account", p->account_domain}, {"score", page.scores[i]}}.dump()
          << "\n";
    } else {
      char line[512];
      std::snprintf(line, sizeof line, "%10lld  %-28.28s %-10.10s %-6.6s %-28.28s %9.2f",
                    static_cast<long long>(p->subject.id), (p->first_name + " " + p->last_name).c_str(),
                    p->seniority.c_str(), p->subject.country.c_str(), p->account_domain.c_str(), page.scores[i]);
      out << line << "\n";
    }
  }
  return Status::Ok();
}

// A list name: what a filter's list:NAME can name (quoted when it has spaces).
Status CheckListName(const std::string& name) {
  if (Trim(name).empty()) return Status::Invalid("list name: empty");
  if (name.size() > 100) return Status::Invalid("list name: longer than 100 bytes");
  if (!IsValidUtf8(name)) return Status::Invalid("list name: not valid UTF-8");
  for (char ch : name)
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) return Status::Invalid("list name: control character");
  return Status::Ok();
}

// The lists a filter names, directly.
void ListsNamed(const FilterNode& n, std::vector<std::string>* out) {
  if (n.kind == FilterNode::Kind::kList) out->push_back(n.values[0]);
  for (const FilterNode& c : n.children) ListsNamed(c, out);
}

// Refuses a list whose filter reaches the list itself through the lists it names.
Status CheckNoCycle(AppContext& c, const std::string& name, const FilterNode& filter) {
  std::vector<std::pair<std::string, std::string>> pending;  // (list, path to it)
  std::vector<std::string> direct;
  ListsNamed(filter, &direct);
  for (const std::string& l : direct) pending.push_back({l, name + " -> " + l});
  std::set<std::string> seen;
  while (!pending.empty()) {
    auto [l, path] = pending.back();
    pending.pop_back();
    if (l == name) return Status::Invalid("list " + name + " would refer to itself: " + path);
    if (!seen.insert(l).second) continue;
    Result<ListInfo> info = c.store->GetList(c.tenant, l);
    if (!info.ok()) return info.status().WithContext("list:" + l + ": ");
    Result<FilterNode> f = ParseFilter(info->filter);
    if (!f.ok()) continue;  // reported when that list is used
    std::vector<std::string> next;
    ListsNamed(*f, &next);
    for (const std::string& n : next) pending.push_back({n, path + " -> " + n});
  }
  return Status::Ok();
}

struct QueryArgs {
  std::string filter, topic, at, role = "list_builder";
  size_t limit = 20, offset = 0;
  bool json_filter = false, json = false, count = false;
};

void AddQueryOptions(CLI::App* cmd, QueryArgs& a, bool with_filter) {
  if (with_filter) {
    cmd->add_option("filter", a.filter, "the filter, e.g. \"country in (DE, FR) and eligible(marketing, email)\"")
        ->required();
    cmd->add_flag("--json-filter", a.json_filter, "the filter is a JSON tree");
  }
  cmd->add_option("--topic", a.topic, "rank by the account's intent score for this topic");
  cmd->add_option("--limit", a.limit, "page size")->capture_default_str();
  cmd->add_option("--offset", a.offset, "page start")->capture_default_str();
  cmd->add_option("--at", a.at, "decide as of this time (default now)");
  cmd->add_option("--role", a.role, "the actor's role")->capture_default_str();
  cmd->add_flag("--json", a.json, "JSON lines");
  cmd->add_flag("--count", a.count, "print the count only");
}

// Runs a query for a user: the rows, cut to the people the role may view, counted or
// ranked (by --topic, else by `default_topic` when given, e.g. a list's own).
Status RunQuery(const DataOptions& data, const QueryArgs& a, const std::function<Result<Bitset>(Segments&)>& rows,
                const std::function<std::string(Segments&)>& default_topic = nullptr) {
  Segments s;
  FL_RETURN_IF_ERROR(LoadFor(s, data, a.role, a.at));
  Result<Bitset> r = rows(s);
  if (!r.ok()) return r.status();
  r->And(ViewableRows(s.query));  // nobody the role may not view is counted or shown
  if (a.count) {
    std::cout << r->Count() << "\n";
    return Status::Ok();
  }
  std::string topic = a.topic;
  if (topic.empty() && default_topic) topic = default_topic(s);
  RankedPage page = Rank(*r, s.query, AsciiLower(topic), a.offset, a.limit);
  return PrintPage(s, page, a.json, std::cout);
}

void AddSearch(CLI::App& app, DataOptions& data, int* code) {
  auto a = std::make_shared<QueryArgs>();
  CLI::App* cmd = app.add_subcommand("search", "find people with the filter language; lawful by construction when "
                                               "the filter has eligible(...)");
  AddQueryOptions(cmd, *a, true);
  cmd->callback([&data, code, a] {
    Status s = RunQuery(data, *a, [&](Segments& seg) -> Result<Bitset> {
      Result<FilterNode> f = FilterOption(a->filter, a->json_filter);
      if (!f.ok()) return f.status();
      return Evaluate(*f, seg.query);
    });
    if (!s.ok()) *code = Fail(s);
  });
}

void AddList(CLI::App& app, DataOptions& data, int* code) {
  CLI::App* list = app.add_subcommand("list", "static lists and dynamic segments");
  list->require_subcommand(1);

  struct CreateArgs {
    std::string name, filter, topic, at, role = "list_builder";
    bool is_static = false, json_filter = false, replace = false;
  };
  auto c = std::make_shared<CreateArgs>();
  CLI::App* create = list->add_subcommand("create", "save a dynamic segment (a filter) or, with --static, a snapshot");
  create->add_option("name", c->name, "list name")->required();
  create->add_option("--filter", c->filter, "the filter")->required();
  create->add_flag("--json-filter", c->json_filter, "the filter is a JSON tree");
  create->add_flag("--static", c->is_static, "snapshot the current members (re-decided at use)");
  create->add_option("--topic", c->topic, "default ranking topic");
  create->add_option("--at", c->at, "as of (default now)");
  create->add_option("--role", c->role, "the actor's role")->capture_default_str();
  create->add_flag("--replace", c->replace, "replace a list of the same name (its assignments stay)");
  create->callback([&data, code, c] {
    Status st = [&]() -> Status {
      FL_RETURN_IF_ERROR(CheckListName(c->name));
      Result<FilterNode> f = FilterOption(c->filter, c->json_filter);
      if (!f.ok()) return f.status();
      Segments s;
      FL_RETURN_IF_ERROR(LoadFor(s, data, c->role, c->at));
      Result<ListInfo> existing = s.ctx->store->GetList(s.ctx->tenant, c->name);
      if (existing.ok() && !c->replace)
        return Status::Invalid("a list named '" + c->name + "' exists (" +
                               (existing->is_static ? "static" : "segment") + ": " + existing->filter +
                               "); give --replace to replace it");
      if (!existing.ok() && existing.status().code() != Status::Code::kNotFound) return existing.status();
      FL_RETURN_IF_ERROR(CheckNoCycle(*s.ctx, c->name, *f));
      Result<Bitset> rows = Evaluate(*f, s.query);  // also validates every term
      if (!rows.ok()) return rows.status();
      std::vector<int64_t> members;
      if (c->is_static)
        for (uint32_t r : rows->ToRows()) members.push_back(s.index->PersonId(r));
      ListInfo info{c->name, c->is_static, f->ToText(), AsciiLower(c->topic), Now(), 0, {}};
      FL_RETURN_IF_ERROR(s.ctx->store->PutList(s.ctx->tenant, info, members));
      std::cout << (c->is_static ? "static list " : "segment ") << c->name << ": " << rows->Count()
                << " people now\n";
      return Status::Ok();
    }();
    if (!st.ok()) *code = Fail(st);
  });

  auto show_name = std::make_shared<std::string>();
  auto show = std::make_shared<QueryArgs>();
  CLI::App* sh = list->add_subcommand("show", "the members of a list, re-decided now (or every list without a name)");
  sh->add_option("name", *show_name, "list name");
  AddQueryOptions(sh, *show, false);
  sh->callback([&data, code, show_name, show] {
    if (show_name->empty()) {
      auto ctx = Open(data, code);
      if (!ctx) return;
      Result<std::vector<ListInfo>> all = ctx->store->ListLists(ctx->tenant);
      if (!all.ok()) { *code = Fail(all.status()); return; }
      for (const ListInfo& l : *all) {
        std::string users;
        for (const std::string& u : l.assigned) users += (users.empty() ? "" : ",") + u;
        std::cout << l.name << "\t" << (l.is_static ? "static (" + std::to_string(l.members) + " at creation)" : "segment")
                  << "\t" << l.filter << (users.empty() ? "" : "\tassigned to " + users) << "\n";
      }
      return;
    }
    Status s = RunQuery(
        data, *show, [&](Segments& seg) { return seg.query.list_rows(*show_name); },
        [&](Segments& seg) -> std::string {
          Result<ListInfo> l = seg.ctx->store->GetList(seg.ctx->tenant, *show_name);
          return l.ok() ? l->topic : std::string();
        });
    if (!s.ok()) *code = Fail(s);
  });

  auto ex_name = std::make_shared<std::string>();
  auto ex = std::make_shared<QueryArgs>();
  CLI::App* exp = list->add_subcommand("export-ids", "the person ids of a list, one a line, re-decided now");
  exp->add_option("name", *ex_name, "list name")->required();
  exp->add_option("--at", ex->at, "as of (default now)");
  exp->add_option("--role", ex->role, "the actor's role")->capture_default_str();
  exp->callback([&data, code, ex_name, ex] {
    Status st = [&]() -> Status {
      Segments s;
      FL_RETURN_IF_ERROR(LoadFor(s, data, ex->role, ex->at));
      Result<Bitset> rows = s.query.list_rows(*ex_name);
      if (!rows.ok()) return rows.status();
      rows->And(ViewableRows(s.query));
      std::vector<int64_t> ids;
      for (uint32_t r : rows->ToRows()) ids.push_back(s.index->PersonId(r));
      std::sort(ids.begin(), ids.end());
      for (int64_t id : ids) std::cout << id << "\n";
      return Status::Ok();
    }();
    if (!st.ok()) *code = Fail(st);
  });

  for (const bool give : {true, false}) {
    auto name = std::make_shared<std::string>();
    auto user = std::make_shared<std::string>();
    CLI::App* cmd = list->add_subcommand(give ? "assign" : "unassign",
                                         give ? "assign a list to a user" : "take a list back from a user");
    cmd->add_option("name", *name, "list name")->required();
    cmd->add_option("--user", *user, "user name")->required();
    cmd->callback([&data, code, name, user, give] {
      auto ctx = Open(data, code);
      if (!ctx) return;
      Status s = give ? ctx->store->AssignList(ctx->tenant, *name, *user)
                      : ctx->store->UnassignList(ctx->tenant, *name, *user);
      if (!s.ok()) { *code = Fail(s); return; }
      std::cout << (give ? "assigned " : "unassigned ") << *name << (give ? " to " : " from ") << *user << "\n";
    });
  }

  auto del_name = std::make_shared<std::string>();
  CLI::App* del = list->add_subcommand("delete", "delete a list, its snapshot and its assignments (not while another "
                                                 "list names it)");
  del->add_option("name", *del_name, "list name")->required();
  del->callback([&data, code, del_name] {
    auto ctx = Open(data, code);
    if (!ctx) return;
    Status st = [&]() -> Status {
      Result<std::vector<ListInfo>> all = ctx->store->ListLists(ctx->tenant);
      if (!all.ok()) return all.status();
      for (const ListInfo& l : *all) {
        if (l.name == *del_name) continue;
        Result<FilterNode> f = ParseFilter(l.filter);
        if (!f.ok()) continue;
        std::vector<std::string> named;
        ListsNamed(*f, &named);
        if (std::find(named.begin(), named.end(), *del_name) != named.end())
          return Status::Conflict("list " + l.name + " names " + *del_name + " (" + l.filter +
                                  "); delete or replace it first");
      }
      FL_RETURN_IF_ERROR(ctx->store->DeleteList(ctx->tenant, *del_name));
      std::cout << "deleted list " << *del_name << "\n";
      return Status::Ok();
    }();
    if (!st.ok()) *code = Fail(st);
  });
}

// Why one row is in or out of a list (or, without a name, of a filter): its terms, a
// static list's snapshot note, and the lists its filter names.
struct ListVerdict {
  bool in = false;
  std::vector<TermVerdict> terms;
  std::string note;
  std::vector<std::string> lists;
};

Result<ListVerdict> ExplainListRow(Segments& s, const std::string& list, const std::string& filter_text, uint32_t row) {
  AppContext& c = *s.ctx;
  std::string text = filter_text;
  bool is_static = false;
  if (!list.empty()) {
    Result<ListInfo> l = c.store->GetList(c.tenant, list);
    if (!l.ok()) return l.status();
    text = l->filter;
    is_static = l->is_static;
  }
  Result<FilterNode> f = ParseFilter(text);
  if (!f.ok()) return f.status();
  ListVerdict out;
  Result<std::vector<TermVerdict>> terms = ExplainRow(*f, s.query, row, &out.in);
  if (!terms.ok()) return terms.status();
  out.terms = std::move(*terms);
  if (is_static) {
    Result<Bitset> members = s.query.list_rows(list);
    if (!members.ok()) return members.status();
    out.in = members->Test(row);
    out.note = out.in ? "a member of the snapshot, still allowed" : "not in the snapshot, or no longer allowed";
  }
  ListsNamed(*f, &out.lists);
  return out;
}

void AddExplain(CLI::App& app, DataOptions& data, int* code) {
  struct Args {
    std::string person, list, filter, at, role = "list_builder";
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("explain", "why a person is in or out of a list or filter: every term, and the "
                                                "policy reasons");
  cmd->add_option("--person", a->person, "person id or email")->required();
  cmd->add_option("--list", a->list, "list name");
  cmd->add_option("--filter", a->filter, "a filter instead of a list");
  cmd->add_option("--at", a->at, "as of (default now)");
  cmd->add_option("--role", a->role, "the actor's role")->capture_default_str();
  cmd->add_flag("--json", a->json, "JSON");
  cmd->callback([&data, code, a] {
    Status st = [&]() -> Status {
      if (a->list.empty() == a->filter.empty()) return Status::Invalid("give --list or --filter");
      Segments s;
      FL_RETURN_IF_ERROR(LoadFor(s, data, a->role, a->at));
      AppContext& c = *s.ctx;
      Result<int64_t> found = ResolvePerson(c, a->person);
      if (!found.ok()) return found.status();
      const int64_t id = *found;
      std::optional<uint32_t> row = s.index->RowOf(id);
      if (!row) return Status::NotFound("--person: no person with id " + a->person);
      Result<ListVerdict> top = ExplainListRow(s, a->list, a->filter, *row);
      if (!top.ok()) return top.status();
      bool in = top->in;
      std::vector<TermVerdict>* verdicts = &top->terms;
      const std::string& static_note = top->note;
      // The lists it names, and theirs, explained the same way (each once).
      std::vector<std::pair<std::string, ListVerdict>> inside;
      std::vector<std::string> pending(top->lists.rbegin(), top->lists.rend());
      std::set<std::string> seen(pending.begin(), pending.end());
      while (!pending.empty() && inside.size() < 16) {
        std::string name = pending.back();
        pending.pop_back();
        Result<ListVerdict> v = ExplainListRow(s, name, "", *row);
        if (!v.ok()) return v.status().WithContext("list:" + name + ": ");
        for (auto it = v->lists.rbegin(); it != v->lists.rend(); ++it)
          if (seen.insert(*it).second) pending.push_back(*it);
        inside.emplace_back(name, std::move(*v));
      }
      // Every list and search is cut to the people the role may view.
      if (std::optional<TermVerdict> hidden = ExplainNotViewable(s.query, *row)) {
        verdicts->push_back(std::move(*hidden));
        in = false;
      }
      // A suppressed person: which address or phone, on which list; only to an admin,
      // the one role that may still view them.
      std::vector<std::string> suppression;
      if (s.index->Suppressed().Test(*row) && s.query.role == Role::kAdmin) {
        Result<Person> p = c.store->GetPerson(c.tenant, id);
        if (!p.ok()) return p.status();
        suppression = SuppressionEvidence(c, *p);
      }
      auto terms_json = [](const std::vector<TermVerdict>& vs) {
        json terms = json::array();
        for (const TermVerdict& v : vs) terms.push_back({{"term", v.term}, {"holds", v.holds}, {"detail", v.detail}});
        return terms;
      };
      if (a->json) {
        json lists = json::object();
        for (const auto& [name, v] : inside)
          lists[name] = {{"in", v.in}, {"note", v.note}, {"terms", terms_json(v.terms)}};
        std::cout << json{{"person", id}, {"in", in}, {"terms", terms_json(*verdicts)}, {"lists", lists},
                          {"suppression", suppression}}.dump() << "\n";
        return Status::Ok();
      }
      std::cout << "person #" << id << " is " << (in ? "IN" : "OUT of")
                << (a->list.empty() ? " the filter" : " list " + a->list)
                << (static_note.empty() ? "" : " (" + static_note + ")") << "\n";
      for (const TermVerdict& v : *verdicts)
        std::cout << "  " << (v.holds ? "yes " : "NO  ") << v.term << (v.detail.empty() ? "" : "\n        " + v.detail)
                  << "\n";
      for (const auto& [name, v] : inside) {
        std::cout << "  inside list " << name << ": " << (v.in ? "IN" : "OUT") << (v.note.empty() ? "" : " (" + v.note + ")")
                  << "\n";
        for (const TermVerdict& t : v.terms)
          std::cout << "    " << (t.holds ? "yes " : "NO  ") << t.term << (t.detail.empty() ? "" : "\n          " + t.detail)
                    << "\n";
      }
      for (const std::string& line : suppression) std::cout << "  suppressed: " << line << "\n";
      return Status::Ok();
    }();
    if (!st.ok()) *code = Fail(st);
  });
}

// An alert in words: accounts by domain, people by name where the role may still view
// them (the entry itself holds ids only).
std::string FeedLine(Segments& s, const FeedEntry& e) {
  AppContext& c = *s.ctx;
  json b = json::parse(e.body, nullptr, false);
  if (!b.is_object()) return e.kind + "  " + e.body;
  auto domain = [&](const json& id) {
    if (!id.is_number_integer()) return std::string("?");
    Result<Account> a = c.store->GetAccount(c.tenant, id.get<int64_t>());
    return a.ok() ? a->domain : "account #" + std::to_string(id.get<int64_t>());
  };
  auto person = [&](const json& id) {
    if (!id.is_number_integer()) return std::string("?");
    const int64_t pid = id.get<int64_t>();
    std::optional<uint32_t> row = s.index->RowOf(pid);
    if (!row || !s.index->DecideRow(*row, nullptr, std::nullopt, Action::kView, s.query.role, s.query.at).allow)
      return "#" + std::to_string(pid) + " (no longer viewable)";
    Result<Person> p = c.store->GetPerson(c.tenant, pid);
    if (!p.ok()) return "#" + std::to_string(pid);
    std::string name = Trim(p->first_name + " " + p->last_name).empty() ? std::string("(no name)")
                                                                         : std::string(Trim(p->first_name + " " + p->last_name));
    return name + " (#" + std::to_string(pid) + ")";
  };
  auto people = [&](const json& ids) {
    std::string out;
    if (ids.is_array())
      for (const json& id : ids) out += (out.empty() ? "" : ", ") + person(id);
    return out;
  };
  auto text = [](const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); };
  std::string where = b.contains("search") ? "search " + text(b["search"]) + ": " : std::string();
  if (e.kind == "lead_change") {
    std::string out = "lead " + person(b["person"]) + ":";
    if (b["changes"].is_object())
      for (auto it = b["changes"].begin(); it != b["changes"].end(); ++it)
        out += " " + it.key() + " " + text((*it)["from"]) + " -> " + text((*it)["to"]) + ";";
    out.pop_back();
    return out;
  }
  if (e.kind == "new_person") return "new people at " + domain(b["account"]) + ": " + people(b["people"]);
  if (e.kind == "gauge_change")
    return where + domain(b["account"]) + " " + text(b["topic"]) + ": gauge " + text(b["from"]) + " -> " +
           text(b["to"]);
  if (e.kind == "new_signal") {
    std::string signals;
    if (b["signals"].is_array())
      for (const json& x : b["signals"]) signals += (signals.empty() ? "" : ", ") + text(x);
    return domain(b["account"]) + " " + text(b["topic"]) + ": new signal " + signals;
  }
  if (e.kind == "new_match") {
    const int64_t n = b.value("count", int64_t{0});
    const size_t shown = b["people"].is_array() ? b["people"].size() : 0;
    return where + std::to_string(n) + " new match" + (n == 1 ? "" : "es") + ": " + people(b["people"]) +
           (static_cast<size_t>(n) > shown ? " and " + std::to_string(n - static_cast<int64_t>(shown)) + " more" : "");
  }
  return e.kind + "  " + e.body;
}

void AddSaved(CLI::App& app, DataOptions& data, int* code) {
  CLI::App* save = app.add_subcommand("save", "save a lead, an account or a search; alerts report what changes");
  save->require_subcommand(1);
  struct Args {
    std::string user, target, filter, topic, role = "list_builder", at;
  };
  for (const char* kind : {"lead", "account", "search"}) {
    auto a = std::make_shared<Args>();
    std::string k = kind;
    CLI::App* cmd = save->add_subcommand(k, k == "lead" ? "save a person (id, external ref or email)"
                                            : k == "account" ? "save an account (domain)"
                                                             : "save a search (a filter) by name");
    cmd->add_option("--user", a->user, "the user who saves it")->required();
    cmd->add_option(k == "search" ? "name" : k == "lead" ? "person" : "domain", a->target, "what to save")->required();
    if (k == "search") {
      cmd->add_option("--filter", a->filter, "the filter")->required();
      cmd->add_option("--topic", a->topic, "the intent topic whose gauge changes to report");
    }
    cmd->add_option("--role", a->role, "the user's role (what they may view)")->capture_default_str();
    cmd->add_option("--at", a->at, "as of (default now)");
    cmd->callback([&data, code, a, k] {
      Status st = [&]() -> Status {
        Segments s;
        FL_RETURN_IF_ERROR(LoadFor(s, data, a->role, a->at));
        AppContext& c = *s.ctx;
        SavedItem item{a->user, k, a->target, "", AsciiLower(a->topic), s.query.at, ""};
        if (k == "lead") {
          const std::string& key = a->target;
          Result<int64_t> found = ResolvePerson(c, key);
          if (!found.ok()) return found.status();
          const int64_t id = *found;
          std::optional<uint32_t> row = s.index->RowOf(id);
          if (!row) return Status::NotFound("no person '" + key + "'");
          if (!s.index->DecideRow(*row, nullptr, std::nullopt, Action::kView, s.query.role, s.query.at).allow)
            return Status::Denied("person '" + key + "' may not be viewed by a " + a->role);
          item.key = std::to_string(id);
        } else if (k == "account") {
          Result<int64_t> id = ResolveAccount(c, a->target);
          if (!id.ok()) return id.status();
          item.key = std::to_string(*id);
        } else {
          Result<FilterNode> f = ParseFilter(a->filter);
          if (!f.ok()) return f.status().WithContext("--filter: ");
          item.filter = f->ToText();
        }
        WatchContext w{c.store.get(), c.tenant, &s.query};
        Result<std::string> snapshot = Snapshot(w, item);
        if (!snapshot.ok()) return snapshot.status();
        item.state = *snapshot;
        FL_RETURN_IF_ERROR(c.store->PutSaved(c.tenant, item));
        std::cout << "saved " << k << " " << a->target << " for " << a->user << "\n";
        return Status::Ok();
      }();
      if (!st.ok()) *code = Fail(st);
    });
  }

  // What a user watches, and stopping watching it.
  auto list_user = std::make_shared<std::string>();
  CLI::App* ls = save->add_subcommand("list", "a user's saved leads, accounts and searches");
  ls->add_option("--user", *list_user, "the user")->required();
  ls->callback([&data, code, list_user] {
    auto ctx = Open(data, code);
    if (!ctx) return;
    Result<std::vector<SavedItem>> items = ctx->store->ListSaved(ctx->tenant, *list_user);
    if (!items.ok()) { *code = Fail(items.status()); return; }
    for (const SavedItem& i : *items) {
      std::string what = i.kind == "search" ? i.key + ": " + i.filter + (i.topic.empty() ? "" : " (topic " + i.topic + ")")
                         : i.kind == "lead" ? "person #" + i.key
                                            : "account #" + i.key;
      if (i.kind == "account")
        if (Result<Account> acc = ctx->store->GetAccount(ctx->tenant, std::stoll(i.key)); acc.ok())
          what = acc->domain;
      std::cout << i.kind << "\t" << what << "\tsaved " << FormatTime(i.saved_at) << "\n";
    }
    std::cout << items->size() << " saved\n";
  });
  struct RemoveArgs {
    std::string kind, target, user;
  };
  auto rm = std::make_shared<RemoveArgs>();
  CLI::App* remove = save->add_subcommand("remove", "stop watching a saved lead, account or search (its feed stays)");
  remove->add_option("kind", rm->kind, "lead, account or search")->required()->check(CLI::IsMember({"lead", "account", "search"}));
  remove->add_option("target", rm->target, "the person, domain or search name")->required();
  remove->add_option("--user", rm->user, "the user")->required();
  remove->callback([&data, code, rm] {
    auto ctx = Open(data, code);
    if (!ctx) return;
    Status st = [&]() -> Status {
      std::string key = rm->target;
      if (rm->kind == "lead") {
        Result<int64_t> id = ResolvePerson(*ctx, rm->target);
        if (!id.ok()) return id.status();
        key = std::to_string(*id);
      } else if (rm->kind == "account") {
        Result<int64_t> id = ResolveAccount(*ctx, rm->target);
        if (!id.ok()) return id.status();
        key = std::to_string(*id);
      }
      FL_RETURN_IF_ERROR(ctx->store->RemoveSaved(ctx->tenant, rm->user, rm->kind, key));
      std::cout << "removed saved " << rm->kind << " " << rm->target << " for " << rm->user << "\n";
      return Status::Ok();
    }();
    if (!st.ok()) *code = Fail(st);
  });

  auto a = std::make_shared<Args>();
  auto all = std::make_shared<bool>(false);
  auto as_json = std::make_shared<bool>(false);
  CLI::App* alerts = app.add_subcommand("alerts", "check a user's saved leads, accounts and searches for changes, "
                                                  "then show the unread feed (and mark it read)");
  alerts->add_option("--user", a->user, "the user")->required();
  alerts->add_option("--role", a->role, "the user's role")->capture_default_str();
  alerts->add_option("--at", a->at, "as of (default now)");
  alerts->add_flag("--all", *all, "show the whole feed, read or not");
  alerts->add_flag("--json", *as_json, "JSON lines");
  alerts->callback([&data, code, a, all, as_json] {
    Status st = [&]() -> Status {
      Segments s;
      FL_RETURN_IF_ERROR(LoadFor(s, data, a->role, a->at));
      AppContext& c = *s.ctx;
      WatchContext w{c.store.get(), c.tenant, &s.query};
      Result<std::vector<FeedEntry>> added = CheckSaved(w, a->user);
      if (!added.ok()) return added.status();
      Result<std::vector<FeedEntry>> feed = c.store->ListFeed(c.tenant, a->user, !*all);
      if (!feed.ok()) return feed.status();
      for (const FeedEntry& e : *feed) {
        if (*as_json) {
          std::cout << json{{"id", e.id}, {"at", FormatTime(e.at)}, {"kind", e.kind},
                            {"body", json::parse(e.body, nullptr, false)}, {"read", e.read}}.dump() << "\n";
        } else {
          std::cout << FormatTime(e.at) << "  " << FeedLine(s, e) << "\n";
        }
      }
      if (!*as_json) std::cout << added->size() << " new, " << feed->size() << " shown\n";
      return c.store->MarkFeedRead(c.tenant, a->user);
    }();
    if (!st.ok()) *code = Fail(st);
  });
}

}  // namespace

void RegisterSegmentCommands(CLI::App& app, DataOptions& data, int* exit_code) {
  AddSearch(app, data, exit_code);
  AddList(app, data, exit_code);
  AddExplain(app, data, exit_code);
  AddSaved(app, data, exit_code);
}

}  // namespace fairlead
