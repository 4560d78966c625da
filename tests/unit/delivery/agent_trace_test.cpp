// The trace log of NOTIFY=SUCCESS deliveries (Postfix's sent.c and trace.c): a delivered
// recipient that asked for SUCCESS gets an entry in trace/ID before its status line, with
// the agent's action and "delivery via RELAY: " before the reason; others get none; a
// trace log that cannot be written defers the recipient with 4.3.0.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "delivery/agent_queue_fixture.h"
#include "postline/delivery/agent_delivery.h"
#include "postline/queue/bounce_log.h"

namespace postline::delivery {
namespace {

using testing::State;

class AgentTraceTest : public testing::AgentQueueFixture {
protected:
    std::string tracePath() const { return root_ + "/trace/" + id_; }
};

TEST_F(AgentTraceTest, SuccessNotifyIsRecordedInTheTraceLog) {
    auto d = open(request());
    ASSERT_TRUE(d);
    // bob has NOTIFY=SUCCESS,FAILURE (notify_flags=6).
    ASSERT_TRUE(
        d->sent(d->request().recipients[0], "local", {"2.0.0", "", "delivered to mailbox", "", "", "", ""}).ok());
    auto entries = queue::readBounceLog(tracePath());
    ASSERT_TRUE(entries.ok()) << entries.error().message;
    ASSERT_EQ(entries->size(), 1u);
    const queue::BounceLogEntry& e = (*entries)[0];
    EXPECT_EQ(e.recipient, "bob@example.com");
    EXPECT_EQ(e.original, "");  // differs only in case
    EXPECT_EQ(e.dsnNotify, 6);
    EXPECT_EQ(e.offset, bobOffset_);
    EXPECT_EQ(e.status, "2.0.0");
    EXPECT_EQ(e.action, "delivered");
    EXPECT_EQ(e.reason, "delivery via local: delivered to mailbox");
    // Then the status line, and the recipient is done.
    ASSERT_EQ(log_.size(), 1u);
    EXPECT_NE(log_[0].find("status=sent (delivered to mailbox)"), std::string::npos) << log_[0];
    EXPECT_EQ(states(), (std::vector<State>{State::Done, State::Todo}));
}

TEST_F(AgentTraceTest, WithoutSuccessNotifyNothingIsRecorded) {
    auto d = open(request());
    ASSERT_TRUE(d);
    ASSERT_TRUE(
        d->sent(d->request().recipients[1], "local", {"2.0.0", "", "delivered to mailbox", "", "", "", ""}).ok());
    EXPECT_FALSE(std::filesystem::exists(tracePath()));
    EXPECT_EQ(states(), (std::vector<State>{State::Todo, State::Done}));
}

TEST_F(AgentTraceTest, TheAgentsActionAndRemoteMtaAreKept) {
    DeliverRequest r = request();
    r.recipients[1].dsnNotify = kNotifySuccess;
    auto d = open(r);
    ASSERT_TRUE(d);
    Dsn dsn{"2.0.0", "relayed", "250 2.0.0 Ok: queued as X", "smtp", "250 2.0.0 Ok: queued as X", "dns", "mx.example"};
    ASSERT_TRUE(d->sent(d->request().recipients[1], "mx.example[192.0.2.1]:25", dsn).ok());
    // No agent (relay=none): the reason as it is.
    ASSERT_TRUE(d->sent(d->request().recipients[0], "none", {"2.0.0", "", "discarded", "", "", "", ""}).ok());
    auto entries = queue::readBounceLog(tracePath());
    ASSERT_TRUE(entries.ok()) << entries.error().message;
    ASSERT_EQ(entries->size(), 2u);
    EXPECT_EQ((*entries)[0].recipient, "carol@example.com");
    EXPECT_EQ((*entries)[0].original, "Postmaster@example.com");
    EXPECT_EQ((*entries)[0].dsnOrcpt, "rfc822;x@y");
    EXPECT_EQ((*entries)[0].action, "relayed");
    EXPECT_EQ((*entries)[0].reason, "delivery via mx.example[192.0.2.1]:25: 250 2.0.0 Ok: queued as X");
    EXPECT_EQ((*entries)[0].diagType, "smtp");
    EXPECT_EQ((*entries)[0].mtaName, "mx.example");
    EXPECT_EQ((*entries)[1].action, "delivered");
    EXPECT_EQ((*entries)[1].reason, "discarded");
}

TEST_F(AgentTraceTest, ExpandedIsTracedWithoutStatusLineOrMark) {
    auto d = open(request());
    ASSERT_TRUE(d);
    ASSERT_TRUE(
        d->trace(d->request().recipients[0], "local", {"2.0.0", "expanded", "alias expanded", "", "", "", ""}).ok());
    EXPECT_TRUE(log_.empty());
    EXPECT_EQ(states(), (std::vector<State>{State::Todo, State::Todo}));
    auto entries = queue::readBounceLog(tracePath());
    ASSERT_TRUE(entries.ok());
    ASSERT_EQ(entries->size(), 1u);
    EXPECT_EQ((*entries)[0].action, "expanded");
    EXPECT_EQ((*entries)[0].reason, "delivery via local: alias expanded");
}

TEST_F(AgentTraceTest, ATraceLogThatCannotBeWrittenDefers) {
    // A file where trace/ should be: the log cannot be made.
    std::ofstream(root_ + "/trace") << "not a directory\n";
    auto d = open(request());
    ASSERT_TRUE(d);
    auto st = d->sent(d->request().recipients[0], "local", {"2.0.0", "", "delivered to mailbox", "", "", "", ""});
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().message.rfind(id_ + ": trace log: ", 0), 0u) << st.error().message;
    EXPECT_TRUE(d->deferredAny());
    EXPECT_EQ(states(), (std::vector<State>{State::Todo, State::Todo}));
    ASSERT_EQ(log_.size(), 2u);
    EXPECT_EQ(log_[0], "warning: " + id_ + ": trace service failure");
    EXPECT_NE(log_[1].find("dsn=4.3.0, status=deferred (" + id_ + ": trace service failed)"), std::string::npos)
        << log_[1];
    auto deferred = queue::readBounceLog(root_ + "/defer/" + id_.substr(0, 1) + "/" + id_);
    ASSERT_TRUE(deferred.ok());
    ASSERT_EQ(deferred->size(), 1u);
    EXPECT_EQ((*deferred)[0].status, "4.3.0");
    EXPECT_EQ((*deferred)[0].action, "delayed");
}

}  // namespace
}  // namespace postline::delivery

