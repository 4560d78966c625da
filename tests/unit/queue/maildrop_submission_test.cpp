// Unit tests of the maildrop submission records (sendmail's side: envelope, content
// chunking and filtering, -t header extraction) and postdrop's side (record checks,
// queue ids). Expected bytes as Postfix 3.7's sendmail and postdrop write them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "postline/queue/input_stream.h"
#include "postline/queue/maildrop_file.h"
#include "postline/queue/maildrop_submission.h"
#include "postline/queue/postdrop_check.h"
#include "postline/queue/record.h"
#include "postline/queue/record_type.h"
#include "postline/queue/submission_headers.h"

namespace postline::queue {
namespace {

std::string rec(int type, std::string_view data) {
    std::string out;
    appendRecord(out, type, data);
    return out;
}

TEST(MaildropSubmission, EnvelopeOrder) {
    SubmissionEnvelope env;
    env.dsnEnvid = "id1";
    env.dsnRet = 2;
    env.fullName = "Joe";
    env.sender = "a@example.com";
    env.encoding = "8bit";
    env.traceFlags = kTraceRecord;
    env.verpDelims = "+=";
    std::string out;
    appendSubmissionEnvelope(out, env);
    EXPECT_EQ(out, rec('A', "envelope_id=id1") + rec('A', "ret_flags=2") + rec('A', "rewrite_context=local") +
                       rec('F', "Joe") + rec('S', "a@example.com") + rec('A', "encoding=8bit") +
                       rec('A', "trace_flags=1024") + rec('V', "+="));
}

TEST(MaildropSubmission, MinimalEnvelopeHasNoFullNameWithoutOne) {
    SubmissionEnvelope env;
    std::string out;
    appendSubmissionEnvelope(out, env);
    EXPECT_EQ(out, rec('A', "rewrite_context=local") + rec('S', ""));
    env.fullName = "";
    out.clear();
    appendSubmissionEnvelope(out, env);
    EXPECT_EQ(out, rec('A', "rewrite_context=local") + rec('F', "") + rec('S', ""));
}

TEST(MaildropSubmission, RecipientWithNotify) {
    std::string out;
    appendSubmissionRecipient(out, "b@x", 10);
    appendSubmissionRecipient(out, "c@x", 0);
    EXPECT_EQ(out, rec('A', "notify_flags=10") + rec('R', "b@x") + rec('R', "c@x"));
}

TEST(MaildropSubmission, ProbeContent) {
    std::string out;
    appendProbeContent(out, "a@x", {"b@x", "c@x"});
    EXPECT_EQ(out, rec('N', "From: a@x") + rec('N', "Subject: probe") + rec('L', "To:") + rec('N', "\tb@x,") +
                       rec('N', "\tc@x"));
}

TEST(MaildropSubmission, DsnOptions) {
    std::string warning;
    EXPECT_EQ(dsnNotifyMask("success,Delay", &warning), 10);
    EXPECT_EQ(dsnNotifyMask("never", &warning), 1);
    EXPECT_EQ(dsnNotifyMask("never success", &warning), 0);
    EXPECT_EQ(warning, "");
    EXPECT_EQ(dsnNotifyMask("sometimes", &warning), 0);
    EXPECT_EQ(warning, "unknown DSN NOTIFY command value \"sometimes\" in \"sometimes\"");
    EXPECT_EQ(dsnRetCode("full"), 1);
    EXPECT_EQ(dsnRetCode("HDRS"), 2);
    EXPECT_EQ(dsnRetCode("most"), 0);
}

std::vector<std::pair<int, std::string>> chunks(std::string text, size_t limit) {
    auto in = InputStream::fromBytes(std::move(text), "test");
    std::vector<std::pair<int, std::string>> out;
    std::string buf;
    for (int type; (type = readStreamLf(in, buf, limit)) != rec::kEof;) out.emplace_back(type, buf);
    return out;
}

TEST(MaildropSubmission, StreamLfChunking) {
    using V = std::vector<std::pair<int, std::string>>;
    EXPECT_EQ(chunks("ab\n\ncd", 10), (V{{'N', "ab"}, {'N', ""}, {'L', "cd"}}));
    EXPECT_EQ(chunks("abcdefg\n", 3), (V{{'L', "abc"}, {'L', "def"}, {'N', "g"}}));
    // A line of exactly the limit: its newline comes as an empty N.
    EXPECT_EQ(chunks("abc\n", 3), (V{{'L', "abc"}, {'N', ""}}));
    EXPECT_EQ(chunks("", 3), V{});
}

std::vector<std::string> filtered(ContentFilter filter, std::vector<std::pair<int, std::string>> pieces) {
    std::vector<std::string> out;
    for (auto& [type, text] : pieces) {
        auto action = filter.apply(type, text);
        if (action == ContentFilter::Action::Stop) break;
        if (action == ContentFilter::Action::Keep) out.push_back(text);
    }
    return out;
}

TEST(MaildropSubmission, FromLinesAreSkippedOnlyAtTheStart) {
    using V = std::vector<std::string>;
    ContentFilter f(FixLineEndings::Always, true);
    EXPECT_EQ(filtered(f, {{'N', "From a b"}, {'N', ">>From c"}, {'N', "S: x"}, {'N', "From d"}}),
              (V{"S: x", "From d"}));
}

TEST(MaildropSubmission, LineEndings) {
    using V = std::vector<std::string>;
    EXPECT_EQ(filtered(ContentFilter(FixLineEndings::Always, true), {{'N', "a\r\r"}, {'N', "b"}, {'L', "c\r"}}),
              (V{"a", "b", "c\r"}));
    EXPECT_EQ(filtered(ContentFilter(FixLineEndings::Strict, true), {{'N', "a\r"}, {'N', "b\r"}}), (V{"a", "b"}));
    EXPECT_EQ(filtered(ContentFilter(FixLineEndings::Strict, true), {{'N', "a"}, {'N', "b\r"}}), (V{"a", "b\r"}));
    EXPECT_EQ(filtered(ContentFilter(FixLineEndings::Never, true), {{'N', "a\r"}}), (V{"a\r"}));
    EXPECT_EQ(parseFixLineEndings("strict"), FixLineEndings::Strict);
    EXPECT_FALSE(parseFixLineEndings("Strict"));
}

TEST(MaildropSubmission, LoneDot) {
    using V = std::vector<std::string>;
    EXPECT_EQ(filtered(ContentFilter(FixLineEndings::Always, true), {{'N', "a"}, {'N', "."}, {'N', "b"}}), (V{"a"}));
    EXPECT_EQ(filtered(ContentFilter(FixLineEndings::Always, false), {{'N', "a"}, {'N', "."}, {'N', "b"}}),
              (V{"a", ".", "b"}));
    // A "." that ends a long line is not a line of its own; ".\r" is one after CR stripping.
    EXPECT_EQ(filtered(ContentFilter(FixLineEndings::Always, true), {{'L', "abc"}, {'N', "."}, {'N', ".\r"}}),
              (V{"abc", "."}));
}

struct Collected {
    std::string records;
    SubmissionHeaders headers;
    explicit Collected(size_t lineLimit = 2048, size_t headerLimit = 102400)
        : headers(
              lineLimit, headerLimit, [this](int type, std::string_view text) { appendRecord(records, type, text); },
              [](std::string_view value) {
                  // Enough of an address parser for the test: comma-separated, trimmed.
                  std::vector<std::string> out;
                  size_t pos = 0;
                  std::string v(value);
                  while (pos <= v.size()) {
                      size_t comma = v.find(',', pos);
                      std::string item = v.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
                      item.erase(0, item.find_first_not_of(" \t\n"));
                      item.erase(item.find_last_not_of(" \t\n") + 1);
                      if (!item.empty()) out.push_back(item);
                      if (comma == std::string::npos) break;
                      pos = comma + 1;
                  }
                  return out;
              }) {}
};

TEST(SubmissionHeaders, ExtractsAndNormalises) {
    Collected c;
    EXPECT_TRUE(c.headers.update('N', "To : a@x, b@x"));
    EXPECT_TRUE(c.headers.update('N', " c@x"));
    EXPECT_TRUE(c.headers.update('N', "Subject: s"));
    EXPECT_TRUE(c.headers.update('N', "BCC:d@x"));
    EXPECT_TRUE(c.headers.update('N', ""));
    EXPECT_TRUE(c.headers.update('N', "To: not@header"));
    EXPECT_TRUE(c.headers.finish());
    EXPECT_EQ(c.records, rec('N', "To: a@x, b@x") + rec('N', " c@x") + rec('N', "Subject: s") + rec('N', "BCC:d@x") +
                             rec('N', "") + rec('N', "To: not@header"));
    // The parser gets the value with its continuation lines joined by newlines.
    EXPECT_EQ(c.headers.recipients(), (std::vector<std::string>{"a@x", "b@x\n c@x", "d@x"}));
}

TEST(SubmissionHeaders, ResentHeadersWin) {
    Collected c;
    for (auto line : {"To: a@x", "Resent-To: r@x", "Cc: c@x", "Resent-Bcc: s@x", ""})
        EXPECT_TRUE(c.headers.update('N', line));
    EXPECT_TRUE(c.headers.finish());
    EXPECT_EQ(c.headers.recipients(), (std::vector<std::string>{"r@x", "s@x"}));
}

TEST(SubmissionHeaders, LongHeaderIsRechopped) {
    Collected c(4);
    EXPECT_TRUE(c.headers.update('L', "To: "));
    EXPECT_TRUE(c.headers.update('N', "a@x"));
    EXPECT_TRUE(c.headers.finish());
    EXPECT_EQ(c.records, rec('L', "To: ") + rec('N', "a@x"));
}

TEST(SubmissionHeaders, UnfinishedLastBodyLineGetsAnEmptyEnd) {
    Collected c;
    EXPECT_TRUE(c.headers.update('N', ""));
    EXPECT_TRUE(c.headers.update('L', "body"));
    EXPECT_TRUE(c.headers.finish());
    EXPECT_EQ(c.records, rec('N', "") + rec('L', "body") + rec('N', ""));
}

TEST(SubmissionHeaders, HeaderLimit) {
    Collected c(2048, 10);
    EXPECT_TRUE(c.headers.update('N', "Subject: 0123456789"));
    EXPECT_FALSE(c.headers.update('N', " more"));
}

TEST(MaildropFile, QueueIds) {
    EXPECT_EQ(shortQueueId(0x12345, 0xABCDEF), "12345ABCDEF");
    EXPECT_EQ(shortQueueId(7, 1), "000071");
    // 52-based seconds (6 digits at least), 4 microsecond digits, 'z', 51-based inode.
    EXPECT_EQ(longQueueId(0, 0, 0), "0000000000z");
    EXPECT_EQ(longQueueId(52, 53, 51),
              "000010"
              "0011"
              "z10");
}

TEST(PostdropCheck, SegmentsAndAttributes) {
    PostdropCheck check(0);
    using Kind = PostdropCheck::Verdict::Kind;
    EXPECT_EQ(check.check('A', " rewrite_context = remote ").kind, Kind::Write);
    EXPECT_EQ(check.check('A', " rewrite_context = remote ").text, "rewrite_context=remote");
    auto ignored = check.check('A', "foo=bar");
    EXPECT_EQ(ignored.kind, Kind::Skip);
    EXPECT_EQ(ignored.text, "uid=0: ignoring attribute record: foo=bar");
    auto malformed = check.check('A', "foo");
    EXPECT_EQ(malformed.text, "uid=0: ignoring malformed record: missing '=' after attribute name: foo");
    EXPECT_EQ(check.check('S', "a@x").kind, Kind::Copy);
    EXPECT_EQ(check.check('R', "b@x").kind, Kind::Copy);
    EXPECT_EQ(check.check('M', "").kind, Kind::Copy);
    auto wrong = check.check('S', "x");
    EXPECT_EQ(wrong.kind, Kind::Fatal);
    EXPECT_EQ(wrong.text, "uid=0: unexpected record type: 83");
    EXPECT_EQ(check.check('X', "").kind, Kind::Copy);
    EXPECT_EQ(check.check('E', "").kind, Kind::Copy);
    EXPECT_EQ(check.senders(), 1);
    EXPECT_EQ(check.recipients(), 1);
    EXPECT_EQ(check.status(), cleanup_stat::kOk);
}

TEST(PostdropCheck, NulInSender) {
    PostdropCheck check(5);
    (void)check.check('S', std::string_view("a\0b", 3));
    EXPECT_EQ(check.status(), cleanup_stat::kBad);
    EXPECT_EQ(check.reason(), "NUL in FROM record");
    EXPECT_EQ(cleanupStrerror(cleanup_stat::kBad | cleanup_stat::kWrite), "internal protocol error");
}

}  // namespace
}  // namespace postline::queue
