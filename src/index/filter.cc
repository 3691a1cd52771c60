#include "index/filter.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace fairlead {

using nlohmann::json;

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' || c == '+' || c == '@' ||
         c == '/' || static_cast<unsigned char>(c) >= 0x80;
}

struct Token {
  enum Type { kWord, kString, kNumber, kSymbol, kEnd } type;
  std::string text;
  int column;
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<FilterNode> Parse() {
    Status s = Lex();
    if (!s.ok()) return s;
    Result<FilterNode> node = Expr();
    if (!node.ok()) return node;
    if (Peek().type != Token::kEnd) return Error(Peek(), "expected 'and', 'or' or the end of the filter");
    return node;
  }

 private:
  Status Lex() {
    size_t i = 0;
    while (i < text_.size()) {
      char c = text_[i];
      int col = static_cast<int>(i) + 1;
      if (std::isspace(static_cast<unsigned char>(c))) { ++i; continue; }
      if (c == '"' || c == '\'') {
        size_t j = i + 1;
        std::string value;
        while (j < text_.size() && text_[j] != c) {
          if (text_[j] == '\\' && j + 1 < text_.size()) ++j;
          value += text_[j++];
        }
        if (j >= text_.size())
          return Status::Invalid("column " + std::to_string(col) + ": the quoted value is never closed");
        tokens_.push_back({Token::kString, value, col});
        i = j + 1;
        continue;
      }
      if (c == '>' || c == '<' || c == '!' || c == '=') {
        std::string op(1, c);
        size_t used = 1;
        if (i + 1 < text_.size() && text_[i + 1] == '=') {
          op += '=';
          used = 2;
        }
        if (op == "!") return Status::Invalid("column " + std::to_string(col) + ": '!' must be '!=' (or use 'not')");
        if (op == "==") op = "=";
        tokens_.push_back({Token::kSymbol, op, col});
        i += used;
        continue;
      }
      if (c == '(' || c == ')' || c == ',' || c == ':' || c == '[' || c == ']') {
        tokens_.push_back({Token::kSymbol, std::string(1, c), col});
        ++i;
        continue;
      }
      if (IsWordChar(c)) {
        size_t j = i;
        while (j < text_.size() && IsWordChar(text_[j])) ++j;
        tokens_.push_back({Token::kWord, std::string(text_.substr(i, j - i)), col});
        i = j;
        continue;
      }
      return Status::Invalid("column " + std::to_string(col) + ": unexpected character '" + std::string(1, c) + "'");
    }
    tokens_.push_back({Token::kEnd, "", static_cast<int>(text_.size()) + 1});
    return Status::Ok();
  }

  const Token& Peek() const { return tokens_[pos_]; }
  Token Next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  bool IsKeyword(const Token& t, const char* kw) const { return t.type == Token::kWord && Lower(t.text) == kw; }
  bool IsSymbol(const Token& t, const char* s) const { return t.type == Token::kSymbol && t.text == s; }
  Status Error(const Token& t, const std::string& why) const {
    std::string saw = t.type == Token::kEnd ? "the end" : "'" + t.text + "'";
    return Status::Invalid("column " + std::to_string(t.column) + ": " + why + ", saw " + saw);
  }
  Status Expect(const char* symbol) {
    if (!IsSymbol(Peek(), symbol)) return Error(Peek(), std::string("expected '") + symbol + "'");
    Next();
    return Status::Ok();
  }

  Result<FilterNode> Expr() {
    Result<FilterNode> left = Term();
    if (!left.ok()) return left;
    if (!IsKeyword(Peek(), "or")) return left;
    FilterNode node;
    node.kind = FilterNode::Kind::kOr;
    node.column = left->column;
    node.children.push_back(std::move(*left));
    while (IsKeyword(Peek(), "or")) {
      Next();
      Result<FilterNode> right = Term();
      if (!right.ok()) return right;
      node.children.push_back(std::move(*right));
    }
    return node;
  }

