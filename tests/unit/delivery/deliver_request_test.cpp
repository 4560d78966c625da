// The delivery request protocol (Postfix's deliver_request.c / qmgr_deliver.c): the
// request and reply survive an encode-decode round trip, and the decoder refuses what
// attr_scan0's strict reading refuses.
#include "postline/delivery/deliver_request.h"

#include <gtest/gtest.h>

#include <string>

namespace postline::delivery {
namespace {

namespace attr = queue::attr;

attr::Attributes scan(const std::string& bytes) {
    attr::GroupScanner scanner;
    auto used = scanner.feed(bytes);
    EXPECT_TRUE(used.ok());
    EXPECT_TRUE(scanner.complete());
    EXPECT_EQ(*used, bytes.size());
    return scanner.attributes();
}

DeliverRequest sample() {
    DeliverRequest r;
    r.flags = kFlagDefault | (1 << 13);
    r.queueName = "active";
    r.queueId = "4QxYz12abc";
    r.dataOffset = 612;
    r.dataSize = 1234;
    r.nexthop = "example.com";
    r.encoding = "8bit";
    r.sendopts = 2;
    r.sender = "alice@example.org";
    r.dsnEnvid = "env-1";
    r.dsnRet = 2;
    r.arrivalTime = 1700000000.125;
    r.activeTime = 1700000001.5;
    r.handoffTime = 1700000001.000001;
    r.clientName = "mail.example.org";
    r.clientAddress = "192.0.2.7";
    r.clientPort = "41234";
    r.protocolName = "ESMTP";
    r.heloName = "helo.example.org";
    r.saslMethod = "PLAIN";
    r.saslUsername = "alice";
    r.saslSender = "";
    r.logIdent = "4QxYz12abc";
    r.rewriteContext = "remote";
    r.recipients.push_back({"Bob@Example.com", "bob@example.com", "rfc822;Bob@Example.com", 6, 700});
    r.recipients.push_back({"", "carol@example.com", "", 0, 745});
    return r;
}

TEST(DeliverRequest, RoundTrip) {
    DeliverRequest in = sample();
    auto out = decodeDeliverRequest(scan(encodeDeliverRequest(in)));
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_EQ(out->flags, in.flags);
    EXPECT_EQ(out->queueName, "active");
    EXPECT_EQ(out->queueId, in.queueId);
    EXPECT_EQ(out->dataOffset, 612);
    EXPECT_EQ(out->dataSize, 1234);
    EXPECT_EQ(out->nexthop, "example.com");
    EXPECT_EQ(out->encoding, "8bit");
    EXPECT_EQ(out->sendopts, 2);
    EXPECT_EQ(out->sender, in.sender);
    EXPECT_EQ(out->dsnEnvid, "env-1");
    EXPECT_EQ(out->dsnRet, 2);
    EXPECT_DOUBLE_EQ(out->arrivalTime, in.arrivalTime);
    EXPECT_DOUBLE_EQ(out->activeTime, in.activeTime);
    EXPECT_NEAR(out->handoffTime, in.handoffTime, 1e-7);
    EXPECT_EQ(out->clientName, in.clientName);
    EXPECT_EQ(out->clientAddress, in.clientAddress);
    EXPECT_EQ(out->clientPort, in.clientPort);
    EXPECT_EQ(out->protocolName, "ESMTP");
    EXPECT_EQ(out->heloName, in.heloName);
    EXPECT_EQ(out->saslMethod, "PLAIN");
    EXPECT_EQ(out->saslUsername, "alice");
    EXPECT_EQ(out->saslSender, "");
    EXPECT_EQ(out->logIdent, in.logIdent);
    EXPECT_EQ(out->rewriteContext, "remote");
    ASSERT_EQ(out->recipients.size(), 2u);
    EXPECT_EQ(out->recipients[0].original, "Bob@Example.com");
    EXPECT_EQ(out->recipients[0].address, "bob@example.com");
    EXPECT_EQ(out->recipients[0].dsnOrcpt, "rfc822;Bob@Example.com");
    EXPECT_EQ(out->recipients[0].dsnNotify, 6);
    EXPECT_EQ(out->recipients[0].offset, 700);
    EXPECT_EQ(out->recipients[1].original, "");
    EXPECT_EQ(out->recipients[1].address, "carol@example.com");
    EXPECT_EQ(out->recipients[1].offset, 745);
}

TEST(DeliverRequest, WireOrderIsPostfixs) {
    attr::Attributes group = scan(encodeDeliverRequest(sample()));
    std::vector<std::string> names;
    for (const auto& [name, value] : group) names.push_back(name);
    std::vector<std::string> want = {"flags",
                                     "queue_name",
                                     "queue_id",
                                     "offset",
                                     "size",
                                     "nexthop",
                                     "encoding",
                                     "smtputf8",
                                     "sender",
                                     "envelope_id",
                                     "ret_flags",
                                     "arrival_time",
                                     "active_time",
                                     "agent_handoff_time",
                                     "log_client_name",
                                     "log_client_address",
                                     "log_client_port",
                                     "log_protocol_name",
                                     "log_helo_name",
                                     "sasl_method",
                                     "sasl_username",
                                     "sasl_sender",
                                     "log_ident",
                                     "rewrite_context",
                                     "recipient_count"};
    for (int i = 0; i < 2; ++i)
        for (const char* n : {"original_recipient", "recipient", "offset", "dsn_orig_rcpt", "notify_flags"})
            want.push_back(n);
    EXPECT_EQ(names, want);
    EXPECT_EQ(group[11].second, "1700000000.125000");
}

TEST(DeliverRequest, MissingAttribute) {
    attr::Attributes group = scan(encodeDeliverRequest(sample()));
    group.erase(group.begin() + 5);  // nexthop
    auto out = decodeDeliverRequest(group);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().message, "unexpected attribute encoding (expecting: nexthop)");

