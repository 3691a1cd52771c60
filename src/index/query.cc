#include "index/query.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <unordered_map>

#include "core/normalize.h"

namespace fairlead {

int SeniorityRank(std::string_view s) {
  static const char* kOrder[] = {"entry", "senior", "manager", "director", "vp", "cxo"};
  for (int i = 0; i < 6; ++i)
    if (s == kOrder[i]) return i;
  return -1;
}

double BandRank(std::string_view band) {
  std::string b(Trim(band));
  double bias = 0;
  if (!b.empty() && b[0] == '<') {
    bias = -0.5;
    b = b.substr(1);
  }
  if (!b.empty() && b[0] == '$') b = b.substr(1);
  char* end = nullptr;
  double v = std::strtod(b.c_str(), &end);
  if (end == b.c_str()) return std::nan("");
  double mult = 1;
  if (*end == 'K' || *end == 'k') mult = 1e3;
  if (*end == 'M' || *end == 'm') mult = 1e6;
  if (*end == 'B' || *end == 'b') mult = 1e9;
  return v * mult + bias;
}

namespace {

bool Compare(double a, const std::string& op, double b) {
  if (op == "=") return a == b;
  if (op == "!=") return a != b;
  if (op == ">=") return a >= b;
  if (op == ">") return a > b;
  if (op == "<=") return a <= b;
  if (op == "<") return a < b;
  return false;
}

Status TermError(const FilterNode& n, const std::string& why) {
  return Status::Invalid((n.column ? "column " + std::to_string(n.column) + ": "
                           : n.path.empty() ? std::string()
                                            : n.path + ": ") + why);
}

// An error about the term's value number `i`: at that value's column where the text
// gave one, else at the term.
Status ValueError(const FilterNode& n, size_t i, const std::string& why) {
  if (i < n.value_columns.size()) return Status::Invalid("column " + std::to_string(n.value_columns[i]) + ": " + why);
  return TermError(n, why);
}

// The planner's scope: the rows an AND has kept so far, and the indices of their
// non-zero words. A term evaluated within a scope returns (term AND scope), touching
// only those words; with people ordered by account, the rows of a few accounts are a
// few words.
struct Scope {
  const Bitset* bits = nullptr;
  std::vector<uint32_t> words;
  size_t count = 0;
};

// The scope of `b` holding `count` rows; when `b` lies within `outer`, only the outer
// scope's words are read (and counted: they are few).
Scope MakeScope(const Bitset& b, const Scope* outer, size_t count) {
  Scope s;
  s.bits = &b;
  s.count = count;
  const uint64_t* w = b.words();
  if (outer) {
    s.count = 0;
    for (uint32_t i : outer->words)
      if (w[i]) {
        s.words.push_back(i);
        s.count += static_cast<size_t>(__builtin_popcountll(w[i]));
      }
  } else {
    for (size_t i = 0; i < b.word_count(); ++i)
      if (w[i]) s.words.push_back(static_cast<uint32_t>(i));
  }
  return s;
}

// Few enough rows that visiting them one by one beats a pass over every word.
bool Sparse(size_t count, size_t rows) { return count * 16 < rows; }

uint64_t WordOf(const Bitset* b, uint32_t w) { return b && w < b->word_count() ? b->words()[w] : 0; }

// `full` AND the scope (a copy of `full` when there is no scope).
Bitset Within(const Bitset& full, const Scope* scope) {
  if (!scope) return full;
  Bitset out(full.rows());
  for (uint32_t w : scope->words) out.words()[w] = WordOf(&full, w) & scope->bits->words()[w];
  return out;
}

// Word `w` of the union (all = false) or intersection (all = true; a null set is
// empty) of value sets.
inline uint64_t CombineWord(const std::vector<const Bitset*>& sets, bool all, uint32_t w) {
  uint64_t v = all ? ~uint64_t{0} : 0;
  for (const Bitset* b : sets) v = all ? v & WordOf(b, w) : v | WordOf(b, w);
  return v;
}

// The union (all = false) or intersection (all = true; a null set is empty) of value
// sets over `rows` rows, negated on request, within the scope.
Bitset Combine(const std::vector<const Bitset*>& sets, bool all, bool negate, size_t rows, const Scope* scope) {
  Bitset out(rows);
  if (scope) {
    for (uint32_t w : scope->words) {
      uint64_t v = CombineWord(sets, all, w);
      out.words()[w] = (negate ? ~v : v) & scope->bits->words()[w];
    }
    return out;
  }
  // One pass: every set read once, the result written once.
  uint64_t* dst = out.words();
  for (size_t w = 0; w < out.word_count(); ++w) dst[w] = CombineWord(sets, all, static_cast<uint32_t>(w));
  if (all && out.word_count() && rows % 64) dst[out.word_count() - 1] &= (uint64_t{1} << (rows % 64)) - 1;
  if (negate) out.Not();
  return out;
}

// People whose account row is in `accounts` (and people without an account when
// `no_account`), within the scope.
Bitset PeopleWhereAccount(const PeopleIndex& x, const Bitset& accounts, bool no_account, const Scope* scope) {
  if (scope && Sparse(scope->count, x.rows())) {
    Bitset out(x.rows());
    for (uint32_t w : scope->words)
      for (uint64_t bits = scope->bits->words()[w]; bits; bits &= bits - 1) {
        uint32_t r = (w << 6) + static_cast<uint32_t>(__builtin_ctzll(bits));
        uint32_t a = x.AccountOf(r);
        if (a == PeopleIndex::kNoAccount ? no_account : accounts.Test(a)) out.Set(r);
      }
    return out;
  }
  Bitset out = x.PeopleOfAccounts(accounts);
  if (no_account)
    for (uint32_t r = 0; r < x.rows(); ++r)
      if (x.AccountOf(r) == PeopleIndex::kNoAccount) out.Set(r);
  return Within(std::move(out), scope);
}

// The accounts whose intent for the topic satisfies `pred`, and whether the default
// intent (score 0, not active: accounts without events, people without an account)
// does.
Result<std::pair<Bitset, bool>> IntentAccounts(QueryContext& ctx, const FilterNode& n,
                                               const std::function<bool(const TopicIntent&)>& pred) {
  if (!ctx.intent) return TermError(n, "intent terms need the intent model");
  PeopleIndex& x = *ctx.index;
  bool default_holds = pred(TopicIntent());
  Bitset accounts(x.accounts());
  if (default_holds) accounts.SetAll();
  if (std::optional<uint32_t> topic = ctx.intent->FindTopic(n.field)) {
    const IntentTable& t = IntentTableFor(ctx, *topic);
    if (n.kind == FilterNode::Kind::kGauge) {
      // Gauge terms from the per-level sets: (at least g) minus (at least g + 1) is
      // "exactly g"; the answer holds for exactly the levels where pred holds.
      accounts.ClearAll();
      for (int g = 0; g < 3; ++g) {
        TopicIntent level;
        level.gauge = static_cast<Gauge>(g);
        if (!pred(level)) continue;
        Bitset exactly = t.at_least[g];
        if (g < 2) exactly.AndNot(t.at_least[g + 1]);
        accounts.Or(exactly);
      }
      return std::pair<Bitset, bool>(std::move(accounts), default_holds);
    }
    TopicIntent ti;
    for (uint32_t row : t.active) {
      ti.score = t.score[row];
      ti.gauge = static_cast<Gauge>(t.gauge[row]);
      ti.signals = t.signals[row];
      accounts.Assign(row, pred(ti));
    }
  }
  return std::pair<Bitset, bool>(std::move(accounts), default_holds);
}

// A gauge or score term's test of one account's intent.
Result<std::function<bool(const TopicIntent&)>> IntentPredicate(const FilterNode& n) {
  if (n.kind == FilterNode::Kind::kGauge) {
    Gauge bound;
    if (!Parse(AsciiLower(n.values[0]), &bound))
      return ValueError(n, 0, "'" + n.values[0] + "' is not a gauge (not_active, ramping_up, evaluating)");
    std::string op = n.op;
    return std::function<bool(const TopicIntent&)>([op, bound](const TopicIntent& ti) {
      return Compare(static_cast<int>(ti.gauge), op, static_cast<int>(bound));
    });
  }
  char* end = nullptr;
  double bound = std::strtod(n.values[0].c_str(), &end);
  if (end == n.values[0].c_str() || *end) return ValueError(n, 0, "'" + n.values[0] + "' is not a number");
  std::string op = n.op;
  return std::function<bool(const TopicIntent&)>(
      [op, bound](const TopicIntent& ti) { return Compare(ti.score, op, bound); });
}

// A value term as the sets it combines: over people rows (person fields) or account
// rows (account fields, reaching people through their account).
struct TermSets {
  bool person = true;
  bool all = false;     // intersection (all(...)) rather than union
  bool negate = false;  // !=
  std::vector<const Bitset*> sets;
  std::vector<Bitset> owned;  // copies of the index's one scratch set for "domain" (reserved: stable)
};

Result<TermSets> CompareSets(const FilterNode& n, QueryContext& ctx) {
  PeopleIndex& x = *ctx.index;
  TermSets ts;
  const bool person = ts.person = PeopleIndex::IsPersonField(n.field);
  if (!person && !PeopleIndex::IsAccountField(n.field))
    return TermError(n, "unknown field '" + n.field + "' (person: country, seniority, function, recipient, stage; "
                        "account: industry, employee_band, revenue_band, hq_country, tech, domain)");
  std::vector<const Bitset*>& sets = ts.sets;
  ts.owned.reserve(n.values.size());
  auto add_value = [&](const std::string& v) {
    const Bitset* b = person ? x.PersonValue(n.field, v) : x.AccountValue(n.field, v);
    if (b && n.field == "domain") b = &ts.owned.emplace_back(*b);
    if (b) sets.push_back(b);
  };
  bool& negate = ts.negate;
  if (n.field == "seniority" || n.field == "recipient" || n.field == "stage") {
    for (size_t i = 0; i < n.values.size(); ++i) {
      const std::string& v = n.values[i];
      std::string w = AsciiLower(v);
      Recipient r;
      Stage st;
      bool known = n.field == "seniority" ? SeniorityRank(w) >= 0 : n.field == "recipient" ? Parse(w, &r) : Parse(w, &st);
      if (!known)
        return ValueError(n, i, "'" + v + "' is not a " + n.field + " (" +
                                (n.field == "seniority" ? std::string("entry, senior, manager, director, vp, cxo")
                                 : n.field == "recipient" ? Choices<Recipient>() : Choices<Stage>()) + ")");
    }
  }
  if (n.field == "country")
    for (size_t i = 0; i < n.values.size(); ++i)
      if (!NormalizeCountry(n.values[i]).ok())
        return ValueError(n, i, "'" + n.values[i] + "' is not a country code (like DE or US-CA)");
  if (n.op == "in" || n.op == "=" || n.op == "!=") {
    for (const std::string& v : n.values) add_value(v);
    negate = n.op == "!=";
  } else {
    // Ordered comparison: the union of the values that satisfy it.
    if (n.field == "seniority") {
      int bound = SeniorityRank(AsciiLower(n.values[0]));
      static const char* kOrder[] = {"entry", "senior", "manager", "director", "vp", "cxo"};
      for (int i = 0; i < 6; ++i)
        if (Compare(i, n.op, bound)) add_value(kOrder[i]);
    } else if (n.field == "employee_band" || n.field == "revenue_band") {
      double bound = BandRank(n.values[0]);
      if (std::isnan(bound)) return ValueError(n, 0, "'" + n.values[0] + "' is not a band such as 51-200 or 10M-50M");
      for (const std::string& v : (n.field == "employee_band"
                                       ? std::vector<std::string>{"1-10", "11-50", "51-200", "201-500", "501-1000",
                                                                  "1001-5000", "5001-10000", "10001+"}
                                       : std::vector<std::string>{"<1M", "1M-10M", "10M-50M", "50M-100M",
                                                                  "100M-500M", "500M-1B", "1B-10B", "10B+"}))
        if (Compare(BandRank(v), n.op, bound)) add_value(v);
    } else {
      return TermError(n, "'" + n.op + "' needs an ordered field (seniority, employee_band, revenue_band)");
    }
  }
  return ts;
}

Result<TermSets> AnyAllSets(const FilterNode& n, QueryContext& ctx) {
  PeopleIndex& x = *ctx.index;
  if (n.field != "tech" && !PeopleIndex::IsPersonField(n.field) && !PeopleIndex::IsAccountField(n.field))
    return TermError(n, "unknown field '" + n.field + "'");
  TermSets ts;
  ts.person = PeopleIndex::IsPersonField(n.field);
  ts.all = n.kind == FilterNode::Kind::kAllOf;
  ts.owned.reserve(n.values.size());
  for (const std::string& v : n.values) {
    const Bitset* b = ts.person ? x.PersonValue(n.field, v) : x.AccountValue(n.field, v);
    if (b && n.field == "domain") b = &ts.owned.emplace_back(*b);
    ts.sets.push_back(b);  // null: no row has the value (empty)
  }
  return ts;
}

Bitset Materialize(const TermSets& ts, const PeopleIndex& x, const Scope* scope) {
  if (ts.person) return Combine(ts.sets, ts.all, ts.negate, x.rows(), scope);
  return PeopleWhereAccount(x, Combine(ts.sets, ts.all, ts.negate, x.accounts(), nullptr), false, scope);
}

Result<Bitset> CompareTerm(const FilterNode& n, QueryContext& ctx, const Scope* scope) {
  Result<TermSets> ts = CompareSets(n, ctx);
  if (!ts.ok()) return ts.status();
  return Materialize(*ts, *ctx.index, scope);
}

Result<const Bitset*> EligibleTerm(const FilterNode& n, QueryContext& ctx) {
  if (!ctx.purpose_of) return TermError(n, "eligible() needs purposes");
  Result<Purpose> purpose = ctx.purpose_of(n.values[0]);
  if (!purpose.ok()) return ValueError(n, 0, purpose.status().message());
  Channel channel;
  if (!Parse(AsciiLower(n.values[1]), &channel))
    return ValueError(n, 1, "'" + n.values[1] + "' is not a channel (" + Choices<Channel>() + ")");
  Action action = Action::kContact;
  if (n.values.size() > 2 && !Parse(AsciiLower(n.values[2]), &action))
    return ValueError(n, 2, "'" + n.values[2] + "' is not an action (" + Choices<Action>() + ")");
  Role role = ctx.role;
  if (n.values.size() > 3 && !Parse(AsciiLower(n.values[3]), &role))
    return ValueError(n, 3, "'" + n.values[3] + "' is not a role (" + Choices<Role>() + ")");
  // Roles run from admin (0) to read_only: an actor may ask for its own role or a
  // narrower one, never for more than it has.
  if (static_cast<int>(role) < static_cast<int>(ctx.role))
    return TermError(n, "a " + std::string(Name(ctx.role)) + " may ask eligibility for its own role or a narrower "
                        "one, not for " + std::string(Name(role)));
  return &ctx.index->Eligible(*purpose, channel, action, role, ctx.at);
}

}  // namespace

const IntentTable& IntentTableFor(QueryContext& ctx, uint32_t topic) {
  PeopleIndex& x = *ctx.index;
  IntentTable& t = ctx.intent_tables[topic];
  if (t.topic == topic && t.at == ctx.at && t.version == ctx.intent->version() && t.accounts == x.accounts() &&
      t.score.size() == x.accounts())
    return t;
  t = IntentTable();
  t.topic = topic;
  t.at = ctx.at;
  t.version = ctx.intent->version();
  t.accounts = x.accounts();
  t.score.assign(t.accounts, 0);
  t.gauge.assign(t.accounts, static_cast<uint8_t>(Gauge::kNotActive));
  t.signals.assign(t.accounts, 0);
  for (const auto& [account, ti] : ctx.intent->Top(topic, ctx.at, SIZE_MAX)) {
    std::optional<uint32_t> row = x.AccountRowOf(account);
    if (!row) continue;
    t.score[*row] = ti.score;
    t.gauge[*row] = static_cast<uint8_t>(ti.gauge);
    t.signals[*row] = ti.signals;
    t.active.push_back(*row);
  }
  t.by_score = t.active;
  std::sort(t.by_score.begin(), t.by_score.end(), [&t](uint32_t a, uint32_t b) { return t.score[a] > t.score[b]; });
  t.at_least[0] = Bitset(t.accounts);
  t.at_least[0].SetAll();
  for (int g = 1; g < 3; ++g) {
    t.at_least[g] = Bitset(t.accounts);
    for (uint32_t row : t.active)
      if (t.gauge[row] >= g) t.at_least[g].Set(row);
  }
  return t;
}

namespace {

Result<Bitset> Eval(const FilterNode& n, QueryContext& ctx, const Scope* scope);

// How early an AND evaluates a term: the kinds that usually keep few rows first, so
// that the rest run within their scope. Only the order changes, never the answer.
// Account-level terms never come here: EvalAnd groups them into one account set,
// placed first when its people are few, else at rank 3.
int PlanRank(const FilterNode& n) {
  switch (n.kind) {
    case FilterNode::Kind::kList: return 1;
    case FilterNode::Kind::kCompare:
    case FilterNode::Kind::kAnyOf:
    case FilterNode::Kind::kAllOf: return 2;  // person fields
    case FilterNode::Kind::kEligible: return 4;
    default: return 5;
  }
}

void FlattenAnd(const FilterNode& n, std::vector<const FilterNode*>* out) {
  for (const FilterNode& c : n.children) {
    if (c.kind == FilterNode::Kind::kAnd) FlattenAnd(c, out);
    else out->push_back(&c);
  }
}

// acc &= (people whose account is in `accounts`, or who have none when `no_account`),
// negated on request, in place. Rows failing it are cleared one by one when the scope
// is sparse, else through the accounts' people as a set.
void AndAccountsInto(const PeopleIndex& x, Bitset& acc, const Scope* scope, const Bitset& accounts, bool no_account,
                     bool negate) {
  uint64_t* words = acc.words();
  if (!scope || !Sparse(scope->count, x.rows())) {
    Bitset people = PeopleWhereAccount(x, accounts, no_account, nullptr);
    auto apply = [&](uint32_t w) { words[w] &= negate ? ~WordOf(&people, w) : WordOf(&people, w); };
    if (scope) {
      for (uint32_t w : scope->words) apply(w);
    } else {
      for (size_t w = 0; w < acc.word_count(); ++w) apply(static_cast<uint32_t>(w));
    }
    return;
  }
  for (uint32_t w : scope->words)
    for (uint64_t bits = words[w]; bits; bits &= bits - 1) {
      int bit = __builtin_ctzll(bits);
      uint32_t a = x.AccountOf((w << 6) + static_cast<uint32_t>(bit));
      bool holds = a == PeopleIndex::kNoAccount ? no_account : accounts.Test(a);
      if (holds == negate) words[w] &= ~(uint64_t{1} << bit);
    }
}

// An account-level term (an account field's values, an intent gauge or score, or the
// negation of one) as the accounts it keeps and whether people without an account
// pass. The planner ANDs these over account rows, a pass over ~rows/10 bits each, and
// reaches people once.
struct AccountSet {
  Bitset accounts;
  bool no_account = false;
};

bool IsAccountTerm(const FilterNode& n) {
  switch (n.kind) {
    case FilterNode::Kind::kGauge:
    case FilterNode::Kind::kScore: return true;
    case FilterNode::Kind::kCompare:
    case FilterNode::Kind::kAnyOf:
    case FilterNode::Kind::kAllOf: return PeopleIndex::IsAccountField(n.field);
    case FilterNode::Kind::kNot: return IsAccountTerm(n.children[0]);
    default: return false;
  }
}

Result<AccountSet> AccountTerm(const FilterNode& n, QueryContext& ctx) {
  switch (n.kind) {
    case FilterNode::Kind::kNot: {
      Result<AccountSet> inner = AccountTerm(n.children[0], ctx);
      if (!inner.ok()) return inner;
      inner->accounts.Not();
      inner->no_account = !inner->no_account;
      return inner;
    }
    case FilterNode::Kind::kGauge:
    case FilterNode::Kind::kScore: {
      Result<std::function<bool(const TopicIntent&)>> pred = IntentPredicate(n);
      if (!pred.ok()) return pred.status();
      Result<std::pair<Bitset, bool>> a = IntentAccounts(ctx, n, *pred);
      if (!a.ok()) return a.status();
      return AccountSet{std::move(a->first), a->second};
    }
    default: {
      Result<TermSets> ts = n.kind == FilterNode::Kind::kCompare ? CompareSets(n, ctx) : AnyAllSets(n, ctx);
      if (!ts.ok()) return ts.status();
      return AccountSet{Combine(ts->sets, ts->all, ts->negate, ctx.index->accounts(), nullptr), false};
    }
  }
}

// acc &= term (acc &= not term when `negate`) in place: within the scope's words when
// there is one (acc must lie within it), else over every word, with no full-size
// temporary. Returns false, with `acc` untouched, for terms without an in-place form
// (and, or, not of those, and account-level terms, which EvalAnd groups).
Result<bool> AndInto(const FilterNode& t, QueryContext& ctx, Bitset& acc, const Scope* scope, bool negate) {
  PeopleIndex& x = *ctx.index;
  uint64_t* words = acc.words();
  const size_t nwords = acc.word_count();
  auto each_word = [&](auto&& fn) {
    if (scope) {
      for (uint32_t w : scope->words) fn(w);
    } else {
      for (size_t w = 0; w < nwords; ++w) fn(static_cast<uint32_t>(w));
    }
  };
  auto and_words = [&](const Bitset& b) {
    each_word([&](uint32_t w) {
      uint64_t v = WordOf(&b, w);
      words[w] &= negate ? ~v : v;
    });
  };
  switch (t.kind) {
    case FilterNode::Kind::kNot: return AndInto(t.children[0], ctx, acc, scope, !negate);
    case FilterNode::Kind::kCompare:
    case FilterNode::Kind::kAnyOf:
    case FilterNode::Kind::kAllOf: {
      Result<TermSets> ts = t.kind == FilterNode::Kind::kCompare ? CompareSets(t, ctx) : AnyAllSets(t, ctx);
      if (!ts.ok()) return ts.status();
      if (!ts->person) return false;  // account fields are grouped by EvalAnd, not ANDed here
      each_word([&](uint32_t w) {
        uint64_t v = CombineWord(ts->sets, ts->all, w);
        if (ts->negate) v = ~v;
        words[w] &= negate ? ~v : v;
      });
      return true;
    }
    case FilterNode::Kind::kEligible: {
      Result<const Bitset*> e = EligibleTerm(t, ctx);
      if (!e.ok()) return e.status();
      and_words(**e);
      return true;
    }
    case FilterNode::Kind::kSuppressed: and_words(x.Suppressed()); return true;
    case FilterNode::Kind::kList: {
      if (!ctx.list_rows) return TermError(t, "lists are not available here");
      Result<Bitset> rows = ctx.list_rows(t.values[0]);
      if (!rows.ok()) return TermError(t, rows.status().message());
      and_words(*rows);
      return true;
    }
    default: return false;  // and, or; account-level terms (grouped by EvalAnd)
  }
}

Result<Bitset> EvalAnd(const FilterNode& n, QueryContext& ctx, const Scope* scope) {
  PeopleIndex& x = *ctx.index;
  std::vector<const FilterNode*> terms;  // null: the account group
  std::optional<AccountSet> group;       // the AND of the account-level terms
  if (ctx.plan) {
    std::vector<const FilterNode*> flat;
    FlattenAnd(n, &flat);
    for (const FilterNode* t : flat) {
      if (!IsAccountTerm(*t)) {
        terms.push_back(t);
        continue;
      }
      Result<AccountSet> a = AccountTerm(*t, ctx);
      if (!a.ok()) return a.status();
      if (!group) {
        group = std::move(*a);
      } else {
        group->accounts.And(a->accounts);
        group->no_account = group->no_account && a->no_account;
      }
    }
    std::stable_sort(terms.begin(), terms.end(),
                     [](const FilterNode* a, const FilterNode* b) { return PlanRank(*a) < PlanRank(*b); });
    if (group) {
      // First when its people are likely few (people spread over accounts about evenly),
      // else after the person terms and lists, before eligibility.
      size_t estimate = group->no_account || !x.accounts()
                            ? x.rows()
                            : group->accounts.Count() * (x.rows() / x.accounts() + 1);
      auto at = Sparse(estimate, x.rows())
                    ? terms.begin()
                    : std::find_if(terms.begin(), terms.end(), [](const FilterNode* t) { return PlanRank(*t) > 3; });
      terms.insert(at, nullptr);
    }
  } else {
    for (const FilterNode& c : n.children) terms.push_back(&c);
  }
  std::optional<Bitset> acc;
  Scope narrowed[2];  // the scope in use and the next one (never built from itself)
  int which = 0;
  const Scope* use = scope;
  for (const FilterNode* t : terms) {
    bool done = false;
    if (!t) {  // the account group
      if (acc) AndAccountsInto(x, *acc, use, group->accounts, group->no_account, false);
      else acc = PeopleWhereAccount(x, group->accounts, group->no_account, use);
      done = true;
    }
    if (!done && ctx.plan && acc) {  // narrow in place (within the rows left when they are few)
      Result<bool> in_place = AndInto(*t, ctx, *acc, use, false);
      if (!in_place.ok()) return in_place.status();
      done = *in_place;
    }
    if (!done) {
      Result<Bitset> next = Eval(*t, ctx, use);
      if (!next.ok()) return next;
      if (!acc) acc = std::move(*next);
      else acc->And(*next);
    }
    if (!ctx.plan) continue;
    // Few rows left: the remaining terms look only at them. (Inside a scope the rows
    // only get fewer, and the new scope is read from the old one's words.)
    size_t count = use ? 0 : acc->Count();
    if (use || Sparse(count, acc->rows())) {
      which ^= 1;
      narrowed[which] = MakeScope(*acc, use, count);
      use = &narrowed[which];
    }
  }
  return std::move(*acc);
}

Result<Bitset> Eval(const FilterNode& n, QueryContext& ctx, const Scope* scope) {
  PeopleIndex& x = *ctx.index;
  switch (n.kind) {
    case FilterNode::Kind::kAnd: return EvalAnd(n, ctx, scope);
    case FilterNode::Kind::kOr: {
      Result<Bitset> acc = Eval(n.children[0], ctx, scope);
      if (!acc.ok()) return acc;
      for (size_t i = 1; i < n.children.size(); ++i) {
        Result<Bitset> next = Eval(n.children[i], ctx, scope);
        if (!next.ok()) return next;
        acc->Or(*next);
      }
      return acc;
    }
    case FilterNode::Kind::kNot: {
      Result<Bitset> inner = Eval(n.children[0], ctx, scope);
      if (!inner.ok()) return inner;
      if (!scope) {
        inner->Not();
        return inner;
      }
      for (uint32_t w : scope->words) inner->words()[w] = scope->bits->words()[w] & ~inner->words()[w];
      return inner;
    }
    case FilterNode::Kind::kCompare: return CompareTerm(n, ctx, scope);
    case FilterNode::Kind::kAnyOf:
    case FilterNode::Kind::kAllOf: {
      Result<TermSets> ts = AnyAllSets(n, ctx);
      if (!ts.ok()) return ts.status();
      return Materialize(*ts, x, scope);
    }
    case FilterNode::Kind::kEligible: {
      Result<const Bitset*> e = EligibleTerm(n, ctx);
      if (!e.ok()) return e.status();
      return Within(**e, scope);
    }
    case FilterNode::Kind::kList: {
      if (!ctx.list_rows) return TermError(n, "lists are not available here");
      Result<Bitset> rows = ctx.list_rows(n.values[0]);
      if (!rows.ok()) return ValueError(n, 0, rows.status().message());
      if (rows->rows() < x.rows()) rows->Resize(x.rows());
      return Within(*rows, scope);
    }
    case FilterNode::Kind::kSuppressed: return Within(x.Suppressed(), scope);
    case FilterNode::Kind::kGauge:
    case FilterNode::Kind::kScore: {  // no account: the default intent
      Result<AccountSet> a = AccountTerm(n, ctx);
      if (!a.ok()) return a.status();
      return PeopleWhereAccount(x, a->accounts, a->no_account, scope);
    }
  }
  return Status::Internal("unknown filter node");
}

}  // namespace

Result<Bitset> Evaluate(const FilterNode& n, QueryContext& ctx) { return Eval(n, ctx, nullptr); }

RankedPage Rank(const Bitset& rows, QueryContext& ctx, const std::string& topic, size_t offset, size_t limit) {
  PeopleIndex& x = *ctx.index;
  RankedPage page;
  std::optional<uint32_t> topic_id = topic.empty() || !ctx.intent ? std::nullopt : ctx.intent->FindTopic(topic);
  const IntentTable* table = topic_id ? &IntentTableFor(ctx, *topic_id) : nullptr;
  using Entry = std::pair<double, int64_t>;  // (score, person id)
  auto better = [](const Entry& a, const Entry& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; };
  const size_t want = limit > SIZE_MAX - offset ? SIZE_MAX : offset + limit;  // entries needed, best first
  // A bounded heap of the best `want` (its top is the worst kept) when the page is near
  // the top, as pages are; else every entry, then a partial sort.
  const bool bounded = want <= 4096;
  std::vector<Entry> kept;
  kept.reserve(bounded ? want + 1 : rows.Count());
  auto offer = [&](double score, uint32_t r) {
    Entry e(score, x.PersonId(r));
    if (kept.size() < want) {
      kept.push_back(e);
      std::push_heap(kept.begin(), kept.end(), better);
    } else if (better(e, kept.front())) {
      std::pop_heap(kept.begin(), kept.end(), better);
      kept.back() = e;
      std::push_heap(kept.begin(), kept.end(), better);
    }
  };
  auto finish = [&](size_t total) {
    page.total = total;
    if (offset >= kept.size()) return page;
    size_t end = std::min(kept.size(), want);
    if (bounded) std::sort(kept.begin(), kept.end(), better);
    else std::partial_sort(kept.begin(), kept.begin() + static_cast<ptrdiff_t>(end), kept.end(), better);
    for (size_t i = offset; i < end; ++i) {
      page.person_ids.push_back(kept[i].second);
      page.scores.push_back(kept[i].first);
    }
    return page;
  };
  if (bounded && want > 0 && table) {
    // Accounts from the highest score down, testing only their people: once the page is
    // full, an account scoring below the worst kept entry ends the walk (nothing after
    // it can enter; equal scores can, by person id). Everyone else scores 0, so a page
    // full of scores above 0 after the walk is the answer; else the scan below ranks
    // every row.
    for (uint32_t a : table->by_score) {
      double score = table->score[a];
      if (score <= 0) break;
      if (kept.size() == want && score < kept.front().first) return finish(rows.Count());
      x.ForEachRowOfAccount(a, [&](uint32_t r) {
        if (rows.Test(r)) offer(score, r);
      });
    }
    if (kept.size() == want && kept.front().first > 0) return finish(rows.Count());
    kept.clear();
  }
  uint32_t last_account = PeopleIndex::kNoAccount;
  double last_score = 0;
  size_t total = 0;
  rows.ForEach([&](uint32_t r) {
    ++total;
    uint32_t account = x.AccountOf(r);
    double score = 0;
    if (table && account != PeopleIndex::kNoAccount) {
      if (account != last_account) {  // rows come in account runs: one lookup per run
        last_account = account;
        last_score = table->score[account];
      }
      score = last_score;
    }
    if (bounded && (want == 0 || (kept.size() == want && score < kept.front().first)))
      return;  // cannot enter the page: its person id (a cache miss at 10M rows) is not read
    if (!bounded) {
      kept.emplace_back(score, x.PersonId(r));
      return;
    }
    offer(score, r);
  });
  return finish(total);
}

namespace {

// "CODE: what it means; CODE: ..." for a decision's reasons.
std::string ReasonsInWords(const Decision& d) {
  std::string out;
  for (size_t i = 0; i < d.reasons.size(); ++i)
    out += (i ? "; " : "") + std::string(Name(d.reasons[i])) + ": " + std::string(Describe(d.reasons[i]));
  return out;
}

Result<bool> ExplainNode(const FilterNode& n, QueryContext& ctx, uint32_t row, std::vector<TermVerdict>* out) {
  switch (n.kind) {
    case FilterNode::Kind::kAnd:
    case FilterNode::Kind::kOr: {
      bool result = n.kind == FilterNode::Kind::kAnd;
      for (const FilterNode& c : n.children) {
        Result<bool> r = ExplainNode(c, ctx, row, out);
        if (!r.ok()) return r;
        result = n.kind == FilterNode::Kind::kAnd ? result && *r : result || *r;
      }
      return result;
    }
    case FilterNode::Kind::kNot: {
      size_t first = out->size();
      Result<bool> r = ExplainNode(n.children[0], ctx, row, out);
      if (!r.ok()) return r;
      if (out->size() == first + 1) {  // a negated leaf reads better as one line
        (*out)[first].term = "not " + (*out)[first].term;
        (*out)[first].holds = !*r;
      }
      return !*r;
    }
    default: {
      Result<Bitset> b = Evaluate(n, ctx);
      if (!b.ok()) return b.status();
      TermVerdict v{n.ToText(), b->Test(row), ""};
      if (n.kind == FilterNode::Kind::kEligible) {
        Result<Purpose> purpose = ctx.purpose_of(n.values[0]);
        Channel channel = Channel::kEmail;
        Parse(AsciiLower(n.values[1]), &channel);
        Action action = Action::kContact;
        if (n.values.size() > 2) Parse(AsciiLower(n.values[2]), &action);
        Role role = ctx.role;
        if (n.values.size() > 3) Parse(AsciiLower(n.values[3]), &role);
        if (purpose.ok()) {
          Decision d = ctx.index->DecideRow(row, &*purpose, channel, action, role, ctx.at);
          v.detail = ReasonsInWords(d);
          for (const std::string& ref : d.rule_refs) v.detail += " [" + ref + "]";
        }
      }
      out->push_back(std::move(v));
      return out->back().holds;
    }
  }
}

}  // namespace

const Bitset& ViewableRows(QueryContext& ctx) { return ctx.index->Viewable(ctx.role); }

std::optional<TermVerdict> ExplainNotViewable(QueryContext& ctx, uint32_t row) {
  Decision view = ctx.index->DecideRow(row, nullptr, std::nullopt, Action::kView, ctx.role, ctx.at);
  if (view.allow) return std::nullopt;
  return TermVerdict{"may be viewed by a " + std::string(Name(ctx.role)), false, ReasonsInWords(view)};
}

Result<std::vector<TermVerdict>> ExplainRow(const FilterNode& filter, QueryContext& ctx, uint32_t row, bool* in) {
  std::vector<TermVerdict> out;
  Result<bool> r = ExplainNode(filter, ctx, row, &out);
  if (!r.ok()) return r.status();
  *in = *r;
  return out;
}

}  // namespace fairlead
