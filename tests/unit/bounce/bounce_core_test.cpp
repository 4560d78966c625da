// The bounce service's core (mta/bounce/bounce_core.h) over a temporary spool: flush and
// warn requests with their logs and queue files, who gets which notice (sender,
// postmaster copies, double bounces, the discarded triple bounce), what stays and what
// goes on success and failure, the request conversation, and the cleanup poster's
// records against a fake cleanup server (the real cleanup is the integration test's).
#include "bounce_core.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "postline/delivery/bounce_request.h"
#include "postline/queue/attr_stream.h"
#include "postline/queue/bounce_log.h"
#include "postline/queue/cleanup_client.h"
#include "postline/queue/cleanup_status.h"
#include "postline/queue/input_stream.h"
#include "postline/queue/queue_file.h"
#include "postline/queue/queue_file_writer.h"
#include "postline/queue/record.h"
#include "postline/queue/record_type.h"

namespace postline::bounce {
namespace {

namespace fs = std::filesystem;
namespace rec = queue::rec;

// What a fake poster was given.
struct Posted {
    std::string sender, recipient, id;
    int sendopts = 0;
    std::vector<std::string> lines;
    bool finished = false, abandoned = false;
    std::string text() const {
        std::string out;
        for (const std::string& l : lines) out += l + "\n";
        return out;
    }
};

class FakePoster : public Poster {
public:
    struct Sub : Submission {
        Sub(FakePoster& p, size_t i) : poster(p), index(i) {}
        const std::string& queueId() const override { return poster.posted[index].id; }
        void line(std::string_view t) override { poster.posted[index].lines.emplace_back(t); }
        base::Result<int> finish() override {
            poster.posted[index].finished = true;
            return poster.finishStatus;
        }
        void abandon() override { poster.posted[index].abandoned = true; }
        FakePoster& poster;
        size_t index;
    };
    base::Result<std::unique_ptr<Submission>> open(const std::string& sender, const std::string& recipient,
                                                   int sendopts) override {
        if (failOpen) return base::Error{"connect to public/cleanup: No such file or directory"};
        Posted p;
        p.sender = sender;
        p.recipient = recipient;
        p.sendopts = sendopts;
        p.id = "NEW" + std::to_string(posted.size() + 1);
        posted.push_back(p);
        return std::unique_ptr<Submission>(new Sub(*this, posted.size() - 1));
    }
    std::vector<Posted> posted;
    bool failOpen = false;
    int finishStatus = 0;
};

// A queue file as cleanup leaves it, built record by record.
struct QueueFileSpec {
    std::string sender = "alice@example.com";
    std::vector<std::string> recipients = {"bob@example.org", "carol@example.org"};
    std::vector<std::string> lines = {"From: alice@example.com", "Subject: test", "Message-Id: <m1@example.com>", "",
                                      "body"};
    long arrival = 1796601000;
};

struct BuiltQueueFile {
    std::string bytes;
    std::vector<long> recipientOffsets;
    long messageSize = 0;
};

BuiltQueueFile buildQueueFile(const QueueFileSpec& spec) {
    BuiltQueueFile b;
    auto build = [&](const queue::SizeFields& size) {
        std::string out;
        b.recipientOffsets.clear();
        queue::appendRecord(out, rec::kSize, queue::formatSizeFields(size));
        queue::appendRecord(out, rec::kTime, std::to_string(spec.arrival) + " 0");
        queue::appendRecord(out, rec::kAttr, "message_id=<m1@example.com>");
        queue::appendRecord(out, rec::kFrom, spec.sender);
        for (const std::string& r : spec.recipients) {
            b.recipientOffsets.push_back(static_cast<long>(out.size()));
            queue::appendRecord(out, rec::kRcpt, r);
        }
        queue::appendRecord(out, rec::kMesg, "");
        long dataOffset = static_cast<long>(out.size());
        for (const std::string& l : spec.lines) queue::appendRecord(out, rec::kNorm, l);
        long extracted = static_cast<long>(out.size());
        queue::appendRecord(out, rec::kXtra, "");
        queue::appendRecord(out, rec::kEnd, "");
        return std::make_tuple(out, dataOffset, extracted);
    };
    queue::SizeFields size;
    size.extractedOffsetDelta = 1;
    size.contentOffset = 1;
    size.recipients = static_cast<long>(spec.recipients.size());
    auto [first, dataOffset, extracted] = build(size);
    size.extractedOffsetDelta = extracted - dataOffset;
    size.contentOffset = dataOffset;
    auto [bytes, d2, e2] = build(size);
    b.bytes = bytes;
    b.messageSize = size.extractedOffsetDelta;
    return b;
}

class BounceCoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("bounce_core_test." + std::to_string(::getpid()));
        fs::remove_all(dir_);
        for (const char* d : {"active", "bounce", "defer"}) fs::create_directories(dir_ / d);
        s_.queueDirectory = dir_.string();
        s_.layout = queue::queueLayout("", 1);  // nothing hashed: simple paths
        s_.myhostname = "mx.example.com";
        s_.formatDate = [](long t) { return "DATE(" + std::to_string(t) + ")"; };
        s_.now = [] { return 1796602000L; };
        s_.info = [this](std::string_view t) { infos_.emplace_back(t); };
        s_.warn = [this](std::string_view t) { warnings_.emplace_back(t); };
        request_.queueName = "active";
        request_.queueId = kId;
        request_.sender = "alice@example.com";
        request_.encoding = "7bit";
    }
    void TearDown() override { fs::remove_all(dir_); }

