// Header names and classes (header_opts.h) and the line-by-line message structure
// (MimeState, after Postfix's mime_state.c): folded headers, "name :" syntax, the end
// of the primary headers with or without an empty line, multipart and nested headers.
#include "postline/message/mime_state.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "postline/message/header_opts.h"

namespace postline::message {
namespace {

TEST(HeaderOpts, IsHeader) {
    EXPECT_EQ(isHeader("Subject: x"), 7u);
    EXPECT_EQ(isHeader("Subject : x"), 7u);
    EXPECT_EQ(isHeader("X-A\t:x"), 3u);
    EXPECT_EQ(isHeader(": x"), 0u);
    EXPECT_EQ(isHeader("Sub ject: x"), 0u);
    EXPECT_EQ(isHeader("Subject x"), 0u);
    EXPECT_EQ(isHeader("Sub\x01ject: x"), 0u);
    EXPECT_EQ(isHeader("Caf\xc3\xa9: x"), 0u);
}

TEST(HeaderOpts, TableAndDropList) {
    HeaderTable table("bcc, Content-Length X-Secret");
    const HeaderOpts* from = table.find("FROM : someone");
    ASSERT_NE(from, nullptr);
    EXPECT_EQ(from->type, HeaderType::From);
    EXPECT_EQ(from->name, "From");
    EXPECT_TRUE(from->flags & header_flag::kSender);
    EXPECT_TRUE(table.find("Bcc: x")->flags & header_flag::kDrop);
    EXPECT_TRUE(table.find("content-length: 5")->flags & header_flag::kDrop);
    const HeaderOpts* secret = table.find("x-secret: 1");
    ASSERT_NE(secret, nullptr);
    EXPECT_EQ(secret->type, HeaderType::Other);
    EXPECT_EQ(secret->flags, header_flag::kDrop);
    EXPECT_FALSE(table.find("Return-Path: <>")->flags & header_flag::kDrop);
    EXPECT_TRUE(table.find("Resent-To: x")->flags & header_flag::kResent);
    EXPECT_EQ(table.find("X-Other: x"), nullptr);
}

struct Trace {
    std::vector<std::string> events;
    MimeCallbacks callbacks() {
        MimeCallbacks cb;
        cb.header = [this](HeaderClass c, const HeaderOpts* o, std::string& h) {
            const char* cls = c == HeaderClass::Primary ? "P" : c == HeaderClass::Multipart ? "M" : "N";
            events.push_back(std::string(cls) + (o ? "+" : "-") + " " + h);
        };
        cb.headerEnd = [this] { events.emplace_back("END"); };
        cb.body = [this](bool complete, std::string_view t, off_t off) {
            events.push_back(std::string(complete ? "B" : "b") + std::to_string(off) + " " + std::string(t));
        };
        return cb;
    }
};

std::vector<std::string> run(const std::vector<std::pair<bool, std::string>>& lines, size_t limit = 102400) {
    HeaderTable table;
    Trace trace;
    MimeState state(table, limit, 100, 0, trace.callbacks());
    for (const auto& [complete, text] : lines) state.update(complete, text);
    state.finish();
    return trace.events;
}

TEST(MimeState, FoldedHeadersAndTheEmptyLine) {
    auto e = run({{true, "Subject : a"}, {true, "\tb"}, {true, " c"}, {true, "X-Y: 1"}, {true, ""}, {true, "body"}});
    std::vector<std::string> want = {"P- Subject: a\n\tb\n c", "P- X-Y: 1", "END", "B0 ", "B1 body"};
    EXPECT_EQ(e, want);
}

TEST(MimeState, GarbageEndsTheHeadersWithAnEmptyLineInserted) {
    auto e = run({{true, "Subject: a"}, {true, "not a header"}, {true, "more"}});
    std::vector<std::string> want = {"P- Subject: a", "END", "B0 ", "B1 not a header", "B14 more"};
    EXPECT_EQ(e, want);
}

TEST(MimeState, LongLinesInPiecesAndTheHeaderLimit) {
    auto e = run({{false, "Subject: aaaa"}, {true, "bbbb"}, {true, ""}, {false, "xx"}, {true, "yy"}});
    std::vector<std::string> want = {"P- Subject: aaaabbbb", "END", "B0 ", "b1 xx", "B3 yy"};
    EXPECT_EQ(e, want);
    e = run({{true, "X-Long: 0123456789"}, {true, " more"}, {true, ""}}, 10);
    EXPECT_EQ(e[0], "P- X-Long: 0123456789");  // what is past the limit is dropped
}

TEST(MimeState, MultipartAndNestedHeaders) {
    auto e = run({{true, "Content-Type: multipart/mixed; boundary=\"b1\""},
                  {true, ""},
                  {true, "--b1"},
                  {true, "Content-Type: message/rfc822"},
                  {true, ""},
                  {true, "Subject: inner"},
                  {true, ""},
                  {true, "inner body"},
                  {true, "--b1--"},
                  {true, "X-Not: a header"}});
    std::vector<std::string> want = {"P+ Content-Type: multipart/mixed; boundary=\"b1\"",
                                     "END",
                                     "B0 ",
                                     "B1 --b1",
                                     "M+ Content-Type: message/rfc822",
                                     "B6 ",
                                     "N- Subject: inner",
                                     "B7 ",
                                     "B8 inner body",
                                     "B19 --b1--",
                                     "B26 X-Not: a header"};
    EXPECT_EQ(e, want);
}

TEST(MimeState, HeadersOnlyMessageEndsAtFinish) {
    auto e = run({{true, "Subject: x"}});
    std::vector<std::string> want = {"P- Subject: x", "END"};
    EXPECT_EQ(e, want);
}

}  // namespace
}  // namespace postline::message

namespace postline::message {
namespace {

// A comment that ends in a lone backslash (the fuzzer's heap overflow): the Content-Type
// value is read to its end and no further, and the header is still a header.
TEST(MimeState, ContentTypeCommentEndingInABackslash) {
    auto e = run({{true, "Content-Type: multipart/mixed (comment \\"}, {true, ""}, {true, "body"}});
    ASSERT_GE(e.size(), 2u);
    EXPECT_EQ(e[0], "P+ Content-Type: multipart/mixed (comment \\");
    EXPECT_EQ(e[1], "END");
    auto parameters = run({{true, "Content-Type: text/plain; charset=(x\\"}, {true, ""}});
    EXPECT_EQ(parameters.front(), "P+ Content-Type: text/plain; charset=(x\\");
}

}  // namespace
}  // namespace postline::message
