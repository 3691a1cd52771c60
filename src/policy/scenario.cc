#include "policy/scenario.h"

#include "core/json_text.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "core/normalize.h"

namespace fairlead {

using nlohmann::json;

DecisionRequest Scenario::Request() const {
  DecisionRequest r;
  r.subject = &subject;
  r.purpose = purpose ? &*purpose : nullptr;
  r.action = action;
  r.channel = channel;
  r.role = role;
  r.destination = destination ? &*destination : nullptr;
  r.suppressed = suppressed;
  r.tenant = &tenant;
  r.at = at;
  return r;
}

namespace {

// Reads fields of one JSON object, remembering the first error with its path.
class Reader {
 public:
  Reader(const json& j, std::string path) : j_(j), path_(std::move(path)) {}

  bool IsObject() {
    if (!j_.is_object()) Fail("", "must be an object");
    return j_.is_object();
  }
  const json* Get(const char* key) const {
    if (!j_.is_object()) return nullptr;
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) return nullptr;
    return &*it;
  }
  std::string Path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  void Fail(const std::string& key, const std::string& why) {
    if (status_.ok()) status_ = Status::Invalid((key.empty() ? (path_.empty() ? std::string("input") : path_) : Path(key)) + ": " + why);
  }
  const Status& status() const { return status_; }

  void Str(const char* key, std::string* out) {
    if (const json* v = Get(key)) {
      if (v->is_string()) *out = v->get<std::string>();
      else Fail(key, "must be a string");
    }
  }
  void Bool(const char* key, bool* out) {
    if (const json* v = Get(key)) {
      if (v->is_boolean()) *out = v->get<bool>();
      else Fail(key, "must be true or false");
    }
  }
  void When(const char* key, std::optional<Time>* out) {
    if (const json* v = Get(key)) {
      // A whole number is seconds since 1970-01-01T00:00:00Z (Unix time).
      if (v->is_number_integer()) {
        *out = v->get<int64_t>();
        return;
      }
      if (!v->is_string()) return Fail(key, "must be a date, an RFC 3339 time string, or Unix seconds");
      Result<Time> t = ParseTime(v->get_ref<const std::string&>());
      if (!t.ok()) return Fail(key, t.status().message());
      *out = *t;
    }
  }
  template <typename E>
  void Word(const char* key, E* out, bool* present = nullptr) {
    if (const json* v = Get(key)) {
      // Enum words are read without regard to ASCII case ("Email" is email).
      if (!v->is_string() || !Parse(AsciiLower(v->get_ref<const std::string&>()), out))
        return Fail(key, "must be one of " + Choices<E>() + (v->is_string() ? ", not '" + v->get<std::string>() + "'" : ""));
      if (present) *present = true;
    }
  }
  void Strings(const char* key, std::vector<std::string>* out) {
    if (const json* v = Get(key)) {
      if (v->is_string()) {
        out->push_back(v->get<std::string>());
        return;
      }
      if (!v->is_array()) return Fail(key, "must be a string or an array of strings");
      for (const json& e : *v) {
        if (!e.is_string()) return Fail(key, "entries must be strings");
        out->push_back(e.get<std::string>());
      }
    }
  }

