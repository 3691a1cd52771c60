// Filter: the list language as text and as JSON, parsed into one tree.
#include "index/filter.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <random>
#include <string>
#include <vector>

namespace fairlead {
namespace {

using nlohmann::json;
using Kind = FilterNode::Kind;

// The tree as a compact S-expression, to check structure (precedence) at a glance.
std::string Shape(const FilterNode& n) {
  auto join = [](const std::vector<std::string>& v) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) out += (i ? "|" : "") + v[i];
    return out;
  };
  switch (n.kind) {
    case Kind::kAnd:
    case Kind::kOr: {
      std::string out = n.kind == Kind::kAnd ? "and(" : "or(";
      for (size_t i = 0; i < n.children.size(); ++i) out += (i ? ", " : "") + Shape(n.children[i]);
      return out + ")";
    }
    case Kind::kNot: return "not(" + (n.children.empty() ? std::string() : Shape(n.children[0])) + ")";
    case Kind::kCompare: return n.field + n.op + join(n.values);
    case Kind::kAnyOf: return "any:" + n.field + "[" + join(n.values) + "]";
    case Kind::kAllOf: return "all:" + n.field + "[" + join(n.values) + "]";
    case Kind::kEligible: return "eligible[" + join(n.values) + "]";
    case Kind::kList: return "list:" + join(n.values);
    case Kind::kSuppressed: return "suppressed";
    case Kind::kGauge: return "gauge:" + n.field + n.op + join(n.values);
    case Kind::kScore: return "score:" + n.field + n.op + join(n.values);
  }
  return "?";
}

FilterNode MustParse(std::string_view text) {
  Result<FilterNode> r = ParseFilter(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().message();
  return r.ok() ? *r : FilterNode();
}

std::string ParseError(std::string_view text) {
  Result<FilterNode> r = ParseFilter(text);
  EXPECT_FALSE(r.ok()) << "'" << text << "' parsed as " << (r.ok() ? r->ToText() : std::string());
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), Status::Code::kInvalid) << text;
  return r.status().message();
}

std::string JsonError(const json& j, const std::string& path = "filter") {
  Result<FilterNode> r = FilterFromJson(j, path);
  EXPECT_FALSE(r.ok()) << j.dump() << " parsed as " << (r.ok() ? r->ToText() : std::string());
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), Status::Code::kInvalid) << j.dump();
  return r.status().message();
}

// `message` starts with `prefix` (the column or path, then the reason).
void ExpectStartsWith(const std::string& message, const std::string& prefix, const std::string& input) {
  EXPECT_EQ(message.substr(0, prefix.size()), prefix) << "input: " << input << "\nmessage: " << message;
}

int ColumnOf(std::string_view text, std::string_view needle) {
  size_t pos = text.find(needle);
  EXPECT_NE(pos, std::string_view::npos) << needle;
  return static_cast<int>(pos) + 1;
}

const char kExample[] =
    "country in (DE, FR) and seniority >= director and any(tech: [k8s, terraform]) and not list:customers and "
    "eligible(marketing.security, email)";

