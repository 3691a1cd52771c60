// A feed entry (an alert) in words, and as the fields a receiver outside the app
// gets. The entry itself holds ids only; `FeedNames` says how each account and person
// appears, so the in-app feed (decide(view) for the user's role) and a webhook or mail
// (decide(share) to its destination as well) word the same entry from one place.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>

#include "store/store.h"

namespace fairlead {

struct PersonMention {
  bool named = false;
  std::string text;  // named: how the entry shows them, e.g. "Ann Lee (#4)"
  std::string name;  // named: their name ("" when they have none)
  nlohmann::json obligations = nlohmann::json::array();  // named: what the receiver must observe
  std::string reason;  // not named: the decision's reason code
};

struct FeedNames {
  std::function<PersonMention(int64_t person)> person;
  std::function<std::string(int64_t account)> account;  // its domain
};

// A person named in an entry: "Ann Lee (#4)", "(no name) (#4)" without one.
PersonMention NamedMention(const Person& person, int64_t id);
// Accounts by their domain in the store ("account #7" when it cannot be read).
std::function<std::string(int64_t)> AccountDomains(Store& store, int64_t tenant);

struct FeedText {
  std::string text;  // one line
  // {id, at, kind, text, and what the kind has: account, topic, from, to, signals,
  // search, count, person, changes, people: [{id, name}], withheld: {reason: count}}.
  // Nobody left out is named, nor are their ids or details given.
  nlohmann::json fields;
};

FeedText DescribeFeedEntry(const FeedEntry& entry, const FeedNames& names);

}  // namespace fairlead
