#include "core/json_text.h"

#include <gtest/gtest.h>

namespace fairlead {
namespace {

TEST(ParseJson, SyntaxErrorsNameTheSourceLineAndColumn) {
  Result<nlohmann::json> j = ParseJson("{\n  \"a\": 1,\n  ,\n}", "case.json");
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().message().rfind("case.json: line 3, column 3: ", 0), 0u) << j.status().message();
}

// nlohmann keeps the last of two equal keys without a word; a scenario or a filter
// that says a thing twice is an error, naming the object's path.
TEST(ParseJson, AKeyGivenTwiceInOneObjectIsAnError) {
  Result<nlohmann::json> j = ParseJson("{\"subject\": {},\n \"action\": \"view\",\n \"action\" : \"export\"}", "s.json");
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().message(), "s.json: key 'action' is given twice in one object");
  j = ParseJson(R"({"a": {"b": 1, "c": {"d": 2, "d": 3}}})", "");
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().message(), "a.c: key 'd' is given twice in one object");
}

// In an array, the check says which element holds the key given twice.
TEST(DuplicateKeyCheck, NamesTheElementOfTheTopLevelArray) {
  DuplicateKeyCheck keys;
  Result<nlohmann::json> j = ParseJson(R"([1, [2, {"x": 1, "x": 2}], {"a": {"y": 1, "y": 2}}])", "", false, &keys);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ(keys.duplicate(), "x");
  EXPECT_EQ(keys.element(), 1);
  EXPECT_EQ(keys.Message(), "[1][1]: key 'x' is given twice in one object");
  DuplicateKeyCheck second;
  ASSERT_TRUE(ParseJson(R"([{"a": 1}, "s", {"a": {"y": 1, "y": 2}}])", "", false, &second).ok());
  EXPECT_EQ(second.duplicate(), "y");
  EXPECT_EQ(second.element(), 2);
  EXPECT_EQ(second.Message(), "[2].a: key 'y' is given twice in one object");
  DuplicateKeyCheck object;
  ASSERT_TRUE(ParseJson(R"({"a": [{"b": 1, "b": 1}]})", "", false, &object).ok());
  EXPECT_EQ(object.element(), -1);
  EXPECT_EQ(object.Message(), "a[0]: key 'b' is given twice in one object");
}

TEST(ParseJson, TheSameKeyInDifferentObjectsIsFine) {
  Result<nlohmann::json> j = ParseJson(R"([{"id": 1, "x": {"id": 2}}, {"id": 3}, {"x": {"id": 4}, "id": 5}])", "");
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ((*j)[2]["id"], 5);
  EXPECT_EQ((*j)[0]["x"]["id"], 2);
  // A key equal to a value is no key.
  EXPECT_TRUE(ParseJson(R"({"a": "b", "b": "a"})", "").ok());
}

}  // namespace
}  // namespace fairlead
