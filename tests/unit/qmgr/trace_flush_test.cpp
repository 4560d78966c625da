// The queue manager's trace flush (Postfix's qmgr_active.c, qmgr_active_done_2 and
// atrace_flush): a finished message with a NOTIFY=SUCCESS recipient, or with a trace
// log, makes qmgr ask private/trace (BOUNCE_CMD_TRACE) before it is removed; a trace
// service that fails keeps the message, deferred; without either nothing is asked.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
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
#include "scheduler.h"

namespace postline::qmgr {
namespace {

namespace rec = queue::rec;
namespace fs = std::filesystem;

// A complete queue file with one recipient and its DSN NOTIFY flags (0: none).
std::string queueFile(const std::string& recipient, int notify, int traceFlags = 0) {
    std::string envelope;
    queue::appendRecord(envelope, rec::kTime, "1700000000 0");
    queue::appendRecord(envelope, rec::kCreateTime, std::to_string(std::time(nullptr)));
    queue::appendRecord(envelope, rec::kFrom, "alice@example.org");
    queue::appendRecord(envelope, rec::kAttr, "envelope_id=E42");
    if (traceFlags) queue::appendRecord(envelope, rec::kAttr, "trace_flags=" + std::to_string(traceFlags));
    if (notify) queue::appendRecord(envelope, rec::kAttr, "notify_flags=" + std::to_string(notify));
    queue::appendRecord(envelope, rec::kRcpt, recipient);
    std::string mesg, content, tail;
    queue::appendRecord(mesg, rec::kMesg, "");
    queue::appendRecord(content, rec::kNorm, "Subject: test");
    queue::appendRecord(content, rec::kNorm, "");
    queue::appendRecord(content, rec::kNorm, "hello");
    queue::appendRecord(tail, rec::kXtra, "");
    queue::appendRecord(tail, rec::kEnd, "");
    queue::SizeFields f;
    std::string probe;
    queue::appendRecord(probe, rec::kSize, queue::formatSizeFields(f));
    f.contentOffset = long(probe.size() + envelope.size() + mesg.size());
    f.extractedOffsetDelta = long(content.size());
    f.contentLength = long(content.size());
    f.recipients = 1;
    std::string out;
    queue::appendRecord(out, rec::kSize, queue::formatSizeFields(f));
    return out + envelope + mesg + content + tail;
}

// A service on a UNIX socket that answers each connection: a delivery agent (every
// request final) or a bounce-protocol service (the given status), remembering the
// bounce requests.
struct FakeService {
    int listener = -1;
    std::thread thread;
    std::atomic<int> served{0};
    std::vector<delivery::BounceRequest> requests;
    int agentFlags = -1;  // the last delivery request's flags

    void start(const char* path, bool bounce, int status, int connections) {
        listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strcpy(addr.sun_path, path);
        ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
        ASSERT_EQ(::listen(listener, 10), 0);
        thread = std::thread([this, bounce, status, connections] {
            for (int i = 0; i < connections; ++i) {
                int fd = ::accept(listener, nullptr, nullptr);
                if (fd < 0) return;
                std::string pending;
                (void)queue::attr::writeAll(fd, bounce ? delivery::encodeBounceHello() : delivery::encodeAgentHello());
                if (auto group = queue::attr::readGroup(fd, pending)) {
                    if (bounce) {
                        if (auto request = delivery::decodeBounceRequest(*group)) requests.push_back(*request);
                        (void)queue::attr::writeAll(fd, delivery::encodeBounceReply(status));
                    } else {
                        if (auto request = delivery::decodeDeliverRequest(*group)) agentFlags = request->flags;
                        (void)queue::attr::writeAll(fd, delivery::encodeDeliverReply({}));
                    }
                }
                ::close(fd);
                ++served;
            }
        });
    }
    void join() {
        if (thread.joinable()) thread.join();
    }
    ~FakeService() {
        join();
        if (listener >= 0) ::close(listener);
    }
};

class TraceFlushTest : public ::testing::Test {
protected:
    void SetUp() override {
        char pattern[] = "/tmp/qmgr_trace_test.XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        root_ = pattern;
        cwd_ = fs::current_path();
        for (const char* d : {"incoming", "active", "deferred", "defer", "bounce", "trace", "corrupt", "private"})
            fs::create_directory(root_ + "/" + d);
        fs::current_path(root_);
        config_.set("myhostname", "mail.example.org");
        config_.set("mydomain", "example.org");
        config_.set("mydestination", "example.org");
        routing_ = std::make_unique<address::RoutingContext>(config_);
        routing_->setDeliveryServices({"local", "smtp", "error", "discard"});
        settings_.ipcTimeout = 2;
    }
    void TearDown() override {
        fs::current_path(cwd_);
        fs::remove_all(root_);
    }
    std::string queueMessage(int notify, int traceFlags = 0) {
        std::string id = "4TRC" + std::to_string(++serial_);
        std::ofstream("incoming/" + id, std::ios::binary) << queueFile("bob@example.org", notify, traceFlags);
        ::chmod(("incoming/" + id).c_str(), 0700);
        return id;
    }
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
    bool deferred(const std::string& id) const { return fs::exists("deferred/" + std::string(1, id[0]) + "/" + id); }

