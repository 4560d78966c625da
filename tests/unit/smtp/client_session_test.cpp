// The SMTP/LMTP client session against scripted server replies: the handshake, what goes
// on the wire (pipelined or in lock step, DSN and SIZE parameters, dot-stuffing, CRLF
// only) and the outcomes as Postfix's smtp_proto.c and smtp_trouble.c report them.
#include "postline/smtp/client_session.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace postline::smtp {
namespace {

using Kind = ClientOutcome::Kind;

ClientOptions smtpOptions() {
    ClientOptions o;
    o.heloName = "client.example";
    o.peer = "mx.example[192.0.2.1]";
    o.peerHost = "mx.example";
    o.nexthop = "example.org";
    o.myHostname = "client.example";
    return o;
}

ClientMessage message(std::vector<std::string> rcpts, const std::vector<std::string>* content) {
    ClientMessage m;
    m.sender = "alice@example.com";
    m.size = 123;
    m.encoding = "7bit";
    for (auto& r : rcpts) m.recipients.push_back({r, "", "", 0});
    m.content = content;
    return m;
}

const std::string kEhloAll =
    "250-mx.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n250-DSN\r\n250 SMTPUTF8\r\n";

std::vector<Kind> kinds(const std::vector<ClientOutcome>& outcomes) {
    std::vector<Kind> out;
    for (auto& o : outcomes) out.push_back(o.kind);
    return out;
}

// The one outcome of a message the client itself failed (not the server's reply).
void expectLocalMessageFailure(const std::vector<ClientOutcome>& out, const std::string& status,
                               const std::string& reason) {
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].kind, Kind::MessageFailed);
    EXPECT_EQ(out[0].status, status);
    EXPECT_EQ(out[0].reason, reason);
    EXPECT_FALSE(out[0].remote);
}

TEST(ReplyParser, MultiLineRepliesAndStatus) {
    ReplyParser p;
    p.feed("250-first\r\n250-sec");
    EXPECT_FALSE(p.next());
    p.feed("ond\r\n250 2.1.5 Ok\r\n550 no status\r\n451 5.1.1 wrong class\n");
    auto r = p.next();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->code, 250);
    EXPECT_EQ(r->dsn, "2.1.5");
    EXPECT_EQ(r->text, "250-first\n250-second\n250 2.1.5 Ok");
    EXPECT_EQ(r->flat(), "250-first 250-second 250 2.1.5 Ok");
    r = p.next();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->dsn, "5.0.0");
    r = p.next();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->code, 451);
    EXPECT_EQ(r->dsn, "4.0.0");
    EXPECT_FALSE(p.next());
}

TEST(ReplyParser, GarbageLinesDoNotEndAReplyAndLongLinesAreCut) {
    ReplyParser p(10);
    p.feed("hello there\r\n354 go ahead please\r\n");
    auto r = p.next();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->code, 354);
    EXPECT_EQ(r->dsn, "5.5.0");
    EXPECT_EQ(r->text, "hello ther");  // the reply reached the limit: the last line is not kept
}

TEST(ReplyParser, AnEndlessReplyKeepsOnlyWhatFitsTheLimit) {
    ReplyParser p(20);
    for (int i = 0; i < 1000; ++i) p.feed("250-0123456789\r\n");
    p.feed("250 end\r\n");
    auto r = p.next();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->code, 250);
    EXPECT_EQ(r->text, "250-0123456789\n250-0123456789");
}