 private:
  const json& j_;
  std::string path_;
  Status status_;
};

Result<EmailAddress> EmailFromJson(const json& j, const std::string& path) {
  EmailAddress e;
  std::string raw;
  bool type_given = false;
  if (j.is_string()) {
    raw = j.get<std::string>();
  } else {
    Reader r(j, path);
    if (!r.IsObject()) return r.status();
    r.Str("address", &raw);
    if (raw.empty()) r.Str("email", &raw);
    if (raw.empty()) r.Str("value", &raw);
    r.Word("visibility", &e.visibility);
    r.Word("type", &e.type, &type_given);
    if (!r.status().ok()) return r.status();
  }
  Result<std::string> norm = NormalizeEmail(raw);
  // An address that does not normalise is kept as given: the decision must still be made.
  e.address = norm.ok() ? *norm : raw;
  if (!type_given) e.type = EmailTypeOf(e.address);
  return e;
}

Result<BasisRecord> BasisFromJson(const json& j, const std::string& path, int64_t index) {
  Reader r(j, path);
  if (!r.IsObject()) return r.status();
  BasisRecord b;
  b.id = index + 1;
  if (const json* id = r.Get("id"); id && id->is_number_integer()) b.id = id->get<int64_t>();
  if (!r.Get("basis")) r.Fail("basis", "missing");
  r.Word("basis", &b.basis);
  if (!r.Get("status")) r.Fail("status", "missing");
  r.Word("status", &b.status);
  r.Strings("scope", &b.scopes);
  // An empty (or blank) scope string is no scope, as an empty list is (readings 2): a
  // withdrawal so written covers every purpose, a grant so written none.
  b.scopes.erase(std::remove_if(b.scopes.begin(), b.scopes.end(),
                                [](const std::string& s) { return s.find_first_not_of(" \t") == std::string::npos; }),
                 b.scopes.end());
  if (const json* ch = r.Get("channels")) {
    std::vector<std::string> words;
    r.Strings("channels", &words);
    // An empty list reads as no channels given, like an empty scope (readings 2).
    b.channels_given = !words.empty();
    for (const std::string& w : words) {
      Channel c;
      if (!Parse(AsciiLower(w), &c)) r.Fail("channels", "'" + w + "' is not one of " + Choices<Channel>());
      else b.channels |= ChannelBit(c);
    }
    (void)ch;
  }
  std::optional<Time> at;
  r.When("at", &at);
  if (!at && r.status().ok()) r.Fail("at", "missing (a basis record needs its time)");
  b.at = at.value_or(0);
  r.When("confirmed_at", &b.confirmed_at);
  r.When("expires_at", &b.expires_at);
  if (const json* ev = r.Get("evidence")) b.evidence = ev->is_string() ? ev->get<std::string>() : ev->dump();
  if (!r.status().ok()) return r.status();
  return b;
}

Result<Subject> SubjectFromJson(const json& j, const std::string& path) {
  Reader r(j, path);
  Subject s;
  if (!r.IsObject()) return r.status();
  if (const json* id = r.Get("id"); id && id->is_number_integer()) s.id = id->get<int64_t>();
  std::string country;
  r.Str("country", &country);
  if (!country.empty()) {
    Result<std::string> c = NormalizeCountry(country);
    s.country = c.ok() ? *c : country;  // an unknown code stays unknown: strictest row
  }
  r.Word("recipient", &s.recipient);
  r.Word("stage", &s.stage);
  r.Str("function", &s.function);
  r.When("collected_at", &s.collected_at);
  r.Bool("opt_out_offered_at_collection", &s.opt_out_offered_at_collection);
  r.When("transparency_notice_sent_at", &s.transparency_notice_sent_at);
  r.When("objected_direct_marketing_at", &s.objected_direct_marketing_at);
  if (const json* o = r.Get("objected_direct_marketing"); o && o->is_boolean() && o->get<bool>() &&
                                                          !s.objected_direct_marketing_at)
    s.objected_direct_marketing_at = 0;  // objected, time unknown: since ever
  r.Bool("restricted", &s.restricted);
  r.Bool("do_not_sell", &s.do_not_sell);
  bool gpc = false;
  r.Bool("gpc", &gpc);
  s.do_not_sell = s.do_not_sell || gpc;
  r.Bool("erased", &s.erased);
  if (!r.status().ok()) return r.status();
  // `email` is one address; `emails` a list of them, or one address where a list was
  // expected (the list of that one).
  for (const char* key : {"email", "emails"}) {
    const json* given = r.Get(key);
    if (!given) continue;
    const bool one = given->is_string() || given->is_object();
    if (!one && !given->is_array()) return Status::Invalid(r.Path(key) + ": must be an address or an array of addresses");
    for (size_t i = 0; i < (one ? 1 : given->size()); ++i) {
      Result<EmailAddress> a =
          EmailFromJson(one ? *given : (*given)[i], r.Path(key) + (one ? "" : "[" + std::to_string(i) + "]"));
      if (!a.ok()) return a.status();
      s.emails.push_back(*a);
    }
  }
  if (const json* bs = r.Get("bases")) {
    if (!bs->is_array()) return Status::Invalid(r.Path("bases") + ": must be an array");
    for (size_t i = 0; i < bs->size(); ++i) {
      Result<BasisRecord> b = BasisFromJson((*bs)[i], r.Path("bases") + "[" + std::to_string(i) + "]",
                                            static_cast<int64_t>(i));
      if (!b.ok()) return b.status();
      s.bases.push_back(*b);
    }
  }
  if (const json* ps = r.Get("purchases")) {
    if (!ps->is_array()) return Status::Invalid(r.Path("purchases") + ": must be an array");
    for (size_t i = 0; i < ps->size(); ++i) {
      Reader pr((*ps)[i], r.Path("purchases") + "[" + std::to_string(i) + "]");
      if (!pr.IsObject()) return pr.status();
      Purchase p;
      pr.Str("family", &p.family);
      // A purchase whose kind is not given proves only the weaker kind: negotiations
      // (the stricter reading; docs/policy-readings.md, scenario input).
      p.kind = PurchaseKind::kNegotiation;
      pr.Word("kind", &p.kind);
      std::optional<Time> at;
      pr.When("at", &at);
      if (!at && pr.status().ok()) pr.Fail("at", "missing (a purchase needs its time)");
      if (!pr.status().ok()) return pr.status();
      p.at = *at;
      s.purchases.push_back(p);
    }
  }
  return s;
}

// A purpose given only by its id: the kind is read from the id's first segment
// (service.billing is a service purpose), else marketing.
Purpose PurposeFromId(const std::string& id) {
  Purpose p;
  p.id = id;
  PurposeKind k;
  if (Parse(std::string_view(id).substr(0, id.find('.')), &k)) p.kind = k;
  return p;
}

}  // namespace

