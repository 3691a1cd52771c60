#include "ingest/csv_reader.h"

#include <gtest/gtest.h>

namespace fairlead {
namespace {

std::vector<CsvRecord> All(const std::string& text, std::vector<std::string>* errors = nullptr, size_t max_field = 0) {
  auto r = CsvReader::FromString(text, "t.csv");
  if (max_field) r->set_max_field_bytes(max_field);
  std::vector<CsvRecord> out;
  CsvRecord rec;
  for (int guard = 0; guard < 1000; ++guard) {
    Result<bool> more = r->Next(&rec);
    if (!more.ok()) {
      if (errors) errors->push_back(more.status().message());
      continue;
    }
    if (!*more) break;
    out.push_back(rec);
  }
  return out;
}

TEST(CsvReader, Rfc4180WithLines) {
  auto recs = All("a,b,c\r\n1,\"x,y\",\"he said \"\"hi\"\"\"\n\n2,\"multi\nline\",\n3,,last");
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_EQ(recs[0].line, 1);
  EXPECT_EQ(recs[1].fields, (std::vector<std::string>{"1", "x,y", "he said \"hi\""}));
  EXPECT_EQ(recs[1].line, 2);
  EXPECT_EQ(recs[2].line, 4);
  EXPECT_EQ(recs[2].fields, (std::vector<std::string>{"2", "multi\nline", ""}));
  EXPECT_EQ(recs[3].line, 6);
  EXPECT_EQ(recs[3].fields, (std::vector<std::string>{"3", "", "last"}));
}

TEST(CsvReader, MalformedRecordsAreReportedAndSkipped) {
  std::vector<std::string> errors;
  auto recs = All("a,b\n1,\"bad\"x\n2,ok\n3,un\"quoted\n4,fine\n", &errors);
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[1].fields[0], "2");
  EXPECT_EQ(recs[1].line, 3);
  EXPECT_EQ(recs[2].line, 5);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].rfind("t.csv:2:", 0), 0u) << errors[0];
  EXPECT_EQ(errors[1].rfind("t.csv:4:", 0), 0u) << errors[1];
}

TEST(CsvReader, UnclosedQuoteNamesWhereItOpened) {
  std::vector<std::string> errors;
  auto recs = All("a,b\n1,2\n3,\"never closed\n4,5\n", &errors);
  ASSERT_EQ(recs.size(), 2u);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("t.csv:3:3"), std::string::npos) << errors[0];
  EXPECT_NE(errors[0].find("never closed"), std::string::npos);
}

TEST(CsvReader, HugeFieldIsAnErrorNotACrash) {
  std::vector<std::string> errors;
  std::string big(64, 'x');
  auto recs = All("a,b\n1," + big + "\n2,\"" + big + "\"\n3,ok\n", &errors, 16);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[1].fields[0], "3");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_NE(errors[0].find("longer than 16 bytes"), std::string::npos);
}

}  // namespace
}  // namespace fairlead
