#include "cli/segments.h"

#include <algorithm>

#include "cli/common.h"
#include "index/filter.h"

namespace fairlead {
namespace {

// Whether a filter term decides anything: an eligible(), or a list (which may).
bool HoldsPolicyTerm(const FilterNode& n) {
  if (n.kind == FilterNode::Kind::kEligible || n.kind == FilterNode::Kind::kList) return true;
  return std::any_of(n.children.begin(), n.children.end(), [](const FilterNode& c) { return HoldsPolicyTerm(c); });
}

}  // namespace

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
      // filter's policy terms (and the view decision) would now exclude. The terms of
      // the filter's top-level `and` are taken apart: an eligible() term is decided
      // again; any other term holding an eligible() or a list: anywhere inside it (an
      // `or` of eligibles, a `not`, a list that decides) is evaluated again as a whole,
      // its other parts as they are now (the stricter choice: a decision inside it is
      // never frozen); the rest (attributes) stay as they were at the snapshot.
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
        else if (HoldsPolicyTerm(*n))
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

Status LoadFor(Segments& s, const DataOptions& data, const std::string& role_text, const std::string& at_text) {
  Role role;
  if (!Parse(role_text, &role)) return Status::Invalid("--role: must be one of " + Choices<Role>());
  Result<Time> at = TimeOption(at_text);
  if (!at.ok()) return at.status();
  return Load(s, data, role, *at);
}

}  // namespace fairlead
