// CLI: search, list (create, show, export-ids, assign), explain.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <set>

#include "cli/commands.h"
#include "cli/common.h"
#include "core/json_text.h"
#include "core/normalize.h"
#include "index/filter.h"
#include "index/people_index.h"
#include "index/query.h"
#include "cli/segments.h"

namespace fairlead {
namespace {

using nlohmann::json;

Result<FilterNode> FilterOption(const std::string& text, bool is_json) {
  if (!is_json) {
    Result<FilterNode> f = ParseFilter(text);
    if (!f.ok()) return f.status().WithContext("filter: ");
    return f;
  }
  Result<json> j = ParseJson(text, "filter");
  if (!j.ok()) return j.status();
  return FilterFromJson(*j);
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
                  {"account", p->account_domain}, {"score", page.scores[i]}}.dump(-1, ' ', false, kBadUtf8)
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
  cmd->add_option("--limit", a.limit, "page size (0: the count alone)")->capture_default_str()->check(CLI::Range(0, 1000000));
  cmd->add_option("--offset", a.offset, "page start")->capture_default_str()->check(CLI::Range(size_t{0}, size_t{1} << 40));
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
      if (user->find_first_not_of(" \t") == std::string::npos) {
        *code = Fail(Status::Invalid("--user: must name a user"));
        return;
      }
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
      auto names_it = [&](const std::string& filter) {
        Result<FilterNode> f = ParseFilter(filter);
        std::vector<std::string> named;
        if (f.ok()) ListsNamed(*f, &named);
        return std::find(named.begin(), named.end(), *del_name) != named.end();
      };
      Result<std::vector<ListInfo>> all = ctx->store->ListLists(ctx->tenant);
      if (!all.ok()) return all.status();
      for (const ListInfo& l : *all) {
        if (l.name != *del_name && names_it(l.filter))
          return Status::Conflict("list " + l.name + " names " + *del_name + " (" + l.filter +
                                  "); delete or replace it first");
      }
      // A saved search naming it would fail at every check after (its alerts would stop).
      Result<std::vector<SavedItem>> saved = ctx->store->ListSaved(ctx->tenant, "");
      if (!saved.ok()) return saved.status();
      for (const SavedItem& item : *saved) {
        if (item.kind == "search" && names_it(item.filter))
          return Status::Conflict(item.user + "'s saved search " + item.key + " names " + *del_name + " (" +
                                  item.filter + "); remove it first (save remove search " + item.key +
                                  " --user " + item.user + ")");
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
    bool taken = out.in;  // in now, so in the snapshot; else the snapshot says
    if (!taken) {
      Result<std::vector<int64_t>> snapshot = c.store->ListMembers(c.tenant, list);
      if (!snapshot.ok()) return snapshot.status();
      taken = std::find(snapshot->begin(), snapshot->end(), s.index->PersonId(row)) != snapshot->end();
    }
    // The snapshot froze the attribute terms; its decisions are taken again at use.
    out.note = out.in   ? "in the snapshot, and still allowed (attribute terms are as they were when it was taken)"
               : taken ? "in the snapshot, but no longer allowed (a decision or list term now excludes them)"
                       : "not in the snapshot (a static list takes no one in after it was made)";
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
                          {"suppression", suppression}}.dump(-1, ' ', false, kBadUtf8) << "\n";
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

}  // namespace

void RegisterSegmentCommands(CLI::App& app, DataOptions& data, int* exit_code) {
  AddSearch(app, data, exit_code);
  AddList(app, data, exit_code);
  AddExplain(app, data, exit_code);
}

}  // namespace fairlead