TEST(ClientSession, PipelinedDeliveryWithDsnAndSize) {
    std::vector<std::string> content = {"Subject: hi", "", "body"};
    ClientMessage m = message({"bob@example.org", "carol@example.org"}, &content);
    m.envid = "id+1=x";
    m.dsnRet = 2;
    m.encoding = "8bit";
    m.recipients[0].original = "Bob@example.org";
    m.recipients[0].dsnNotify = 4 | 8;
    m.recipients[1].dsnOrcpt = "rfc822;carol@example.org";
    m.recipients[1].dsnNotify = 1;
    ClientSession s(smtpOptions(), m);
    EXPECT_EQ(s.takeOutput(), "");
    EXPECT_EQ(s.waitingFor(), ClientWait::Helo);
    s.feed("220 mx.example ESMTP\r\n");
    EXPECT_EQ(s.takeOutput(), "EHLO client.example\r\n");
    s.feed(kEhloAll);
    EXPECT_EQ(s.takeOutput(),
              "MAIL FROM:<alice@example.com> SIZE=123 BODY=8BITMIME ENVID=id+2B1+3Dx RET=HDRS\r\n"
              "RCPT TO:<bob@example.org> ORCPT=rfc822;Bob@example.org NOTIFY=FAILURE,DELAY\r\n"
              "RCPT TO:<carol@example.org> ORCPT=rfc822;carol@example.org NOTIFY=NEVER\r\n"
              "DATA\r\n");
    EXPECT_EQ(kinds(s.takeOutcomes()), std::vector<Kind>{Kind::Ready});
    EXPECT_EQ(s.waitingFor(), ClientWait::Mail);
    s.feed("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n");
    EXPECT_EQ(s.waitingFor(), ClientWait::Rcpt);
    EXPECT_EQ(s.takeOutput(), "");
    s.feed("250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
    bool content_ = false;
    // The dot and QUIT go out together after the content (QUIT pipelined after the dot).
    EXPECT_EQ(s.takeOutput(&content_), "Subject: hi\r\n\r\nbody\r\n.\r\nQUIT\r\n");
    EXPECT_TRUE(content_);
    EXPECT_EQ(s.waitingFor(), ClientWait::DataDone);
    EXPECT_FALSE(s.done());
    s.feed("250 2.0.0 Ok: queued as 4ABC\r\n");
    EXPECT_TRUE(s.done());  // smtp_skip_quit_response
    auto out = s.takeOutcomes();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].kind, Kind::Sent);
    EXPECT_EQ(out[0].recipients, (std::vector<size_t>{0, 1}));
    EXPECT_EQ(out[0].status, "2.0.0");
    EXPECT_EQ(out[0].reason, "250 2.0.0 Ok: queued as 4ABC");
    EXPECT_EQ(out[0].action, "relayed");
    EXPECT_TRUE(out[0].remote);
}

TEST(ClientSession, LockStepWithoutPipeliningAndNoDsnParameters) {
    std::vector<std::string> content = {"x"};
    ClientMessage m = message({"bob@example.org"}, &content);
    m.recipients[0].dsnNotify = 4;
    m.envid = "e";
    ClientSession s(smtpOptions(), m);
    s.feed("220 mx.example\r\n");
    EXPECT_EQ(s.takeOutput(), "EHLO client.example\r\n");
    s.feed("250-mx.example\r\n250 SIZE\r\n");
    EXPECT_EQ(s.takeOutput(), "MAIL FROM:<alice@example.com> SIZE=123\r\n");
    s.feed("250 ok\r\n");
    EXPECT_EQ(s.takeOutput(), "RCPT TO:<bob@example.org>\r\n");
    s.feed("250 ok\r\n");
    EXPECT_EQ(s.takeOutput(), "DATA\r\n");
    s.feed("354 go\r\n");
    EXPECT_EQ(s.takeOutput(), "x\r\n.\r\n");
    s.feed("250 ok\r\n");
    EXPECT_EQ(s.takeOutput(), "QUIT\r\n");
    EXPECT_TRUE(s.done());
    auto out = s.takeOutcomes();
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[1].status, "2.0.0");
    EXPECT_EQ(out[1].reason, "250 ok");
}