TEST(FilterTest, ParsesTheHeaderExample) {
  FilterNode n = MustParse(kExample);
  ASSERT_EQ(n.kind, Kind::kAnd);
  ASSERT_EQ(n.children.size(), 5u);
  EXPECT_EQ(n.column, 1);

  const FilterNode& country = n.children[0];
  EXPECT_EQ(country.kind, Kind::kCompare);
  EXPECT_EQ(country.field, "country");
  EXPECT_EQ(country.op, "in");
  EXPECT_EQ(country.values, (std::vector<std::string>{"DE", "FR"}));
  EXPECT_EQ(country.column, 1);

  const FilterNode& seniority = n.children[1];
  EXPECT_EQ(seniority.kind, Kind::kCompare);
  EXPECT_EQ(seniority.field, "seniority");
  EXPECT_EQ(seniority.op, ">=");
  EXPECT_EQ(seniority.values, (std::vector<std::string>{"director"}));
  EXPECT_EQ(seniority.column, ColumnOf(kExample, "seniority"));

  const FilterNode& tech = n.children[2];
  EXPECT_EQ(tech.kind, Kind::kAnyOf);
  EXPECT_EQ(tech.field, "tech");
  EXPECT_EQ(tech.values, (std::vector<std::string>{"k8s", "terraform"}));
  EXPECT_EQ(tech.column, ColumnOf(kExample, "any("));

  const FilterNode& no_list = n.children[3];
  EXPECT_EQ(no_list.kind, Kind::kNot);
  EXPECT_EQ(no_list.column, ColumnOf(kExample, "not "));
  ASSERT_EQ(no_list.children.size(), 1u);
  EXPECT_EQ(no_list.children[0].kind, Kind::kList);
  EXPECT_EQ(no_list.children[0].values, (std::vector<std::string>{"customers"}));
  EXPECT_EQ(no_list.children[0].column, ColumnOf(kExample, "list:"));

  const FilterNode& eligible = n.children[4];
  EXPECT_EQ(eligible.kind, Kind::kEligible);
  EXPECT_EQ(eligible.values, (std::vector<std::string>{"marketing.security", "email"}));
  EXPECT_EQ(eligible.column, ColumnOf(kExample, "eligible"));

  // The canonical text of the example is the example.
  EXPECT_EQ(n.ToText(), kExample);
}