Result<Purpose> PurposeFromJson(const json& j, const std::string& path) {
  Reader r(j, path);
  Purpose p;
  if (!r.IsObject()) return r.status();
  r.Str("id", &p.id);
  if (p.id.empty()) r.Fail("id", "missing");
  r.Word("kind", &p.kind);
  if (!r.Get("kind") && r.status().ok()) p.kind = PurposeFromId(p.id).kind;
  r.Str("family", &p.family);
  if (const json* lia = r.Get("lia"); lia && lia->is_boolean()) {
    // true: an assessment exists without a reference given; false: none (as null).
    if (lia->get<bool>()) p.lia = "LIA";
  } else {
    r.Str("lia", &p.lia);
  }
  r.Str("description", &p.description);
  if (const json* d = r.Get("retention_days")) {
    // 365.0 is a whole number too; 365.5 is not.
    const double days = d->is_number() ? d->get<double>() : -1;
    if (!(days >= 0 && days <= 100000) || days != std::floor(days))
      r.Fail("retention_days", "must be a whole number of days (0 to 100000) or null");
    else
      p.retention_days = static_cast<int>(days);
  }
  r.Bool("requires_double_opt_in", &p.requires_double_opt_in);
  r.Strings("job_functions", &p.job_functions);
  if (!r.status().ok()) return r.status();
  return p;
}

json PurposeToJson(const Purpose& p) {
  json j = {{"id", p.id}, {"kind", Name(p.kind)}, {"family", p.family},
            {"lia", p.lia.empty() ? json(nullptr) : json(p.lia)},
            {"retention_days", p.retention_days ? json(*p.retention_days) : json(nullptr)},
            {"requires_double_opt_in", p.requires_double_opt_in}, {"job_functions", p.job_functions}};
  if (!p.description.empty()) j["description"] = p.description;
  return j;
}

