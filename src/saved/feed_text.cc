#include "saved/feed_text.h"

#include <map>

#include "core/normalize.h"
#include "core/time.h"

namespace fairlead {
namespace {

using nlohmann::json;

std::string Text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// The people of an entry: the named ones in words and fields, the rest counted by reason.
struct Mentions {
  std::string words;
  json people = json::array();
  std::map<std::string, int64_t> withheld;

  void Add(const FeedNames& names, const json& id) {
    if (!id.is_number_integer()) return;
    const int64_t pid = id.get<int64_t>();
    PersonMention m = names.person(pid);
    if (!m.named) {
      ++withheld[m.reason];
      return;
    }
    words += (words.empty() ? "" : ", ") + m.text;
    json p{{"id", pid}, {"name", m.name}};
    if (!m.obligations.empty()) p["obligations"] = m.obligations;
    people.push_back(std::move(p));
  }
  int64_t Withheld() const {
    int64_t n = 0;
    for (const auto& [reason, count] : withheld) n += count;
    return n;
  }
  // ", and 2 not named here (ROLE_FORBIDS)" or "2 not named here (...)" when nobody is named.
  std::string WithheldWords() const {
    if (withheld.empty()) return "";
    std::string reasons;
    for (const auto& [reason, count] : withheld) reasons += (reasons.empty() ? "" : ", ") + reason;
    return std::string(words.empty() ? "" : "; ") + std::to_string(Withheld()) + " not named here (" + reasons + ")";
  }
  void Into(json& fields) const {
    fields["people"] = people;
    if (!withheld.empty()) fields["withheld"] = withheld;
  }
};

}  // namespace

PersonMention NamedMention(const Person& person, int64_t id) {
  PersonMention m;
  m.named = true;
  m.name = std::string(Trim(person.first_name + " " + person.last_name));
  m.text = (m.name.empty() ? std::string("(no name)") : m.name) + " (#" + std::to_string(id) + ")";
  return m;
}

std::function<std::string(int64_t)> AccountDomains(Store& store, int64_t tenant) {
  return [&store, tenant](int64_t id) {
    Result<Account> a = store.GetAccount(tenant, id);
    return a.ok() ? a->domain : "account #" + std::to_string(id);
  };
}

FeedText DescribeFeedEntry(const FeedEntry& e, const FeedNames& names) {
  FeedText out;
  json& f = out.fields;
  f = json{{"id", e.id}, {"at", FormatTime(e.at)}, {"kind", e.kind}};
  json b = json::parse(e.body, nullptr, false);
  if (!b.is_object()) {
    out.text = e.kind + "  " + e.body;
    f["text"] = out.text;
    return out;
  }
  auto domain = [&](const json& id) { return id.is_number_integer() ? names.account(id.get<int64_t>()) : "?"; };
  std::string where;
  if (b.contains("search")) {
    f["search"] = b["search"];
    where = "search " + Text(b["search"]) + ": ";
  }
  if (b.contains("account")) f["account"] = domain(b["account"]);
  if (b.contains("topic")) f["topic"] = b["topic"];

  if (e.kind == "lead_change") {
    Mentions m;
    m.Add(names, b["person"]);
    if (m.people.empty()) {
      out.text = "a saved lead changed" + std::string(m.withheld.empty() ? "" : "; ") + m.WithheldWords();
      if (!m.withheld.empty()) f["withheld"] = m.withheld;
    } else {
      out.text = "lead " + m.words + ":";
      if (b["changes"].is_object())
        for (auto it = b["changes"].begin(); it != b["changes"].end(); ++it)
          out.text += " " + it.key() + " " + Text((*it)["from"]) + " -> " + Text((*it)["to"]) + ";";
      out.text.pop_back();
      f["person"] = m.people[0];
      f["changes"] = b["changes"];
    }
  } else if (e.kind == "new_person") {
    Mentions m;
    if (b["people"].is_array())
      for (const json& id : b["people"]) m.Add(names, id);
    out.text = "new people at " + Text(f["account"]) + ": " + m.words + m.WithheldWords();
    m.Into(f);
  } else if (e.kind == "gauge_change") {
    out.text = where + Text(f.value("account", json("?"))) + " " + Text(b["topic"]) + ": gauge " + Text(b["from"]) +
               " -> " + Text(b["to"]) + (b.value("left_search", false) ? " (no longer matches the search)" : "");
    f["from"] = b["from"];
    f["to"] = b["to"];
    if (b.value("left_search", false)) f["left_search"] = true;
  } else if (e.kind == "new_signal") {
    std::string signals;
    if (b["signals"].is_array())
      for (const json& x : b["signals"]) signals += (signals.empty() ? "" : ", ") + Text(x);
    out.text = Text(f.value("account", json("?"))) + " " + Text(b["topic"]) + ": new signal " + signals;
    f["signals"] = b["signals"];
  } else if (e.kind == "new_match") {
    Mentions m;
    if (b["people"].is_array())
      for (const json& id : b["people"]) m.Add(names, id);
    const int64_t n = b.value("count", int64_t{0});
    const int64_t listed = b["people"].is_array() ? static_cast<int64_t>(b["people"].size()) : 0;
    out.text = where + std::to_string(n) + " new match" + (n == 1 ? "" : "es") + ": " + m.words + m.WithheldWords() +
               (n > listed ? " and " + std::to_string(n - listed) + " more" : "");
    f["count"] = n;
    m.Into(f);
  } else {
    out.text = e.kind + "  " + e.body;
  }
  f["text"] = out.text;
  return out;
}

}  // namespace fairlead
