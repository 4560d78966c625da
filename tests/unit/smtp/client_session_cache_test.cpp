// The client session with connection caching (Postfix's smtp_proto.c with
// THIS_SESSION_IS_CACHED, smtp_reuse.c's RSET probe): a cached session ends its
// transaction without QUIT, an expired one says QUIT, and a session on a connection
// from the cache probes with RSET and then runs the transaction without a handshake.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "postline/smtp/client_session.h"

namespace postline::smtp {
namespace {

using Kind = ClientOutcome::Kind;

ClientOptions options(bool cache) {
    ClientOptions o;
    o.heloName = "client.example";
    o.peer = "mx.example[192.0.2.1]";
    o.peerHost = "mx.example";
    o.myHostname = "client.example";
    o.cacheSession = cache;
    return o;
}

ClientMessage message(const std::vector<std::string>* content, std::vector<std::string> rcpts = {"bob@example.org"}) {
    ClientMessage m;
    m.sender = "alice@example.com";
    m.size = 40;
    m.encoding = "7bit";
    for (auto& r : rcpts) m.recipients.push_back({r, "", "", 0});
    m.content = content;
    return m;
}

std::vector<Kind> kinds(const std::vector<ClientOutcome>& outcomes) {
    std::vector<Kind> out;
    for (auto& o : outcomes) out.push_back(o.kind);
    return out;
}

const std::vector<std::string> kContent = {"Subject: hi", "", "body"};

// Greeting and EHLO with PIPELINING, then MAIL/RCPT/DATA in one go.
void handshake(ClientSession& s) {
    s.feed("220 mx.example ESMTP\r\n");
    EXPECT_EQ(s.takeOutput(), "EHLO client.example\r\n");
    s.feed("250-mx.example\r\n250-PIPELINING\r\n250 SIZE 100000\r\n");
    EXPECT_EQ(s.takeOutput(), "MAIL FROM:<alice@example.com> SIZE=40\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n");
}

TEST(ClientSessionCache, ACachedSessionEndsAfterTheDotWithoutQuit) {
    ClientSession s(options(true), message(&kContent));
    handshake(s);
    s.feed("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go\r\n");
    EXPECT_EQ(s.takeOutput(), "Subject: hi\r\n\r\nbody\r\n.\r\n");
    EXPECT_FALSE(s.done());
    s.feed("250 2.0.0 Ok: queued\r\n");
    EXPECT_TRUE(s.done());
    EXPECT_EQ(s.takeOutput(), "");
    EXPECT_TRUE(s.reusable());
    EXPECT_EQ(kinds(s.takeOutcomes()), (std::vector<Kind>{Kind::Ready, Kind::Sent}));
}

TEST(ClientSessionCache, AnUncachedSessionSaysQuit) {
    ClientSession s(options(false), message(&kContent));
    handshake(s);
    s.feed("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go\r\n");
    // QUIT goes out with the dot (smtp_skip_quit_response).
    EXPECT_EQ(s.takeOutput(), "Subject: hi\r\n\r\nbody\r\n.\r\nQUIT\r\n");
    s.feed("250 2.0.0 Ok: queued\r\n");
    EXPECT_TRUE(s.done());
    EXPECT_FALSE(s.reusable());
}

TEST(ClientSessionCache, ASessionThatExpiredBeforeTheDotSaysQuit) {
    ClientOptions o = options(true);
    bool expired = false;
    o.sessionExpired = [&] { return expired; };
    ClientSession s(o, message(&kContent));
    s.feed("220 mx.example ESMTP\r\n");
    (void)s.takeOutput();
    // The dot is made ready as DATA goes out: that is when the limit is checked.
    expired = true;
    s.feed("250-mx.example\r\n250-PIPELINING\r\n250 SIZE 100000\r\n");
    (void)s.takeOutput();
    s.feed("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go\r\n");
    s.feed("250 2.0.0 Ok: queued\r\n");
    std::string out = s.takeOutput();
    EXPECT_EQ(out, "Subject: hi\r\n\r\nbody\r\n.\r\nQUIT\r\n");
    EXPECT_TRUE(s.done());
    EXPECT_FALSE(s.reusable());
}

TEST(ClientSessionCache, EveryRecipientRefusedEndsWithRsetAndStaysCached) {
    ClientSession s(options(true), message(&kContent));
    handshake(s);
    s.feed("250 2.1.0 Ok\r\n550 5.1.1 no such user\r\n554 5.5.1 no valid recipients\r\n");
    EXPECT_EQ(s.takeOutput(), "RSET\r\n");  // no QUIT after it: the session stays
    EXPECT_FALSE(s.done());
    s.feed("250 2.0.0 Ok\r\n");
    EXPECT_EQ(s.takeOutput(), "");
    EXPECT_TRUE(s.done());
    EXPECT_TRUE(s.reusable());
}

TEST(ClientSessionCache, ALostConnectionIsNotReusable) {
    ClientSession s(options(true), message(&kContent));
    handshake(s);
    s.connectionLost(false);
    EXPECT_TRUE(s.done());
    EXPECT_FALSE(s.reusable());
    EXPECT_EQ(kinds(s.takeOutcomes()), (std::vector<Kind>{Kind::Ready, Kind::SiteFailed}));
}

TEST(ClientSessionCache, AReusedConnectionProbesWithRsetThenSkipsTheHandshake) {
    ServerFeatures cached;
    cached.esmtp = cached.pipelining = cached.size = true;
    ClientSession s(options(true), message(&kContent), cached);
    EXPECT_EQ(s.takeOutput(), "RSET\r\n");
    EXPECT_EQ(s.waitingFor(), ClientWait::Rset);
    s.feed("250 2.0.0 Ok\r\n");
    EXPECT_EQ(s.takeOutput(), "MAIL FROM:<alice@example.com> SIZE=40\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n");
    EXPECT_EQ(kinds(s.takeOutcomes()), (std::vector<Kind>{Kind::Ready}));
    s.feed("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go\r\n");
    EXPECT_EQ(s.takeOutput(), "Subject: hi\r\n\r\nbody\r\n.\r\n");
    s.feed("250 2.0.0 Ok: queued\r\n");
    EXPECT_TRUE(s.reusable());
    EXPECT_FALSE(s.probeFailed());
}

TEST(ClientSessionCache, ARefusedProbeEndsTheSessionWithNoOutcome) {
    ClientSession s(options(true), message(&kContent), ServerFeatures{});
    EXPECT_EQ(s.takeOutput(), "RSET\r\n");
    s.feed("421 4.4.2 mx.example Error: timeout exceeded\r\n");
    EXPECT_TRUE(s.done());
    EXPECT_TRUE(s.probeFailed());
    EXPECT_FALSE(s.reusable());
    EXPECT_TRUE(s.takeOutcomes().empty());
    EXPECT_EQ(s.takeOutput(), "");
}

TEST(ClientSessionCache, AConnectionGoneBeforeTheProbeRepliesReportsNothing) {
    ClientSession s(options(true), message(&kContent), ServerFeatures{});
    (void)s.takeOutput();
    s.connectionLost(false);
    EXPECT_TRUE(s.done());
    EXPECT_TRUE(s.probeFailed());
    EXPECT_TRUE(s.takeOutcomes().empty());
}

}  // namespace
}  // namespace postline::smtp
