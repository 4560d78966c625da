// pipe(8) verifying instead of delivering (sendmail -bv, DEL_REQ_FLAG_USR_VRFY): every
// recipient "delivers to command: PROGRAM" (pipe.c), the command not run, the
// recipients marked done, the would-be outcome in the trace log.
#include <gtest/gtest.h>

#include <filesystem>

#include "delivery/agent_queue_fixture.h"
#include "pipe_core.h"
#include "postline/queue/bounce_log.h"

namespace postline::pipe {
namespace {

using delivery::testing::State;

class PipeVerifyTest : public delivery::testing::AgentQueueFixture {};

TEST_F(PipeVerifyTest, TheCommandIsNamedNotRun) {
    std::string out = root_ + "/ran";
    auto attr = parseAttributes(
        {"user=filter", "argv=/bin/sh", "-c", "touch " + out},
        [](const std::string&) {
            return std::optional<UserEntry>(UserEntry{5000, 5000});
        },
        [](const std::string&) { return std::optional<gid_t>(5000); });
    ASSERT_TRUE(attr) << attr.error().message;
    PipeEnvironment env;
    env.service = "filter";
    env.attributes = *attr;
    env.warn = [](std::string_view) {};
    delivery::DeliverRequest r = request();
    r.flags |= delivery::kFlagUserVerify;
    auto d = open(r);
    ASSERT_TRUE(d);
    EXPECT_EQ(deliverPipe(env, *d).status, delivery::kStatusFinal);
    EXPECT_FALSE(std::filesystem::exists(out));
    EXPECT_EQ(states(), (std::vector<State>{State::Done, State::Done}));
    ASSERT_EQ(log_.size(), 2u);
    EXPECT_NE(log_[0].find(", relay=filter, "), std::string::npos) << log_[0];
    EXPECT_NE(log_[0].find("dsn=2.0.0, status=deliverable (delivers to command: /bin/sh)"), std::string::npos)
        << log_[0];
    auto entries = queue::readBounceLog(root_ + "/trace/" + id_);
    ASSERT_TRUE(entries.ok());
    ASSERT_EQ(entries->size(), 2u);
    EXPECT_EQ((*entries)[1].reason, "delivery via filter: delivers to command: /bin/sh");
}

}  // namespace
}  // namespace postline::pipe