TEST(ClientSession, HeloAfterEhloRefusedAndNoSizeWhenDowngradeWouldApply) {
    std::vector<std::string> content = {"x"};
    ClientMessage m = message({"bob@example.org"}, &content);
    m.encoding = "8bit";
    ClientSession s(smtpOptions(), m);
    s.feed("220 old.example\r\n");
    EXPECT_EQ(s.takeOutput(), "EHLO client.example\r\n");
    s.feed("502 5.5.2 what\r\n");
    EXPECT_EQ(s.takeOutput(), "HELO client.example\r\n");
    s.feed("250 old.example\r\n");
    EXPECT_EQ(s.takeOutput(), "MAIL FROM:<alice@example.com>\r\n");
}

// A server without 8BITMIME gets an 8bit part as quoted-printable, with the encoding
// header replaced (mime_state's downgrade), dot-stuffing after the conversion.
TEST(ClientSession, An8bitMessageIsDowngradedForAServerWithout8bitmime) {
    std::vector<std::string> content = {
        "Subject: s", "Content-Transfer-Encoding: 8bit", "X-Folded: a", "\tb", "", ".caf\xe9", "end "};
    ClientMessage m = message({"bob@example.org"}, &content);
    m.encoding = "8bit";
    ClientSession s(smtpOptions(), m);
    s.feed("220 old.example\r\n");
    s.takeOutput();
    s.feed("250-old.example\r\n250 SIZE\r\n");
    EXPECT_EQ(s.takeOutput(), "MAIL FROM:<alice@example.com>\r\n");
    s.feed("250 ok\r\n");
    s.takeOutput();
    s.feed("250 ok\r\n");
    s.takeOutput();
    s.feed("354 go\r\n");
    EXPECT_EQ(s.takeOutput(),
              "Subject: s\r\nX-Folded: a\r\n\tb\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
              "..caf=E9\r\nend=20\r\n.\r\n");
    // With disable_mime_output_conversion the content goes out as it is.
    ClientOptions asIs = smtpOptions();
    asIs.disableMimeOutputConversion = true;
    ClientSession t(asIs, m);
    t.feed("220 old.example\r\n");
    t.takeOutput();
    t.feed("250-old.example\r\n250 SIZE\r\n");
    EXPECT_EQ(t.takeOutput(), "MAIL FROM:<alice@example.com> SIZE=123\r\n");
    t.feed("250 ok\r\n250 ok\r\n");
    t.takeOutput();
    t.feed("354 go\r\n");
    EXPECT_EQ(t.takeOutput(),
              "Subject: s\r\nContent-Transfer-Encoding: 8bit\r\nX-Folded: a\r\n\tb\r\n\r\n..caf\xe9\r\nend \r\n.\r\n");
}

// Deeper MIME nesting than mime_nesting_limit while downgrading: the message fails with
// 5.6.0 and the session ends inside DATA, without the dot.
TEST(ClientSession, TheDowngradeFailsOnTooDeepNesting) {
    std::vector<std::string> content = {"Content-Type: multipart/mixed; boundary=a", "", "--a",
                                        "Content-Type: multipart/mixed; boundary=b", "", "--b",
                                        "Content-Type: multipart/mixed; boundary=c", "", "x"};
    ClientMessage m = message({"bob@example.org"}, &content);
    m.encoding = "8bit";
    ClientOptions o = smtpOptions();
    o.mimeNestingLimit = 0;
    ClientSession s(o, m);
    s.feed("220 old.example\r\n");
    s.takeOutput();
    s.feed("250 old.example\r\n");
    s.takeOutput();
    s.feed("250 ok\r\n");
    s.takeOutput();
    s.feed("250 ok\r\n");
    s.takeOutput();
    s.takeOutcomes();
    s.feed("354 go\r\n");
    std::string out = s.takeOutput();
    EXPECT_EQ(out.find("\r\n.\r\n"), std::string::npos) << out;
    EXPECT_TRUE(s.done());
    EXPECT_FALSE(s.reusable());
    expectLocalMessageFailure(s.takeOutcomes(), "5.6.0", "MIME nesting exceeds safety limit");
}