    std::string root_, cwd_;
    int serial_ = 0;
    config::Config config_ = config::Config::defaults("/nonexistent");
    std::unique_ptr<address::RoutingContext> routing_;
    QmgrSettings settings_;
};

TEST_F(TraceFlushTest, NotifySuccessAsksTheTraceServiceBeforeRemoval) {
    std::string id = queueMessage(2 | 4);  // NOTIFY=SUCCESS,FAILURE
    FakeService agent, trace;
    agent.start("private/local", false, 0, 1);
    trace.start("private/trace", true, 0, 1);
    Scheduler scheduler(&settings_, routing_.get());
    runUntilIdle(scheduler);
    agent.join();
    trace.join();
    ASSERT_EQ(trace.requests.size(), 1u);
    const delivery::BounceRequest& r = trace.requests[0];
    EXPECT_EQ(r.command, delivery::BounceCommand::Trace);
    EXPECT_EQ(r.queueName, "active");
    EXPECT_EQ(r.queueId, id);
    EXPECT_EQ(r.sender, "alice@example.org");
    EXPECT_EQ(r.dsnEnvid, "E42");
    EXPECT_FALSE(fs::exists("active/" + id));
    EXPECT_FALSE(deferred(id));
}

TEST_F(TraceFlushTest, ATraceServiceFailureKeepsTheMessage) {
    std::string id = queueMessage(2);
    FakeService agent, trace;
    agent.start("private/local", false, 0, 1);
    trace.start("private/trace", true, -1, 1);
    Scheduler scheduler(&settings_, routing_.get());
    runUntilIdle(scheduler);
    agent.join();
    trace.join();
    EXPECT_EQ(trace.served.load(), 1);
    EXPECT_TRUE(deferred(id));
}

TEST_F(TraceFlushTest, WithoutSuccessNotifyOrTraceLogNothingIsAsked) {
    // No private/trace at all: asking would fail and keep the message.
    std::string id = queueMessage(4);  // NOTIFY=FAILURE
    FakeService agent;
    agent.start("private/local", false, 0, 1);
    Scheduler scheduler(&settings_, routing_.get());
    runUntilIdle(scheduler);
    agent.join();
    EXPECT_FALSE(fs::exists("active/" + id));
    EXPECT_FALSE(deferred(id));
}

TEST_F(TraceFlushTest, ATraceLogFromAnEarlierAttemptIsReported) {
    std::string id = queueMessage(0);
    std::ofstream("trace/" + id) << "recipient=carol@example.org\nstatus=2.0.0\naction=delivered\nreason=x\n\n";
    FakeService agent, trace;
    agent.start("private/local", false, 0, 1);
    trace.start("private/trace", true, 0, 1);
    Scheduler scheduler(&settings_, routing_.get());
    runUntilIdle(scheduler);
    agent.join();
    trace.join();
    ASSERT_EQ(trace.requests.size(), 1u);
    EXPECT_EQ(trace.requests[0].queueId, id);
    EXPECT_FALSE(fs::exists("active/" + id));
}

}  // namespace
}  // namespace postline::qmgr

namespace postline::qmgr {
namespace {

TEST_F(TraceFlushTest, UserVerificationGoesToTheAgentAndTheTraceService) {
    std::string id = queueMessage(0, delivery::kFlagUserVerify);
    FakeService agent, trace;
    agent.start("private/local", false, 0, 1);
    trace.start("private/trace", true, 0, 1);
    Scheduler scheduler(&settings_, routing_.get());
    runUntilIdle(scheduler);
    agent.join();
    trace.join();
    // The agent verifies instead of delivering; the report is the verify one.
    EXPECT_EQ(agent.agentFlags, delivery::kFlagDefault | delivery::kFlagUserVerify);
    ASSERT_EQ(trace.requests.size(), 1u);
    EXPECT_EQ(trace.requests[0].flags, delivery::kFlagUserVerify);
    EXPECT_FALSE(fs::exists("active/" + id));
}

}  // namespace
}  // namespace postline::qmgr
