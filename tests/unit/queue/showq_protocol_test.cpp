// The showq stream (lib/queue showq_protocol): what the service writes is what
// postqueue reads back, byte for byte as Postfix's showq.c writes it, and every way the
// stream can be wrong is postqueue's "malformed showq server response".
#include "postline/queue/showq_protocol.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "postline/queue/attr_stream.h"

namespace postline::queue {
namespace {

using namespace std::string_literals;

// A reader over `bytes` (written to a socket pair whose writing end is then closed).
class Stream {
public:
    explicit Stream(const std::string& bytes) {
        int fds[2];
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
        EXPECT_TRUE(attr::writeAll(fds[1], bytes));
        ::close(fds[1]);
        fd_ = fds[0];
    }
    ~Stream() { ::close(fd_); }
    int fd() const { return fd_; }

private:
    int fd_ = -1;
};

ShowqEntry sample() {
    ShowqEntry e;
    e.queue = "deferred";
    e.id = "4QxYz1234";
    e.arrivalTime = 1700000000;
    e.size = 4321;
    e.forcedExpire = true;
    e.sender = "alice@example.org";
    e.recipients = {{"bob@example.net", "connect to mx.example.net[192.0.2.1]:25: Connection refused"},
                    {"carol@example.net", ""}};
    return e;
}

TEST(ShowqProtocol, TheBytesAreShowqs) {
    EXPECT_EQ(showqHello(), "protocol\0mail_queue_list_protocol\0\0"s);
    EXPECT_EQ(showqEndOfListing(), "\0"s);
    ShowqEntry e = sample();
    e.recipients.resize(1);
    EXPECT_EQ(showqFileReport(e),
              "queue_name\0deferred\0queue_id\0004QxYz1234\0time\0001700000000\0size\0004321\0"
              "forced_expire\0001\0sender\0alice@example.org\0"
              "recipient\0bob@example.net\0reason\0connect to mx.example.net[192.0.2.1]:25: Connection refused\0"
              "\0"s);
}

TEST(ShowqProtocol, AListingReadsBack) {
    ShowqEntry second = sample();
    second.queue = "hold";
    second.id = "4QxYz5678";
    second.forcedExpire = false;
    second.sender = "MAILER-DAEMON";
    second.recipients.clear();
    Stream s(showqHello() + showqFileReport(sample()) + showqFileReport(second) + showqEndOfListing());
    ShowqReader reader(s.fd(), false);
    ASSERT_TRUE(reader.readHello());
    ShowqEntry got;
    for (const ShowqEntry& want : {sample(), second}) {
        auto more = reader.next(got);
        ASSERT_TRUE(more.ok()) << more.error().message;
        ASSERT_TRUE(*more);
        EXPECT_EQ(got.queue, want.queue);
        EXPECT_EQ(got.id, want.id);
        EXPECT_EQ(got.arrivalTime, want.arrivalTime);
        EXPECT_EQ(got.size, want.size);
        EXPECT_EQ(got.forcedExpire, want.forcedExpire);
        EXPECT_EQ(got.sender, want.sender);
        ASSERT_EQ(got.recipients.size(), want.recipients.size());
        for (size_t i = 0; i < want.recipients.size(); ++i) {
            EXPECT_EQ(got.recipients[i].address, want.recipients[i].address);
            EXPECT_EQ(got.recipients[i].reason, want.recipients[i].reason);
        }
    }
    auto end = reader.next(got);
    ASSERT_TRUE(end.ok());
    EXPECT_FALSE(*end);
}

TEST(ShowqProtocol, AnEmptyQueue) {
    Stream s(showqHello() + showqEndOfListing());
    ShowqReader reader(s.fd(), false);
    ASSERT_TRUE(reader.readHello());
    ShowqEntry got;
    auto end = reader.next(got);
    ASSERT_TRUE(end.ok());
    EXPECT_FALSE(*end);
}

TEST(ShowqProtocol, ValuesArePrintedPrintable) {
    ShowqEntry e = sample();
    e.sender = "caf\xe9@example.org";
    Stream s(showqHello() + showqFileReport(e) + showqEndOfListing());
    ShowqReader reader(s.fd(), false);
    ASSERT_TRUE(reader.readHello());
    ShowqEntry got;
    ASSERT_TRUE(reader.next(got).ok());
    EXPECT_EQ(got.sender, "caf?@example.org");
}

TEST(ShowqProtocol, MalformedStreams) {
    std::string head = "queue_name\0active\0queue_id\0ABC\0time\0001\0size\0002\0forced_expire\0000\0sender\0a@b\0"s;
    struct Case {
        const char* what;
        std::string afterHello;
    } cases[] = {
        {"cut after the hello", ""},
        {"cut in a file", head},
        {"no end of listing", head + "\0"s},
        {"a recipient without a reason", head + "recipient\0x@y\0\0"s},
        {"reason before recipient", head + "reason\0r\0recipient\0x@y\0\0"s},
        {"an unexpected attribute", head + "color\0red\0\0"s},
        {"a missing attribute", "queue_name\0active\0queue_id\0ABC\0time\0001\0size\0002\0sender\0a@b\0\0"s},
        {"a time that is no number",
         "queue_name\0active\0queue_id\0ABC\0time\0soon\0size\0002\0forced_expire\0000\0sender\0a@b\0\0"s},
    };
    for (const Case& c : cases) {
        Stream s(showqHello() + c.afterHello);
        ShowqReader reader(s.fd(), false);
        ASSERT_TRUE(reader.readHello());
        ShowqEntry got;
        bool failed = false;
        for (int i = 0; i < 3 && !failed; ++i) {
            auto more = reader.next(got);
            if (!more) {
                EXPECT_EQ(more.error().message, "malformed showq server response") << c.what;
                failed = true;
            } else if (!*more) {
                break;
            }
        }
        EXPECT_TRUE(failed) << c.what;
    }
    for (std::string hello :
         {"protocol\0queue_flush_protocol\0\0"s, "\0"s, ""s, "protocol\0mail_queue_list_protocol\0extra\0x\0\0"s}) {
        Stream s(hello + showqEndOfListing());
        ShowqReader reader(s.fd(), false);
        auto st = reader.readHello();
        ASSERT_FALSE(st.ok()) << hello;
        EXPECT_EQ(st.error().message, "malformed showq server response");
    }
}

}  // namespace
}  // namespace postline::queue
