// The attribute protocol (attr_stream.h) and CleanupClient against a fake cleanup
// server on a UNIX-domain socket: the handshake, the flags, records as rec_put writes
// them, content lines split at the line limit, the reply, and broken conversations.
#include "postline/queue/cleanup_client.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <thread>

#include "postline/queue/attr_stream.h"
#include "postline/queue/record.h"
#include "postline/queue/record_type.h"

namespace postline::queue {
namespace {

TEST(AttrStream, EncodesAsAttrPrint0) {
    std::string out;
    attr::append(out, "protocol", "cleanup_protocol");
    attr::appendNumber(out, "flags", 114);
    attr::appendEnd(out);
    EXPECT_EQ(out, std::string("protocol\0cleanup_protocol\0flags\0"
                               "114\0\0",
                               37));
}

TEST(AttrStream, ScansAGroupFedInPieces) {
    std::string in(
        "status\0"
        "0\0reason\0\0\0tail",
        22);
    attr::GroupScanner scan;
    size_t used = 0;
    for (size_t i = 0; i < in.size() && !scan.complete(); ++i) {
        auto n = scan.feed(std::string_view(in).substr(i, 1));
        ASSERT_TRUE(n.ok());
        used += *n;
    }
    ASSERT_TRUE(scan.complete());
    EXPECT_EQ(used, 18u);  // "tail" is left for the next reader
    ASSERT_EQ(scan.attributes().size(), 2u);
    EXPECT_EQ(*scan.find("status"), "0");
    EXPECT_EQ(*scan.find("reason"), "");
    EXPECT_TRUE(attr::expectExactly(scan.attributes(), {"status", "reason"}).ok());
    auto st = attr::expectExactly(scan.attributes(), {"status", "why"});
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().message, "unexpected attribute reason (expecting: why)");
    st = attr::expectExactly(scan.attributes(), {"status", "reason", "more"});
    EXPECT_EQ(st.error().message, "missing attribute more");
}

TEST(CleanupStatus, DetailsFollowPostfixsTable) {
    auto d = cleanupStatDetail(cleanup_stat::kWrite | cleanup_stat::kSize);
    EXPECT_EQ(d.smtp, 552);
    EXPECT_EQ(d.dsn, "5.3.4");
    EXPECT_EQ(d.text, "message file too big");
    EXPECT_EQ(cleanupStatDetail(0).smtp, 250);
    EXPECT_EQ(cleanupStrerror(cleanup_stat::kDefer | cleanup_stat::kBad), "service unavailable");
}

// A fake cleanup: accepts one connection, announces `id`, reads the flags group and the
// records up to the end record, then answers `reply` (raw bytes).
class FakeCleanup {
public:
    FakeCleanup(std::string reply, bool announce = true) {
        std::string pattern = ::testing::TempDir() + "cleanup_client_test.XXXXXX";
        dir_ = ::mkdtemp(pattern.data());
        path_ = dir_ + "/cleanup";
        fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un sun{};
        sun.sun_family = AF_UNIX;
        std::strcpy(sun.sun_path, path_.c_str());
        EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&sun), sizeof sun), 0);
        EXPECT_EQ(::listen(fd_, 1), 0);
        thread_ = std::thread([this, reply, announce] {
            int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0) return;
            std::string hello;
            attr::append(hello, "protocol", announce ? "cleanup_protocol" : "smtp");
            attr::append(hello, "queue_id", "4ABCDEF");
            attr::appendEnd(hello);
            (void)attr::writeAll(c, hello);
            std::string pending;
            auto flags = attr::readGroup(c, pending);
            if (flags.ok() && !flags->empty()) flags_ = (*flags)[0].first + "=" + (*flags)[0].second;
            // Records until 'E'.
            std::string bytes = pending;
            char buf[4096];
            for (;;) {
                if (!bytes.empty() && endSeen(bytes)) break;
                ssize_t n = ::read(c, buf, sizeof buf);
                if (n <= 0) break;
                bytes.append(buf, static_cast<size_t>(n));
            }
            records_ = bytes;
            (void)attr::writeAll(c, reply);
            ::close(c);
        });
    }
    ~FakeCleanup() {
        ::shutdown(fd_, SHUT_RDWR);
        if (thread_.joinable()) thread_.join();
        ::close(fd_);
        std::filesystem::remove_all(dir_);
    }
    static bool endSeen(const std::string& bytes) {
        auto in = InputStream::fromBytes(bytes, "test");
        RecordReader reader(in);
        for (;;) {
            auto r = reader.next(read_flag::kNone);
            if (!r.ok() || r->type == rec::kEof) return false;
            if (r->type == rec::kEnd) return true;
        }
    }
    const std::string& path() const { return path_; }
    void join() { thread_.join(); }
    std::string flags_, records_;

private:
    std::string dir_, path_;
    int fd_ = -1;
    std::thread thread_;
};

std::string reply(unsigned status, std::string_view reason) {
    std::string out;
    attr::appendNumber(out, "status", status);
    attr::append(out, "reason", reason);
    attr::appendEnd(out);
    return out;
}

TEST(CleanupClient, SendsFlagsRecordsAndReadsTheReply) {
    FakeCleanup fake(reply(8, "5.7.1 go away"));
    auto client = CleanupClient::open(fake.path(), cleanup_flag::kFilter | cleanup_flag::kMapOk);
    ASSERT_TRUE(client.ok()) << client.error().message;
    EXPECT_EQ(client->queueId(), "4ABCDEF");
    client->setLineLimit(4);
    client->record(rec::kFrom, "alice");
    client->record(rec::kMesg, "");
    client->contentLine("0123456789");
    client->contentLine("ab", false);
    client->contentLine("c");
    auto r = client->finish();
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->status, cleanup_stat::kCont);
    EXPECT_EQ(r->reason, "5.7.1 go away");
    fake.join();
    EXPECT_EQ(fake.flags_, "flags=34");
    std::string want;
    appendRecord(want, rec::kFrom, "alice");
    appendRecord(want, rec::kMesg, "");
    appendRecord(want, rec::kCont, "0123");
    appendRecord(want, rec::kCont, "4567");
    appendRecord(want, rec::kNorm, "89");
    appendRecord(want, rec::kCont, "ab");
    appendRecord(want, rec::kNorm, "c");
    appendRecord(want, rec::kEnd, "");
    EXPECT_EQ(fake.records_, want);
}

TEST(CleanupClient, AWrongGreetingOrReplyIsAnError) {
    {
        FakeCleanup fake(reply(0, ""), false);
        auto client = CleanupClient::open(fake.path(), 0);
        ASSERT_FALSE(client.ok());
        EXPECT_EQ(client.error().message, "unexpected cleanup protocol reply");
    }
    {
        // A reply without the reason: mail_stream_finish_ipc calls that a write error.
        std::string bad;
        attr::appendNumber(bad, "status", 0);
        attr::appendEnd(bad);
        FakeCleanup fake(bad);
        auto client = CleanupClient::open(fake.path(), 0);
        ASSERT_TRUE(client.ok());
        auto r = client->finish();
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(r->status, cleanup_stat::kWrite);
    }
    auto missing = CleanupClient::open("/nonexistent/cleanup", 0);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().message, "connect to /nonexistent/cleanup: No such file or directory");
}

}  // namespace
}  // namespace postline::queue