TEST(FilterTest, ParsesEveryPredicateForm) {
  struct Case {
    std::string text;
    Kind kind;
    std::string field, op;
    std::vector<std::string> values;
  };
  const std::vector<Case> cases = {
      {"country in (DE)", Kind::kCompare, "country", "in", {"DE"}},
      {"country in (de,fr , US-CA)", Kind::kCompare, "country", "in", {"de", "fr", "US-CA"}},
      {"country = DE", Kind::kCompare, "country", "=", {"DE"}},
      {"country == DE", Kind::kCompare, "country", "=", {"DE"}},
      {"country != DE", Kind::kCompare, "country", "!=", {"DE"}},
      {"seniority >= director", Kind::kCompare, "seniority", ">=", {"director"}},
      {"seniority > manager", Kind::kCompare, "seniority", ">", {"manager"}},
      {"seniority <= vp", Kind::kCompare, "seniority", "<=", {"vp"}},
      {"seniority < cxo", Kind::kCompare, "seniority", "<", {"cxo"}},
      {"seniority>=director", Kind::kCompare, "seniority", ">=", {"director"}},
      {"employee_band >= 201-500", Kind::kCompare, "employee_band", ">=", {"201-500"}},
      {"employee_band = 10001+", Kind::kCompare, "employee_band", "=", {"10001+"}},
      {"revenue_band < \"<1M\"", Kind::kCompare, "revenue_band", "<", {"<1M"}},
      {"function = \"head of it\"", Kind::kCompare, "function", "=", {"head of it"}},
      {"function = 'head of it'", Kind::kCompare, "function", "=", {"head of it"}},
      {"function = \"say \\\"hi\\\" \\\\ bye\"", Kind::kCompare, "function", "=", {"say \"hi\" \\ bye"}},
      {"industry in (\"software, saas\", fintech, '')", Kind::kCompare, "industry", "in",
       {"software, saas", "fintech", ""}},
      {"domain = acme.com", Kind::kCompare, "domain", "=", {"acme.com"}},
      {"function = Zoë", Kind::kCompare, "function", "=", {"Zoë"}},
      {"any(tech: [k8s])", Kind::kAnyOf, "tech", "", {"k8s"}},
      {"any(tech: [k8s, terraform, \"google cloud\"])", Kind::kAnyOf, "tech", "", {"k8s", "terraform", "google cloud"}},
      {"all(tech: [k8s, aws])", Kind::kAllOf, "tech", "", {"k8s", "aws"}},
      {"all(country:[DE,FR])", Kind::kAllOf, "country", "", {"DE", "FR"}},
      {"eligible(marketing, email)", Kind::kEligible, "", "", {"marketing", "email"}},
      {"eligible(marketing.security, email, contact)", Kind::kEligible, "", "",
       {"marketing.security", "email", "contact"}},
      {"eligible(marketing.security, phone, contact, admin)", Kind::kEligible, "", "",
       {"marketing.security", "phone", "contact", "admin"}},
      {"list:customers", Kind::kList, "", "", {"customers"}},
      {"list : customers", Kind::kList, "", "", {"customers"}},
      {"list:\"my list\"", Kind::kList, "", "", {"my list"}},
      {"suppressed", Kind::kSuppressed, "", "", {}},
      {"gauge(security) >= evaluating", Kind::kGauge, "security", ">=", {"evaluating"}},
      {"gauge(security) = not_active", Kind::kGauge, "security", "=", {"not_active"}},
      {"score(security) > 10.5", Kind::kScore, "security", ">", {"10.5"}},
      {"score(Security) <= -3", Kind::kScore, "security", "<=", {"-3"}},
      // A field word that is also a predicate keyword, when not followed by "(".
      {"any = x", Kind::kCompare, "any", "=", {"x"}},
      // Keywords are words in value positions.
      {"stage = suppressed", Kind::kCompare, "stage", "=", {"suppressed"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    FilterNode n = MustParse(c.text);
    EXPECT_EQ(n.kind, c.kind);
    EXPECT_EQ(n.field, c.field);
    EXPECT_EQ(n.op, c.op);
    EXPECT_EQ(n.values, c.values);
    EXPECT_TRUE(n.children.empty());
    EXPECT_EQ(n.column, 1);
    // Every form prints as text that parses back to the same node.
    FilterNode again = MustParse(n.ToText());
    EXPECT_EQ(Shape(again), Shape(n)) << n.ToText();
  }
}

TEST(FilterTest, KeywordsAreCaseInsensitive) {
  FilterNode n = MustParse("COUNTRY IN (de) AND NOT Suppressed OR LIST:Customers");
  EXPECT_EQ(Shape(n), "or(and(countryinde, not(suppressed)), list:Customers)");
  EXPECT_EQ(n.ToText(), "(country in (de) and not suppressed) or list:Customers");

  EXPECT_EQ(Shape(MustParse("Any(Tech: [K8s, AWS])")), "any:tech[K8s|AWS]");
  EXPECT_EQ(Shape(MustParse("ALL(TECH: [k8s])")), "all:tech[k8s]");
  EXPECT_EQ(Shape(MustParse("ELIGIBLE(Marketing, EMAIL)")), "eligible[Marketing|EMAIL]");
  EXPECT_EQ(Shape(MustParse("Gauge(Security) >= Evaluating")), "gauge:security>=Evaluating");
  EXPECT_EQ(Shape(MustParse("SCORE(x) > 1")), "score:x>1");
  EXPECT_EQ(Shape(MustParse("Seniority In (VP, cxo)")), "seniorityinVP|cxo");
  EXPECT_EQ(Shape(MustParse("not Not suppressed")), "not(not(suppressed))");
  // Mixed-case and/or/not are the same operators.
  EXPECT_EQ(Shape(MustParse("country = DE aNd stage = client Or suppressed")),
            Shape(MustParse("country = DE and stage = client or suppressed")));
}

TEST(FilterTest, AndBindsTighterThanOrAndNotTightest) {
  struct Case {
    std::string text, shape;
  };
  const std::vector<Case> cases = {
      {"country = DE or stage = client and suppressed", "or(country=DE, and(stage=client, suppressed))"},
      {"country = DE and stage = client or suppressed", "or(and(country=DE, stage=client), suppressed)"},
      {"country = DE or stage = client or suppressed", "or(country=DE, stage=client, suppressed)"},
      {"country = DE and stage = client and suppressed", "and(country=DE, stage=client, suppressed)"},
      {"not country = DE and suppressed", "and(not(country=DE), suppressed)"},
      {"not country = DE or suppressed", "or(not(country=DE), suppressed)"},
      {"suppressed and not country = DE or list:x", "or(and(suppressed, not(country=DE)), list:x)"},
      {"not (country = DE and suppressed)", "not(and(country=DE, suppressed))"},
      {"not (country = DE or suppressed)", "not(or(country=DE, suppressed))"},
      {"(country = DE or stage = client) and suppressed", "and(or(country=DE, stage=client), suppressed)"},
      {"country = DE and (stage = client or suppressed)", "and(country=DE, or(stage=client, suppressed))"},
      {"a = 1 or b = 2 and c = 3 or d = 4", "or(a=1, and(b=2, c=3), d=4)"},
      {"a = 1 and b = 2 or c = 3 and d = 4", "or(and(a=1, b=2), and(c=3, d=4))"},
      {"not not suppressed", "not(not(suppressed))"},
      {"((suppressed))", "suppressed"},
      {"not (not (a = 1) and b = 2)", "not(and(not(a=1), b=2))"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    FilterNode n = MustParse(c.text);
    EXPECT_EQ(Shape(n), c.shape);
    // The text form keeps the grouping: reparsing gives the same tree.
    EXPECT_EQ(Shape(MustParse(n.ToText())), c.shape) << n.ToText();
  }
  // The column of a compound node is that of its first term.
  FilterNode n = MustParse("  country = DE or stage = client and suppressed");
  EXPECT_EQ(n.column, 3);
  ASSERT_EQ(n.children.size(), 2u);
  EXPECT_EQ(n.children[1].column, 19);
  EXPECT_EQ(n.children[1].children[1].column, 38);
}

// A random filter tree with awkward values, as the UI could build it.
class TreeGen {
 public:
  explicit TreeGen(uint64_t seed) : rng_(seed) {}

  FilterNode Tree(int depth) {
    int pick = Int(depth > 0 ? 10 : 6);
    if (pick >= 6) {
      FilterNode n;
      if (pick == 9) {
        n.kind = Kind::kNot;
        n.children.push_back(Tree(depth - 1));
        return n;
      }
      n.kind = pick == 6 || pick == 7 ? Kind::kAnd : Kind::kOr;
      int k = 2 + Int(2);
      for (int i = 0; i < k; ++i) n.children.push_back(Tree(depth - 1));
      return n;
    }
    return Leaf();
  }

 private:
  int Int(int n) { return static_cast<int>(rng_() % static_cast<uint64_t>(n)); }
  std::string Value() {
    static const std::vector<std::string> kValues = {
        "DE", "US-CA", "director", "k8s", "201-500", "10001+", "<1M", "$10M", "head of it", "and", "OR", "Not",
        "in", "IN", "list", "any", "suppressed", "eligible", "", "a\"b", "back\\slash", "it's", "Zoë", "x:y",
        "(paren)", "a,b", "[x]", "=", "!", "1.5", "-3", "user@example.com", "a/b"};
    return kValues[static_cast<size_t>(Int(static_cast<int>(kValues.size())))];
  }
  std::vector<std::string> Values() {
    std::vector<std::string> v;
    int k = 1 + Int(3);
    for (int i = 0; i < k; ++i) v.push_back(Value());
    return v;
  }
  FilterNode Leaf() {
    static const std::vector<std::string> kFields = {"country", "seniority", "function", "stage", "industry",
                                                     "employee_band", "tech", "domain"};
    static const std::vector<std::string> kOps = {"=", "!=", ">=", ">", "<=", "<"};
    FilterNode n;
    switch (Int(8)) {
      case 0:
        n.kind = Kind::kCompare;
        n.field = kFields[static_cast<size_t>(Int(static_cast<int>(kFields.size())))];
        n.op = "in";
        n.values = Values();
        break;
      case 1:
        n.kind = Kind::kCompare;
        n.field = kFields[static_cast<size_t>(Int(static_cast<int>(kFields.size())))];
        n.op = kOps[static_cast<size_t>(Int(6))];
        n.values = {Value()};
        break;
      case 2:
        n.kind = Int(2) ? Kind::kAnyOf : Kind::kAllOf;
        n.field = "tech";
        n.values = Values();
        break;
      case 3: {
        n.kind = Kind::kEligible;
        n.values = {Int(2) ? "marketing.security" : Value(), Int(2) ? "email" : Value()};
        int extra = Int(3);
        if (extra >= 1) n.values.push_back(Int(2) ? "contact" : Value());
        if (extra >= 2) n.values.push_back(Int(2) ? "admin" : Value());
        break;
      }
      case 4:
        n.kind = Kind::kList;
        n.values = {Value()};
        break;
      case 5: n.kind = Kind::kSuppressed; break;
      case 6:
        n.kind = Kind::kGauge;
        n.field = Int(2) ? "security" : "cloud.native";
        n.op = kOps[static_cast<size_t>(Int(6))];
        n.values = {Int(2) ? "evaluating" : Value()};
        break;
      default:
        n.kind = Kind::kScore;
        n.field = "security";
        n.op = kOps[static_cast<size_t>(Int(6))];
        n.values = {Int(2) ? "12.5" : Value()};
        break;
    }
    return n;
  }
  std::mt19937_64 rng_;
};

TEST(FilterTest, TextRoundTripsForManyFilters) {
  const std::vector<std::string> texts = {
      kExample,
      "suppressed",
      "not suppressed",
      "country in (DE, FR, \"US-CA\")",
      "country = US or country = GB and not list:\"do not call\"",
      "(country = US or country = GB) and not (list:a or list:b)",
      "seniority >= director and employee_band >= 201-500 and revenue_band < \"<1M\"",
      "all(tech: [k8s, terraform]) or any(tech: [aws, \"google cloud\"])",
      "eligible(marketing.security, email, contact, admin) and not suppressed",
      "gauge(security) >= evaluating and score(security) > 10",
      "function in (\"and\", \"or\", \"not\", \"in\", \"\")",
      "function = \"quote \\\" and backslash \\\\\"",
      "not not not suppressed",
      "((country = DE))",
      "country = DE and (stage = client and (suppressed and list:x))",
      "country = DE or (stage = client or (suppressed or list:x))",
  };
  for (const std::string& t : texts) {
    SCOPED_TRACE(t);
    FilterNode n = MustParse(t);
    std::string text = n.ToText();
    FilterNode again = MustParse(text);
    EXPECT_EQ(again.ToText(), text);
    EXPECT_EQ(FilterToJson(again), FilterToJson(MustParse(again.ToText())));
  }
  TreeGen gen(20261125);
  for (int i = 0; i < 2000; ++i) {
    FilterNode tree = gen.Tree(3);
    std::string text = tree.ToText();
    SCOPED_TRACE(text);
    Result<FilterNode> n = ParseFilter(text);
    ASSERT_TRUE(n.ok()) << n.status().message();
    EXPECT_EQ(n->ToText(), text);
    Result<FilterNode> again = ParseFilter(n->ToText());
    ASSERT_TRUE(again.ok()) << again.status().message();
    EXPECT_EQ(again->ToText(), n->ToText());
    // Parsing keeps every leaf: the JSON of the reparse is stable too.
    EXPECT_EQ(FilterToJson(*again), FilterToJson(*n));
  }
}

TEST(FilterTest, JsonRoundTrips) {
  const std::vector<std::string> texts = {
      kExample,
      "suppressed",
      "not (country = DE or stage = client)",
      "country != DE and seniority < vp",
      "employee_band >= 201-500 or revenue_band <= 10M-50M",
      "all(tech: [k8s, terraform])",
      "eligible(marketing, email)",
      "eligible(marketing, email, track)",
      "eligible(marketing, email, contact, admin)",
      "list:\"my list\" and gauge(security) = ramping_up and score(security) >= 2.5",
  };
  for (const std::string& t : texts) {
    SCOPED_TRACE(t);
    FilterNode n = MustParse(t);
    json j = FilterToJson(n);
    Result<FilterNode> back = FilterFromJson(j);
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(FilterToJson(*back), j);
    EXPECT_EQ(back->ToText(), n.ToText());
    EXPECT_EQ(Shape(*back), Shape(n));
    EXPECT_EQ(back->column, 0);
    // And through the JSON text.
    Result<FilterNode> reparsed = FilterFromJson(json::parse(j.dump()));
    ASSERT_TRUE(reparsed.ok());
    EXPECT_EQ(reparsed->ToText(), n.ToText());
  }
  TreeGen gen(99);
  for (int i = 0; i < 500; ++i) {
    FilterNode n = MustParse(gen.Tree(3).ToText());
    json j = FilterToJson(n);
    Result<FilterNode> back = FilterFromJson(j);
    ASSERT_TRUE(back.ok()) << j.dump() << ": " << back.status().message();
    EXPECT_EQ(FilterToJson(*back), j);
    EXPECT_EQ(back->ToText(), n.ToText());
  }
}

TEST(FilterTest, JsonFormsAndDefaults) {
  json j = json::parse(R"({"all": [
      {"field": "Country", "op": "in", "values": ["DE", "FR"]},
      {"field": "country", "values": ["GB"]},
      {"field": "seniority", "op": ">=", "value": "director"},
      {"not": {"suppressed": true}},
      {"any_of": {"field": "tech", "values": ["k8s"]}},
      {"all_of": {"field": "Tech", "values": ["k8s", "aws"]}},
      {"eligible": {"purpose": "marketing", "channel": "email"}},
      {"eligible": {"purpose": "marketing", "channel": "email", "role": "admin"}},
      {"eligible": {"purpose": "marketing", "channel": "email", "action": "track"}},
      {"list": "customers"},
      {"gauge": {"topic": "Security", "value": "evaluating"}},
      {"score": {"topic": "security", "op": ">", "value": 10}},
      {"any": [{"suppressed": true}, {"list": "x"}]}
  ]})");
  Result<FilterNode> n = FilterFromJson(j);
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(n->ToText(),
            "country in (DE, FR) and country in (GB) and seniority >= director and not suppressed and "
            "any(tech: [k8s]) and all(tech: [k8s, aws]) and eligible(marketing, email) and "
            "eligible(marketing, email, contact, admin) and eligible(marketing, email, track) and list:customers and "
            "gauge(security) >= evaluating and score(security) > 10 and (suppressed or list:x)");
  // What the JSON tree says is what the text says.
  EXPECT_EQ(Shape(*n), Shape(MustParse(n->ToText())));
}

TEST(FilterTest, TextErrorsNameTheColumn) {
  struct Case {
    std::string text, prefix;
  };
  const std::vector<Case> cases = {
      // Empty.
      {"", "column 1: the filter is empty"},
      {"   \t ", "column 1: the filter is empty"},
      // A missing ')'.
      {"country in (DE, FR", "column 19: expected ')', saw the end"},
      {"(country = DE", "column 14: expected ')', saw the end"},
      {"country in (DE FR)", "column 16: expected ')', saw 'FR'"},
      {"any(tech: [k8s]", "column 16: expected ')', saw the end"},
      {"eligible(marketing, email", "column 26: expected ')', saw the end"},
      {"(country = DE or (stage = client)", "column 34: expected ')', saw the end"},
      // An unknown operator.
      {"country like DE", "column 9: expected 'in', '=', '!=', '>=', '>', '<=' or '<' after 'country', saw 'like'"},
      {"country ~ DE", "column 9: unexpected character '~'"},
      {"country = DE and seniority => director", "column 29: expected a value, saw '>'"},
      {"stage", "column 6: expected 'in', '=', '!=', '>=', '>', '<=' or '<' after 'stage', saw the end"},
      {"gauge(security) ~ evaluating", "column 17: unexpected character '~'"},
      {"gauge(security) ( evaluating", "column 17: expected a comparison (=, !=, >=, >, <=, <), saw '('"},
      // A dangling 'and' / 'or'.
      {"country = DE and", "column 17: expected a condition"},
      {"country = DE or", "column 16: expected a condition"},
      {"country = DE and (stage = client or)", "column 36: expected a condition"},
      {"not", "column 4: expected a condition"},
      // An unterminated quote.
      {"function = \"head of it", "column 12: the quoted value is never closed"},
      {"country = DE and list:'x", "column 23: the quoted value is never closed"},
      // '!' alone.
      {"! suppressed", "column 1: '!' must be '!=' (or use 'not')"},
      {"country ! DE", "column 9: '!' must be '!=' (or use 'not')"},
      // eligible with 1 or 5 arguments.
      {"eligible(marketing)", "column 1: eligible takes (purpose, channel[, action[, role]])"},
      {"eligible(marketing, email, contact, admin, extra)",
       "column 1: eligible takes (purpose, channel[, action[, role]])"},
      {"country = DE and eligible(marketing)", "column 18: eligible takes (purpose, channel[, action[, role]])"},
      {"not eligible(a, b, c, d, e)", "column 5: eligible takes (purpose, channel[, action[, role]])"},
      // Other shapes.
      {"country = DE)", "column 13: expected 'and', 'or' or the end of the filter, saw ')'"},
      {"country = DE country = FR", "column 14: expected 'and', 'or' or the end of the filter, saw 'country'"},
      {"any(tech [k8s])", "column 10: expected ':'"},
      {"any(tech: k8s)", "column 11: expected '['"},
      {"list customers", "column 6: expected ':'"},
      {"list:", "column 6: expected a value, saw the end"},
      {"country in ()", "column 13: expected a value, saw ')'"},
      {"country = DE and ) ", "column 18: expected a condition"},
      {"country = ;", "column 11: unexpected character ';'"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    ExpectStartsWith(ParseError(c.text), c.prefix, c.text);
  }
}

TEST(FilterTest, JsonErrorsNameThePath) {
  struct Case {
    std::string json, prefix;
  };
  const std::vector<Case> cases = {
      {R"({"all": [{"field": "country", "values": ["DE"]}, {"field": 5}]})", "filter.all[1].field: must be a string"},
      {R"({"any": [{"suppressed": true}, {"not": {"list": 3}}]})", "filter.any[1].not.list: must be a list name"},
      {R"({"all": []})", "filter.all: must be a non-empty array"},
      {R"({"any": {"suppressed": true}})", "filter.any: must be a non-empty array"},
      {R"({"field": "country", "op": "in", "values": []})", "filter.values: must not be empty"},
      {R"({"field": "country", "op": "in", "values": ["DE", 3]})", "filter.values: must be an array of strings"},
      {R"({"field": "country"})", "filter.values: must be an array of strings"},
      {R"({"field": "country", "op": "like", "value": "DE"})", "filter.op: must be in, =, !=, >=, >, <= or <"},
      {R"({"field": "country", "op": "=", "value": 3})", "filter.value: must be a string"},
      {R"({"field": "country", "op": "="})", "filter.value: must be a string"},
      {R"({"all": [{"any_of": {"values": ["k8s"]}}]})", "filter.all[0].any_of.field: must be a string"},
      {R"({"all": [{"suppressed": true}, {"all_of": {"field": "tech", "values": []}}]})",
       "filter.all[1].all_of.values: must not be empty"},
      {R"({"all": [{"suppressed": false}]})", "filter.all[0].suppressed: must be true"},
      {R"({"not": {"eligible": {"purpose": "marketing"}}})", "filter.not.eligible: needs string purpose and channel"},
      {R"({"gauge": {"topic": "security", "op": "~", "value": "evaluating"}})",
       "filter.gauge.op: must be =, !=, >=, >, <= or <"},
      {R"({"score": {"topic": "security"}})", "filter.score.value: missing"},
      {R"({"score": {"value": 3}})", "filter.score.topic: must be a string"},
      {R"({"bogus": 1})", "filter: unknown key 'bogus'"},
      {R"({"all": [{"suppressed": true}], "any": [{"suppressed": true}]})", "filter: must be an object with one key"},
      {R"({})", "filter: must be an object with one key"},
      {R"([1, 2])", "filter: must be an object with one key"},
      {R"("country = DE")", "filter: must be an object with one key"},
      {R"({"all": [{"any": [{"suppressed": true}, {"not": {"field": "x", "op": "<>", "value": "y"}}]}]})",
       "filter.all[0].any[1].not.op: must be in, =, !=, >=, >, <= or <"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.json);
    ExpectStartsWith(JsonError(json::parse(c.json)), c.prefix, c.json);
  }
  // The caller's path is the root.
  ExpectStartsWith(JsonError(json::parse(R"({"all": [{"suppressed": true}, {"field": 5}]})"), "body.segment"),
                   "body.segment.all[1].field: must be a string", "custom path");
}

// API input of the wrong type is an error naming the path, never an exception
// escaping the Result (nlohmann's value() throws on a type mismatch).
TEST(FilterTest, JsonOfTheWrongTypeIsAnErrorNotAnException) {
  struct Case {
    std::string json, prefix;
  };
  const std::vector<Case> cases = {
      {R"({"field": "country", "op": 5, "values": ["DE"]})", "filter.op"},
      // A null member counts as absent: op defaults to "in", which then needs "values".
      {R"({"all": [{"suppressed": true}, {"field": "country", "op": null, "value": "DE"}]})", "filter.all[1].values"},
      {R"({"eligible": {"purpose": "marketing", "channel": "email", "action": 5}})", "filter.eligible"},
      {R"({"eligible": {"purpose": "marketing", "channel": "email", "role": true}})", "filter.eligible"},
      {R"({"gauge": {"topic": "security", "op": 1, "value": "evaluating"}})", "filter.gauge"},
      {R"({"score": {"topic": "security", "op": [">"], "value": 3}})", "filter.score"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.json);
    Result<FilterNode> r = Status::Internal("not run");
    EXPECT_NO_THROW(r = FilterFromJson(json::parse(c.json)));
    EXPECT_FALSE(r.ok()) << (r.ok() ? r->ToText() : std::string());
    if (!r.ok()) ExpectStartsWith(r.status().message(), c.prefix, c.json);
  }
}

}  // namespace
}  // namespace fairlead

namespace fairlead {
namespace {

TEST(FilterDepthTest, DeepNestingIsAnErrorNotACrash) {
  std::string deep(5000, '(');
  Result<FilterNode> r = ParseFilter(deep + "suppressed" + std::string(5000, ')'));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nests deeper"), std::string::npos) << r.status().message();
  std::string nots;
  for (int i = 0; i < 5000; ++i) nots += "not ";
  EXPECT_FALSE(ParseFilter(nots + "suppressed").ok());
  EXPECT_TRUE(ParseFilter(std::string(50, '(') + "suppressed" + std::string(50, ')')).ok());
}

}  // namespace
}  // namespace fairlead
