// SmtpServerSession fed from strings: the replies Postfix 3.7's smtpd gives (checked
// against the real program by tests/interop/smtpd_transcripts.sh), the records handed
// to cleanup, the log lines, and the same replies whatever way the input is split.
#include "postline/smtp/server_session.h"

#include <gtest/gtest.h>

#include "address/address_test_util.h"
#include "postline/address/routing_context.h"
#include "postline/base/msg.h"
#include "postline/policy/smtpd_restrictions.h"
#include "postline/smtp/received_header.h"

namespace postline::smtp {
namespace {

// Records every call as one line: "T 1700000000 5", "A name=value", "S sender", ...
class FakeSink : public MessageSink {
public:
    std::vector<std::string> calls;
    int opened = 0;
    SinkResult result;
    bool failOpen = false;

    base::Result<std::string> open(bool smtputf8) override {
        if (failOpen) return base::Error{"connect to public/cleanup: No such file or directory"};
        ++opened;
        calls.push_back(std::string("open") + (smtputf8 ? " smtputf8" : ""));
        return "4ABCDEF" + std::to_string(opened);
    }
    void arrivalTime(long s, long us) override { calls.push_back("T " + std::to_string(s) + " " + std::to_string(us)); }
    void attribute(std::string_view n, std::string_view v) override {
        calls.push_back("A " + std::string(n) + "=" + std::string(v));
    }
    void sender(std::string_view a) override { calls.push_back("S " + std::string(a)); }
    void recipient(std::string_view a) override { calls.push_back("R " + std::string(a)); }
    void processingFlags(int flags) override { calls.push_back("f " + std::to_string(flags)); }
    void messageStart() override { calls.push_back("M"); }
    void extractedStart() override { calls.push_back("X"); }
    void contentFilter(std::string_view f) override { calls.push_back("FILTER " + std::string(f)); }
    void redirect(std::string_view a) override { calls.push_back("> " + std::string(a)); }
    void contentLine(std::string_view l, bool complete) override {
        calls.push_back((complete ? "N " : "L ") + std::string(l));
    }
    SinkResult finish() override {
        calls.push_back("E");
        return result;
    }
    void abandon() override { calls.push_back("abandon"); }
};

using Settings = std::vector<std::pair<std::string, std::string>>;

struct Harness {
    config::Config config = address::testing::testConfig();
    std::unique_ptr<address::RoutingContext> context;
    std::unique_ptr<policy::SmtpdRestrictions> restrictions;
    FakeSink sink;
    std::unique_ptr<SmtpServerSession> session;
    std::vector<std::string> logs;
    long sleeps = 0;