  Result<FilterNode> Term() {
    Result<FilterNode> left = Factor();
    if (!left.ok()) return left;
    if (!IsKeyword(Peek(), "and")) return left;
    FilterNode node;
    node.kind = FilterNode::Kind::kAnd;
    node.column = left->column;
    node.children.push_back(std::move(*left));
    while (IsKeyword(Peek(), "and")) {
      Next();
      Result<FilterNode> right = Factor();
      if (!right.ok()) return right;
      node.children.push_back(std::move(*right));
    }
    return node;
  }

  Result<FilterNode> Factor() {
    const Token& t = Peek();
    if (++depth_ > kMaxDepth) return Error(t, "the filter nests deeper than " + std::to_string(kMaxDepth) + " levels");
    struct Leave {
      int& d;
      ~Leave() { --d; }
    } leave{depth_};
    if (IsKeyword(t, "not")) {
      Token kw = Next();
      Result<FilterNode> inner = Factor();
      if (!inner.ok()) return inner;
      FilterNode node;
      node.kind = FilterNode::Kind::kNot;
      node.column = kw.column;
      node.children.push_back(std::move(*inner));
      return node;
    }
    if (IsSymbol(t, "(")) {
      Next();
      Result<FilterNode> inner = Expr();
      if (!inner.ok()) return inner;
      FL_RETURN_IF_ERROR(Expect(")"));
      return inner;
    }
    return Predicate();
  }

  Result<std::string> Value() {
    const Token& t = Peek();
    if (t.type != Token::kWord && t.type != Token::kString) return Error(t, "expected a value");
    columns_.push_back(t.column);
    return Next().text;
  }
  // The columns of the predicate's values: those read since it began, less the ones
  // that are no value (a field or topic name read first).
  std::vector<int> ValueColumns(size_t skip) const {
    return std::vector<int>(columns_.begin() + static_cast<ptrdiff_t>(std::min(skip, columns_.size())), columns_.end());
  }

  Result<std::vector<std::string>> Values(const char* close) {
    std::vector<std::string> out;
    for (;;) {
      Result<std::string> v = Value();
      if (!v.ok()) return v.status();
      out.push_back(*v);
      if (IsSymbol(Peek(), ",")) { Next(); continue; }
      FL_RETURN_IF_ERROR(Expect(close));
      return out;
    }
  }

  Result<FilterNode> Predicate() {
    Token head = Peek();
    if (head.type != Token::kWord)
      return Error(head, "expected a condition (a field such as country, or any(...), eligible(...), list:NAME)");
    Next();
    std::string word = Lower(head.text);
    FilterNode node;
    node.column = head.column;
    columns_.clear();
    if (word == "suppressed") {
      node.kind = FilterNode::Kind::kSuppressed;
      return node;
    }
    if (word == "list") {
      FL_RETURN_IF_ERROR(Expect(":"));
      Result<std::string> name = Value();
      if (!name.ok()) return name.status();
      node.kind = FilterNode::Kind::kList;
      node.values = {*name};
      node.value_columns = ValueColumns(0);
      return node;
    }
    if ((word == "any" || word == "all") && IsSymbol(Peek(), "(")) {
      Next();
      Result<std::string> field = Value();
      if (!field.ok()) return field.status();
      FL_RETURN_IF_ERROR(Expect(":"));
      FL_RETURN_IF_ERROR(Expect("["));
      Result<std::vector<std::string>> values = Values("]");
      if (!values.ok()) return values.status();
      FL_RETURN_IF_ERROR(Expect(")"));
      node.kind = word == "any" ? FilterNode::Kind::kAnyOf : FilterNode::Kind::kAllOf;
      node.field = Lower(*field);
      node.values = std::move(*values);
      node.value_columns = ValueColumns(1);
      return node;
    }
    if (word == "eligible") {
      FL_RETURN_IF_ERROR(Expect("("));
      Result<std::vector<std::string>> args = Values(")");
      if (!args.ok()) return args.status();
      if (args->size() < 2 || args->size() > 4)
        return Status::Invalid("column " + std::to_string(head.column) +
                               ": eligible takes (purpose, channel[, action[, role]])");
      node.kind = FilterNode::Kind::kEligible;
      node.values = std::move(*args);
      node.value_columns = ValueColumns(0);
      return node;
    }
    if ((word == "gauge" || word == "score") && IsSymbol(Peek(), "(")) {
      Next();
      Result<std::string> topic = Value();
      if (!topic.ok()) return topic.status();
      FL_RETURN_IF_ERROR(Expect(")"));
      const Token& op = Peek();
      if (op.type != Token::kSymbol || op.text == "(" || op.text == ")" || op.text == "," || op.text == ":" ||
          op.text == "[" || op.text == "]")
        return Error(op, "expected a comparison (=, !=, >=, >, <=, <)");
      node.op = Next().text;
      Result<std::string> v = Value();
      if (!v.ok()) return v.status();
      node.kind = word == "gauge" ? FilterNode::Kind::kGauge : FilterNode::Kind::kScore;
      node.field = Lower(*topic);
      node.values = {*v};
      node.value_columns = ValueColumns(1);
      return node;
    }
    node.kind = FilterNode::Kind::kCompare;
    node.field = word;
    const Token& op = Peek();
    if (IsKeyword(op, "in")) {
      Next();
      FL_RETURN_IF_ERROR(Expect("("));
      Result<std::vector<std::string>> values = Values(")");
      if (!values.ok()) return values.status();
      node.op = "in";
      node.values = std::move(*values);
      node.value_columns = ValueColumns(0);
      return node;
    }
    if (op.type == Token::kSymbol && (op.text == "=" || op.text == "!=" || op.text == ">=" || op.text == ">" ||
                                      op.text == "<=" || op.text == "<")) {
      node.op = Next().text;
      Result<std::string> v = Value();
      if (!v.ok()) return v.status();
      node.values = {*v};
      node.value_columns = ValueColumns(0);
      return node;
    }
    return Error(op, "expected 'in', '=', '!=', '>=', '>', '<=' or '<' after '" + head.text + "'");
  }

