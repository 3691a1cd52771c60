#include "policy/rules.h"

// toml++ 3.3.0 (Debian 12) asserts, or in release builds assumes, things about
// malformed input that do not hold (found by tests/fuzz/fuzz_rules.cc: "[#" in a
// table header). Its assertions are turned into exceptions here, in the only file
// that includes it, so a malformed rules file is an error and never undefined
// behaviour.
#include <stdexcept>
#undef NDEBUG
#define TOML_ASSERT(expr) \
  ((expr) ? static_cast<void>(0) : throw std::runtime_error("malformed TOML (parser check failed: " #expr ")"))
// In its noexcept accessors (API misuse, not input) a failed check terminates.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpragmas"
#pragma GCC diagnostic ignored "-Wunknown-warning-option"
#pragma GCC diagnostic ignored "-Wterminate"
#include <toml++/toml.h>
#pragma GCC diagnostic pop

#include <algorithm>
#include <set>

#include "core/normalize.h"

namespace fairlead {

std::string_view Name(RecipientClass c) {
  static constexpr std::string_view kNames[] = {"consumer", "sole_trader", "corporate_personal",
                                                "corporate_generic"};
  return kNames[static_cast<int>(c)];
}

std::string_view Name(RuleTable t) {
  static constexpr std::string_view kNames[] = {"email", "phone", "post"};
  return kNames[static_cast<int>(t)];
}

RuleTable TableFor(Channel channel) {
  switch (channel) {
    case Channel::kEmail:
    case Channel::kSms: return RuleTable::kEmail;
    case Channel::kPhone: return RuleTable::kPhone;
    case Channel::kPost: return RuleTable::kPost;
  }
  return RuleTable::kEmail;
}

std::string MarketingRow::Ref() const {
  return std::string(Name(table)) + ":" + country + ": " + citation;
}

const MarketingRow* Rules::FindRow(RuleTable table, std::string_view country, Time at) const {
  if (country.empty()) return nullptr;
  auto find = [&](std::string_view c) -> const MarketingRow* {
    for (const MarketingRow& r : rows)
      if (r.table == table && r.country == c && r.valid.Contains(at)) return &r;
    return nullptr;
  };
  if (const MarketingRow* r = find(country)) return r;
  if (country.size() > 2)
    if (const MarketingRow* r = find(CountryAlpha2(country))) return r;
  return find("*");
}

bool Rules::IsEea(std::string_view country) const {
  std::string_view a2 = CountryAlpha2(country);
  return std::find(eea.begin(), eea.end(), a2) != eea.end() ||
         std::find(eea_territories.begin(), eea_territories.end(), a2) != eea_territories.end();
}

bool Rules::IsProtectedOrigin(std::string_view country) const {
  std::string_view a2 = CountryAlpha2(country);
  for (const std::string& o : origins) {
    if (o == "EEA" ? IsEea(a2) : o == a2) return true;
  }
  return false;
}

bool Rules::TransferNeedsMechanism(std::string_view origin, std::string_view region, bool us_certified,
                                   Time at, std::string* ref) const {
  std::string dest(CountryAlpha2(region));
  std::string from(CountryAlpha2(origin));
  if (dest.empty()) return false;
  if (dest == from) {
    *ref = "transfer: same country";
    return false;
  }
  // Inside the EEA for a subject in it; a GB or CH subject sent into the EEA leaves
  // their own country for a region jurisdictions.md's adequacy list does not name, so
  // only the reading lets it pass (readings 7).
  const bool into_eea = dest == "EEA" || dest == "EU" || IsEea(dest);
  // (A subject of unknown country, "", may be in any of them: under the reading, all
  // three may send into the EEA, so they may too.)
  if (into_eea && (IsEea(from) || (readings.gb_ch_subjects_may_send_to_eea && (from.empty() || IsProtectedOrigin(from))))) {
    *ref = IsEea(from) ? "transfer: within the EEA"
                       : "transfer: " + (from.empty() ? std::string("an unknown country") : from) +
                             " to the EEA (reading gb_ch_subjects_may_send_to_eea)";
    return false;
  }
  for (const AdequacyRow& a : adequacy)
    if (a.region == dest && a.valid.Contains(at)) {
      *ref = "transfer: " + a.citation;
      return false;
    }
  if (dest == "US")
    for (const UsFramework& f : us_frameworks)
      if (f.valid.Contains(at)) {
        if (!us_certified) {
          *ref = "the recipient is not certified under the " + f.name;
          return true;
        }
        *ref = "transfer: " + f.name + ": " + f.citation;
        return false;
      }
  ref->clear();
  if (dest == "US") {
    // No framework in force: name the last one that ended (struck down), if any.
    const UsFramework* last = nullptr;
    for (const UsFramework& f : us_frameworks)
      if (f.valid.to && *f.valid.to <= at && (!last || *f.valid.to > *last->valid.to)) last = &f;
    if (last) *ref = "no EU-US framework in force: the " + last->name + " ended " + FormatDate(*last->valid.to) + " (" +
                     last->citation + ")";
  }
  if (into_eea) *ref = "the EEA is not on the adequacy list for a subject in " + (from.empty() ? std::string("an unknown country") : from);
  return true;
}

namespace {

// toml++ 3.3.0 (Debian 12) reaches __builtin_unreachable() when it tests some
// non-ASCII characters for whitespace (found by tests/fuzz/fuzz_rules.cc). It only
// does so outside single-line strings and comments, so non-ASCII text is accepted
// there and refused, with its position, everywhere else.
Status CheckNonAsciiPlacement(std::string_view text, const std::string& source) {
  int64_t line = 1, column = 1;
  auto err = [&](const char* what) {
    return Status::Invalid(source + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + what);
  };
  for (size_t i = 0; i < text.size(); ++i, ++column) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      column = 0;
    } else if (c == '#') {
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
    } else if (c == '"' || c == '\'') {
      if (text.substr(i, 3) == std::string(3, static_cast<char>(c))) {
        size_t end = text.find(std::string(3, static_cast<char>(c)), i + 3);
        if (end == std::string_view::npos) end = text.size();
        for (size_t j = i; j < end; ++j) {
          if (static_cast<unsigned char>(text[j]) >= 0x80) return err("non-ASCII text in a multi-line string (use a single-line string)");
          if (text[j] == '\n') { ++line; column = 0; }
          ++column;
        }
        i = end + 2;
        continue;
      }
      for (++i, ++column; i < text.size() && text[i] != static_cast<char>(c) && text[i] != '\n'; ++i, ++column)
        if (c == '"' && text[i] == '\\' && i + 1 < text.size() && text[i + 1] != '\n') { ++i; ++column; }
      if (i < text.size() && text[i] == '\n') { ++line; column = 0; }
    } else if (c >= 0x80) {
      return err("non-ASCII character outside a string or comment");
    }
  }
  return Status::Ok();
}

class RulesParser {
 public:
  explicit RulesParser(std::string_view source) : source_(source) {}

  Status Error(const toml::node* node, const std::string& field, const std::string& why) const {
    std::string where = source_;
    if (node) where += ":" + std::to_string(node->source().begin.line);
    return Status::Invalid(where + ": " + field + ": " + why);
  }

  // A key the format does not know is a typo the DPO must hear of: ignored, it would
  // leave a rule silently out.
  Status KnownKeys(const toml::table& t, std::initializer_list<std::string_view> known, const std::string& ctx) const {
    for (const auto& [key, node] : t) {
      if (std::find(known.begin(), known.end(), key.str()) != known.end()) continue;
      std::string list;
      for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      return Error(&node, (ctx.empty() ? "" : ctx + ".") + std::string(key.str()), "unknown key (known: " + list + ")");
    }
    return Status::Ok();
  }

  Result<std::string> String(const toml::table& t, const std::string& key, const std::string& ctx,
                             bool required = true) const {
    const toml::node* n = t.get(key);
    if (!n) {
      if (!required) return std::string();
      return Error(&t, ctx + "." + key, "missing");
    }
    if (!n->is_string()) return Error(n, ctx + "." + key, "must be a string");
    return std::string(**n->as_string());
  }

  Result<Time> Date(const toml::table& t, const std::string& key, const std::string& ctx) const {
    const toml::node* n = t.get(key);
    if (!n) return Error(&t, ctx + "." + key, "missing");
    if (n->is_date()) {
      toml::date d = **n->as_date();
      return DaysFromCivil(d.year, d.month, d.day) * kSecondsPerDay;
    }
    if (n->is_string()) {
      Result<Time> r = ParseTime(**n->as_string());
      if (!r.ok()) return Error(n, ctx + "." + key, r.status().message());
      return r;
    }
    return Error(n, ctx + "." + key, "must be a date like 2023-07-10");
  }

  Result<Validity> Valid(const toml::table& t, const std::string& ctx) const {
    Validity v;
    Result<Time> from = Date(t, "valid_from", ctx);
    if (!from.ok()) return from.status();
    v.from = *from;
    if (t.get("valid_to")) {
      Result<Time> to = Date(t, "valid_to", ctx);
      if (!to.ok()) return to.status();
      if (*to <= v.from) return Error(t.get("valid_to"), ctx + ".valid_to", "must be after valid_from");
      v.to = *to;
    }
    return v;
  }

  Status Row(const toml::table& t, RuleTable table, int index, Rules* rules) const {
    std::string ctx = std::string(Name(table)) + "[" + std::to_string(index) + "]";
    FL_RETURN_IF_ERROR(KnownKeys(t, {"country", "consumer", "sole_trader", "corporate_personal", "corporate_generic",
                                     "soft_opt_in", "window_months", "job_relevance", "citation", "valid_from",
                                     "valid_to"},
                                 ctx));
    MarketingRow row;
    row.table = table;
    row.line = static_cast<int>(t.source().begin.line);
    Result<std::string> country = String(t, "country", ctx);
    if (!country.ok()) return country.status();
    row.country = *country;
    if (row.country != "*") {
      Result<std::string> c = NormalizeCountry(row.country);
      if (!c.ok() || *c != row.country)
        return Error(t.get("country"), ctx + ".country", "'" + row.country +
                     "' is not an upper-case ISO 3166-1 code (or US-CA style subdivision, or *)");
    }
    for (int k = 0; k < 4; ++k) {
      std::string key(Name(static_cast<RecipientClass>(k)));
      Result<std::string> v = String(t, key, ctx);
      if (!v.ok()) return v.status();
      if (*v == "in") row.regime[k] = Regime::kIn;
      else if (*v == "out") row.regime[k] = Regime::kOut;
      else return Error(t.get(key), ctx + "." + key, "must be \"in\" or \"out\", not \"" + *v + "\"");
    }
    Result<std::string> soft = String(t, "soft_opt_in", ctx, table == RuleTable::kEmail);
    if (!soft.ok()) return soft.status();
    if (soft->empty() || *soft == "none") row.soft_opt_in = SoftOptIn::kNone;
    else if (*soft == "sale") row.soft_opt_in = SoftOptIn::kSale;
    else if (*soft == "neg") row.soft_opt_in = SoftOptIn::kNegotiation;
    else return Error(t.get("soft_opt_in"), ctx + ".soft_opt_in", "must be \"sale\", \"neg\" or \"none\"");
    if (const toml::node* w = t.get("window_months")) {
      if (w->is_string() && **w->as_string() == "tenant") {
        row.window_months.reset();
      } else if (w->is_integer() && **w->as_integer() >= 0 && **w->as_integer() <= 1200) {
        row.window_months = static_cast<int>(**w->as_integer());
      } else {
        return Error(w, ctx + ".window_months", "must be a number of months (0-1200) or \"tenant\"");
      }
    } else if (row.soft_opt_in != SoftOptIn::kNone) {
      return Error(&t, ctx + ".window_months", "missing (a soft opt-in needs a window)");
    } else {
      row.window_months = 0;
    }
    if (const toml::node* j = t.get("job_relevance")) {
      if (!j->is_boolean()) return Error(j, ctx + ".job_relevance", "must be true or false");
      row.job_relevance = **j->as_boolean();
    }
    Result<std::string> citation = String(t, "citation", ctx);
    if (!citation.ok()) return citation.status();
    if (citation->empty()) return Error(t.get("citation"), ctx + ".citation", "must not be empty");
    row.citation = *citation;
    Result<Validity> valid = Valid(t, ctx);
    if (!valid.ok()) return valid.status();
    row.valid = *valid;
    for (const MarketingRow& other : rules->rows)
      if (other.table == table && other.country == row.country &&
          other.valid.from < (row.valid.to ? *row.valid.to : INT64_MAX) &&
          row.valid.from < (other.valid.to ? *other.valid.to : INT64_MAX))
        return Error(&t, ctx, "overlaps the " + std::string(Name(table)) + " row for " + row.country +
                     " at line " + std::to_string(other.line) + " (validity intervals must not overlap)");
    rules->rows.push_back(std::move(row));
    return Status::Ok();
  }

  Result<Rules> Parse(std::string_view text) {
    Rules rules;
    rules.source = source_;
    FL_RETURN_IF_ERROR(CheckNonAsciiPlacement(text, source_));
    toml::table root;
    try {
      root = toml::parse(text, source_);
    } catch (const toml::parse_error& e) {
      return Status::Invalid(source_ + ":" + std::to_string(e.source().begin.line) + ":" +
                             std::to_string(e.source().begin.column) + ": " + std::string(e.description()));
    } catch (const std::exception& e) {
      return Status::Invalid(source_ + ": " + e.what());
    }
    FL_RETURN_IF_ERROR(KnownKeys(root, {"version", "email", "phone", "post", "transfers", "readings", "adequacy",
                                        "us_framework"},
                                 ""));
    Result<std::string> version = String(root, "version", "");
    if (!version.ok()) return Error(nullptr, "version", "missing (every rules file is versioned)");
    rules.version = *version;
    const RuleTable kTables[] = {RuleTable::kEmail, RuleTable::kPhone, RuleTable::kPost};
    for (RuleTable table : kTables) {
      std::string key(Name(table));
      const toml::node* n = root.get(key);
      if (!n) return Error(nullptr, key, "missing (an array of [[" + key + "]] rows)");
      const toml::array* arr = n->as_array();
      if (!arr || !arr->is_array_of_tables()) return Error(n, key, "must be [[" + key + "]] tables");
      int i = 0;
      bool star = false;
      for (const toml::node& el : *arr) {
        const toml::table& t = *el.as_table();
        FL_RETURN_IF_ERROR(Row(t, table, i++, &rules));
        star = star || rules.rows.back().country == "*";
      }
      if (!star) return Error(n, key, "needs a country = \"*\" row for countries without their own");
    }
    const toml::table* transfers = root["transfers"].as_table();
    if (!transfers) return Error(nullptr, "transfers", "missing table [transfers]");
    FL_RETURN_IF_ERROR(KnownKeys(*transfers, {"eea", "eea_territories", "origins"}, "transfers"));
    for (const char* key : {"eea", "origins", "eea_territories"}) {
      const bool optional = std::string(key) == "eea_territories";
      if (optional && !transfers->get(key)) continue;
      const toml::array* arr = transfers->get(key) ? transfers->get(key)->as_array() : nullptr;
      if (!arr) return Error(transfers, std::string("transfers.") + key, "must be an array of codes");
      std::vector<std::string>& out = std::string(key) == "eea" ? rules.eea
                                      : optional                ? rules.eea_territories
                                                                : rules.origins;
      for (const toml::node& el : *arr) {
        if (!el.is_string()) return Error(&el, std::string("transfers.") + key, "entries must be strings");
        out.push_back(std::string(**el.as_string()));
      }
    }
    if (const toml::node* node = root.get("readings")) {
      const toml::table* t = node->as_table();
      if (!t) return Error(node, "readings", "must be a table of true/false choices");
      struct Choice {
        const char* key;
        bool* value;
      };
      const Choice choices[] = {
          {"unknown_country_transfer_rule", &rules.readings.unknown_country_transfer_rule},
          {"unknown_country_double_opt_in", &rules.readings.unknown_country_double_opt_in},
          {"unscoped_records_renew_retention", &rules.readings.unscoped_records_renew_retention},
          {"soft_opt_in_window_includes_cutoff", &rules.readings.soft_opt_in_window_includes_cutoff},
          {"anonymize_every_denied_track", &rules.readings.anonymize_every_denied_track},
          {"job_functions_ignore_case", &rules.readings.job_functions_ignore_case},
          {"confirmation_may_precede_grant", &rules.readings.confirmation_may_precede_grant},
          {"soft_opt_in_cutoff_clamps", &rules.readings.soft_opt_in_cutoff_clamps},
          {"gb_ch_subjects_may_send_to_eea", &rules.readings.gb_ch_subjects_may_send_to_eea},
          {"kind_scopes_withdraw_whole_kind", &rules.readings.kind_scopes_withdraw_whole_kind},
      };
      for (const auto& [k, v] : *t) {
        const std::string key(k.str());
        const Choice* c = std::find_if(std::begin(choices), std::end(choices),
                                       [&](const Choice& x) { return key == x.key; });
        if (c == std::end(choices)) {
          std::string known;
          for (const Choice& x : choices) known += (known.empty() ? "" : ", ") + std::string(x.key);
          return Error(&v, "readings." + key, "unknown choice (known: " + known + ")");
        }
        if (!v.is_boolean()) return Error(&v, "readings." + key, "must be true or false");
        *c->value = **v.as_boolean();
      }
    }
    if (const toml::array* arr = root["adequacy"].as_array()) {
      int i = 0;
      for (const toml::node& el : *arr) {
        std::string ctx = "adequacy[" + std::to_string(i++) + "]";
        const toml::table* t = el.as_table();
        if (!t) return Error(&el, ctx, "must be a table");
        FL_RETURN_IF_ERROR(KnownKeys(*t, {"region", "valid_from", "valid_to", "citation"}, ctx));
        AdequacyRow a;
        a.line = static_cast<int>(t->source().begin.line);
        Result<std::string> region = String(*t, "region", ctx);
        if (!region.ok()) return region.status();
        a.region = *region;
        Result<Validity> v = Valid(*t, ctx);
        if (!v.ok()) return v.status();
        a.valid = *v;
        Result<std::string> c = String(*t, "citation", ctx);
        if (!c.ok()) return c.status();
        a.citation = *c;
        rules.adequacy.push_back(a);
      }
    }
    if (const toml::array* arr = root["us_framework"].as_array()) {
      int i = 0;
      for (const toml::node& el : *arr) {
        std::string ctx = "us_framework[" + std::to_string(i++) + "]";
        const toml::table* t = el.as_table();
        if (!t) return Error(&el, ctx, "must be a table");
        FL_RETURN_IF_ERROR(KnownKeys(*t, {"name", "valid_from", "valid_to", "citation"}, ctx));
        UsFramework f;
        f.line = static_cast<int>(t->source().begin.line);
        Result<std::string> name = String(*t, "name", ctx);
        if (!name.ok()) return name.status();
        f.name = *name;
        Result<Validity> v = Valid(*t, ctx);
        if (!v.ok()) return v.status();
        f.valid = *v;
        Result<std::string> c = String(*t, "citation", ctx);
        if (!c.ok()) return c.status();
        f.citation = *c;
        rules.us_frameworks.push_back(f);
      }
    }
    return rules;
  }

 private:
  std::string source_;
};

}  // namespace

Result<Rules> ParseRules(std::string_view text, std::string_view source_name) {
  // A byte order mark (as some Windows editors write) is not part of the text; lines
  // and columns count from after it.
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  return RulesParser(source_name).Parse(text);
}

}  // namespace fairlead