TEST(ClientSession, RecipientRefusedAmongAccepted) {
    std::vector<std::string> content = {"x"};
    ClientSession s(smtpOptions(), message({"a@example.org", "b@example.org", "c@example.org"}, &content));
    s.feed("220 mx.example ESMTP\r\n");
    s.feed(kEhloAll);
    s.takeOutput();
    s.takeOutcomes();
    s.feed(
        "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 <b@example.org>: Recipient address rejected: User unknown\r\n"
        "450 4.2.0 <c@example.org>: Recipient address rejected: Greylisted\r\n354 go\r\n");
    auto out = s.takeOutcomes();
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].kind, Kind::RecipientFailed);
    EXPECT_EQ(out[0].recipients, std::vector<size_t>{1});
    EXPECT_EQ(out[0].status, "5.1.1");
    EXPECT_EQ(out[0].reason,
              "host mx.example[192.0.2.1] said: 550 5.1.1 <b@example.org>: Recipient address rejected: User "
              "unknown (in reply to RCPT TO command)");
    EXPECT_EQ(out[0].reply, "550 5.1.1 <b@example.org>: Recipient address rejected: User unknown");
    EXPECT_TRUE(out[0].remote);
    EXPECT_EQ(out[1].recipients, std::vector<size_t>{2});
    EXPECT_TRUE(out[1].soft());
    s.feed("250 2.0.0 Ok: queued as X\r\n");
    out = s.takeOutcomes();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].kind, Kind::Sent);
    EXPECT_EQ(out[0].recipients, std::vector<size_t>{0});
}

TEST(ClientSession, EveryRecipientRefusedEndsWithRset) {
    std::vector<std::string> content = {"x"};
    ClientSession s(smtpOptions(), message({"a@example.org"}, &content));
    s.feed("220 mx.example ESMTP\r\n250-mx.example\r\n250 PIPELINING\r\n");
    EXPECT_EQ(s.takeOutput(),
              "EHLO client.example\r\nMAIL FROM:<alice@example.com>\r\nRCPT TO:<a@example.org>\r\nDATA\r\n");
    s.feed("250 ok\r\n550 5.1.1 no\r\n554 5.5.1 Error: no valid recipients\r\n");
    // In step again: RSET, and QUIT pipelined behind it.
    EXPECT_EQ(s.takeOutput(), "RSET\r\nQUIT\r\n");
    EXPECT_EQ(s.waitingFor(), ClientWait::Rset);
    s.feed("250 2.0.0 Ok\r\n");
    EXPECT_TRUE(s.done());
    auto out = s.takeOutcomes();
    // The DATA refusal is not reported: no recipient was left to fail.
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[1].kind, Kind::RecipientFailed);
}

TEST(ClientSession, DataRefusedWithATemporaryError) {
    std::vector<std::string> content = {"x"};
    ClientSession s(smtpOptions(), message({"a@example.org", "b@example.org"}, &content));
    s.feed("220 mx.example ESMTP\r\n");
    s.feed(kEhloAll);
    s.takeOutput();
    s.takeOutcomes();
    s.feed("250 ok\r\n250 ok\r\n250 ok\r\n451 4.3.0 Error: queue file write error\r\n");
    auto out = s.takeOutcomes();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].kind, Kind::MessageFailed);
    EXPECT_EQ(out[0].recipients, (std::vector<size_t>{0, 1}));
    EXPECT_EQ(out[0].status, "4.3.0");
    EXPECT_EQ(out[0].reason,
              "host mx.example[192.0.2.1] said: 451 4.3.0 Error: queue file write error (in reply to DATA command)");
    EXPECT_EQ(s.takeOutput(), "RSET\r\nQUIT\r\n");
}