  static constexpr int kMaxDepth = 100;
  std::string_view text_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
  std::vector<int> columns_;  // of the values read in the current predicate
};

std::string Quote(const std::string& v) {
  bool plain = !v.empty();
  for (char c : v) plain = plain && IsWordChar(c);
  std::string lower = Lower(v);
  if (plain && lower != "and" && lower != "or" && lower != "not" && lower != "in") return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + Quote(v[i]);
  return out;
}

}  // namespace

Result<FilterNode> ParseFilter(std::string_view text) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return Status::Invalid("column 1: the filter is empty");
  return Parser(text).Parse();
}

std::string FilterNode::ToText() const {
  switch (kind) {
    case Kind::kAnd:
    case Kind::kOr: {
      std::string out;
      for (size_t i = 0; i < children.size(); ++i) {
        std::string c = children[i].ToText();
        bool wrap = children[i].kind == Kind::kOr || (children[i].kind == Kind::kAnd && kind == Kind::kOr);
        out += (i ? (kind == Kind::kAnd ? " and " : " or ") : "") + (wrap ? "(" + c + ")" : c);
      }
      return out;
    }
    case Kind::kNot: {
      std::string c = children[0].ToText();
      bool wrap = children[0].kind == Kind::kAnd || children[0].kind == Kind::kOr;
      return "not " + (wrap ? "(" + c + ")" : c);
    }
    case Kind::kCompare:
      return op == "in" ? field + " in (" + Join(values) + ")" : field + " " + op + " " + Quote(values[0]);
    case Kind::kAnyOf: return "any(" + field + ": [" + Join(values) + "])";
    case Kind::kAllOf: return "all(" + field + ": [" + Join(values) + "])";
    case Kind::kEligible: return "eligible(" + Join(values) + ")";
    case Kind::kList: return "list:" + Quote(values[0]);
    case Kind::kSuppressed: return "suppressed";
    case Kind::kGauge: return "gauge(" + Quote(field) + ") " + op + " " + Quote(values[0]);
    case Kind::kScore: return "score(" + Quote(field) + ") " + op + " " + Quote(values[0]);
  }
  return "";
}

