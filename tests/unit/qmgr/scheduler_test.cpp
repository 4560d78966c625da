// The queue manager's scheduler against a spool in a temporary directory and a
// delivery agent played by a thread on private/local: what qmgr sends, and what becomes
// of the message after each kind of answer (removed, deferred with backoff, deferred
// with a defer log when no agent answers).
#include "scheduler.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <thread>

#include "postline/address/routing_context.h"
#include "postline/config/config.h"
#include "postline/delivery/bounce_request.h"
#include "postline/delivery/deliver_request.h"
#include "postline/queue/attr_stream.h"
#include "postline/queue/queue_file_writer.h"
#include "postline/queue/record.h"
#include "postline/queue/record_type.h"

namespace postline::qmgr {
namespace {

namespace rec = queue::rec;
namespace fs = std::filesystem;

// A complete queue file for `recipients`, as cleanup writes one.
std::string queueFileBytes(const std::vector<std::string>& recipients, long warnTime = 0) {
    std::string envelope;
    queue::appendRecord(envelope, rec::kTime, "1700000000 0");
    queue::appendRecord(envelope, rec::kCreateTime, std::to_string(std::time(nullptr)));
    queue::appendRecord(envelope, rec::kFrom, "alice@example.org");
    if (warnTime != 0) {
        char w[32];
        std::snprintf(w, sizeof w, "%15ld", warnTime);
        queue::appendRecord(envelope, rec::kWarn, w);
    }
    for (const auto& r : recipients) queue::appendRecord(envelope, rec::kRcpt, r);
    std::string content;
    queue::appendRecord(content, rec::kNorm, "Subject: test");
    queue::appendRecord(content, rec::kNorm, "");
    queue::appendRecord(content, rec::kNorm, "hello");
    std::string tail;
    queue::appendRecord(tail, rec::kXtra, "");
    queue::appendRecord(tail, rec::kEnd, "");
    std::string mesg;
    queue::appendRecord(mesg, rec::kMesg, "");
    queue::SizeFields f;
    std::string probe;
    queue::appendRecord(probe, rec::kSize, queue::formatSizeFields(f));
    f.contentOffset = long(probe.size() + envelope.size() + mesg.size());
    f.extractedOffsetDelta = long(content.size());
    f.contentLength = long(content.size());
    f.recipients = long(recipients.size());
    std::string out;
    queue::appendRecord(out, rec::kSize, queue::formatSizeFields(f));
    return out + envelope + mesg + content + tail;
}

// One connection's worth of a delivery agent: hello, request, reply.
struct FakeAgent {
    int listener = -1;
    std::thread thread;
    std::atomic<int> served{0};
    delivery::DeliverRequest last;

    std::string bounceCommand;  // what a bounce service was asked ("nrequest")

    void start(int replyStatus, int connections, const char* path = "private/local") {
        listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strcpy(addr.sun_path, path);
        bool bounce = std::string(path) != "private/local";
        ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
        ASSERT_EQ(::listen(listener, 10), 0);
        thread = std::thread([this, replyStatus, connections, bounce] {
            for (int i = 0; i < connections; ++i) {
                int fd = ::accept(listener, nullptr, nullptr);
                if (fd < 0) return;
                std::string pending;
                if (bounce) {
                    (void)queue::attr::writeAll(fd, delivery::encodeBounceHello());
                    auto group = queue::attr::readGroup(fd, pending);
                    if (group) {
                        if (auto request = delivery::decodeBounceRequest(*group))
                            bounceCommand = std::to_string(int(request->command));
                        (void)queue::attr::writeAll(fd, delivery::encodeBounceReply(replyStatus));
                    }
                    ::close(fd);
                    ++served;
                    continue;
                }
                (void)queue::attr::writeAll(fd, delivery::encodeAgentHello());
                auto group = queue::attr::readGroup(fd, pending);
                if (group) {
                    if (auto request = delivery::decodeDeliverRequest(*group)) last = *request;
                    delivery::DeliverReply reply;
                    reply.status = replyStatus;
                    (void)queue::attr::writeAll(fd, delivery::encodeDeliverReply(reply));
                }
                ::close(fd);
                ++served;
            }
        });
    }
    ~FakeAgent() {
        if (thread.joinable()) thread.join();
        if (listener >= 0) ::close(listener);
    }
};

class SchedulerTest : public ::testing::Test {
protected:
    void SetUp() override {
        char pattern[] = "/tmp/qmgr_test.XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        root_ = pattern;
        cwd_ = fs::current_path();
        for (const char* d : {"incoming", "active", "deferred", "defer", "bounce", "corrupt", "private"})
            fs::create_directory(root_ + "/" + d);
        fs::current_path(root_);
        config_.set("myhostname", "mail.example.org");
        config_.set("mydomain", "example.org");
        config_.set("mydestination", "example.org");
        routing_ = std::make_unique<address::RoutingContext>(config_);
        routing_->setDeliveryServices({"local", "smtp", "error", "discard"});
        settings_.minimalBackoff = 300;
        settings_.maximalBackoff = 4000;
    }
    void TearDown() override {
        fs::current_path(cwd_);
        fs::remove_all(root_);
    }
    std::string queueMessage(const std::vector<std::string>& recipients, long warnTime = 0) {
        std::string id = "4ABC" + std::to_string(++serial_);
        std::string path = "incoming/" + id;
        std::ofstream(path, std::ios::binary) << queueFileBytes(recipients, warnTime);
        ::chmod(path.c_str(), 0700);
        return id;
    }
    // Runs the loop until the scheduler is idle (bounded).
    void runUntilIdle(Scheduler& scheduler) {
        scheduler.trigger("I");
        for (int turn = 0; turn < 400; ++turn) {
            timeval tv{};
            ::gettimeofday(&tv, nullptr);
            double now = double(tv.tv_sec) + double(tv.tv_usec) / 1e6;
            scheduler.work(now);
            if (scheduler.idle()) return;
            std::vector<pollfd> fds;
            scheduler.pollSet(fds);
            ::poll(fds.data(), nfds_t(fds.size()), std::min(scheduler.timeoutMs(now), 50));
            scheduler.handle(fds, 0, now);
        }
        FAIL() << "the scheduler did not become idle";
    }