    // `onSocket` false: a client on a pipe (stand-alone as the mail owner), address family 0.
    explicit Harness(Settings settings = {}, std::string clientAddress = "127.0.0.1", bool standAlone = false,
                     bool onSocket = true) {
        config.set("mynetworks", "127.0.0.0/8");
        config.set("alias_maps", "");
        config.set("local_recipient_maps", "");
        config.set("smtpd_error_sleep_time", "0");
        for (auto& [n, v] : settings) config.set(n, v);
        context = std::make_unique<address::RoutingContext>(config);
        policy::SmtpdSession s;
        s.clientAddress = clientAddress;
        s.clientName = s.reverseName = clientAddress == "127.0.0.1" ? "localhost" : "unknown";
        restrictions = std::make_unique<policy::SmtpdRestrictions>(*context, s);
        SessionOptions o;
        o.clientName = s.clientName;
        o.reverseName = s.reverseName;
        o.clientAddress = clientAddress;
        o.clientPort = "4711";
        o.serverAddress = "127.0.0.1";
        o.serverPort = "25";
        o.clock = [] { return std::pair<long, long>{1700000000, 5}; };
        o.standAlone = standAlone;
        o.addressFamily = !onSocket ? 0 : clientAddress.find(':') != std::string::npos ? 10 : 2;
        base::setMsgSink([this](base::Severity sev, std::string_view text) {
            logs.push_back((sev == base::Severity::Warning ? "warning: " : "") + std::string(text));
        });
        session = std::make_unique<SmtpServerSession>(*context, *restrictions, sink, o);
        session->start();
    }
    ~Harness() {
        session.reset();
        base::setMsgSink(nullptr);
    }
    std::string output() {
        std::string out;
        for (auto& c : session->takeOutput()) {
            sleeps += c.sleepBefore;
            out += c.bytes;
        }
        return out;
    }
    // Feeds `input` and returns everything answered so far (greeting included the first time).
    std::string run(std::string_view input) {
        session->feed(input);
        return output();
    }
    bool logged(std::string_view text) const {
        for (auto& l : logs)
            if (l == text) return true;
        return false;
    }
};

TEST(SmtpServerSession, GreetingEhloQuit) {
    Harness h;
    std::string out = h.run("EHLO client.example\r\nQUIT\r\n");
    EXPECT_EQ(out,
              "220 mail.example.org ESMTP Postfix\r\n"
              "250-mail.example.org\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n"
              "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n"
              "221 2.0.0 Bye\r\n");
    EXPECT_TRUE(h.session->done());
    h.session->close();
    EXPECT_TRUE(h.logged("connect from localhost[127.0.0.1]"));
    EXPECT_TRUE(h.logged("disconnect from localhost[127.0.0.1] ehlo=1 quit=1 commands=2"));
}

TEST(SmtpServerSession, DiscardedEhloKeywords) {
    Harness h(Settings{{"smtpd_discard_ehlo_keywords", "dsn, pipelining size"}, {"disable_vrfy_command", "yes"}});
    std::string out = h.run("EHLO x\r\nVRFY root\r\nMAIL FROM:<a@b.c> RET=FULL\r\n");
    EXPECT_EQ(out,
              "220 mail.example.org ESMTP Postfix\r\n"
              "250-mail.example.org\r\n250-ETRN\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n"
              "250 CHUNKING\r\n502 5.5.1 VRFY command is disabled\r\n501 5.7.1 DSN support is disabled\r\n");
    EXPECT_TRUE(h.logged("discarding EHLO keywords: PIPELINING SIZE DSN"));
}

TEST(SmtpServerSession, MessageToCleanup) {
    Harness h;
    std::string out = h.run(
        "HELO client.example\r\nMAIL FROM:<joe@example.net> BODY=8BITMIME\r\n"
        "RCPT TO:<root@example.org> NOTIFY=SUCCESS,FAILURE\r\nDATA\r\n"
        "Subject: hi\r\n\r\n..dotted\r\nplain\r\n.\r\nQUIT\r\n");
    EXPECT_EQ(out,
              "220 mail.example.org ESMTP Postfix\r\n250 mail.example.org\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
              "354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued as 4ABCDEF1\r\n221 2.0.0 Bye\r\n");
    std::vector<std::string> expected = {
        "open",
        "T 1700000000 5",
        "A log_ident=4ABCDEF1",
        "A rewrite_context=local",
        "S joe@example.net",
        "A encoding=8bit",
        "A log_client_name=localhost",
        "A log_client_address=127.0.0.1",
        "A log_client_port=4711",
        "A log_message_origin=localhost[127.0.0.1]",
        "A log_helo_name=client.example",
        "A log_protocol_name=SMTP",
        "A client_name=localhost",
        "A reverse_client_name=localhost",
        "A client_address=127.0.0.1",
        "A client_port=4711",
        "A server_address=127.0.0.1",
        "A server_port=25",
        "A helo_name=client.example",
        "A protocol_name=SMTP",
        "A client_address_type=2",
        "A notify_flags=6",
        "A dsn_orig_rcpt=rfc822;root@example.org",
        "R root@example.org",
        "M",
        "N Received: from client.example (localhost [127.0.0.1])",
        "N \tby mail.example.org (Postfix) with SMTP id 4ABCDEF1",
        "N \tfor <root@example.org>; " + mailDate(1700000000),
        "N Subject: hi",
        "N ",
        "N .dotted",
        "N plain",
        "X",
        "E",
    };
    EXPECT_EQ(h.sink.calls, expected);
    h.session->close();
    EXPECT_TRUE(h.logged("4ABCDEF1: client=localhost[127.0.0.1]"));
    EXPECT_TRUE(h.logged("disconnect from localhost[127.0.0.1] helo=1 mail=1 rcpt=1 data=1 quit=1 commands=5"));
}

TEST(SmtpServerSession, ReceivedWithoutRecipientForSeveral) {
    Harness h;
    h.run("EHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n.\r\n");
    auto& c = h.sink.calls;
    auto m = std::find(c.begin(), c.end(), "M");
    ASSERT_NE(m, c.end());
    EXPECT_EQ(m[2], "N \tby mail.example.org (Postfix) with ESMTP id 4ABCDEF1;");
    EXPECT_EQ(m[3], "N \t" + mailDate(1700000000));
}

TEST(SmtpServerSession, RelayDeniedAndLogged) {
    Harness h(Settings{}, "192.0.2.1");
    std::string out = h.run("EHLO c.example\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@elsewhere.net>\r\n");
    EXPECT_NE(out.find("454 4.7.1 <x@elsewhere.net>: Relay access denied\r\n"), std::string::npos) << out;
    EXPECT_TRUE(
        h.logged("NOQUEUE: reject: RCPT from unknown[192.0.2.1]: 454 4.7.1 <x@elsewhere.net>: Relay access "
                 "denied; from=<a@b.c> to=<x@elsewhere.net> proto=ESMTP helo=<c.example>"));
    EXPECT_EQ(h.sink.opened, 0);
}

TEST(SmtpServerSession, SequenceErrors) {
    Harness h;
    std::string out = h.run(
        "DATA\r\nRCPT TO:<a@example.org>\r\nMAIL FROM:<>\r\nMAIL FROM:<>\r\nDATA\r\nMAIL\r\nRCPT TO:<>\r\n"
        "FOO bar\r\nRSET x\r\nNOOP x\r\nVRFY\r\nETRN\r\nETRN x\r\n");
    EXPECT_EQ(out,
              "220 mail.example.org ESMTP Postfix\r\n"
              "503 5.5.1 Error: need RCPT command\r\n"
              "503 5.5.1 Error: need MAIL command\r\n"
              "250 2.1.0 Ok\r\n"
              "503 5.5.1 Error: nested MAIL command\r\n"
              "554 5.5.1 Error: no valid recipients\r\n"
              "503 5.5.1 Error: nested MAIL command\r\n"
              "501 5.1.3 Bad recipient address syntax\r\n"
              "500 5.5.2 Error: command not recognized\r\n"
              "501 5.5.4 Syntax: RSET\r\n"
              "250 2.0.0 Ok\r\n"
              "501 5.5.4 Syntax: VRFY address [SMTPUTF8]\r\n"
              "503 Error: MAIL transaction in progress\r\n"
              "503 Error: MAIL transaction in progress\r\n");
}

TEST(SmtpServerSession, HardErrorLimit) {
    Harness h(Settings{{"smtpd_hard_error_limit", "3"}});
    std::string out = h.run("FOO\r\nBAR\r\nBAZ\r\nNOOP\r\n");
    EXPECT_EQ(out,
              "220 mail.example.org ESMTP Postfix\r\n500 5.5.2 Error: command not recognized\r\n"
              "500 5.5.2 Error: command not recognized\r\n500 5.5.2 Error: command not recognized\r\n"
              "421 4.7.0 mail.example.org Error: too many errors\r\n");
    EXPECT_TRUE(h.session->done());
    h.session->close();
    EXPECT_TRUE(h.logged("too many errors after UNKNOWN from localhost[127.0.0.1]"));
    EXPECT_TRUE(h.logged("disconnect from localhost[127.0.0.1] unknown=0/3 commands=0/3"));
}

TEST(SmtpServerSession, ErrorSleepAfterSoftLimit) {
    Harness h(Settings{{"smtpd_soft_error_limit", "2"}, {"smtpd_error_sleep_time", "3s"}});
    h.run("FOO\r\nFOO\r\nFOO\r\nNOOP\r\n");
    EXPECT_EQ(h.sleeps, 6);  // the third error reply and the NOOP reply each wait
}

TEST(SmtpServerSession, NonSmtpCommandHangsUp) {
    Harness h;
    EXPECT_EQ(h.run("GET / HTTP/1.0\r\nNOOP\r\n"),
              "220 mail.example.org ESMTP Postfix\r\n221 2.7.0 Error: I can break rules, too. Goodbye.\r\n");
    EXPECT_TRUE(h.logged("warning: non-SMTP command from localhost[127.0.0.1]: GET / HTTP/1.0"));
}

TEST(SmtpServerSession, OverlongCommandIsCutAndWarned) {
    Harness h(Settings{{"line_length_limit", "20"}});
    std::string out = h.run("NOOP " + std::string(100, 'x') + "\r\nQUIT\r\n");
    EXPECT_EQ(out, "220 mail.example.org ESMTP Postfix\r\n250 2.0.0 Ok\r\n221 2.0.0 Bye\r\n");
    EXPECT_TRUE(h.logged("warning: localhost[127.0.0.1]: request longer than 20: NOOP xxxxxxxxxxxxxxx..."));
}

TEST(SmtpServerSession, LostConnectionInData) {
    Harness h;
    h.run("HELO c\r\nMAIL FROM:<>\r\nRCPT TO:<a@example.org>\r\nDATA\r\nSubject: x\r\npartial");
    h.session->endOfInput();
    h.session->close();
    EXPECT_TRUE(h.logged("lost connection after DATA (12 bytes) from localhost[127.0.0.1]"));
    EXPECT_EQ(h.sink.calls.back(), "abandon");
}

TEST(SmtpServerSession, BareNewlineRejected) {
    Harness h(Settings{{"smtpd_forbid_bare_newline", "reject"}, {"smtpd_forbid_bare_newline_exclusions", ""}});
    EXPECT_EQ(h.run("NOOP\nNOOP\r\n"),
              "220 mail.example.org ESMTP Postfix\r\n550 5.5.2 mail.example.org Error: bare <LF> received\r\n");
    EXPECT_TRUE(h.session->done());
}

TEST(SmtpServerSession, BareNewlineNormalizedInData) {
    Harness h(Settings{{"smtpd_forbid_bare_newline", "normalize"}, {"smtpd_forbid_bare_newline_exclusions", ""}});
    std::string out = h.run("HELO c\r\nMAIL FROM:<>\r\nRCPT TO:<a@example.org>\r\nDATA\r\nx\n.\nmore\r\n.\r\n");
    EXPECT_NE(out.find("250 2.0.0 Ok: queued as"), std::string::npos);
    EXPECT_NE(std::find(h.sink.calls.begin(), h.sink.calls.end(), "N more"), h.sink.calls.end());
}

TEST(SmtpServerSession, RecipientLimit) {
    Harness h(Settings{{"smtpd_recipient_limit", "1"}});
    std::string out = h.run("HELO c\r\nMAIL FROM:<>\r\nRCPT TO:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n");
    EXPECT_NE(out.find("250 2.1.5 Ok\r\n452 4.5.3 Error: too many recipients\r\n"), std::string::npos);
}

TEST(SmtpServerSession, MessageSizeLimit) {
    Harness h(Settings{{"message_size_limit", "10"}});
    std::string out = h.run(
        "HELO c\r\nMAIL FROM:<> SIZE=11\r\nMAIL FROM:<> SIZE=10\r\nRCPT TO:<a@example.org>\r\nDATA\r\n"
        "0123456789\r\n.\r\n");
    EXPECT_NE(out.find("552 5.3.4 Message size exceeds fixed limit\r\n250 2.1.0 Ok"), std::string::npos) << out;
    EXPECT_NE(out.find("552 5.3.4 Error: message file too big\r\n"), std::string::npos) << out;
    EXPECT_EQ(h.sink.calls.back(), "abandon");
}

TEST(SmtpServerSession, CleanupRejectionIsTheReply) {
    Harness h;
    h.sink.result.status = SinkResult::kCont;
    h.sink.result.why = "550 5.7.1 go away";
    std::string out = h.run("HELO c\r\nMAIL FROM:<>\r\nRCPT TO:<a@example.org>\r\nDATA\r\n.\r\n");
    EXPECT_NE(out.find("354 End data with <CR><LF>.<CR><LF>\r\n550 5.7.1 go away\r\n"), std::string::npos) << out;
}

TEST(SmtpServerSession, CleanupUnavailableEndsTheSession) {
    Harness h;
    h.sink.failOpen = true;
    std::string out = h.run("HELO c\r\nMAIL FROM:<>\r\nRCPT TO:<a@example.org>\r\nQUIT\r\n");
    EXPECT_EQ(out, "220 mail.example.org ESMTP Postfix\r\n250 mail.example.org\r\n250 2.1.0 Ok\r\n");
    EXPECT_TRUE(h.session->done());
}

TEST(SmtpServerSession, Bdat) {
    Harness h;
    std::string out =
        h.run("EHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<a@example.org>\r\nBDAT 9\r\nSubject: BDAT 5 LAST\r\nhello\r\n");
    EXPECT_NE(out.find("250 2.0.0 Ok: 9 bytes\r\n250 2.0.0 Ok: 16 bytes queued as 4ABCDEF1\r\n"), std::string::npos)
        << out;
    EXPECT_NE(std::find(h.sink.calls.begin(), h.sink.calls.end(), "N Subject: hello"), h.sink.calls.end());
}

// Pipelined input split at every byte boundary gives the same replies as one feed.
TEST(SmtpServerSession, SplitInputSameReplies) {
    const std::string input =
        "EHLO client.example\r\nMAIL FROM:<a@example.net>\r\nRCPT TO:<x@example.org>\r\nRCPT TO:<bad\r\n"
        "DATA\r\nSubject: t\r\n\r\n..x\r\n.\r\nVRFY root\r\nNOOP\r\nFOO\r\nRSET\r\nQUIT\r\n";
    std::string whole;
    {
        Harness h;
        whole = h.run(input);
    }
    for (size_t cut = 1; cut < input.size(); ++cut) {
        Harness h;
        std::string out = h.run(input.substr(0, cut));
        out += h.run(input.substr(cut));
        ASSERT_EQ(out, whole) << "split at " << cut;
    }
    // And one byte at a time.
    Harness h;
    std::string out;
    for (char c : input) out += h.run(std::string(1, c));
    EXPECT_EQ(out, whole);
}

TEST(SmtpServerSession, Timeout) {
    Harness h;
    h.run("HELO c\r\n");
    h.session->timedOut();
    EXPECT_EQ(h.output(), "421 4.4.2 mail.example.org Error: timeout exceeded\r\n");
    h.session->close();
    EXPECT_TRUE(h.logged("timeout after HELO from localhost[127.0.0.1]"));
}

TEST(MailDate, Format) {
    setenv("TZ", "UTC", 1);
    tzset();
    EXPECT_EQ(mailDate(1700000000), "Tue, 14 Nov 2023 22:13:20 +0000 (UTC)");
    EXPECT_EQ(mailDate(1699000000), "Fri,  3 Nov 2023 08:26:40 +0000 (UTC)");
}

}  // namespace
}  // namespace postline::smtp

