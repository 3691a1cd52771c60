// Query: evaluates a filter over the PeopleIndex, ranks by intent, and explains
// why a person is in or out.
//
// Evaluation is set algebra over dense bitsets (one pass per term; account terms
// reach people through the account runs). Eligibility terms use the index's
// incrementally kept eligibility, so a list is lawful by construction. Not
// thread-safe (the index caches eligibility).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "index/bitset.h"
#include "index/filter.h"
#include "index/people_index.h"
#include "intent/intent.h"

namespace fairlead {

struct QueryContext {
  PeopleIndex* index = nullptr;
  const IntentModel* intent = nullptr;  // null: gauge and score terms are errors
  Time at = 0;
  Role role = Role::kListBuilder;       // the actor; eligible() without a role uses it
  std::function<Result<Purpose>(std::string_view id)> purpose_of;
  std::function<Result<Bitset>(std::string_view list)> list_rows;  // a list's members as rows
};

Result<Bitset> Evaluate(const FilterNode& filter, QueryContext& ctx);

struct RankedPage {
  size_t total = 0;
  std::vector<int64_t> person_ids;  // the page, best first
  std::vector<double> scores;
};
// Ranks rows by their account's intent score for `topic` (0 without), ties by
// person id; returns [offset, offset + limit). Without a topic, person id order.
RankedPage Rank(const Bitset& rows, QueryContext& ctx, const std::string& topic, size_t offset, size_t limit);

struct TermVerdict {
  std::string term;    // the term as text
  bool holds = false;
  std::string detail;  // for eligible(): the decision's reasons in words
};
// For one person: every leaf term of the filter, whether it holds, and the result.
Result<std::vector<TermVerdict>> ExplainRow(const FilterNode& filter, QueryContext& ctx, uint32_t row, bool* in);

// Order of seniority words and band labels, for >=, >, <=, <.
int SeniorityRank(std::string_view seniority);  // -1 when unknown
double BandRank(std::string_view band);         // NaN when unknown

}  // namespace fairlead
