// The SMTP client verifying addresses (sendmail -bv through smtp(8): Postfix's
// smtp_proto.c with DEL_REQ_TRACE_ONLY and smtp_address_verify_target = rcpt): MAIL and
// RCPT, no DATA and no content; each accepted recipient is Sent with its RCPT reply, a
// refused one fails as usual, then RSET and QUIT.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "postline/smtp/client_session.h"

namespace postline::smtp {
namespace {

ClientOptions verifyOptions() {
    ClientOptions o;
    o.heloName = "client.example";
    o.peer = "mx.example[192.0.2.1]";
    o.peerHost = "mx.example";
    o.nexthop = "example.org";
    o.myHostname = "client.example";
    o.verifyOnly = true;
    return o;
}

TEST(ClientVerify, RcptRepliesAreTheOutcomesAndNoContentIsSent) {
    std::vector<std::string> content = {"Subject: probe", "", ""};
    ClientMessage m;
    m.sender = "alice@example.com";
    m.recipients = {{"bob@example.org", "", "", 0}, {"nosuch@example.org", "", "", 0}};
    m.content = &content;
    ClientSession s(verifyOptions(), m);
    s.feed("220 mx.example ESMTP\r\n");
    EXPECT_EQ(s.takeOutput(), "EHLO client.example\r\n");
    s.feed("250-mx.example\r\n250 PIPELINING\r\n");
    EXPECT_EQ(s.takeOutput(),
              "MAIL FROM:<alice@example.com>\r\n"
              "RCPT TO:<bob@example.org>\r\n"
              "RCPT TO:<nosuch@example.org>\r\n"
              "RSET\r\n"
              "QUIT\r\n");
    s.feed("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 <nosuch@example.org>: User unknown\r\n250 2.0.0 Ok\r\n");
    EXPECT_TRUE(s.done());
    auto out = s.takeOutcomes();
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0].kind, ClientOutcome::Kind::Ready);
    EXPECT_EQ(out[1].kind, ClientOutcome::Kind::Sent);
    EXPECT_EQ(out[1].recipients, std::vector<size_t>{0});
    EXPECT_EQ(out[1].status, "2.1.5");
    EXPECT_EQ(out[1].reason, "250 2.1.5 Ok");
    EXPECT_EQ(out[2].kind, ClientOutcome::Kind::RecipientFailed);
    EXPECT_EQ(out[2].recipients, std::vector<size_t>{1});
    EXPECT_EQ(out[2].status, "5.1.1");
}

TEST(ClientVerify, LockStepWithoutPipelining) {
    ClientMessage m;
    m.sender = "alice@example.com";
    m.recipients = {{"bob@example.org", "", "", 0}};
    ClientSession s(verifyOptions(), m);
    s.feed("220 mx.example ESMTP\r\n");
    (void)s.takeOutput();
    s.feed("250 mx.example\r\n");
    EXPECT_EQ(s.takeOutput(), "MAIL FROM:<alice@example.com>\r\n");
    s.feed("250 2.1.0 Ok\r\n");
    EXPECT_EQ(s.takeOutput(), "RCPT TO:<bob@example.org>\r\n");
    s.feed("250 2.1.5 Ok\r\n");
    EXPECT_EQ(s.takeOutput(), "RSET\r\n");
    s.feed("250 2.0.0 Ok\r\n");
    EXPECT_EQ(s.takeOutput(), "QUIT\r\n");
    EXPECT_TRUE(s.done());
}

}  // namespace
}  // namespace postline::smtp