TEST(ClientSession, MailFromRefused) {
    std::vector<std::string> content = {"x"};
    ClientSession s(smtpOptions(), message({"a@example.org"}, &content));
    s.feed("220 mx.example ESMTP\r\n");
    s.feed(kEhloAll);
    s.takeOutput();
    s.takeOutcomes();
    s.feed("553 5.7.1 <alice@example.com>: Sender address rejected\r\n503 5.5.1 need MAIL\r\n503 5.5.1 need RCPT\r\n");
    auto out = s.takeOutcomes();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].kind, Kind::MessageFailed);
    EXPECT_EQ(out[0].reason,
              "host mx.example[192.0.2.1] said: 553 5.7.1 <alice@example.com>: Sender address rejected (in reply "
              "to MAIL FROM command)");
    EXPECT_EQ(s.takeOutput(), "RSET\r\nQUIT\r\n");
}

TEST(ClientSession, DotStuffingLineEndsAndLongLines) {
    std::vector<std::string> content = {".", "..x", "a\nb", "c\r\nd", "", std::string(12, 'z'), ".yyyyyyyyyyy"};
    ClientOptions o = smtpOptions();
    o.lineLengthLimit = 5;
    ClientSession s(o, message({"a@example.org"}, &content));
    s.feed("220 mx.example ESMTP\r\n250 mx.example\r\n250 ok\r\n250 ok\r\n354 go\r\n");
    std::string wire = s.takeOutput();
    std::string data = wire.substr(wire.find("DATA\r\n") + 6);
    EXPECT_EQ(data, "..\r\n...x\r\na\r\nb\r\nc\r\nd\r\n\r\nzzzzz\r\n zzzz\r\n zzz\r\n..yyyy\r\n yyyy\r\n yyy\r\n.\r\n");
    // No LF without its CR anywhere.
    for (size_t i = 0; i < wire.size(); ++i) {
        if (wire[i] == '\n') {
            EXPECT_TRUE(i > 0 && wire[i - 1] == '\r') << i;
        }
    }
    EXPECT_TRUE(s.brokeLongLine());
}

TEST(ClientSession, LmtpRepliesPerRecipientAfterTheDot) {
    std::vector<std::string> content = {"x"};
    ClientOptions o = smtpOptions();
    o.lmtp = true;
    o.skipQuitResponse = false;
    ClientSession s(o, message({"a@example.org", "b@example.org", "c@example.org"}, &content));
    s.feed("220 lmtp.example LMTP ready\r\n");
    EXPECT_EQ(s.takeOutput(), "LHLO client.example\r\n");
    s.feed("250-lmtp.example\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n");
    EXPECT_EQ(s.takeOutput(),
              "MAIL FROM:<alice@example.com>\r\nRCPT TO:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n"
              "RCPT TO:<c@example.org>\r\nDATA\r\n");
    s.feed("250 ok\r\n250 ok\r\n550 5.1.1 <b@example.org> User doesn't exist\r\n250 ok\r\n354 go\r\n");
    EXPECT_EQ(s.takeOutput(), "x\r\n.\r\nQUIT\r\n");
    s.feed("250 2.0.0 <a@example.org> Saved\r\n");
    EXPECT_FALSE(s.done());
    s.feed("452 4.2.2 <c@example.org> Quota exceeded\r\n");
    EXPECT_FALSE(s.done());  // lmtp_skip_quit_response = no
    EXPECT_EQ(s.waitingFor(), ClientWait::Quit);
    s.feed("221 2.0.0 Bye\r\n");
    EXPECT_TRUE(s.done());
    auto out = s.takeOutcomes();
    ASSERT_EQ(out.size(), 4u);
    EXPECT_EQ(out[1].kind, Kind::RecipientFailed);
    EXPECT_EQ(out[1].recipients, std::vector<size_t>{1});
    EXPECT_EQ(out[2].kind, Kind::Sent);
    EXPECT_EQ(out[2].recipients, std::vector<size_t>{0});
    EXPECT_EQ(out[2].reason, "250 2.0.0 <a@example.org> Saved");
    EXPECT_EQ(out[3].kind, Kind::RecipientFailed);
    EXPECT_EQ(out[3].recipients, std::vector<size_t>{2});
    EXPECT_EQ(out[3].reason,
              "host mx.example[192.0.2.1] said: 452 4.2.2 <c@example.org> Quota exceeded (in reply to end of DATA "
              "command)");
}

