// Queue file records: the length encoding, every record type written and read back,
// pointer records, padding, the end record, and malformed input with Postfix's warnings.
#include "postline/queue/record.h"

#include <gtest/gtest.h>

#include <string>

#include "postline/queue/record_type.h"

namespace postline::queue {
namespace {

std::string bytes(std::initializer_list<int> values) {
    std::string out;
    for (int v : values) out.push_back(static_cast<char>(v));
    return out;
}

TEST(RecordLength, SevenBitGroupsLowFirst) {
    EXPECT_EQ(encodeLength(0), bytes({0}));
    EXPECT_EQ(encodeLength(1), bytes({1}));
    EXPECT_EQ(encodeLength(127), bytes({0x7f}));
    EXPECT_EQ(encodeLength(128), bytes({0x80, 0x01}));
    EXPECT_EQ(encodeLength(300), bytes({0xac, 0x02}));
    EXPECT_EQ(encodeLength(16383), bytes({0xff, 0x7f}));
    EXPECT_EQ(encodeLength(16384), bytes({0x80, 0x80, 0x01}));
    EXPECT_EQ(encodeLength(0x7fffffff), bytes({0xff, 0xff, 0xff, 0xff, 0x07}));
}

TEST(RecordLength, RoundTripsAcrossGroupBoundaries) {
    for (size_t len : {0UL, 1UL, 127UL, 128UL, 129UL, 2048UL, 16383UL, 16384UL, 70000UL}) {
        std::string file;
        appendRecord(file, rec::kNorm, std::string(len, 'q'));
        auto in = InputStream::fromBytes(file, "t");
        RecordReader reader(in);
        auto rec = reader.next();
        ASSERT_TRUE(rec) << rec.error().message;
        EXPECT_EQ(rec->type, rec::kNorm);
        EXPECT_EQ(rec->data.size(), len);
        EXPECT_EQ(reader.next()->type, rec::kEof);
    }
}

TEST(RecordTypes, EveryTypeRoundTripsWithItsName) {
    struct Case {
        int type;
        const char* name;
        const char* data;
    };
    const Case cases[] = {
        {rec::kSize, "message_size",
         "            314             810               3               0             314               0"},
        {rec::kTime, "message_arrival_time", "1796580914 884896"},
        {rec::kCreateTime, "queue_file_create_time", "1796580914"},
        {rec::kFullName, "sender_fullname", "Drop Sender"},
        {rec::kInspector, "content_inspector", "smtp:[127.0.0.1]:10025"},
        {rec::kFilter, "content_filter", "smtp:[127.0.0.1]:10026"},
        {rec::kFrom, "sender", "a@example.org"},
        {rec::kDone, "done_recipient", "d@example.org"},
        {rec::kRcpt, "recipient", "r@example.org"},
        {rec::kOrigRcpt, "original_recipient", "o@example.org"},
        {rec::kCanceled, "canceled_recipient", "c@example.org"},
        {rec::kWarn, "warning_message_time", "     1796580914"},
        {rec::kAttr, "named_attribute", "log_ident=D81CEA7236A"},
        {rec::kKill, "killed_record", "x"},
        {rec::kRedirect, "redirect_to", "elsewhere@example.org"},
        {rec::kFlags, "flags", "1024"},
        {rec::kDelay, "unknown_record_type", "0"},
        {rec::kMesg, "message_content", ""},
        {rec::kNorm, "regular_text", "Subject: hello"},
        {rec::kXtra, "extracted_info", ""},
        {rec::kReturnReceipt, "return_receipt", "rr@example.org"},
        {rec::kErrorsTo, "errors_to", "err@example.org"},
        {rec::kPriority, "priority", "0"},
        {rec::kVerp, "verp_delimiters", "+="},
        {rec::kDsnRet, "dsn_return_flags", "2"},
        {rec::kDsnEnvid, "dsn_envelope_id", "env-id-42"},
        {rec::kDsnOrcpt, "dsn_original_recipient", "rfc822;orig@example.com"},
        {rec::kDsnNotify, "dsn_notify_flags", "5"},
        {rec::kMilterCount, "unknown_record_type", "0"},
        {rec::kEnd, "message_end", ""},
    };
    std::string file;
    for (const auto& c : cases) appendRecord(file, c.type, c.data);
    auto in = InputStream::fromBytes(file, "t");
    RecordReader reader(in);
    for (const auto& c : cases) {
        auto rec = reader.next(read_flag::kNone);
        ASSERT_TRUE(rec) << rec.error().message;
        EXPECT_EQ(rec->type, c.type);
        EXPECT_EQ(rec->data, c.data);
        EXPECT_EQ(rec::typeName(c.type), c.name) << static_cast<char>(c.type);
    }
    EXPECT_EQ(reader.next()->type, rec::kEof);
    EXPECT_EQ(rec::typeName(rec::kCont), "content_filter");  // 'L': the first name wins
    EXPECT_EQ(rec::typeName(rec::kPointer), "pointer_record");
    EXPECT_EQ(rec::typeName(rec::kPadding), "padding");
    EXPECT_EQ(rec::typeName('Z'), "unknown_record_type");
}

TEST(RecordTypes, SegmentSets) {
    EXPECT_TRUE(rec::inSet(rec::kEnvelopeTypes, rec::kMesg));
    EXPECT_TRUE(rec::inSet(rec::kEnvelopeTypes, rec::kSize));
    EXPECT_FALSE(rec::inSet(rec::kEnvelopeTypes, rec::kNorm));
    EXPECT_TRUE(rec::inSet(rec::kContentTypes, rec::kNorm));
    EXPECT_TRUE(rec::inSet(rec::kContentTypes, rec::kCont));
    EXPECT_TRUE(rec::inSet(rec::kContentTypes, rec::kPadding));
    EXPECT_FALSE(rec::inSet(rec::kContentTypes, rec::kRcpt));
    EXPECT_TRUE(rec::inSet(rec::kExtractTypes, rec::kEnd));
    EXPECT_TRUE(rec::inSet(rec::kExtractTypes, rec::kReturnReceipt));
    EXPECT_FALSE(rec::inSet(rec::kExtractTypes, rec::kFrom));
    EXPECT_TRUE(rec::inSet(rec::kPostEnvelopeTypes, rec::kDsnEnvid));
    EXPECT_FALSE(rec::inSet(rec::kPostEnvelopeTypes, rec::kSize));
    EXPECT_FALSE(rec::inSet(rec::kEnvelopeTypes, 0));
}

TEST(RecordReader, FollowsPointersAndSkipsPadding) {
    // R a, pointer to the heap after the end record, E; the heap holds R b and a pointer
    // back to the end record.
    std::string file;
    appendRecord(file, rec::kRcpt, "a");
    size_t ptr_at = file.size();
    appendRecord(file, rec::kPointer, formatPointer(0));
    appendRecord(file, rec::kPadding, "    0");
    size_t end_at = file.size();
    appendRecord(file, rec::kEnd, "");
    size_t heap = file.size();
    appendRecord(file, rec::kRcpt, "b");
    appendRecord(file, rec::kPointer, formatPointer(static_cast<off_t>(end_at)));
    std::string patched;
    appendRecord(patched, rec::kPointer, formatPointer(static_cast<off_t>(heap)));
    file.replace(ptr_at, patched.size(), patched);

    auto in = InputStream::fromBytes(file, "t");
    RecordReader reader(in);
    EXPECT_EQ(reader.next()->data, "a");
    EXPECT_EQ(reader.next()->data, "b");
    EXPECT_EQ(reader.next()->type, rec::kEnd);
    EXPECT_EQ(reader.next()->type, rec::kEof);  // kSeekEnd: the heap is not read again

    auto raw = InputStream::fromBytes(file, "t");
    RecordReader rawReader(raw);
    EXPECT_EQ(rawReader.next(read_flag::kNone)->data, "a");
    auto ptr = rawReader.next(read_flag::kNone);
    EXPECT_EQ(ptr->type, rec::kPointer);
    EXPECT_EQ(ptr->data, "             " + std::to_string(heap));  // "%15ld"
    EXPECT_EQ(rawReader.next(read_flag::kNone)->type, rec::kPadding);
    EXPECT_EQ(rawReader.next(read_flag::kNone)->type, rec::kEnd);
    EXPECT_EQ(rawReader.next(read_flag::kNone)->data, "b");
}

TEST(RecordReader, DummyPointerLeadsNowhere) {
    std::string file;
    appendRecord(file, rec::kPointer, formatPointer(0));
    appendRecord(file, rec::kRcpt, "x");
    auto in = InputStream::fromBytes(file, "t");
    RecordReader reader(in);
    EXPECT_EQ(reader.next()->data, "x");
}

TEST(RecordReader, PaddingLikeRecPad) {
    std::string file;
    appendPaddingRecord(file, rec::kPadding, 20);
    EXPECT_EQ(file.size(), 20u);
    EXPECT_EQ(file.substr(2), std::string(17, ' ') + "0");
}

TEST(RecordReader, MalformedInputGivesPostfixWarnings) {
    auto check = [](const std::string& file, const std::string& warning) {
        auto in = InputStream::fromBytes(file, "f");
        RecordReader reader(in);
        auto rec = reader.next();
        ASSERT_FALSE(rec) << file;
        EXPECT_EQ(rec.error().message, warning);
    };
    check(bytes({'N'}), "f: unexpected EOF reading length, record type 78");
    check(bytes({'N', 0x85}), "f: unexpected EOF reading length, record type 78");
    check(bytes({'N', 5, 'a', 'b'}), "f: unexpected EOF in data, record type 78 length 5");
    check(bytes({'N', 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}), "f: too many length bits, record type 78");
    check(bytes({'N', 0x80, 0x80, 0x80, 0x80, 0x08}), "f: illegal length -2147483648, record type 78");
    std::string bad;
    appendRecord(bad, rec::kPointer, "12x");
    check(bad, "f: malformed pointer record value: 12x");
}

TEST(RecordReader, MaxSizeRejectsLongRecords) {
    std::string file;
    appendRecord(file, rec::kNorm, "0123456789");
    appendRecord(file, rec::kNorm, "ok");
    auto in = InputStream::fromBytes(file, "f");
    RecordReader reader(in);
    auto rec = reader.next(read_flag::kDefault, 5);
    ASSERT_FALSE(rec);
    EXPECT_EQ(rec.error().message, "f: illegal length 10, record type 78");
    EXPECT_EQ(reader.next()->data, "ok");  // the long record's data was skipped
}

TEST(RecordReader, PointerLoopIsCaught) {
    // An empty 'N' record, then at offset 2 a pointer to itself: following it loops
    // until the guard on backward jumps stops it.
    std::string file = std::string("N") + std::string(1, '\0');
    appendRecord(file, rec::kPointer, formatPointer(2));
    auto in = InputStream::fromBytes(file, "f");
    RecordReader reader(in);
    ASSERT_TRUE(reader.next());
    auto rec = reader.next();
    ASSERT_FALSE(rec);
    EXPECT_EQ(rec.error().message, "f: too many reverse jump records");
}

}  // namespace
}  // namespace postline::queue