Result<Scenario> ScenarioFromJson(const json& j, Time now, const std::string& path) {
  Reader r(j, path);
  Scenario sc;
  if (!r.IsObject()) return r.status();
  const json* subject = r.Get("subject");
  if (!subject) return Status::Invalid(r.Path("subject") + ": missing");
  Result<Subject> s = SubjectFromJson(*subject, r.Path("subject"));
  if (!s.ok()) return s.status();
  sc.subject = std::move(*s);
  if (const json* p = r.Get("purpose")) {
    if (p->is_string()) {
      sc.purpose = PurposeFromId(p->get<std::string>());
    } else {
      Result<Purpose> pp = PurposeFromJson(*p, r.Path("purpose"));
      if (!pp.ok()) return pp.status();
      sc.purpose = *pp;
    }
  }
  if (!r.Get("action")) return Status::Invalid(r.Path("action") + ": missing (one of " + Choices<Action>() + ")");
  r.Word("action", &sc.action);
  bool has_channel = false;
  Channel channel;
  r.Word("channel", &channel, &has_channel);
  if (has_channel) sc.channel = channel;
  if (const json* a = r.Get("actor")) {
    if (a->is_string()) {
      r.Word("actor", &sc.role);
    } else {
      Reader ar(*a, r.Path("actor"));
      if (!ar.IsObject()) return ar.status();
      ar.Word("role", &sc.role);
      if (!ar.status().ok()) return ar.status();
    }
  }
  r.Bool("suppressed", &sc.suppressed);
  // policy.md gives `suppressed` beside the subject; given inside it, it still counts
  // (a flag that would deny is never dropped for its place).
  Reader sr(*subject, r.Path("subject"));
  bool nested_suppressed = false;
  sr.Bool("suppressed", &nested_suppressed);
  if (!sr.status().ok()) return sr.status();
  sc.suppressed = sc.suppressed || nested_suppressed;
  std::optional<Time> at;
  r.When("at", &at);
  sc.at = at.value_or(now);
  if (!r.status().ok()) return r.status();
  if (const json* t = r.Get("tenant")) {
    Reader tr(*t, r.Path("tenant"));
    if (!tr.IsObject()) return tr.status();
    if (tr.Get("double_opt_in_countries")) {
      sc.tenant.double_opt_in_countries.clear();
      tr.Strings("double_opt_in_countries", &sc.tenant.double_opt_in_countries);
    }
    if (const json* m = tr.Get("soft_opt_in_months")) {
      if (!m->is_number_integer() || m->get<int64_t>() < 0 || m->get<int64_t>() > 1200)
        tr.Fail("soft_opt_in_months", "must be a whole number of months (0 to 1200)");
      else
        sc.tenant.soft_opt_in_months = m->get<int>();
    }
    if (!tr.status().ok()) return tr.status();
  }
  json region_only;
  const json* given_dest = r.Get("destination");
  if (given_dest && given_dest->is_string()) {  // "destination": "US" names its region only
    region_only = json{{"region", *given_dest}};
    given_dest = &region_only;
  }
  if (const json* d = given_dest) {
    Reader dr(*d, r.Path("destination"));
    if (!dr.IsObject()) return dr.status();
    Destination dest;
    dr.Str("name", &dest.name);
    dr.Str("region", &dest.region);
    for (char& c : dest.region)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    dr.Word("transfer_mechanism", &dest.transfer_mechanism);
    dr.Bool("us_certified", &dest.us_certified);
    dr.Bool("sale_or_share", &dest.sale_or_share);
    bool dch = false;
    Channel dc;
    dr.Word("channel", &dc, &dch);
    if (dch) dest.channel = dc;
    if (!dr.status().ok()) return dr.status();
    if (const json* p = dr.Get("purpose")) {
      if (p->is_boolean()) {
        if (p->get<bool>()) {
          if (!sc.purpose) return Status::Invalid(dr.Path("purpose") + ": true, but the scenario has no purpose");
          dest.purpose = sc.purpose;
        }
      } else if (p->is_string()) {
        if (sc.purpose && sc.purpose->id == p->get<std::string>()) {
          dest.purpose = sc.purpose;
        } else if (sc.purpose) {
          // policy.md: in a scenario file the destination's purpose is the scenario's purpose.
          dest.purpose = sc.purpose;
        } else {
          dest.purpose = PurposeFromId(p->get<std::string>());
        }
      } else {
        Result<Purpose> pp = PurposeFromJson(*p, dr.Path("purpose"));
        if (!pp.ok()) return pp.status();
        dest.purpose = *pp;
      }
    }
    sc.destination = dest;
  }
  // policy.md step 13: "In a scenario file the destination's purpose is the scenario's
  // purpose": an export or share in a scenario with a purpose is for that purpose unless
  // the destination says otherwise ("purpose": false or null), so the contact decision
  // for it must allow too (the stricter reading; docs/policy-readings.md 16).
  const json* d = given_dest;
  const bool names = d && d->contains("purpose");  // null and false included: they name none
  if ((sc.action == Action::kExport || sc.action == Action::kShare) && sc.purpose && !names) {
    if (!sc.destination) sc.destination = Destination();
    sc.destination->purpose = sc.purpose;
  }
  if (sc.action == Action::kContact && !sc.channel)
    return Status::Invalid(r.Path("channel") + ": missing (contact needs one of " + Choices<Channel>() + ")");
  if ((sc.action == Action::kContact || sc.action == Action::kTrack) && !sc.purpose)
    return Status::Invalid(r.Path("purpose") + ": missing (" + std::string(Name(sc.action)) + " needs a purpose)");
  return sc;
}

Result<std::vector<Result<Scenario>>> ParseScenarios(std::string_view text, Time now, bool* was_array) {
  DuplicateKeyCheck keys;
  Result<json> parsed = ParseJson(text, "", false, &keys);
  if (!parsed.ok()) return Status::Invalid(parsed.status().message() + " (bad JSON)");
  json& j = *parsed;
  std::vector<Result<Scenario>> out;
  *was_array = j.is_array();
  // A key given twice (which one is meant cannot be told) fails its own scenario.
  if (!keys.duplicate().empty() && (!j.is_array() || keys.element() < 0)) return Status::Invalid(keys.Message());
  if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) {
      const std::string path = "[" + std::to_string(i) + "]";
      if (!keys.duplicate().empty() && keys.element() == static_cast<int64_t>(i))
        out.push_back(Status::Invalid(keys.Message()));
      else
        out.push_back(ScenarioFromJson(j[i], now, path));
    }
  } else {
    Result<Scenario> s = ScenarioFromJson(j, now);
    if (!s.ok()) return s.status();
    out.push_back(std::move(s));
  }
  return out;
}

json DecisionToJson(const Decision& d) {
  json reasons = json::array(), obligations = json::array();
  for (Reason r : d.reasons) reasons.push_back(Name(r));
  for (Obligation o : d.obligations) obligations.push_back(Name(o));
  return json{{"allow", d.allow},
              {"basis", d.basis ? json(Name(*d.basis)) : json(nullptr)},
              {"reasons", reasons},
              {"obligations", obligations},
              {"rule_refs", d.rule_refs}};
}

}  // namespace fairlead
