// Reading whole queue files: files Postfix 3.7 wrote (testdata/queue: a partly delivered
// message, DSN parameters, lines longer than line_length_limit) and hand-built ones for
// what Postfix writes rarely (canceled and killed records, pointers, no end record).
#include "postline/queue/queue_file.h"

#include <gtest/gtest.h>

#include "postline/base/files.h"
#include "postline/queue/record.h"
#include "postline/queue/record_type.h"

namespace postline::queue {
namespace {

QueueFile readTestFile(const std::string& name) {
    auto in = InputStream::open(std::string(POSTLINE_TESTDATA) + "/queue/" + name);
    EXPECT_TRUE(in) << in.error().message;
    auto file = readQueueFile(*in);
    EXPECT_TRUE(file) << file.error().message;
    return file ? *file : QueueFile{};
}

TEST(QueueFile, PartlyDeliveredByPostfix) {
    QueueFile f = readTestFile("partly-delivered");
    EXPECT_TRUE(f.complete);
    ASSERT_TRUE(f.size);
    EXPECT_EQ(f.size->fields, 6);
    EXPECT_EQ(f.size->recipientCount, 3);
    EXPECT_GT(f.size->dataOffset, 0);
    ASSERT_TRUE(f.arrivalTime);
    ASSERT_TRUE(f.createTime);
    EXPECT_EQ(f.arrivalTime->first, *f.createTime);
    EXPECT_EQ(f.sender, "partial@example.org");
    EXPECT_EQ(f.attribute("rewrite_context"), "local");
    EXPECT_EQ(f.attribute("client_address"), "127.0.0.1");
    EXPECT_FALSE(f.attribute("create_time"));
    ASSERT_EQ(f.recipients.size(), 3u);
    EXPECT_EQ(f.recipients[0].address, "d1@done.example");
    EXPECT_EQ(f.recipients[0].state, Recipient::State::Done);
    EXPECT_EQ(f.recipients[0].original, "d1@done.example");
    EXPECT_EQ(f.recipients[0].dsnOrcpt, "rfc822;d1@done.example");
    EXPECT_EQ(f.recipients[1].address, "d2@later.example");
    EXPECT_EQ(f.recipients[1].state, Recipient::State::Todo);
    EXPECT_EQ(f.recipients[2].state, Recipient::State::Done);
    // The recipient's offset is where its type byte is (qmgr rewrites it to mark it done).
    auto bytes = base::readFile(std::string(POSTLINE_TESTDATA) + "/queue/partly-delivered");
    ASSERT_TRUE(bytes);
    EXPECT_EQ((*bytes)[static_cast<size_t>(f.recipients[1].offset)], 'R');
    EXPECT_EQ((*bytes)[static_cast<size_t>(f.recipients[0].offset)], 'D');
    ASSERT_FALSE(f.lines.empty());
    EXPECT_EQ(f.lines.back(), "body");
    EXPECT_EQ(f.lines[f.lines.size() - 2], "");
}

TEST(QueueFile, WithoutContentTheReaderSkipsToTheExtractedSegment) {
    auto in = InputStream::open(std::string(POSTLINE_TESTDATA) + "/queue/partly-delivered");
    ASSERT_TRUE(in);
    auto skipped = readQueueFile(*in, false);
    ASSERT_TRUE(skipped) << skipped.error().message;
    QueueFile full = readTestFile("partly-delivered");
    EXPECT_TRUE(skipped->complete);
    EXPECT_TRUE(skipped->lines.empty());
    ASSERT_EQ(skipped->recipients.size(), full.recipients.size());
    for (size_t i = 0; i < full.recipients.size(); ++i) {
        EXPECT_EQ(skipped->recipients[i].address, full.recipients[i].address);
        EXPECT_EQ(skipped->recipients[i].offset, full.recipients[i].offset);
        EXPECT_EQ(skipped->recipients[i].state, full.recipients[i].state);
    }
    EXPECT_EQ(skipped->attributes, full.attributes);
}

TEST(QueueFile, DsnParameters) {
    QueueFile f = readTestFile("dsn");
    EXPECT_EQ(f.attribute("envelope_id"), "env-id-42");
    EXPECT_EQ(f.attribute("ret_flags"), "2");
    ASSERT_EQ(f.recipients.size(), 2u);
    for (const auto& r : f.recipients) {
        EXPECT_EQ(r.dsnOrcpt, "rfc822;orig@example.com");
        EXPECT_EQ(r.dsnNotify, 10);  // SUCCESS (2) | DELAY (8)
    }
}

TEST(QueueFile, LongLinesJoined) {
    QueueFile f = readTestFile("long-lines");
    bool sawHeader = false, sawBody = false, sawY = false, sawZ = false;
    for (const auto& line : f.lines) {
        if (line == "X-Long: " + std::string(5000, 'x')) sawHeader = true;
        if (line == std::string(5000, 'x')) sawBody = true;
        if (line == std::string(2048, 'y')) sawY = true;
        if (line == std::string(2049, 'z')) sawZ = true;
    }
    EXPECT_TRUE(sawHeader);
    EXPECT_TRUE(sawBody);
    EXPECT_TRUE(sawY);
    EXPECT_TRUE(sawZ);
}

std::string handBuilt(bool withEnd) {
    std::string f;
    appendRecord(f, rec::kTime, "1796580914 884896");
    appendRecord(f, rec::kFrom, "");
    appendRecord(f, rec::kDsnOrcpt, "rfc822;x@example.org");
    appendRecord(f, rec::kDsnNotify, "1");
    appendRecord(f, rec::kRcpt, "x@example.org");
    appendRecord(f, rec::kCanceled, "dup@example.org");
    appendRecord(f, rec::kKill, "taken back");
    appendRecord(f, rec::kPointer, formatPointer(0));
    appendRecord(f, rec::kMesg, "");
    appendRecord(f, rec::kCont, "a");
    appendRecord(f, rec::kCont, "b");
    appendRecord(f, rec::kNorm, "c");
    appendRecord(f, rec::kPadding, "   0");
    appendRecord(f, rec::kCont, "unterminated");
    appendRecord(f, rec::kXtra, "");
    appendRecord(f, rec::kReturnReceipt, "rr@example.org");
    appendRecord(f, rec::kRcpt, "bcc@example.org");
    if (withEnd) appendRecord(f, rec::kEnd, "");
    return f;
}

TEST(QueueFile, RarerRecords) {
    auto in = InputStream::fromBytes(handBuilt(true), "t");
    auto f = readQueueFile(in);
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_TRUE(f->complete);
    EXPECT_EQ(f->sender, "");
    EXPECT_FALSE(f->size);
    ASSERT_EQ(f->recipients.size(), 3u);
    EXPECT_EQ(f->recipients[0].dsnOrcpt, "rfc822;x@example.org");
    EXPECT_EQ(f->recipients[0].dsnNotify, 1);
    EXPECT_EQ(f->recipients[1].state, Recipient::State::Canceled);
    EXPECT_EQ(f->recipients[2].segment, Segment::Extracted);
    ASSERT_EQ(f->lines.size(), 2u);
    EXPECT_EQ(f->lines[0], "abc");
    EXPECT_EQ(f->lines[1], "unterminated");
    ASSERT_EQ(f->others.size(), 1u);
    EXPECT_EQ(f->others[0].first, rec::kReturnReceipt);
}

TEST(QueueFile, WithoutEndRecordIsIncomplete) {
    auto in = InputStream::fromBytes(handBuilt(false), "t");
    auto f = readQueueFile(in);
    ASSERT_TRUE(f);
    EXPECT_FALSE(f->complete);
}

TEST(QueueFile, RecordsOutsideTheirSegment) {
    std::string f;
    appendRecord(f, rec::kNorm, "text in the envelope");
    auto in = InputStream::fromBytes(f, "t");
    auto r = readQueueFile(in);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "t: unexpected record type 78 in envelope segment");

    std::string g;
    appendRecord(g, rec::kMesg, "");
    appendRecord(g, rec::kRcpt, "r@example.org");
    auto in2 = InputStream::fromBytes(g, "t");
    auto r2 = readQueueFile(in2);
    ASSERT_FALSE(r2);
    EXPECT_EQ(r2.error().message, "t: unexpected record type 82 in content segment");
}

TEST(QueueFile, BadSizeAndAttributes) {
    EXPECT_FALSE(parseSizeRecord("0 0"));
    EXPECT_EQ(parseSizeRecord("x").error().message, "invalid size record: x");
    auto size = parseSizeRecord("            314             810               3");
    ASSERT_TRUE(size);
    EXPECT_EQ(size->fields, 3);
    EXPECT_EQ(size->contentSize, 314);
    EXPECT_EQ(size->dataOffset, 810);

    std::string f;
    appendRecord(f, rec::kAttr, "no equals sign");
    auto in = InputStream::fromBytes(f, "t");
    auto r = readQueueFile(in);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "t: malformed attribute: missing '=' after attribute name: no equals sign");
}

}  // namespace
}  // namespace postline::queue