    attr::Attributes shortGroup(group.begin(), group.begin() + 3);
    auto cut = decodeDeliverRequest(shortGroup);
    ASSERT_FALSE(cut.ok());
    EXPECT_EQ(cut.error().message, "missing attribute offset");
}

TEST(DeliverRequest, RecipientCountMismatch) {
    attr::Attributes group = scan(encodeDeliverRequest(sample()));
    for (auto& [name, value] : group)
        if (name == "recipient_count") value = "3";
    auto out = decodeDeliverRequest(group);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().message, "recipient count 3 does not match the 2 recipients sent");

    // A recipient with an attribute missing is a mismatch too.
    attr::Attributes partial = scan(encodeDeliverRequest(sample()));
    partial.pop_back();
    EXPECT_FALSE(decodeDeliverRequest(partial).ok());
}

TEST(DeliverRequest, NoRecipientsRefused) {
    DeliverRequest r = sample();
    r.recipients.clear();
    auto out = decodeDeliverRequest(scan(encodeDeliverRequest(r)));
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().message, "4QxYz12abc: no recipients in delivery request for destination example.com");
}

TEST(DeliverRequest, MalformedNumbers) {
    attr::Attributes group = scan(encodeDeliverRequest(sample()));
    group[3].second = "12x";
    auto out = decodeDeliverRequest(group);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().message, "malformed numerical data for attribute offset");

    attr::Attributes badTime = scan(encodeDeliverRequest(sample()));
    badTime[12].second = "soon";
    auto t = decodeDeliverRequest(badTime);
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.error().message, "malformed time data for attribute active_time");
}

TEST(DeliverRequest, Hello) {
    EXPECT_EQ(encodeAgentHello(), std::string("protocol\0delivery_request_protocol\0\0", 36));
    EXPECT_TRUE(checkAgentHello(scan(encodeAgentHello())).ok());
    EXPECT_FALSE(checkAgentHello({{"protocol", "cleanup_protocol"}}).ok());
    EXPECT_FALSE(checkAgentHello({}).ok());
}

TEST(DeliverReply, RoundTripWithTwoStatuses) {
    DeliverReply in;
    in.hopStatus = {"4.4.1", "delayed", "connect to mx: Connection refused", "smtp", "421 busy", "dns", "mx.example"};
    in.status = kStatusDefer;
    std::string bytes = encodeDeliverReply(in);
    attr::Attributes group = scan(bytes);
    ASSERT_EQ(group.size(), 8u);
    EXPECT_EQ(group[0], (std::pair<std::string, std::string>{"status", "4.4.1"}));
    // attr_print0 writes an int with "%u".
    EXPECT_EQ(group[7], (std::pair<std::string, std::string>{"status", "4294967295"}));
    auto out = decodeDeliverReply(group);
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_EQ(out->status, kStatusDefer);
    EXPECT_EQ(out->hopStatus.status, "4.4.1");
    EXPECT_EQ(out->hopStatus.action, "delayed");
    EXPECT_EQ(out->hopStatus.reason, "connect to mx: Connection refused");
    EXPECT_EQ(out->hopStatus.dtype, "smtp");
    EXPECT_EQ(out->hopStatus.dtext, "421 busy");
    EXPECT_EQ(out->hopStatus.mtype, "dns");
    EXPECT_EQ(out->hopStatus.mname, "mx.example");

    DeliverReply fin;
    auto f = decodeDeliverReply(scan(encodeDeliverReply(fin)));
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(f->status, kStatusFinal);
}

TEST(DeliverReply, MissingIntStatus) {
    attr::Attributes group = scan(encodeDeliverReply(DeliverReply{}));
    group.pop_back();
    auto out = decodeDeliverReply(group);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().message, "missing attribute status");
    group.emplace_back("status", "0");
    group.emplace_back("extra", "1");
    auto extra = decodeDeliverReply(group);
    ASSERT_FALSE(extra.ok());
    EXPECT_EQ(extra.error().message, "unexpected attribute extra");
}

}  // namespace
}  // namespace postline::delivery