    std::string root_, cwd_;
    int serial_ = 0;
    config::Config config_ = config::Config::defaults("/nonexistent");
    std::unique_ptr<address::RoutingContext> routing_;
    QmgrSettings settings_;
};

TEST_F(SchedulerTest, DeliversThroughTheAgentAndRemovesTheMessage) {
    std::string id = queueMessage({"bob@example.org"});
    FakeAgent agent;
    agent.start(delivery::kStatusFinal, 1);
    Scheduler scheduler(&settings_, routing_.get());
    runUntilIdle(scheduler);
    EXPECT_EQ(agent.served.load(), 1);
    if (agent.thread.joinable()) agent.thread.join();
    EXPECT_EQ(agent.last.queueId, id);
    EXPECT_EQ(agent.last.queueName, "active");
    EXPECT_EQ(agent.last.sender, "alice@example.org");
    ASSERT_EQ(agent.last.recipients.size(), 1u);
    EXPECT_EQ(agent.last.recipients[0].address, "bob@example.org");
    EXPECT_GT(agent.last.recipients[0].offset, 0);
    EXPECT_FALSE(fs::exists("active/" + id));
    EXPECT_FALSE(fs::exists("incoming/" + id));
}

TEST_F(SchedulerTest, LocalRecipientsGoOnePerRequest) {
    // With a recipient limit of 1 (local's default), two requests for two users.
    settings_.defaultRecipientLimit = 1;
    std::string id = queueMessage({"bob@example.org", "carol@example.org"});
    FakeAgent agent;
    agent.start(delivery::kStatusFinal, 2);
    Scheduler scheduler(&settings_, routing_.get());
    runUntilIdle(scheduler);
    if (agent.thread.joinable()) agent.thread.join();
    EXPECT_EQ(agent.served.load(), 2);
    EXPECT_FALSE(fs::exists("active/" + id));
}

TEST_F(SchedulerTest, AnAgentDeferralMovesTheMessageToDeferredWithBackoff) {
    std::string id = queueMessage({"bob@example.org"});
    FakeAgent agent;
    agent.start(delivery::kStatusDefer, 1);
    Scheduler scheduler(&settings_, routing_.get());
    time_t before = std::time(nullptr);
    runUntilIdle(scheduler);
    if (agent.thread.joinable()) agent.thread.join();
    std::string path = "deferred/" + std::string(1, id[0]) + "/" + id;
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0) << "not in the deferred queue";
    EXPECT_GE(st.st_mtime, before + settings_.minimalBackoff);
    EXPECT_LE(st.st_mtime, std::time(nullptr) + settings_.maximalBackoff);
}

TEST_F(SchedulerTest, ADeferredMessagePastItsWarnTimeGetsOneDelayWarning) {
    std::string id = queueMessage({"bob@example.org"}, std::time(nullptr) - 10);
    FakeAgent agent, defer;
    agent.start(delivery::kStatusDefer, 1);
    defer.start(0, 1, "private/defer");
    Scheduler scheduler(&settings_, routing_.get());
    runUntilIdle(scheduler);
    if (agent.thread.joinable()) agent.thread.join();
    if (defer.thread.joinable()) defer.thread.join();
    EXPECT_EQ(defer.bounceCommand, "2");  // BOUNCE_CMD_WARN
    std::string path = "deferred/" + std::string(1, id[0]) + "/" + id;
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    char expected[32];
    std::snprintf(expected, sizeof expected, "W%c%15ld", 15, -1L);
    EXPECT_NE(bytes.find(std::string(expected, 17)), std::string::npos) << "the W record was not cleared";
}

TEST_F(SchedulerTest, WithoutAnAgentTheRecipientIsDeferredAndLogged) {
    std::string id = queueMessage({"bob@example.org"});
    Scheduler scheduler(&settings_, routing_.get());
    runUntilIdle(scheduler);
    std::string path = "deferred/" + std::string(1, id[0]) + "/" + id;
    EXPECT_TRUE(fs::exists(path));
    std::string log = "defer/" + std::string(1, id[0]) + "/" + id;
    ASSERT_TRUE(fs::exists(log));
    std::ifstream in(log);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("recipient=bob@example.org"), std::string::npos) << text;
    EXPECT_NE(text.find("reason=unknown mail transport error"), std::string::npos) << text;
}

TEST_F(SchedulerTest, AnIncompleteFileIsLeftInIncoming) {
    std::string path = "incoming/4ABCX";
    std::ofstream(path, std::ios::binary) << queueFileBytes({"bob@example.org"});
    ::chmod(path.c_str(), 0600);  // still being written
    Scheduler scheduler(&settings_, routing_.get());
    runUntilIdle(scheduler);
    EXPECT_TRUE(fs::exists(path));
}

TEST_F(SchedulerTest, StartUpReturnsActiveMessagesToIncoming) {
    std::string id = queueMessage({"bob@example.org"});
    fs::rename("incoming/" + id, "active/" + id);
    Scheduler scheduler(&settings_, routing_.get());
    scheduler.recoverActive();
    EXPECT_TRUE(fs::exists("incoming/" + id));
    EXPECT_FALSE(fs::exists("active/" + id));
}

}  // namespace
}  // namespace postline::qmgr
