// The bounce service's requests (Postfix's bounce.c bounce_flush/bounce_warn): round
// trip, strict order, unknown commands and the status reply.
#include "postline/delivery/bounce_request.h"

#include <gtest/gtest.h>

namespace postline::delivery {
namespace {

namespace attr = queue::attr;

attr::Attributes scan(const std::string& bytes) {
    attr::GroupScanner scanner;
    auto used = scanner.feed(bytes);
    EXPECT_TRUE(used.ok());
    EXPECT_TRUE(scanner.complete());
    return scanner.attributes();
}

TEST(BounceRequest, RoundTrip) {
    BounceRequest in;
    in.command = BounceCommand::Warn;
    in.flags = 1;
    in.queueName = "deferred";
    in.queueId = "ABC123";
    in.encoding = "7bit";
    in.sendopts = 0;
    in.sender = "";
    in.dsnEnvid = "e";
    in.dsnRet = 1;
    attr::Attributes group = scan(encodeBounceRequest(in));
    ASSERT_EQ(group.size(), 9u);
    EXPECT_EQ(group[0], (std::pair<std::string, std::string>{"nrequest", "2"}));
    auto out = decodeBounceRequest(group);
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_EQ(out->command, BounceCommand::Warn);
    EXPECT_EQ(out->flags, 1);
    EXPECT_EQ(out->queueName, "deferred");
    EXPECT_EQ(out->queueId, "ABC123");
    EXPECT_EQ(out->encoding, "7bit");
    EXPECT_EQ(out->sender, "");
    EXPECT_EQ(out->dsnEnvid, "e");
    EXPECT_EQ(out->dsnRet, 1);
}

TEST(BounceRequest, MissingAndUnknown) {
    attr::Attributes group = scan(encodeBounceRequest(BounceRequest{}));
    group.erase(group.begin() + 6);  // sender
    auto out = decodeBounceRequest(group);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().message, "unexpected attribute envelope_id (expecting: sender)");

    attr::Attributes verp = scan(encodeBounceRequest(BounceRequest{}));
    verp[0].second = "3";
    auto v = decodeBounceRequest(verp);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().message, "unknown command: 3");
}

TEST(BounceRequest, HelloAndReply) {
    EXPECT_TRUE(checkBounceHello(scan(encodeBounceHello())).ok());
    EXPECT_EQ(scan(encodeBounceHello())[0].second, "delivery_status_protocol");
    EXPECT_FALSE(checkBounceHello({{"protocol", "delivery_request_protocol"}}).ok());
    auto ok = decodeBounceReply(scan(encodeBounceReply(0)));
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(*ok, 0);
    auto failed = decodeBounceReply(scan(encodeBounceReply(-1)));
    ASSERT_TRUE(failed.ok());
    EXPECT_EQ(*failed, -1);
    EXPECT_FALSE(decodeBounceReply({}).ok());
}

}  // namespace
}  // namespace postline::delivery
