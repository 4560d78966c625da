// Logical-line reader: the cases Postfix's readllines() distinguishes.
#include "postline/base/logical_lines.h"

#include <gtest/gtest.h>

#include <vector>

#include "postline/base/msg.h"

namespace postline::base {
namespace {

struct Line {
    std::string text;
    int first;
    int last;
    bool operator==(const Line&) const = default;
};

std::vector<Line> readAllLines(std::string_view text, std::vector<std::string>* warnings = nullptr) {
    setMsgSink([&](Severity, std::string_view msg) {
        if (warnings) warnings->emplace_back(msg);
    });
    LogicalLineReader reader(text, "src");
    std::vector<Line> lines;
    std::string line;
    int first, last;
    while (reader.next(line, first, last)) lines.push_back({line, first, last});
    setMsgSink(nullptr);
    return lines;
}

TEST(LogicalLines, JoinsContinuationKeepingLeadingWhitespace) {
    EXPECT_EQ(readAllLines("key2   value two  \n  continued\n"),
              (std::vector<Line>{{"key2   value two    continued", 1, 2}}));
}

TEST(LogicalLines, SkipsCommentsAndBlankLinesInsideAnEntry) {
    EXPECT_EQ(readAllLines("abc\n #def\n ghi"), (std::vector<Line>{{"abc ghi", 1, 3}}));
    EXPECT_EQ(readAllLines("abc\n#def\n ghi"), (std::vector<Line>{{"abc ghi", 1, 3}}));
    EXPECT_EQ(readAllLines("abc 1\n\n ghi\nx y\n"), (std::vector<Line>{{"abc 1 ghi", 1, 3}, {"x y", 4, 4}}));
}

TEST(LogicalLines, ReportsFirstLineAfterLeadingComments) {
    EXPECT_EQ(readAllLines("#abc\ndef"), (std::vector<Line>{{"def", 2, 2}}));
    EXPECT_EQ(readAllLines(" \nabc\n"), (std::vector<Line>{{"abc", 2, 2}}));
}

TEST(LogicalLines, WarnsAboutLeadingWhitespaceAndSkipsIt) {
    std::vector<std::string> warnings;
    EXPECT_EQ(readAllLines(" abcde\nfghij\n", &warnings), (std::vector<Line>{{"fghij", 2, 2}}));
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_EQ(warnings[0], "src: logical line must not start with whitespace: \" abcde\"");
}

TEST(LogicalLines, TruncatesLongTextInTheWarning) {
    std::vector<std::string> warnings;
    readAllLines(" 0123456789012345678901234567890123456789\n", &warnings);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_EQ(warnings[0], "src: logical line must not start with whitespace: \" 01234567890123456789012345678...\"");
}

TEST(LogicalLines, AcceptsMissingFinalNewlineAndCarriageReturns) {
    EXPECT_EQ(readAllLines("abc def"), (std::vector<Line>{{"abc def", 1, 1}}));
    EXPECT_EQ(readAllLines("a b\r\n"), (std::vector<Line>{{"a b\r", 1, 1}}));
    EXPECT_TRUE(readAllLines("#abc def").empty());
    EXPECT_TRUE(readAllLines("\n \n").empty());
}

TEST(LogicalLines, EndsAtAnEmbeddedNulLikeACString) {
    using namespace std::string_literals;
    EXPECT_EQ(readAllLines("b val\0ue\nc 3\n"s), (std::vector<Line>{{"b val", 1, 1}, {"c 3", 2, 2}}));
}

}  // namespace
}  // namespace postline::base
