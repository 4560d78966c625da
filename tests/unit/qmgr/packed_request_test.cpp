// The active queue's packed delivery request: every attribute comes back as it went
// in, empty strings, long ones and ones with NUL bytes included.
#include "packed_request.h"

#include <gtest/gtest.h>

namespace postline::qmgr {
namespace {

TEST(PackedRequest, EveryAttributeComesBack) {
    delivery::DeliverRequest r;
    r.flags = delivery::kFlagDefault | delivery::kFlagUserVerify;
    r.queueName = "active";
    r.queueId = "3F2A91C04";
    r.dataOffset = 1234;
    r.dataSize = 56789;
    r.nexthop = "example.com";
    r.encoding = "8bit";
    r.sendopts = 3;
    r.sender = std::string("odd\0sender@example.org", 22);
    r.dsnEnvid = std::string(3000, 'e');
    r.dsnRet = 2;
    r.arrivalTime = 1800000000.123456;
    r.activeTime = 1800000001.5;
    r.handoffTime = 0;
    r.clientName = "client.example";
    r.clientAddress = "192.0.2.7";
    r.clientPort = "54321";
    r.protocolName = "ESMTP";
    r.heloName = "helo.example";
    r.saslMethod = "PLAIN";
    r.saslUsername = "user";
    r.saslSender = "";
    r.logIdent = "3F2A91C04";
    r.rewriteContext = "remote";
    r.recipients.push_back({"", "bob@example.com", "", 0, 99});
    PackedRequest packed(r);
    EXPECT_EQ(packed.flags(), r.flags);
    EXPECT_EQ(packed.sender(), r.sender);
    delivery::DeliverRequest back = packed.unpack();
    EXPECT_TRUE(back.recipients.empty());
    back.recipients = r.recipients;
    EXPECT_EQ(delivery::encodeDeliverRequest(back), delivery::encodeDeliverRequest(r));
    EXPECT_EQ(back.dsnEnvid, r.dsnEnvid);
    EXPECT_EQ(back.arrivalTime, r.arrivalTime);
    // A default one (nothing packed yet) is a default request.
    EXPECT_EQ(PackedRequest().sender(), "");
    EXPECT_EQ(delivery::encodeDeliverRequest(PackedRequest().unpack()),
              delivery::encodeDeliverRequest(delivery::DeliverRequest{}));
}

}  // namespace
}  // namespace postline::qmgr
