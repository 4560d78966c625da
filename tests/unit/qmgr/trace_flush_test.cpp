// The queue manager's trace flush (Postfix's qmgr_active.c, qmgr_active_done_2 and
// atrace_flush): a finished message with a NOTIFY=SUCCESS recipient, or with a trace
// log, makes qmgr ask private/trace (BOUNCE_CMD_TRACE) before it is removed; a trace
// service that fails keeps the message, deferred; without either nothing is asked.
#include "qmgr_test_support.h"

namespace postline::qmgr {
namespace {

namespace rec = queue::rec;
namespace fs = std::filesystem;
using testing::FakeService;

class TraceFlushTest : public testing::SpoolTest {
protected:
    // A message to bob with its DSN NOTIFY flags (0: none) and trace flags.
    std::string queueMessage(int notify, int traceFlags = 0) {
        std::vector<std::pair<int, std::string>> envelope{{rec::kAttr, "envelope_id=E42"}};
        if (traceFlags) envelope.emplace_back(rec::kAttr, "trace_flags=" + std::to_string(traceFlags));
        if (notify) envelope.emplace_back(rec::kAttr, "notify_flags=" + std::to_string(notify));
        return SpoolTest::queueMessage(testing::queueFileBytes({"bob@example.org"}, envelope));
    }
    bool deferred(const std::string& id) const { return fs::exists(deferredPath(id)); }
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
    EXPECT_EQ(agent.lastRequest.flags, delivery::kFlagDefault | delivery::kFlagUserVerify);
    ASSERT_EQ(trace.requests.size(), 1u);
    EXPECT_EQ(trace.requests[0].flags, delivery::kFlagUserVerify);
    EXPECT_FALSE(fs::exists("active/" + id));
}

}  // namespace
}  // namespace postline::qmgr