namespace {

Result<std::vector<std::string>> StringArray(const json& j, const std::string& path) {
  if (!j.is_array()) return Status::Invalid(path + ": must be an array of strings");
  std::vector<std::string> out;
  for (const json& v : j) {
    if (!v.is_string()) return Status::Invalid(path + ": must be an array of strings");
    out.push_back(v.get<std::string>());
  }
  if (out.empty()) return Status::Invalid(path + ": must not be empty");
  return out;
}

// An optional string member; a member of another type is an error, never an exception.
Result<std::string> OptString(const json& obj, const char* key, const std::string& fallback, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  if (!it->is_string()) return Status::Invalid(path + "." + key + ": must be a string");
  return it->get<std::string>();
}

bool ValidOp(const std::string& op) {
  return op == "=" || op == "!=" || op == ">=" || op == ">" || op == "<=" || op == "<";
}

Result<FilterNode> NodeFromJson(const json& j, const std::string& path);

}  // namespace

// Each node keeps its JSON path, so an error found when the filter is evaluated (an
// unknown field, purpose or list) says where it is, as the text form gives the column.
Result<FilterNode> FilterFromJson(const json& j, const std::string& path) {
  Result<FilterNode> node = NodeFromJson(j, path);
  if (node.ok()) node->path = path;
  return node;
}

namespace {

Result<FilterNode> NodeFromJson(const json& j, const std::string& path) {
  if (std::count(path.begin(), path.end(), '.') > 200) return Status::Invalid(path + ": nested too deeply");
  if (!j.is_object() || (j.size() != 1 && !j.contains("field")))
    return Status::Invalid(path + ": must be an object with one key (all, any, not, field, any_of, all_of, eligible, "
                           "list, suppressed, gauge, score)");
  FilterNode node;
  if (j.contains("field")) {
    if (!j["field"].is_string()) return Status::Invalid(path + ".field: must be a string");
    node.kind = FilterNode::Kind::kCompare;
    node.field = Lower(j["field"].get<std::string>());
    Result<std::string> op = OptString(j, "op", "in", path);
    if (!op.ok()) return op.status();
    node.op = *op;
    if (node.op != "in" && !ValidOp(node.op)) return Status::Invalid(path + ".op: must be in, =, !=, >=, >, <= or <");
    if (node.op == "in") {
      Result<std::vector<std::string>> v = StringArray(j.value("values", json()), path + ".values");
      if (!v.ok()) return v.status();
      node.values = *v;
    } else {
      if (!j.contains("value") || !j["value"].is_string())
        return Status::Invalid(path + ".value: must be a string (" + node.op + " compares with one \"value\"; " +
                               "\"op\": \"in\" takes \"values\")");
      node.values = {j["value"].get<std::string>()};
    }
    return node;
  }
  const std::string& key = j.begin().key();
  const json& v = j.begin().value();
  if (key == "all" || key == "any") {
    if (!v.is_array() || v.empty()) return Status::Invalid(path + "." + key + ": must be a non-empty array");
    node.kind = key == "all" ? FilterNode::Kind::kAnd : FilterNode::Kind::kOr;
    for (size_t i = 0; i < v.size(); ++i) {
      Result<FilterNode> c = FilterFromJson(v[i], path + "." + key + "[" + std::to_string(i) + "]");
      if (!c.ok()) return c;
      node.children.push_back(std::move(*c));
    }
    return node;
  }
  if (key == "not") {
    Result<FilterNode> c = FilterFromJson(v, path + ".not");
    if (!c.ok()) return c;
    node.kind = FilterNode::Kind::kNot;
    node.children.push_back(std::move(*c));
    return node;
  }
  if (key == "any_of" || key == "all_of") {
    if (!v.is_object() || !v.contains("field") || !v["field"].is_string())
      return Status::Invalid(path + "." + key + ".field: must be a string");
    node.kind = key == "any_of" ? FilterNode::Kind::kAnyOf : FilterNode::Kind::kAllOf;
    node.field = Lower(v["field"].get<std::string>());
    Result<std::vector<std::string>> vals = StringArray(v.value("values", json()), path + "." + key + ".values");
    if (!vals.ok()) return vals.status();
    node.values = *vals;
    return node;
  }
  if (key == "eligible") {
    if (!v.is_object() || !v.contains("purpose") || !v["purpose"].is_string() || !v.contains("channel") ||
        !v["channel"].is_string())
      return Status::Invalid(path + ".eligible: needs string purpose and channel");
    node.kind = FilterNode::Kind::kEligible;
    node.values = {v["purpose"].get<std::string>(), v["channel"].get<std::string>()};
    Result<std::string> action = OptString(v, "action", "contact", path + ".eligible");
    if (!action.ok()) return action.status();
    Result<std::string> role = OptString(v, "role", "", path + ".eligible");
    if (!role.ok()) return role.status();
    bool has_role = v.contains("role") && !v["role"].is_null();
    if (v.contains("action") || has_role) node.values.push_back(*action);
    if (has_role) node.values.push_back(*role);
    return node;
  }
  if (key == "list") {
    if (!v.is_string()) return Status::Invalid(path + ".list: must be a list name");
    node.kind = FilterNode::Kind::kList;
    node.values = {v.get<std::string>()};
    return node;
  }
  if (key == "suppressed") {
    if (!v.is_boolean() || !v.get<bool>()) return Status::Invalid(path + ".suppressed: must be true");
    node.kind = FilterNode::Kind::kSuppressed;
    return node;
  }
  if (key == "gauge" || key == "score") {
    if (!v.is_object() || !v.contains("topic") || !v["topic"].is_string())
      return Status::Invalid(path + "." + key + ".topic: must be a string");
    node.kind = key == "gauge" ? FilterNode::Kind::kGauge : FilterNode::Kind::kScore;
    node.field = Lower(v["topic"].get<std::string>());
    Result<std::string> op = OptString(v, "op", ">=", path + "." + key);
    if (!op.ok()) return op.status();
    node.op = *op;
    if (!ValidOp(node.op)) return Status::Invalid(path + "." + key + ".op: must be =, !=, >=, >, <= or <");
    if (!v.contains("value")) return Status::Invalid(path + "." + key + ".value: missing");
    node.values = {v["value"].is_string() ? v["value"].get<std::string>() : v["value"].dump()};
    return node;
  }
  return Status::Invalid(path + ": unknown key '" + key + "'");
}

}  // namespace