namespace postline::delivery {
namespace {

class AgentVerifyTest : public testing::AgentQueueFixture {
protected:
    std::unique_ptr<AgentDelivery> openVerify() {
        DeliverRequest r = request();
        r.flags = kFlagDefault | kFlagUserVerify;
        return open(r);
    }
};

TEST_F(AgentVerifyTest, WouldBeOutcomesGoToTheTraceLogAndAreMarkedDone) {
    auto d = openVerify();
    ASSERT_TRUE(d);
    EXPECT_TRUE(d->verifyOnly());
    ASSERT_TRUE(
        d->sent(d->request().recipients[0], "local", {"2.0.0", "", "delivers to mailbox", "", "", "", ""}).ok());
    ASSERT_TRUE(d->defer(d->request().recipients[1], "none", {"4.4.1", "", "connect refused", "", "", "", ""}).ok());
    // Nothing waits: the report is all there is.
    EXPECT_FALSE(d->deferredAny());
    EXPECT_EQ(states(), (std::vector<State>{State::Done, State::Done}));
    EXPECT_FALSE(std::filesystem::exists(root_ + "/defer/" + id_.substr(0, 1) + "/" + id_));
    auto entries = queue::readBounceLog(root_ + "/trace/" + id_);
    ASSERT_TRUE(entries.ok()) << entries.error().message;
    ASSERT_EQ(entries->size(), 2u);
    EXPECT_EQ((*entries)[0].action, "deliverable");
    EXPECT_EQ((*entries)[0].reason, "delivery via local: delivers to mailbox");
    EXPECT_EQ((*entries)[1].action, "undeliverable");
    EXPECT_EQ((*entries)[1].status, "4.4.1");
    EXPECT_EQ((*entries)[1].reason, "connect refused");
    ASSERT_EQ(log_.size(), 2u);
    EXPECT_NE(log_[0].find("dsn=2.0.0, status=deliverable (delivers to mailbox)"), std::string::npos) << log_[0];
    EXPECT_NE(log_[1].find("dsn=4.4.1, status=undeliverable (connect refused)"), std::string::npos) << log_[1];
}

TEST_F(AgentVerifyTest, ABounceIsUndeliverableEvenUnderSoftBounce) {
    auto d = openVerify();
    ASSERT_TRUE(d);
    ReportSettings settings;
    settings.softBounce = true;
    d->setReportSettings(settings);
    ASSERT_TRUE(d->bounce(d->request().recipients[1], "local", {"5.1.1", "", "unknown user", "", "", "", ""}).ok());
    EXPECT_FALSE(std::filesystem::exists(root_ + "/bounce/" + id_));
    auto entries = queue::readBounceLog(root_ + "/trace/" + id_);
    ASSERT_TRUE(entries.ok());
    ASSERT_EQ(entries->size(), 1u);
    EXPECT_EQ((*entries)[0].status, "5.1.1");
    EXPECT_EQ((*entries)[0].action, "undeliverable");
    EXPECT_NE(log_.back().find("dsn=5.1.1, status=undeliverable (unknown user)"), std::string::npos);
    EXPECT_EQ(states(), (std::vector<State>{State::Todo, State::Done}));
}

TEST_F(AgentVerifyTest, ATraceLogThatCannotBeWrittenLeavesTheRecipient) {
    std::ofstream(root_ + "/trace") << "not a directory\n";
    auto d = openVerify();
    ASSERT_TRUE(d);
    EXPECT_FALSE(
        d->sent(d->request().recipients[0], "local", {"2.0.0", "", "delivers to mailbox", "", "", "", ""}).ok());
    EXPECT_TRUE(d->deferredAny());
    EXPECT_EQ(states(), (std::vector<State>{State::Todo, State::Todo}));
    ASSERT_EQ(log_.size(), 1u);
    EXPECT_EQ(log_[0], "warning: " + id_ + ": trace service failure");
}

}  // namespace
}  // namespace postline::delivery
