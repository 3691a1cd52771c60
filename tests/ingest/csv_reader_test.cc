#include "ingest/csv_reader.h"

#include <gtest/gtest.h>

#include "testing/test_util.h"

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

// Every record, its line and every error message, read with or without the plain-line
// fast path, into a CsvRecord or a CsvLine, in chunks of the reader's own size or from
// one string.
enum class Way { kByteByByte, kPlainLines, kViews };
std::vector<std::string> Trace(const std::string& text, Way way, size_t max_field) {
  auto r = CsvReader::FromString(text, "t.csv");
  r->set_plain_line_fast_path(way != Way::kByteByByte);
  r->set_max_field_bytes(max_field);
  std::vector<std::string> out;
  CsvRecord rec;
  CsvLine views;
  for (int guard = 0; guard < 10000; ++guard) {
    Result<bool> more = way == Way::kViews ? r->Next(&views) : r->Next(&rec);
    if (!more.ok()) {
      out.push_back("error " + more.status().message());
      continue;
    }
    if (!*more) break;
    std::vector<std::string> fields = rec.fields;
    int64_t at = rec.line;
    bool ascii = rec.ascii;
    if (way == Way::kViews) {
      fields.assign(views.fields.begin(), views.fields.end());
      at = views.line;
      ascii = views.ascii;
    }
    std::string line = std::to_string(at) + ":";
    if (ascii) {  // only ever claimed when true
      for (const std::string& f : fields)
        for (char c : f) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << f;
    }
    for (const std::string& f : fields) line += "[" + f + "]";
    out.push_back(line);
  }
  out.push_back("consumed " + std::to_string(r->bytes_read()));
  return out;
}

TEST(CsvReader, PlainLinesAndViewsGiveTheSameRecordsAndErrors) {
  testing_util::Random rnd(20261202);
  const std::vector<std::string> pieces = {"a", "bc", "", ",", ",", "\n", "\n", "\r\n", "\r", "\"", "\"\"",
                                           "x\"y", " ", "\xc3\xa9", "12345678901234567890",
                                           "abcdefghij,klmnopqrstuvwxyz,0123456789abcdef"};  // past 16 bytes
  for (int round = 0; round < 6000; ++round) {
    std::string text;
    const int n = rnd.Int(40);
    for (int i = 0; i < n; ++i) text += rnd.Pick(pieces);
    const size_t max_field = rnd.Chance(30) ? static_cast<size_t>(1 + rnd.Int(12)) : CsvReader::kDefaultMaxField;
    SCOPED_TRACE(testing::PrintToString(text) + " max " + std::to_string(max_field));
    const std::vector<std::string> reference = Trace(text, Way::kByteByByte, max_field);
    ASSERT_EQ(Trace(text, Way::kPlainLines, max_field), reference);
    ASSERT_EQ(Trace(text, Way::kViews, max_field), reference);
  }
}

}  // namespace
}  // namespace fairlead