json FilterToJson(const FilterNode& n) {
  switch (n.kind) {
    case FilterNode::Kind::kAnd:
    case FilterNode::Kind::kOr: {
      json arr = json::array();
      for (const FilterNode& c : n.children) arr.push_back(FilterToJson(c));
      return json{{n.kind == FilterNode::Kind::kAnd ? "all" : "any", arr}};
    }
    case FilterNode::Kind::kNot: return json{{"not", FilterToJson(n.children[0])}};
    case FilterNode::Kind::kCompare:
      return n.op == "in" ? json{{"field", n.field}, {"op", "in"}, {"values", n.values}}
                          : json{{"field", n.field}, {"op", n.op}, {"value", n.values[0]}};
    case FilterNode::Kind::kAnyOf: return json{{"any_of", {{"field", n.field}, {"values", n.values}}}};
    case FilterNode::Kind::kAllOf: return json{{"all_of", {{"field", n.field}, {"values", n.values}}}};
    case FilterNode::Kind::kEligible: {
      json e = {{"purpose", n.values[0]}, {"channel", n.values[1]}};
      if (n.values.size() > 2) e["action"] = n.values[2];
      if (n.values.size() > 3) e["role"] = n.values[3];
      return json{{"eligible", e}};
    }
    case FilterNode::Kind::kList: return json{{"list", n.values[0]}};
    case FilterNode::Kind::kSuppressed: return json{{"suppressed", true}};
    case FilterNode::Kind::kGauge:
    case FilterNode::Kind::kScore:
      return json{{n.kind == FilterNode::Kind::kGauge ? "gauge" : "score",
                   {{"topic", n.field}, {"op", n.op}, {"value", n.values[0]}}}};
  }
  return json();
}

}  // namespace fairlead