namespace postline::smtp {
namespace {

TEST(SmtpServerSession, DataAndEndOfDataRestrictions) {
    Harness h(Settings{{"smtpd_data_restrictions", "check_sender_access inline:{data@example.net=REJECT}"},
                       {"smtpd_end_of_data_restrictions", "check_sender_access,inline:{eod@example.net=REJECT}"}});
    std::string out = h.run(
        "HELO c\r\nMAIL FROM:<data@example.net>\r\nRCPT TO:<a@example.org>\r\nDATA\r\nRSET\r\n"
        "MAIL FROM:<eod@example.net>\r\nRCPT TO:<a@example.org>\r\nDATA\r\n.\r\n");
    EXPECT_NE(out.find("554 5.7.1 <data@example.net>: Sender address rejected: Access denied\r\n"), std::string::npos)
        << out;
    EXPECT_NE(out.find("354 End data with <CR><LF>.<CR><LF>\r\n554 5.7.1 <eod@example.net>: Sender address rejected: "
                       "Access denied\r\n"),
              std::string::npos)
        << out;
    EXPECT_EQ(h.sink.calls.back(), "abandon");
}

}  // namespace
}  // namespace postline::smtp

namespace postline::smtp {
namespace {

TEST(SmtpServerSession, DiscardEhloKeywordAddressMaps) {
    Harness h(Settings{{"smtpd_discard_ehlo_keyword_address_maps", "inline:{{127.0.0.1=dsn 8bitmime}}"}});
    std::string out = h.run("EHLO c\r\n");
    EXPECT_EQ(out.find("250-DSN"), std::string::npos) << out;
    EXPECT_TRUE(h.logged("discarding EHLO keywords: 8BITMIME DSN"));
}

}  // namespace
}  // namespace postline::smtp

