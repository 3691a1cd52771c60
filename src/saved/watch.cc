#include "saved/watch.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "core/normalize.h"

namespace fairlead {
namespace {

using nlohmann::json;

bool Visible(WatchContext& ctx, uint32_t row) {
  QueryContext& q = *ctx.query;
  return q.index->DecideRow(row, nullptr, std::nullopt, Action::kView, q.role, q.at).allow;
}

Result<json> LeadState(WatchContext& ctx, int64_t person_id) {
  Result<Person> p = ctx.store->GetPerson(ctx.tenant, person_id);
  if (!p.ok()) return p.status();
  return json{{"stage", Name(p->subject.stage)}, {"title", p->title}, {"seniority", p->seniority},
              {"account", p->account_domain}};
}

json IntentState(const TopicIntent& ti) {
  json signals = json::array();
  for (int b = 0; b < kSignalCount; ++b)
    if (ti.signals & (1 << b)) signals.push_back(SignalName(b));
  return json{{"gauge", Name(ti.gauge)}, {"signals", signals}};
}

Result<json> AccountState(WatchContext& ctx, int64_t account_id) {
  QueryContext& q = *ctx.query;
  Result<std::vector<int64_t>> people = ctx.store->PeopleOfAccount(ctx.tenant, account_id);
  if (!people.ok()) return people.status();
  json visible = json::array();
  for (int64_t id : *people)
    if (std::optional<uint32_t> row = q.index->RowOf(id); row && Visible(ctx, *row)) visible.push_back(id);
  json topics = json::object();
  if (q.intent)
    for (const auto& [topic, ti] : q.intent->TopicsOf(account_id, q.at)) topics[q.intent->TopicName(topic)] = IntentState(ti);
  return json{{"people", visible}, {"topics", topics}};
}

// The topic a saved search follows gauges for, when it names one the model knows.
std::optional<uint32_t> SearchTopic(const QueryContext& q, const SavedItem& item) {
  return q.intent && !item.topic.empty() ? q.intent->FindTopic(item.topic) : std::nullopt;
}

json GaugeOf(const QueryContext& q, int64_t account, uint32_t topic) {
  return Name(q.intent->Get(account, topic, q.at).gauge);
}

Result<json> SearchState(WatchContext& ctx, const SavedItem& item) {
  QueryContext& q = *ctx.query;
  Result<FilterNode> filter = ParseFilter(item.filter);
  if (!filter.ok()) return filter.status();
  Result<Bitset> rows = Evaluate(*filter, q);
  if (!rows.ok()) return rows.status();
  json members = json::array();
  json gauges = json::object();
  std::optional<uint32_t> topic = SearchTopic(q, item);
  std::vector<int64_t> ids;
  for (uint32_t r : rows->ToRows()) {
    if (!Visible(ctx, r)) continue;  // alerts never name a person the user may not view
    ids.push_back(q.index->PersonId(r));
    if (topic && q.index->AccountOf(r) != PeopleIndex::kNoAccount) {
      int64_t account = q.index->AccountId(q.index->AccountOf(r));
      gauges[std::to_string(account)] = GaugeOf(q, account, *topic);
    }
  }
  std::sort(ids.begin(), ids.end());
  for (int64_t id : ids) members.push_back(id);
  return json{{"members", members}, {"gauges", gauges}};
}

Result<json> KindState(WatchContext& ctx, const SavedItem& item) {
  if (item.kind == "lead") return LeadState(ctx, std::stoll(item.key));
  if (item.kind == "account") return AccountState(ctx, std::stoll(item.key));
  if (item.kind == "search") return SearchState(ctx, item);
  return Status::Invalid("unknown saved kind '" + item.kind + "'");
}

// The state, with the time and the role it was taken for: the next check compares
// like with like (a later time, the same role).
Result<json> State(WatchContext& ctx, const SavedItem& item) {
  Result<json> s = KindState(ctx, item);
  if (!s.ok()) return s;
  (*s)["checked_at"] = ctx.query->at;
  (*s)["role"] = Name(ctx.query->role);
  return s;
}

std::set<int64_t> IdSet(const json& a) {
  std::set<int64_t> out;
  if (a.is_array())
    for (const json& v : a) out.insert(v.get<int64_t>());
  return out;
}

}  // namespace

Result<std::string> Snapshot(WatchContext& ctx, const SavedItem& item) {
  Result<json> s = State(ctx, item);
  if (!s.ok()) return s.status();
  return s->dump();
}

Result<std::optional<Role>> CheckedRole(Store& store, int64_t tenant, const std::string& user) {
  Result<std::vector<SavedItem>> items = store.ListSaved(tenant, user);
  if (!items.ok()) return items.status();
  for (const SavedItem& item : *items) {
    json state = json::parse(item.state, nullptr, false);
    Role role;
    if (state.is_object() && state["role"].is_string() && Parse(state["role"].get<std::string>(), &role))
      return std::optional<Role>(role);
  }
  return std::optional<Role>();
}

Result<std::vector<FeedEntry>> CheckSaved(WatchContext& ctx, const std::string& user) {
  Result<std::vector<SavedItem>> items = ctx.store->ListSaved(ctx.tenant, user);
  if (!items.ok()) return items.status();
  std::vector<FeedEntry> added;
  FL_RETURN_IF_ERROR(ctx.store->Begin());
  auto fail = [&](const Status& s) {
    ctx.store->Rollback();
    return s;
  };
  for (SavedItem& item : *items) {
    json before = json::parse(item.state, nullptr, false);
    const std::string what = item.kind + " " + item.key;
    if (before.is_object() && before.contains("role") && before["role"] != Name(ctx.query->role))
      return fail(Status::Invalid("saved " + what + " was checked for a " + before["role"].get<std::string>() +
                                  "; check it with that role (--role " + before["role"].get<std::string>() +
                                  "), or people who were there all along would show as new"));
    if (before.is_object() && before.contains("checked_at") && before["checked_at"].get<Time>() > ctx.query->at)
      return fail(Status::Invalid("saved " + what + " was last checked as of " +
                                  FormatTime(before["checked_at"].get<Time>()) +
                                  "; a check as of an earlier time would report its changes again"));
    Result<json> now = State(ctx, item);
    if (!now.ok()) {
      if (now.status().code() == Status::Code::kNotFound) continue;  // gone (erased): nothing to report
      return fail(now.status().WithContext(item.kind + " " + item.key + ": "));
    }
    std::vector<std::pair<std::string, json>> changes;
    if (item.kind == "lead") {
      std::optional<uint32_t> row = ctx.query->index->RowOf(std::stoll(item.key));
      if (!row || !Visible(ctx, *row)) continue;  // not viewable now: say nothing, keep the snapshot
      json diff = json::object();
      for (const char* field : {"stage", "title", "seniority", "account"})
        if (before.is_object() && before.value(field, json()) != (*now)[field])
          diff[field] = {{"from", before.value(field, json())}, {"to", (*now)[field]}};
      if (!diff.empty()) changes.emplace_back("lead_change", json{{"person", std::stoll(item.key)}, {"changes", diff}});
    } else if (item.kind == "account") {
      int64_t account = std::stoll(item.key);
      std::set<int64_t> old_people = IdSet(before.value("people", json::array()));
      json fresh = json::array();
      for (int64_t id : IdSet((*now)["people"]))
        if (!old_people.count(id)) fresh.push_back(id);
      if (!fresh.empty()) changes.emplace_back("new_person", json{{"account", account}, {"people", fresh}});
      json old_topics = before.value("topics", json::object());
      for (auto it = (*now)["topics"].begin(); it != (*now)["topics"].end(); ++it) {
        json was = old_topics.value(it.key(), json{{"gauge", "not_active"}, {"signals", json::array()}});
        if (was["gauge"] != (*it)["gauge"])
          changes.emplace_back("gauge_change", json{{"account", account}, {"topic", it.key()},
                                                    {"from", was["gauge"]}, {"to", (*it)["gauge"]}});
        json new_signals = json::array();
        for (const json& sgn : (*it)["signals"])
          if (std::find(was["signals"].begin(), was["signals"].end(), sgn) == was["signals"].end())
            new_signals.push_back(sgn);
        if (!new_signals.empty())
          changes.emplace_back("new_signal",
                               json{{"account", account}, {"topic", it.key()}, {"signals", new_signals}});
      }
    } else {
      std::set<int64_t> old_members = IdSet(before.value("members", json::array()));
      json fresh = json::array();
      size_t count = 0;
      for (int64_t id : IdSet((*now)["members"]))
        if (!old_members.count(id) && ++count <= 100) fresh.push_back(id);
      if (count)
        changes.emplace_back("new_match", json{{"search", item.key}, {"count", count}, {"people", fresh}});
      // Gauges of the accounts the search matches now, and of those it matched before
      // and no longer does: a change that takes an account out of the search (its gauge
      // fell below the filter's) is a change too. An account that left is remembered
      // while its gauge is not not_active, so when it comes back the change is told
      // from the gauge it had at the last run (not_active when forgotten).
      json old_gauges = before.value("gauges", json::object());
      json& gauges = (*now)["gauges"];
      for (auto it = gauges.begin(); it != gauges.end(); ++it) {
        json was = old_gauges.value(it.key(), json("not_active"));
        if (was != *it)
          changes.emplace_back("gauge_change", json{{"search", item.key}, {"account", std::stoll(it.key())},
                                                    {"topic", item.topic}, {"from", was}, {"to", *it}});
      }
      QueryContext& q = *ctx.query;
      std::optional<uint32_t> topic = SearchTopic(q, item);
      for (auto it = old_gauges.begin(); topic && it != old_gauges.end(); ++it) {
        if (gauges.contains(it.key())) continue;
        const json current = GaugeOf(q, std::stoll(it.key()), *topic);
        if (current != *it)
          changes.emplace_back("gauge_change", json{{"search", item.key}, {"account", std::stoll(it.key())},
                                                    {"topic", item.topic}, {"from", *it}, {"to", current},
                                                    {"left_search", true}});
        if (current != Name(Gauge::kNotActive)) gauges[it.key()] = current;
      }
    }
    for (auto& [kind, body] : changes) {
      FeedEntry e{0, user, ctx.query->at, kind, body.dump(), false};
      Status s = ctx.store->AddFeed(ctx.tenant, &e);
      if (!s.ok()) return fail(s);
      added.push_back(std::move(e));
    }
    item.state = now->dump();
    Status s = ctx.store->PutSaved(ctx.tenant, item);
    if (!s.ok()) return fail(s);
  }
  FL_RETURN_IF_ERROR(ctx.store->Commit());
  return added;
}

}  // namespace fairlead
