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

std::vector<std::string> run(const std::vector<std::pair<bool, std::string>>& lines, size_t limit = 102400,
                             int options = 0, int* errors = nullptr, int maxDepth = 100) {
    HeaderTable table;
    Trace trace;
    MimeState state(table, limit, maxDepth, options, trace.callbacks());
    for (const auto& [complete, text] : lines) state.update(complete, text);
    state.finish();
    if (errors) *errors = state.errors();
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

TEST(MimeState, DowngradeTurnsAn8bitPartIntoQuotedPrintable) {
    std::string longLine = "caf\xe9 " + std::string(80, 'x') + "=";
    auto e = run({{true, "Subject: s"},
                  {true, "Content-Transfer-Encoding: 8bit"},
                  {true, "Content-Type: text/plain; charset=iso-8859-1"},
                  {true, ""},
                  {true, "caf\xe9 =\tend "},
                  {true, longLine},
                  {false, "piece\xff"},
                  {true, "rest\t"}},
                 102400, mime_option::kDowngrade);
    std::vector<std::string> want = {"P- Subject: s",
                                     "P+ Content-Type: text/plain; charset=iso-8859-1",
                                     "P- Content-Transfer-Encoding: quoted-printable",
                                     "END",
                                     "B0 ",
                                     "B1 caf=E9 =3D\tend=20",
                                     "B19 caf=E9 " + std::string(66, 'x') + "=",
                                     "B94 " + std::string(14, 'x') + "=3D",
                                     "B112 piece=FFrest=09"};
    EXPECT_EQ(e, want);
}

TEST(MimeState, DowngradeLeaves7bitPartsAndEncodedPartsAlone) {
    // No Content-Transfer-Encoding: the 7bit domain, whatever the bytes.
    auto plain = run({{true, "Subject: s"}, {true, ""}, {true, "caf\xe9"}}, 102400, mime_option::kDowngrade);
    std::vector<std::string> want = {"P- Subject: s", "END", "B0 ", "B1 caf\xe9"};
    EXPECT_EQ(plain, want);
    auto qp = run({{true, "Content-Transfer-Encoding: quoted-printable"}, {true, ""}, {true, "a=3D"}}, 102400,
                  mime_option::kDowngrade);
    want = {"P+ Content-Transfer-Encoding: quoted-printable", "END", "B0 ", "B1 a=3D"};
    EXPECT_EQ(qp, want);
    // Without the option an 8bit part is passed through as it is.
    auto asIs = run({{true, "Content-Transfer-Encoding: 8bit"}, {true, ""}, {true, "caf\xe9"}});
    want = {"P+ Content-Transfer-Encoding: 8bit", "END", "B0 ", "B1 caf\xe9"};
    EXPECT_EQ(asIs, want);
}

TEST(MimeState, DowngradeOfAMultipart) {
    auto e = run({{true, "Content-Type: multipart/mixed; boundary=b1"},
                  {true, "Content-Transfer-Encoding: 8bit"},
                  {true, ""},
                  {true,
                   "pr\xe9"
                   "amble"},
                  {true, "--b1"},
                  {true, "Content-Type: text/plain"},
                  {true, "Content-Transfer-Encoding: binary"},
                  {true, ""},
                  {true, "\xe9t\xe9"},
                  {true, "--b1"},
                  {true, "Content-Type: message/rfc822"},
                  {true, "Content-Transfer-Encoding: 8bit"},
                  {true, ""},
                  {true, "Subject: inner"},
                  {true, "Content-Transfer-Encoding: 8bit"},
                  {true, ""},
                  {true, "inn\xe9r"},
                  {true, "--b1"},
                  {true, ""},
                  {true, "default part \xe9"},
                  {true, "--b1--"},
                  {true, "epilogue \xe9"}},
                 102400, mime_option::kDowngrade);
    std::vector<std::string> want = {
        "P+ Content-Type: multipart/mixed; boundary=b1", "P- Content-Transfer-Encoding: 7bit", "END", "B0 ",
        // The multipart's preamble is in the 7bit domain of its own.
        "B1 pr\xe9"
        "amble",
        "B10 --b1", "M+ Content-Type: text/plain", "M- Content-Transfer-Encoding: quoted-printable", "B15 ",
        "B16 =E9t=E9", "B24 --b1", "M+ Content-Type: message/rfc822", "M- Content-Transfer-Encoding: 7bit", "B29 ",
        "N- Subject: inner", "N- Content-Transfer-Encoding: quoted-printable", "B30 ", "B31 inn=E9r", "B39 --b1",
        "B44 ", "B45 default part \xe9", "B60 --b1--", "B67 epilogue \xe9"};
    EXPECT_EQ(e, want);
}

TEST(MimeState, DowngradeAtTheEndOfHeadersOnlyAndNestingReported) {
    auto e = run({{true, "Content-Transfer-Encoding: 8bit"}}, 102400, mime_option::kDowngrade);
    std::vector<std::string> want = {"P- Content-Transfer-Encoding: quoted-printable", "END"};
    EXPECT_EQ(e, want);
    // Two nested multiparts with a nesting limit of 0: the second is one too many.
    int errors = 0;
    run({{true, "Content-Type: multipart/mixed; boundary=a"},
         {true, ""},
         {true, "--a"},
         {true, "Content-Type: multipart/mixed; boundary=b"},
         {true, ""},
         {true, "--b"},
         {true, "Content-Type: multipart/mixed; boundary=c"},
         {true, ""}},
        102400, mime_option::kDowngrade | mime_option::kReportNesting, &errors, 0);
    EXPECT_EQ(errors, mime_error::kNesting);
    errors = 0;
    run({{true, "Content-Type: multipart/mixed; boundary=a"},
         {true, ""},
         {true, "--a"},
         {true, "Content-Type: multipart/mixed; boundary=b"},
         {true, ""}},
        102400, mime_option::kDowngrade | mime_option::kReportNesting, &errors, 0);
    EXPECT_EQ(errors, 0);
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