namespace postline::smtp {
namespace {

// "sendmail -bs": no restrictions, so a relay attempt is accepted.
// local_header_rewrite_clients (default permit_inet_interfaces): 127.0.0.1 is local,
// an outside client remote unless another entry matches; a failing table refuses MAIL.
TEST(SmtpServerSession, RewriteContextFromLocalHeaderRewriteClients) {
    auto contextOf = [](Harness& h) {
        h.run("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<x@example.org>\r\nDATA\r\n.\r\n");
        for (auto& c : h.sink.calls)
            if (c.rfind("A rewrite_context=", 0) == 0) return c.substr(18);
        return std::string("none");
    };
    {
        Harness h;
        EXPECT_EQ(contextOf(h), "local");
    }
    {
        Harness h(Settings{}, "192.0.2.1");
        EXPECT_EQ(contextOf(h), "remote");
    }
    {
        Harness h(Settings{}, "127.0.0.1", false, false);  // on a pipe: no interface address
        EXPECT_EQ(contextOf(h), "remote");
    }
    {
        Harness h(Settings{{"mynetworks", "192.0.2.0/24"},
                           {"local_header_rewrite_clients", "permit_inet_interfaces, permit_mynetworks"}},
                  "192.0.2.1");
        EXPECT_EQ(contextOf(h), "local");
    }
    {
        Harness h(Settings{{"local_header_rewrite_clients", "bogus, inline:{192.0.2.1=ok}"}}, "192.0.2.1");
        EXPECT_EQ(contextOf(h), "local");
        EXPECT_TRUE(h.logged("warning: parameter local_header_rewrite_clients: invalid request: bogus"));
    }
    {
        Harness h(Settings{{"local_header_rewrite_clients", "check_address_map inline:{192.0.2.9=ok}"}}, "192.0.2.1");
        EXPECT_EQ(contextOf(h), "remote");
    }
    {
        Harness h(Settings{{"local_header_rewrite_clients", "check_address_map fail:x"}}, "192.0.2.1");
        EXPECT_NE(h.run("EHLO c\r\nMAIL FROM:<a@b.example>\r\n").find("451 4.3.0 Temporary lookup error\r\n"),
                  std::string::npos);
        EXPECT_TRUE(
            h.logged("NOQUEUE: reject: MAIL from unknown[192.0.2.1]: 451 4.3.0 Temporary lookup error; "
                     "proto=ESMTP helo=<c>"));
    }
}

// smtpd_forbidden_commands (default CONNECT GET POST and anything that does not start
// with a letter): an unknown command it lists ends the session; others get 500.
TEST(SmtpServerSession, ForbiddenCommands) {
    {
        Harness h;
        EXPECT_EQ(h.run("not a command\r\n.\r\nNOOP\r\n"),
                  "220 mail.example.org ESMTP Postfix\r\n500 5.5.2 Error: command not recognized\r\n"
                  "221 2.7.0 Error: I can break rules, too. Goodbye.\r\n");
        EXPECT_TRUE(h.logged("warning: non-SMTP command from localhost[127.0.0.1]: ."));
    }
    {
        Harness h(Settings{{"smtpd_forbidden_commands", "FOO"}});
        EXPECT_EQ(h.run(".\r\nfoo bar\r\n"),
                  "220 mail.example.org ESMTP Postfix\r\n500 5.5.2 Error: command not recognized\r\n"
                  "221 2.7.0 Error: I can break rules, too. Goodbye.\r\n");
    }
}

TEST(SmtpServerSession, StandAloneSkipsRestrictions) {
    Harness h(Settings{}, "192.0.2.1", true);
    std::string out = h.run("HELO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<x@elsewhere.example>\r\n");
    EXPECT_NE(out.find("250 2.1.5 Ok\r\n"), std::string::npos) << out;
    EXPECT_FALSE(h.logged("improper command pipelining after CONNECT from unknown[192.0.2.1]: "));
}

// Stand-alone mail goes to postdrop: no time, session or client attributes, only the
// sender, the recipients with their DSN attributes, and the content.
TEST(SmtpServerSession, StandAloneRecordsForPostdrop) {
    Harness h(Settings{}, "127.0.0.1", true, false);
    h.run("EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<x@elsewhere.example>\r\nDATA\r\nSubject: s\r\n\r\n.\r\n");
    std::vector<std::string> expected = {"open",
                                         "S a@b.example",
                                         "A dsn_orig_rcpt=rfc822;x@elsewhere.example",
                                         "R x@elsewhere.example",
                                         "M",
                                         "N Received: from c (localhost [127.0.0.1])",
                                         "N \tby mail.example.org (Postfix) with ESMTP id 4ABCDEF1",
                                         "N \tfor <x@elsewhere.example>; " + mailDate(1700000000),
                                         "N Subject: s",
                                         "N ",
                                         "X",
                                         "E"};
    EXPECT_EQ(h.sink.calls, expected);
    EXPECT_TRUE(h.logged("4ABCDEF1: client=localhost[127.0.0.1]"));
}

// An IPv6 client: "IPv6:" in the Received header's address, address type 10.
TEST(SmtpServerSession, Ipv6ClientReceivedHeader) {
    Harness h(Settings{{"mynetworks", "[2001:db8::]/32"}}, "2001:db8::1");
    h.run("EHLO c.example\r\nMAIL FROM:<>\r\nRCPT TO:<x@elsewhere.example>\r\nDATA\r\n.\r\n");
    auto& c = h.sink.calls;
    EXPECT_NE(std::find(c.begin(), c.end(), "A client_address_type=10"), c.end());
    EXPECT_NE(std::find(c.begin(), c.end(), "N Received: from c.example (unknown [IPv6:2001:db8::1])"), c.end());
    EXPECT_NE(std::find(c.begin(), c.end(), "N \tfor <x@elsewhere.example>; " + mailDate(1700000000)), c.end());
}

}  // namespace
}  // namespace postline::smtp
