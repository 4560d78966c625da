// The queue manager's scheduler against a spool in a temporary directory and a
// delivery agent played by a thread on private/local: what qmgr sends, and what becomes
// of the message after each kind of answer (removed, deferred with backoff, deferred
// with a defer log when no agent answers, a delay warning).
#include "qmgr_test_support.h"

#include <sys/socket.h>

#include <fstream>
#include <iterator>

namespace postline::qmgr {
namespace {

namespace rec = queue::rec;
namespace fs = std::filesystem;
using testing::FakeService;
using testing::queueFileBytes;

using SchedulerTest = testing::SpoolTest;

TEST_F(SchedulerTest, DeliversThroughTheAgentAndRemovesTheMessage) {
    std::string id = queueMessage(queueFileBytes({"bob@example.org"}));
    FakeService agent;
    agent.start("private/local", false, delivery::kStatusFinal, 1);
    Scheduler scheduler(&settings_, routing_.get());
    runUntilIdle(scheduler);
    agent.join();
    EXPECT_EQ(agent.served.load(), 1);
    EXPECT_EQ(agent.lastRequest.queueId, id);
    EXPECT_EQ(agent.lastRequest.queueName, "active");
    EXPECT_EQ(agent.lastRequest.sender, "alice@example.org");
    ASSERT_EQ(agent.lastRequest.recipients.size(), 1u);
    EXPECT_EQ(agent.lastRequest.recipients[0].address, "bob@example.org");
    EXPECT_GT(agent.lastRequest.recipients[0].offset, 0);
    EXPECT_FALSE(fs::exists("active/" + id));
    EXPECT_FALSE(fs::exists("incoming/" + id));
}

TEST_F(SchedulerTest, LocalRecipientsGoOnePerRequest) {
    // With a recipient limit of 1 (local's default), two requests for two users.
    settings_.defaultRecipientLimit = 1;
    std::string id = queueMessage(queueFileBytes({"bob@example.org", "carol@example.org"}));
    FakeService agent;
    agent.start("private/local", false, delivery::kStatusFinal, 2);
    Scheduler scheduler(&settings_, routing_.get());
    runUntilIdle(scheduler);
    agent.join();
    EXPECT_EQ(agent.served.load(), 2);
    EXPECT_FALSE(fs::exists("active/" + id));
}

TEST_F(SchedulerTest, BackToBackDeliveriesAskForConnectionCaching) {
    // A concurrency limit of 1 holds from the first delivery on (the window starts at
    // the limit, not at initial_destination_concurrency), so the three messages go one
    // after the other: the first alone, the next ones back to back, which turns on
    // on-demand connection caching for the destination (qmgr_entry.c).
    settings_.defaultConcurrencyLimit = 1;
    for (int i = 0; i < 3; ++i) queueMessage(queueFileBytes({"bob@example.org"}));
    FakeService agent;
    agent.start("private/local", false, delivery::kStatusFinal, 3);
    Scheduler scheduler(&settings_, routing_.get());
    runUntilIdle(scheduler);
    agent.join();
    ASSERT_EQ(agent.flags.size(), 3u);
    EXPECT_EQ(agent.flags[0] & delivery::kFlagConnMask, 0);
    EXPECT_EQ(agent.flags[1] & delivery::kFlagConnMask, delivery::kFlagConnMask);
    EXPECT_EQ(agent.flags[2] & delivery::kFlagConnMask, delivery::kFlagConnMask);
}

// Destinations take turns when the transport's processes are all busy (here its one
// process): after a delivery for one, the next free process goes to the next
// destination with mail, not back to the first in name order.
TEST_F(SchedulerTest, DestinationsTakeTurns) {
    settings_.defaultRecipientLimit = 1;  // a destination per local recipient
    settings_.processLimit = 1;
    for (const char* user : {"amy", "amy", "amy", "zoe", "zoe", "zoe"})
        queueMessage(queueFileBytes({std::string(user) + "@example.org"}));
    FakeService agent;
    agent.start("private/local", false, delivery::kStatusFinal, 6);
    Scheduler scheduler(&settings_, routing_.get());
    runUntilIdle(scheduler);
    agent.join();
    std::vector<std::string> want = {"amy@example.org", "zoe@example.org", "amy@example.org",
                                     "zoe@example.org", "amy@example.org", "zoe@example.org"};
    EXPECT_EQ(agent.firstRecipients, want);
}

// A destination with nothing left to deliver is forgotten (qmgr_queue_done), so the
// queue manager's memory does not grow with every destination it ever delivered to; a
// dead one is kept until it may be tried again.
TEST_F(SchedulerTest, FinishedDestinationsAreForgotten) {
    settings_.defaultRecipientLimit = 1;
    for (int i = 0; i < 20; ++i) queueMessage(queueFileBytes({"user" + std::to_string(i) + "@example.org"}));
    FakeService agent;
    agent.start("private/local", false, delivery::kStatusFinal, 20);
    Scheduler scheduler(&settings_, routing_.get());
    runUntilIdle(scheduler);
    agent.join();
    EXPECT_EQ(agent.served.load(), 20);
    EXPECT_EQ(scheduler.destinations(), 0u);

    // A destination made dead by a hop failure (with a window of 1, one failure is a
    // whole failed cohort) stays: its suspension must hold.
    settings_.initialConcurrency = 1;
    fs::remove("private/local");
    queueMessage(queueFileBytes({"late@example.org"}));
    FakeService failing;
    failing.hop = delivery::Dsn{
        "4.4.1", "delayed", "connect to mx.example.org[192.0.2.1]:25: Connection refused", "", "", "", ""};
    failing.start("private/local", false, delivery::kStatusDefer, 1);
    runUntilIdle(scheduler);
    failing.join();
    EXPECT_EQ(scheduler.destinations(), 1u);
}

// A destination that cannot be reached (the agent's hop status): with the default
// failed cohort limit of 1, as many failures in a row as the window is wide make it
// dead, and what waits for it is deferred by the queue manager itself, "delivery
// temporarily suspended: " before the agent's reason (qmgr_queue_throttle).
TEST_F(SchedulerTest, FailuresNarrowTheWindowUntilTheDestinationIsDead) {
    settings_.initialConcurrency = 2;
    std::vector<std::string> ids;
    for (int i = 0; i < 4; ++i) ids.push_back(queueMessage(queueFileBytes({"bob@example.org"})));
    FakeService agent;
    agent.hop = delivery::Dsn{"4.4.1", "delayed", "connect to mx.example.org[192.0.2.1]:25: Connection refused", "", "",
                              "",      ""};
    agent.start("private/local", false, delivery::kStatusDefer, 4);
    Scheduler scheduler(&settings_, routing_.get());
    runUntilIdle(scheduler);
    ::shutdown(agent.listener, SHUT_RDWR);  // the agent is not asked a third time
    agent.join();
    // Window 2: the first failure counts half a cohort and narrows it to 1; the second
    // completes the cohort.
    EXPECT_EQ(agent.served.load(), 2);
    int suspended = 0;
    for (const std::string& id : ids) {
        EXPECT_TRUE(fs::exists(deferredPath(id))) << id;
        std::ifstream log("defer/" + id.substr(0, 1) + "/" + id);
        std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
        if (text.find("reason=delivery temporarily suspended: connect to mx.example.org") != std::string::npos)
            ++suspended;
    }
    EXPECT_EQ(suspended, 2);
}

// defer_transports holds mail back until a flush ("F": postqueue -f, sendmail -q)
// lifts it for the scans it asks for (QMGR_FLUSH_DFXP).
TEST_F(SchedulerTest, AFlushDeliversThroughADeferredTransport) {
    settings_.deferTransports = {"local"};
    for (bool flush : {false, true}) {
        std::string id = queueMessage(queueFileBytes({"bob@example.org"}));
        fs::remove("private/local");  // the first round's agent socket
        FakeService agent;
        agent.start("private/local", false, delivery::kStatusFinal, 1);
        Scheduler scheduler(&settings_, routing_.get());
        if (flush) scheduler.trigger("F");
        runUntilIdle(scheduler);
        ::shutdown(agent.listener, SHUT_RDWR);
        agent.join();
        EXPECT_EQ(agent.served.load(), flush ? 1 : 0) << (flush ? "flushed" : "not flushed");
        EXPECT_EQ(fs::exists("active/" + id) || fs::exists(deferredPath(id)), !flush) << id;
        if (!flush) fs::remove(deferredPath(id));
    }
}

TEST_F(SchedulerTest, AnAgentDeferralMovesTheMessageToDeferredWithBackoff) {
    std::string id = queueMessage(queueFileBytes({"bob@example.org"}));
    FakeService agent;
    agent.start("private/local", false, delivery::kStatusDefer, 1);
    Scheduler scheduler(&settings_, routing_.get());
    time_t before = std::time(nullptr);
    runUntilIdle(scheduler);
    agent.join();
    struct stat st {};
    ASSERT_EQ(::stat(deferredPath(id).c_str(), &st), 0) << "not in the deferred queue";
    EXPECT_GE(st.st_mtime, before + settings_.minimalBackoff);
    EXPECT_LE(st.st_mtime, std::time(nullptr) + settings_.maximalBackoff);
}

TEST_F(SchedulerTest, ADeferredMessagePastItsWarnTimeGetsOneDelayWarning) {
    char warn[32];
    std::snprintf(warn, sizeof warn, "%15ld", long(std::time(nullptr) - 10));
    std::string id = queueMessage(queueFileBytes({"bob@example.org"}, {{rec::kWarn, warn}}));
    FakeService agent, defer;
    agent.start("private/local", false, delivery::kStatusDefer, 1);
    defer.start("private/defer", true, 0, 1);
    Scheduler scheduler(&settings_, routing_.get());
    runUntilIdle(scheduler);
    agent.join();
    defer.join();
    ASSERT_EQ(defer.requests.size(), 1u);
    EXPECT_EQ(defer.requests[0].command, delivery::BounceCommand::Warn);
    std::ifstream in(deferredPath(id), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    char expected[32];
    std::snprintf(expected, sizeof expected, "W%c%15ld", 15, -1L);
    EXPECT_NE(bytes.find(std::string(expected, 17)), std::string::npos) << "the W record was not cleared";
}

TEST_F(SchedulerTest, WithoutAnAgentTheRecipientIsDeferredAndLogged) {
    std::string id = queueMessage(queueFileBytes({"bob@example.org"}));
    Scheduler scheduler(&settings_, routing_.get());
    runUntilIdle(scheduler);
    EXPECT_TRUE(fs::exists(deferredPath(id)));
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
    std::string id = queueMessage(queueFileBytes({"bob@example.org"}));
    fs::rename("incoming/" + id, "active/" + id);
    Scheduler scheduler(&settings_, routing_.get());
    scheduler.recoverActive();
    EXPECT_TRUE(fs::exists("incoming/" + id));
    EXPECT_FALSE(fs::exists("active/" + id));
}

}  // namespace
}  // namespace postline::qmgr