TEST(ClientSession, GreetingRefusedIsASiteFailure) {
    std::vector<std::string> content = {"x"};
    ClientSession s(smtpOptions(), message({"a@example.org", "b@example.org"}, &content));
    s.feed("554 5.7.1 go away\r\n");
    auto out = s.takeOutcomes();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].kind, Kind::SiteFailed);
    EXPECT_EQ(out[0].status, "4.7.1");  // smtp_skip_5xx_greeting
    EXPECT_EQ(out[0].reason, "host mx.example[192.0.2.1] refused to talk to me: 554 5.7.1 go away");
    EXPECT_EQ(s.takeOutput(), "QUIT\r\n");
    EXPECT_TRUE(s.done());
}

TEST(ClientSession, LostConnectionAndTimeoutReasons) {
    std::vector<std::string> content = {"x"};
    ClientSession a(smtpOptions(), message({"a@example.org"}, &content));
    a.feed("220 mx.example ESMTP\r\n");
    a.connectionLost(false);
    auto out = a.takeOutcomes();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].status, "4.4.2");
    EXPECT_EQ(out[0].reason, "lost connection with mx.example[192.0.2.1] while performing the EHLO handshake");
    EXPECT_TRUE(a.done());

    ClientSession b(smtpOptions(), message({"a@example.org"}, &content));
    b.feed("220 mx.example ESMTP\r\n" + kEhloAll + "250 ok\r\n250 ok\r\n354 go\r\n");
    b.connectionLost(true);
    out = b.takeOutcomes();
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[1].kind, Kind::SiteFailed);
    EXPECT_EQ(out[1].reason,
              "conversation with mx.example[192.0.2.1] timed out while sending end of data -- message may be sent "
              "more than once");
}

TEST(ClientSession, ServerSizeLimitAndProtocolErrors) {
    std::vector<std::string> content = {"x"};
    ClientMessage m = message({"a@example.org"}, &content);
    m.size = 5000;
    ClientSession s(smtpOptions(), m);
    s.feed("220 mx.example ESMTP\r\n250-mx.example\r\n250 SIZE 1000\r\n");
    expectLocalMessageFailure(s.takeOutcomes(), "5.3.4",
                              "message size 5000 exceeds size limit 1000 of server mx.example[192.0.2.1]");

    ClientSession p(smtpOptions(), message({"a@example.org"}, &content));
    p.feed("220 mx.example ESMTP\r\n" + kEhloAll + "250 ok\r\n250 ok\r\n250 2.0.0 no data for you\r\n");
    auto out = p.takeOutcomes();
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[1].status, "5.5.0");
    EXPECT_EQ(out[1].reason,
              "Protocol error: host mx.example[192.0.2.1] said: 250 2.0.0 no data for you (in reply to DATA "
              "command)");
}

TEST(ClientSession, EhloReplyWithOurOwnNameIsALoop) {
    std::vector<std::string> content = {"x"};
    ClientOptions o = smtpOptions();
    o.loopDetect = true;
    o.bestMx = true;
    ClientSession s(o, message({"a@example.org"}, &content));
    s.feed("220 mx.example ESMTP\r\n250-client.example\r\n250 PIPELINING\r\n");
    auto out = s.takeOutcomes();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].status, "5.4.6");
    EXPECT_EQ(out[0].reason, "mail for example.org loops back to myself");
}

TEST(ClientSession, XtextAndNotify) {
    EXPECT_EQ(xtextQuote("a+b=c d", "+="), "a+2Bb+3Dc+20d");
    EXPECT_EQ(xtextQuote("a=b"), "a=b");
    EXPECT_EQ(dsnNotifyString(2 | 4 | 8), "SUCCESS,FAILURE,DELAY");
    EXPECT_EQ(dsnNotifyString(1), "NEVER");
}

}  // namespace
}  // namespace postline::smtp
