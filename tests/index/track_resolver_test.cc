// IndexTrackResolver: whose address an event names, and whether that person may be
// tracked at the event's time, answered from the resident index. Its answers are
// remembered per person with the span of time they hold for, so the property here
// is that every answer, asked at any time and in any order, equals Decide() on the
// person read back from the store.
#include "index/track_resolver.h"

#include "index/people_index_fixture.h"

namespace fairlead::index_testing {
namespace {

class TrackResolverTest : public PeopleIndexTest {};

// Times where answers change: around every record's dates, the collection date and
// an objection, one second either side; and anywhere in between.
std::vector<Time> EdgesOf(const Subject& s) {
  std::vector<Time> out;
  auto near = [&](Time t) {
    for (Time d : {-1, 0, 1}) out.push_back(t + d);
  };
  for (const BasisRecord& b : s.bases) {
    near(b.at);
    if (b.confirmed_at) near(*b.confirmed_at);
    if (b.expires_at) near(*b.expires_at);
  }
  for (const Purchase& p : s.purchases) near(p.at);
  if (s.collected_at) near(*s.collected_at);
  if (s.objected_direct_marketing_at) near(*s.objected_direct_marketing_at);
  return out;
}

TEST_F(TrackResolverTest, AnswersEqualDecideAtAnyTimeInAnyOrder) {
  Random r(20261125);
  AddAccounts(12);
  InsertRandomPeople(r, 400, kAt);
  std::unique_ptr<PeopleIndex> index = LoadIndex();
  ASSERT_NE(index, nullptr);
  Result<std::unique_ptr<IndexTrackResolver>> built = IndexTrackResolver::Build(*store_, tenant_, *index);
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  IndexTrackResolver& resolver = **built;

  std::vector<Person> people;
  for (int64_t id : ids_) people.push_back(Get(id));
  // Every address finds its person.
  size_t addresses = 0;
  for (const Person& p : people)
    for (const EmailAddress& e : p.subject.emails) {
      Result<std::optional<int64_t>> who = resolver.FindPerson(e.address);
      ASSERT_TRUE(who.ok()) << who.status().ToString();
      EXPECT_EQ(*who, std::optional<int64_t>(p.subject.id)) << e.address;
      ++addresses;
    }
  EXPECT_EQ(resolver.addresses(), addresses);
  Result<std::optional<int64_t>> nobody = resolver.FindPerson("nobody@nowhere.example");
  ASSERT_TRUE(nobody.ok());
  EXPECT_FALSE(nobody->has_value());

  // Two purposes, asked about in turn (the resolver must not carry answers across).
  for (const char* purpose_id : {"analytics.intent", "marketing.security", "analytics.intent"}) {
    SCOPED_TRACE(purpose_id);
    const Purpose purpose = purposes_.at(purpose_id);
    resolver.SetPurpose(purpose);
    const Key key{purpose_id, std::nullopt, Action::kTrack, Role::kAdmin};
    struct Question {
      size_t person;
      Time at;
    };
    std::vector<Question> questions;
    for (size_t i = 0; i < people.size(); ++i) {
      for (Time t : EdgesOf(people[i].subject)) questions.push_back({i, t});
      for (int k = 0; k < 12; ++k) questions.push_back({i, kAt - 900 * kDay + r.Int(1200) * kDay + r.Int(kDaySeconds)});
    }
    for (size_t i = questions.size(); i > 1; --i) std::swap(questions[i - 1], questions[static_cast<size_t>(r.Int(static_cast<int>(i)))]);
    size_t allowed = 0, denied = 0, senior = 0, mismatches = 0;
    const uint64_t fast_before = resolver.never_trackable();
    std::map<size_t, std::set<bool>> answers_of;  // person -> answers seen
    std::set<size_t> said_never;                   // people answered "denied at every time"
    for (const Question& q : questions) {
      const Person& p = people[q.person];
      Result<TrackAnswer> got = resolver.Track(p.subject.id, q.at);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      Decision want = Expected(p.subject, purpose, key, IsSuppressed(p), q.at);
      const bool want_senior = want.allow && IsSeniorSeniority(p.seniority);
      if ((got->allow != want.allow || got->senior != want_senior) && ++mismatches <= 5)
        ADD_FAILURE() << "person " << p.subject.id << " at " << FormatTime(q.at) << ": resolver says allow "
                      << got->allow << " senior " << got->senior << ", Decide says " << Reasons(want);
      (want.allow ? allowed : denied) += 1;
      senior += want_senior ? 1 : 0;
      answers_of[q.person].insert(want.allow);
      if (got->never) said_never.insert(q.person);
    }
    EXPECT_EQ(mismatches, 0u);
    // "Never" is a promise about every time: Decide denies such a person at all of theirs.
    EXPECT_FALSE(said_never.empty());
    for (size_t person : said_never)
      EXPECT_EQ(answers_of[person], std::set<bool>{false}) << "person " << people[person].subject.id;
    // The data is worth testing on: both answers, senior people, and people whose
    // answer changes with time.
    size_t changing = 0;
    for (const auto& [person, answers] : answers_of) changing += answers.size() == 2 ? 1 : 0;
    EXPECT_GT(allowed, 100u);
    EXPECT_GT(denied, 100u);
    EXPECT_GT(senior, 10u);
    EXPECT_GT(changing, 10u);
    // Both ways of answering ran: without deciding (no granted consent: only ever a
    // denial) and deciding.
    const uint64_t fast = resolver.never_trackable() - fast_before;
    EXPECT_GT(fast, 0u);
    EXPECT_LE(fast, denied);
  }
}

// The index's accounts answer for their domains with the store's ids; a domain it does
// not hold (created after the load) is left to the store.
TEST_F(TrackResolverTest, KnownAccountsAreTheStoresAccountsOfTheirDomains) {
  AddAccounts(5);
  std::unique_ptr<PeopleIndex> index = LoadIndex();
  ASSERT_NE(index, nullptr);
  Account later;
  later.domain = "later.example";
  Result<int64_t> later_id = store_->UpsertAccount(tenant_, later);
  ASSERT_TRUE(later_id.ok());
  Result<std::unique_ptr<IndexTrackResolver>> built = IndexTrackResolver::Build(*store_, tenant_, *index);
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  for (int i = 0; i < 5; ++i) {
    const std::string domain = "acct" + std::to_string(i) + ".example";
    Result<std::optional<int64_t>> stored = store_->FindAccount(tenant_, domain);
    ASSERT_TRUE(stored.ok() && stored->has_value()) << domain;
    EXPECT_EQ((*built)->KnownAccount(domain), **stored) << domain;
  }
  EXPECT_EQ((*built)->KnownAccount("later.example"), std::nullopt);
  EXPECT_EQ((*built)->KnownAccount("nowhere.example"), std::nullopt);
}

}  // namespace
}  // namespace fairlead::index_testing