    static constexpr const char* kId = "4QXyZ81cF2z9sT";

    BuiltQueueFile writeQueueFile(const QueueFileSpec& spec = {}) {
        BuiltQueueFile b = buildQueueFile(spec);
        std::ofstream(dir_ / "active" / kId, std::ios::binary) << b.bytes;
        return b;
    }
    std::string logPath(const char* service) const { return (dir_ / service / kId).string(); }
    void appendLog(const char* service, const std::string& rcpt, const std::string& status, const std::string& action,
                   int notify = 0, long offset = 0) {
        queue::BounceLogEntry e;
        e.recipient = rcpt;
        e.status = status;
        e.action = action;
        e.dsnNotify = notify;
        e.offset = offset;
        e.reason = status[0] == '5' ? "unknown user: \"" + rcpt.substr(0, rcpt.find('@')) + "\""
                                    : "connect to mx.example.org[192.0.2.1]:25: Connection refused";
        ASSERT_TRUE(queue::appendBounceLog(logPath(service), e).ok());
    }
    bool exists(const std::string& p) const { return fs::exists(p); }

    fs::path dir_;
    BounceSettings s_;
    delivery::BounceRequest request_;
    FakePoster poster_;
    std::vector<std::string> infos_, warnings_;
};

TEST_F(BounceCoreTest, FlushSendsTheReportAndRemovesTheLog) {
    writeQueueFile();
    appendLog("bounce", "bob@example.org", "5.1.1", "failed");
    appendLog("bounce", "carol@example.org", "5.1.1", "failed", /*NOTIFY=SUCCESS*/ 2);
    EXPECT_EQ(serveBounceRequest(request_, s_, poster_), 0);
    ASSERT_EQ(poster_.posted.size(), 1u);
    const Posted& p = poster_.posted[0];
    EXPECT_EQ(p.sender, "");
    EXPECT_EQ(p.recipient, "alice@example.com");
    EXPECT_TRUE(p.finished);
    std::string text = p.text();
    EXPECT_EQ(text.rfind("From: Mail Delivery System <MAILER-DAEMON>\n"
                         "Subject: Undelivered Mail Returned to Sender\n"
                         "To: alice@example.com\n"
                         "Auto-Submitted: auto-replied\n",
                         0),
              0u)
        << text;
    EXPECT_NE(text.find("\tboundary=\"4QXyZ81cF2z9sT.1796602000/mx.example.com\"\n"), std::string::npos);
    EXPECT_NE(text.find("This is the mail system at host mx.example.com.\n"), std::string::npos);
    EXPECT_NE(text.find("X-Postfix-Queue-ID: 4QXyZ81cF2z9sT\n"
                        "X-Postfix-Sender: rfc822; alice@example.com\n"
                        "Arrival-Date: DATE(1796601000)\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("Final-Recipient: rfc822; bob@example.org\nAction: failed\nStatus: 5.1.1\n"),
              std::string::npos);
    EXPECT_EQ(text.find("carol@example.org"), std::string::npos);  // NOTIFY=SUCCESS only
    // The whole message, small enough (bounce_size_limit), after Return-Path.
    EXPECT_NE(text.find("Content-Type: message/rfc822\nContent-Transfer-Encoding: 8bit\n\n"
                        "Return-Path: <alice@example.com>\nFrom: alice@example.com\nSubject: test\n"
                        "Message-Id: <m1@example.com>\n\nbody\n\n--"),
              std::string::npos)
        << text;
    EXPECT_EQ(infos_, std::vector<std::string>{"4QXyZ81cF2z9sT: sender non-delivery notification: NEW1"});
    EXPECT_FALSE(exists(logPath("bounce")));
    EXPECT_TRUE(exists((dir_ / "active" / kId).string()));  // the queue manager removes it
}

TEST_F(BounceCoreTest, FailuresKeepTheLog) {
    writeQueueFile();
    appendLog("bounce", "bob@example.org", "5.1.1", "failed");
    poster_.failOpen = true;
    EXPECT_EQ(serveBounceRequest(request_, s_, poster_), -1);
    EXPECT_TRUE(exists(logPath("bounce")));
    poster_.failOpen = false;
    poster_.finishStatus = queue::cleanup_stat::kWrite;
    EXPECT_EQ(serveBounceRequest(request_, s_, poster_), -1);
    EXPECT_TRUE(exists(logPath("bounce")));
    // Postfix 3.7 logs a notice only once cleanup took it, and says nothing of a failure.
    EXPECT_TRUE(infos_.empty());
    EXPECT_TRUE(warnings_.empty());
    // BOUNCE_FLAG_CLEAN: the client wants the log gone on error.
    request_.flags = 1;
    EXPECT_EQ(serveBounceRequest(request_, s_, poster_), -1);
    EXPECT_FALSE(exists(logPath("bounce")));
}

TEST_F(BounceCoreTest, NullSenderGetsADoubleBounceOnlyWhenAsked) {
    QueueFileSpec spec;
    spec.sender = "";
    writeQueueFile(spec);
    request_.sender = "";
    appendLog("bounce", "bob@example.org", "5.1.1", "failed");
    // Default notify_classes (resource, software): dropped, the log removed.
    EXPECT_EQ(serveBounceRequest(request_, s_, poster_), 0);
    EXPECT_TRUE(poster_.posted.empty());
    EXPECT_FALSE(exists(logPath("bounce")));
    EXPECT_TRUE(infos_.empty());

    appendLog("bounce", "bob@example.org", "5.1.1", "failed", /*NOTIFY=NEVER*/ 1);
    s_.notifyClasses = "2bounce";
    s_.doubleBounceNoticeRecipient = "hostmaster";
    EXPECT_EQ(serveBounceRequest(request_, s_, poster_), 0);
    ASSERT_EQ(poster_.posted.size(), 1u);
    const Posted& p = poster_.posted[0];
    EXPECT_EQ(p.sender, "double-bounce@mx.example.com");
    EXPECT_EQ(p.recipient, "hostmaster");
    std::string text = p.text();
    EXPECT_NE(text.find("Subject: Postmaster Copy: Undelivered Mail\nTo: hostmaster\n"
                        "Auto-Submitted: auto-generated\n"),
              std::string::npos);
    EXPECT_EQ(text.find("This is the mail system"), std::string::npos);
    // The postmaster sees every recipient (NOTIFY=NEVER included) and the null sender as
    // MAILER-DAEMON.
    EXPECT_NE(text.find("Final-Recipient: rfc822; bob@example.org"), std::string::npos);
    EXPECT_NE(text.find("X-Postfix-Sender: rfc822; MAILER-DAEMON@mx.example.com\n"), std::string::npos);
    EXPECT_NE(text.find("Return-Path: <MAILER-DAEMON@mx.example.com>\n"), std::string::npos);
    EXPECT_EQ(infos_, std::vector<std::string>{"4QXyZ81cF2z9sT: postmaster non-delivery notification: NEW1"});
}

TEST_F(BounceCoreTest, NoTripleBounce) {
    writeQueueFile();
    request_.sender = "Double-Bounce@MX.example.com";
    appendLog("bounce", "postmaster@example.org", "5.1.1", "failed");
    EXPECT_EQ(serveBounceRequest(request_, s_, poster_), 0);
    EXPECT_TRUE(poster_.posted.empty());
    EXPECT_EQ(warnings_, std::vector<std::string>{"4QXyZ81cF2z9sT: undeliverable postmaster notification discarded"});
    EXPECT_FALSE(exists(logPath("bounce")));
}

TEST_F(BounceCoreTest, BounceClassAddsAPostmasterCopyWithHeadersOnly) {
    writeQueueFile();
    appendLog("bounce", "bob@example.org", "5.1.1", "failed");
    s_.notifyClasses = "resource, software, bounce";
    EXPECT_EQ(serveBounceRequest(request_, s_, poster_), 0);
    ASSERT_EQ(poster_.posted.size(), 2u);
    EXPECT_EQ(poster_.posted[1].sender, "double-bounce@mx.example.com");
    EXPECT_EQ(poster_.posted[1].recipient, "postmaster");
    std::string copy = poster_.posted[1].text();
    EXPECT_NE(copy.find("Content-Type: text/rfc822-headers\n"), std::string::npos);
    EXPECT_EQ(copy.find("\nbody\n"), std::string::npos);
    EXPECT_EQ(infos_, (std::vector<std::string>{"4QXyZ81cF2z9sT: sender non-delivery notification: NEW1",
                                                "4QXyZ81cF2z9sT: postmaster non-delivery notification: NEW2"}));
    // A failed postmaster copy is only a warning.
    appendLog("bounce", "bob@example.org", "5.1.1", "failed");
    poster_.posted.clear();
    struct FailSecond : FakePoster {
        base::Result<std::unique_ptr<Submission>> open(const std::string& a, const std::string& b, int o) override {
            if (!posted.empty()) return base::Error{"no cleanup"};
            return FakePoster::open(a, b, o);
        }
    } poster2;
    EXPECT_EQ(serveBounceRequest(request_, s_, poster2), 0);
    EXPECT_EQ(warnings_.back(), "4QXyZ81cF2z9sT: postmaster notice failed while bouncing to alice@example.com");
}

TEST_F(BounceCoreTest, ExpiredMailIsReportedFromTheDeferLog) {
    writeQueueFile();
    s_.serviceName = "defer";
    appendLog("defer", "bob@example.org", "4.4.1", "delayed");
    EXPECT_EQ(serveBounceRequest(request_, s_, poster_), 0);
    ASSERT_EQ(poster_.posted.size(), 1u);
    std::string text = poster_.posted[0].text();
    EXPECT_NE(text.find("Subject: Undelivered Mail Returned to Sender\n"), std::string::npos);
    EXPECT_NE(text.find("Action: failed\nStatus: 4.4.1\n"), std::string::npos);
    EXPECT_FALSE(exists(logPath("defer")));
}

TEST_F(BounceCoreTest, WarnSendsTheDelayWarningAndKeepsTheLog) {
    writeQueueFile();
    s_.serviceName = "defer";
    s_.delayWarningTime = 4 * 3600;
    s_.maximalQueueLifetime = 5 * 86400;
    appendLog("defer", "bob@example.org", "4.4.1", "delayed");
    appendLog("defer", "carol@example.org", "4.4.1", "delayed", /*NOTIFY=FAILURE*/ 4);
    request_.command = delivery::BounceCommand::Warn;
    EXPECT_EQ(serveBounceRequest(request_, s_, poster_), 0);
    ASSERT_EQ(poster_.posted.size(), 1u);
    std::string text = poster_.posted[0].text();
    EXPECT_NE(text.find("Subject: Delayed Mail (still being retried)\n"), std::string::npos);
    EXPECT_NE(text.find("for more than 4 hour(s).\nIt will be retried until it is 5 day(s) old.\n"), std::string::npos);
    EXPECT_NE(text.find("Action: delayed\nStatus: 4.4.1\n"), std::string::npos);
    EXPECT_NE(text.find("Will-Retry-Until: DATE(" + std::to_string(1796601000 + 5 * 86400) + ")\n"), std::string::npos);
    EXPECT_EQ(text.find("carol@"), std::string::npos);
    EXPECT_NE(text.find("Content-Type: text/rfc822-headers\n"), std::string::npos);
    EXPECT_EQ(infos_, std::vector<std::string>{"4QXyZ81cF2z9sT: sender delay notification: NEW1"});
    EXPECT_TRUE(exists(logPath("defer")));
}

TEST_F(BounceCoreTest, MissingLogOrQueueFile) {
    // No log: a failure report says so; a delay warning is not sent.
    writeQueueFile();
    EXPECT_EQ(serveBounceRequest(request_, s_, poster_), 0);
    ASSERT_EQ(poster_.posted.size(), 1u);
    EXPECT_NE(poster_.posted[0].text().find("\t--- Delivery report unavailable ---\n"), std::string::npos);
    request_.command = delivery::BounceCommand::Warn;
    s_.serviceName = "defer";
    EXPECT_EQ(serveBounceRequest(request_, s_, poster_), 0);
    ASSERT_EQ(poster_.posted.size(), 2u);
    EXPECT_TRUE(poster_.posted[1].abandoned);
    EXPECT_FALSE(poster_.posted[1].finished);
    // No queue file: the log is still reported, with a place holder for the message.
    fs::remove(dir_ / "active" / kId);
    request_.command = delivery::BounceCommand::Flush;
    s_.serviceName = "bounce";
    appendLog("bounce", "bob@example.org", "5.1.1", "failed");
    EXPECT_EQ(serveBounceRequest(request_, s_, poster_), 0);
    std::string text = poster_.posted.back().text();
    EXPECT_NE(text.find("\t--- Undelivered message unavailable ---"), std::string::npos);
    EXPECT_EQ(text.find("X-Postfix-Sender"), std::string::npos);
}

TEST_F(BounceCoreTest, LockedQueueFileFailsTheRequest) {
    writeQueueFile();
    appendLog("bounce", "bob@example.org", "5.1.1", "failed");
    std::string path = (dir_ / "active" / kId).string();
    int fd = ::open(path.c_str(), O_RDONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::flock(fd, LOCK_EX), 0);
    EXPECT_EQ(serveBounceRequest(request_, s_, poster_), -1);
    ::close(fd);
    EXPECT_TRUE(exists(logPath("bounce")));
    ASSERT_EQ(warnings_.size(), 1u);
    EXPECT_EQ(warnings_[0].rfind("cannot get shared lock on ", 0), 0u) << warnings_[0];
}

TEST_F(BounceCoreTest, DelrcptMarksTheRecipientsDone) {
    BuiltQueueFile b = writeQueueFile();
    appendLog("bounce", "bob@example.org", "5.1.1", "failed", 0, b.recipientOffsets[0]);
    request_.flags = 2;  // BOUNCE_FLAG_DELRCPT
    EXPECT_EQ(serveBounceRequest(request_, s_, poster_), 0);
    auto in = queue::InputStream::open((dir_ / "active" / kId).string());
    ASSERT_TRUE(in.ok());
    auto file = queue::readQueueFile(*in);
    ASSERT_TRUE(file.ok());
    ASSERT_EQ(file->recipients.size(), 2u);
    EXPECT_EQ(file->recipients[0].state, queue::Recipient::State::Done);
    EXPECT_EQ(file->recipients[1].state, queue::Recipient::State::Todo);
}

TEST_F(BounceCoreTest, ThreadedBouncesAndSmtputf8) {
    writeQueueFile();
    appendLog("bounce", "bob@example.org", "5.1.1", "failed");
    s_.threadedBounces = true;
    request_.sendopts = 1;  // SMTPUTF8 requested
    EXPECT_EQ(serveBounceRequest(request_, s_, poster_), 0);
    ASSERT_EQ(poster_.posted.size(), 1u);
    EXPECT_EQ(poster_.posted[0].sendopts, 1);
    std::string text = poster_.posted[0].text();
    EXPECT_NE(text.find("References: <m1@example.com>\nIn-Reply-To: <m1@example.com>\n"), std::string::npos);
    EXPECT_NE(text.find("Content-Type: message/global-delivery-status\n"), std::string::npos);
}

TEST_F(BounceCoreTest, CustomTemplates) {
    writeQueueFile();
    appendLog("bounce", "bob@example.org", "5.1.1", "failed");
    auto ts = message::loadDsnTemplates("failure_template = <<EOF\nSubject: Returned\n\nHello from $mydomain.\nEOF\n",
                                        "bounce.cf", nullptr);
    ASSERT_TRUE(ts.ok());
    s_.templates = std::make_shared<const message::DsnTemplates>(*ts);
    // $mydomain undefined: Postfix's fatal error, the request fails, the log stays.
    EXPECT_EQ(serveBounceRequest(request_, s_, poster_), -1);
    EXPECT_EQ(warnings_.back(), "bounce.cf: undefined $name in failure template: Hello from $mydomain.");
    ASSERT_EQ(poster_.posted.size(), 1u);
    EXPECT_TRUE(poster_.posted[0].abandoned);
    EXPECT_TRUE(exists(logPath("bounce")));
    s_.parameter = [](std::string_view name) -> std::optional<std::string> {
        if (name == "mydomain") return std::string("example.com");
        return std::nullopt;
    };
    EXPECT_EQ(serveBounceRequest(request_, s_, poster_), 0);
    std::string text = poster_.posted.back().text();
    EXPECT_NE(text.find("Subject: Returned\n"), std::string::npos);
    EXPECT_NE(text.find("\n\nHello from example.com.\n\n<bob@example.org>: unknown user: \"bob\"\n"), std::string::npos)
        << text;
}

TEST(NotifyClasses, Parses) {
    NotifyClasses c = parseNotifyClasses("resource, software");
    EXPECT_FALSE(c.bounce || c.doubleBounce || c.delay);
    c = parseNotifyClasses("BOUNCE,2bounce\tdelay");
    EXPECT_TRUE(c.bounce && c.doubleBounce && c.delay);
}

// The request conversation over a socket pair, as the queue manager has it.
TEST_F(BounceCoreTest, Conversation) {
    writeQueueFile();
    appendLog("bounce", "bob@example.org", "5.1.1", "failed");
    auto talk = [&](const std::string& requestBytes) {
        int sv[2];
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        std::thread server([&] {
            serveBounceConnection(sv[1], sv[1], s_, poster_);
            ::close(sv[1]);
        });
        std::string pending;
        auto hello = queue::attr::readGroup(sv[0], pending);
        EXPECT_TRUE(hello.ok());
        EXPECT_TRUE(hello.ok() && delivery::checkBounceHello(*hello).ok());
        EXPECT_TRUE(queue::attr::writeAll(sv[0], requestBytes).ok());
        auto reply = queue::attr::readGroup(sv[0], pending);
        server.join();
        ::close(sv[0]);
        EXPECT_TRUE(reply.ok());
        auto status = delivery::decodeBounceReply(*reply);
        EXPECT_TRUE(status.ok());
        return status.ok() ? *status : 99;
    };
    EXPECT_EQ(talk(delivery::encodeBounceRequest(request_)), 0);
    EXPECT_EQ(poster_.posted.size(), 1u);
    delivery::BounceRequest bad = request_;
    bad.queueId = "../etc";
    EXPECT_EQ(talk(delivery::encodeBounceRequest(bad)), -1);
    EXPECT_EQ(warnings_.back(), "malformed queue id: ../etc");
    std::string junk;
    queue::attr::append(junk, "nrequest", "7");
    queue::attr::appendEnd(junk);
    EXPECT_EQ(talk(junk), -1);
}

// cleanupPoster: what a fake cleanup server receives (the real cleanup is exercised by
// the delivery integration test).
TEST_F(BounceCoreTest, CleanupPosterWritesPostMailRecords) {
    std::string sock = (dir_ / "cleanup").string();
    int listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, sock.c_str(), sizeof addr.sun_path - 1);
    ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(listener, 1), 0);
    std::string flags;
    std::vector<queue::Record> records;
    std::thread server([&] {
        int fd = ::accept(listener, nullptr, nullptr);
        std::string hello;
        queue::attr::append(hello, "protocol", "cleanup_protocol");
        queue::attr::append(hello, "queue_id", "NEWID1");
        queue::attr::appendEnd(hello);
        (void)queue::attr::writeAll(fd, hello);
        std::string pending;
        auto f = queue::attr::readGroup(fd, pending);
        if (f.ok() && !f->empty()) flags = (*f)[0].second;
        // Records until the end record.
        std::string bytes = pending;
        char buf[4096];
        for (;;) {
            auto in = queue::InputStream::fromBytes(bytes, "cleanup");
            queue::RecordReader reader(in);
            std::vector<queue::Record> got;
            bool ended = false;
            for (;;) {
                auto r = reader.next(queue::read_flag::kNone);
                if (!r.ok() || r->type == rec::kEof) break;
                got.push_back(*r);
                if (r->type == rec::kEnd) {
                    ended = true;
                    break;
                }
            }
            if (ended) {
                records = got;
                break;
            }
            ssize_t n = ::read(fd, buf, sizeof buf);
            if (n <= 0) break;
            bytes.append(buf, static_cast<size_t>(n));
        }
        std::string reply;
        queue::attr::append(reply, "status", "0");
        queue::attr::append(reply, "reason", "");
        queue::attr::appendEnd(reply);
        (void)queue::attr::writeAll(fd, reply);
        ::close(fd);
    });
    auto poster = cleanupPoster(sock, "mx.example.com", "Postfix", [](long) { return std::string("THE DATE"); });
    auto sub = poster->open("", "alice@example.com", 1);
    ASSERT_TRUE(sub.ok()) << sub.error().message;
    EXPECT_EQ((*sub)->queueId(), "NEWID1");
    (*sub)->line("Subject: x");
    auto status = (*sub)->finish();
    server.join();
    ::close(listener);
    ASSERT_TRUE(status.ok());
    EXPECT_EQ(*status, 0);
    EXPECT_EQ(flags, std::to_string(queue::cleanup_flag::kMapOk | queue::cleanup_flag::kSmtputf8));
    std::vector<std::pair<int, std::string>> got;
    for (const queue::Record& r : records) got.emplace_back(r.type, r.data);
    ASSERT_EQ(got.size(), 12u);
    EXPECT_EQ(got[0].first, rec::kTime);
    EXPECT_EQ(got[1], std::make_pair(int(rec::kAttr), std::string("log_origin=local")));
    EXPECT_EQ(got[2], std::make_pair(int(rec::kAttr), std::string("trace_flags=0")));
    EXPECT_EQ(got[3], std::make_pair(int(rec::kFrom), std::string("")));
    EXPECT_EQ(got[4], std::make_pair(int(rec::kRcpt), std::string("alice@example.com")));
    EXPECT_EQ(got[5], std::make_pair(int(rec::kMesg), std::string("")));
    EXPECT_EQ(got[6], std::make_pair(int(rec::kNorm), std::string("Received: by mx.example.com (Postfix)")));
    EXPECT_EQ(got[7], std::make_pair(int(rec::kNorm), std::string("\tid NEWID1; THE DATE")));
    EXPECT_EQ(got[8], std::make_pair(int(rec::kNorm), std::string("Date: THE DATE")));
    EXPECT_EQ(got[9], std::make_pair(int(rec::kNorm), std::string("Subject: x")));
    EXPECT_EQ(got[10].first, rec::kXtra);
    EXPECT_EQ(got[11].first, rec::kEnd);
}

}  // namespace
}  // namespace postline::bounce
