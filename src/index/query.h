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
#include <unordered_map>
#include <vector>

#include "index/bitset.h"
#include "index/filter.h"
#include "index/people_index.h"
#include "intent/intent.h"

namespace fairlead {

// Every account's intent for one topic as of a time, by account row: what ranking
// and gauge / score terms read. Built on first use (from IntentModel::Top, the same
// figures as a single lookup) and reused while the model, the number of accounts and
// the time stay the same, as the peers get the same table precomputed.
struct IntentTable {
  uint32_t topic = 0;
  Time at = 0;
  uint64_t version = 0;
  size_t accounts = 0;
  std::vector<double> score;            // by account row; 0: the default intent
  std::vector<uint8_t> gauge, signals;  // by account row
  std::vector<uint32_t> active;         // rows with a score > 0
  std::vector<uint32_t> by_score;       // the same rows, highest score first (ranking walks it)
  // at_least[g]: the accounts whose gauge is at least g (g = 1, 2; every account is at
  // least not_active), so gauge terms are set algebra rather than a test per account.
  Bitset at_least[3];
};

struct QueryContext {
  PeopleIndex* index = nullptr;
  const IntentModel* intent = nullptr;  // null: gauge and score terms are errors
  Time at = 0;
  Role role = Role::kListBuilder;       // the actor; eligible() without a role uses it
  std::function<Result<Purpose>(std::string_view id)> purpose_of;
  std::function<Result<Bitset>(std::string_view list)> list_rows;  // a list's members as rows
  std::unordered_map<uint32_t, IntentTable> intent_tables;        // cache, by topic
  // The planner: an AND takes its most selective terms first and evaluates the rest
  // only within the rows left (same answer; off = each term over every row, in the
  // order written, as the reference the tests compare with).
  bool plan = true;
};

// The table for a topic, built or rebuilt when stale. Needs ctx.intent.
const IntentTable& IntentTableFor(QueryContext& ctx, uint32_t topic);

Result<Bitset> Evaluate(const FilterNode& filter, QueryContext& ctx);

struct RankedPage {
  size_t total = 0;
  std::vector<int64_t> person_ids;  // the page, best first
  std::vector<double> scores;
};
// Ranks rows by their account's intent score for `topic` (0 without), ties by
// person id; returns [offset, offset + limit). Without a topic, person id order.
RankedPage Rank(const Bitset& rows, QueryContext& ctx, const std::string& topic, size_t offset, size_t limit);

// The people the context's role may view at its time (decide(view) allows): what
// every list, search and page shown to a user is cut to.
const Bitset& ViewableRows(QueryContext& ctx);

struct TermVerdict {
  std::string term;    // the term as text
  bool holds = false;
  std::string detail;  // for eligible(): the decision's reasons in words
};
// For one person: every leaf term of the filter, whether it holds, and the result.
Result<std::vector<TermVerdict>> ExplainRow(const FilterNode& filter, QueryContext& ctx, uint32_t row, bool* in);
// When the context's role may not view the person (so no list or search shows them),
// the verdict that says so, with the decision's reasons.
std::optional<TermVerdict> ExplainNotViewable(QueryContext& ctx, uint32_t row);

// Order of seniority words and band labels, for >=, >, <=, <.
int SeniorityRank(std::string_view seniority);  // -1 when unknown
double BandRank(std::string_view band);         // NaN when unknown

}  // namespace fairlead
