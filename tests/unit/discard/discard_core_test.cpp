// discard(8)'s per-recipient work (Postfix's discard.c): every recipient "sent" with
// relay=none and the nexthop as the reason, and marked done.
#include "discard_core.h"

#include <gtest/gtest.h>

#include "delivery/agent_queue_fixture.h"

namespace postline::discard {
namespace {

using delivery::testing::State;

class DiscardCoreTest : public delivery::testing::AgentQueueFixture {};

TEST_F(DiscardCoreTest, EveryRecipientIsSentAndDone) {
    auto d = open(request());
    ASSERT_TRUE(d);
    EXPECT_EQ(deliverDiscard(*d).status, delivery::kStatusFinal);
    EXPECT_EQ(states(), (std::vector<State>{State::Done, State::Done}));
    ASSERT_EQ(log_.size(), 2u);
    EXPECT_NE(log_[0].find(": to=<bob@example.com>, relay=none, delay="), std::string::npos) << log_[0];
    EXPECT_NE(log_[0].find(", dsn=2.0.0, status=sent (example.com)"), std::string::npos) << log_[0];
    EXPECT_NE(log_[1].find(": to=<carol@example.com>, orig_to=<Postmaster@example.com>, relay=none, "),
              std::string::npos)
        << log_[1];
    EXPECT_FALSE(std::filesystem::exists(root_ + "/bounce/" + id_));
}

TEST_F(DiscardCoreTest, TheNexthopsStatusIsKeptWhenItIsASuccess) {
    delivery::DeliverRequest r = request();
    r.nexthop = "2.7.0 spam trap";
    r.flags = delivery::kFlagBounce;  // sent recipients are then not marked
    auto d = open(r);
    ASSERT_TRUE(d);
    EXPECT_EQ(deliverDiscard(*d).status, delivery::kStatusFinal);
    EXPECT_EQ(states(), (std::vector<State>{State::Todo, State::Todo}));
    EXPECT_NE(log_[0].find(", dsn=2.7.0, status=sent (spam trap)"), std::string::npos) << log_[0];
}

TEST_F(DiscardCoreTest, ARecipientThatCannotBeMarkedIsNotFinal) {
    delivery::DeliverRequest r = request();
    r.recipients[1].offset = dataOffset_;  // not a recipient record
    auto d = open(r);
    ASSERT_TRUE(d);
    EXPECT_EQ(deliverDiscard(*d).status, delivery::kStatusDefer);
    EXPECT_EQ(states(), (std::vector<State>{State::Done, State::Todo}));
    EXPECT_EQ(log_.back(),
              "warning: update queue file " + id_ + ": no recipient record at offset " + std::to_string(dataOffset_));
}

}  // namespace
}  // namespace postline::discard
