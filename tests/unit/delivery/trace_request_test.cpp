// The queue manager's trace flush request (Postfix's abounce.c atrace_flush,
// BOUNCE_CMD_TRACE = 5): the same attributes as a bounce flush, nrequest 5.
#include <gtest/gtest.h>

#include "postline/delivery/bounce_request.h"

namespace postline::delivery {
namespace {

TEST(TraceRequest, RoundTripsAsCommandFive) {
    BounceRequest r;
    r.command = BounceCommand::Trace;
    r.queueName = "active";
    r.queueId = "4ABCDEF";
    r.encoding = "7bit";
    r.sender = "alice@example.org";
    r.dsnEnvid = "env-1";
    r.dsnRet = 2;
    std::string wire = encodeBounceRequest(r);
    EXPECT_EQ(wire.rfind(std::string("nrequest") + '\0' + "5" + '\0', 0), 0u);
    queue::attr::GroupScanner scanner;
    ASSERT_TRUE(scanner.feed(wire).ok());
    ASSERT_TRUE(scanner.complete());
    auto back = decodeBounceRequest(scanner.attributes());
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back->command, BounceCommand::Trace);
    EXPECT_EQ(back->queueId, "4ABCDEF");
    EXPECT_EQ(back->sender, "alice@example.org");
    EXPECT_EQ(back->dsnEnvid, "env-1");
    EXPECT_EQ(back->dsnRet, 2);
}

}  // namespace
}  // namespace postline::delivery
