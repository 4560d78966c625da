// error(8)'s per-recipient work (Postfix's error.c): bounced with the nexthop as the
// reason (its leading status kept), or deferred for the "retry" service.
#include "error_core.h"

#include <gtest/gtest.h>

#include "delivery/agent_queue_fixture.h"

namespace postline::error {
namespace {

using delivery::testing::State;

class ErrorCoreTest : public delivery::testing::AgentQueueFixture {};

TEST_F(ErrorCoreTest, BouncesEveryRecipientWithTheNexthopAsReason) {
    delivery::DeliverRequest r = request();
    r.nexthop = "5.1.1 mailbox is gone";
    auto d = open(r);
    ASSERT_TRUE(d);
    delivery::DeliverReply reply = deliverError(*d, false);
    EXPECT_EQ(reply.status, delivery::kStatusFinal);
    EXPECT_EQ(states(), (std::vector<State>{State::Done, State::Done}));
    ASSERT_EQ(log_.size(), 2u);
    EXPECT_NE(log_[0].find(": to=<bob@example.com>, relay=none, delay="), std::string::npos) << log_[0];
    EXPECT_NE(log_[0].find(", dsn=5.1.1, status=bounced (mailbox is gone)"), std::string::npos) << log_[0];
    std::string bounceLog = slurp(root_ + "/bounce/" + id_);
    EXPECT_NE(bounceLog.find("recipient=carol@example.com\n"), std::string::npos) << bounceLog;
    EXPECT_NE(bounceLog.find("status=5.1.1\naction=failed\nreason=mailbox is gone\n"), std::string::npos) << bounceLog;
}

TEST_F(ErrorCoreTest, PlainTextBouncesWith500AndATemporaryStatusIsNotKept) {
    delivery::DeliverRequest r = request();
    r.nexthop = "4.2.2 over quota";
    auto d = open(r);
    ASSERT_TRUE(d);
    EXPECT_EQ(deliverError(*d, false).status, delivery::kStatusFinal);
    ASSERT_FALSE(log_.empty());
    EXPECT_EQ(log_[0], "warning: bounce_append: ignoring dsn code \"4.2.2\"");
    EXPECT_NE(log_[1].find(", dsn=5.0.0, status=bounced (over quota)"), std::string::npos) << log_[1];

    log_.clear();
    r.nexthop = "no such domain";
    r.recipients.resize(1);
    d.reset();
    auto d2 = open(r);
    ASSERT_TRUE(d2);
    EXPECT_EQ(deliverError(*d2, false).status, delivery::kStatusFinal);
    ASSERT_EQ(log_.size(), 1u);
    EXPECT_NE(log_[0].find(", dsn=5.0.0, status=bounced (no such domain)"), std::string::npos) << log_[0];
}

TEST_F(ErrorCoreTest, RetryDefersEveryRecipient) {
    delivery::DeliverRequest r = request();
    r.nexthop = "try later";
    auto d = open(r);
    ASSERT_TRUE(d);
    delivery::DeliverReply reply = deliverError(*d, true);
    EXPECT_EQ(reply.status, delivery::kStatusDefer);
    EXPECT_EQ(reply.hopStatus.status, "");
    EXPECT_EQ(states(), (std::vector<State>{State::Todo, State::Todo}));
    ASSERT_EQ(log_.size(), 2u);
    EXPECT_NE(log_[1].find(", dsn=4.0.0, status=deferred (try later)"), std::string::npos) << log_[1];
    std::string deferLog = slurp(root_ + "/defer/" + id_.substr(0, 1) + "/" + id_);
    EXPECT_NE(deferLog.find("status=4.0.0\naction=delayed\nreason=try later\n"), std::string::npos) << deferLog;
}

TEST_F(ErrorCoreTest, ABounceThatCannotBeRecordedIsNotFinal) {
    std::filesystem::remove_all(root_ + "/bounce");
    std::ofstream(root_ + "/bounce") << "not a directory\n";
    auto d = open(request());
    ASSERT_TRUE(d);
    EXPECT_EQ(deliverError(*d, false).status, delivery::kStatusDefer);
    EXPECT_EQ(states(), (std::vector<State>{State::Todo, State::Todo}));
}

}  // namespace
}  // namespace postline::error
