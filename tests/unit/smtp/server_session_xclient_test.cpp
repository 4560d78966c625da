// SmtpServerSession's XCLIENT, XFORWARD, ETRN (smtpd_etrn_restrictions and the fast
// flush service) and smtpd_reject_footer_maps, fed from strings: replies, the records
// handed to cleanup and the log lines, as Postfix 3.7's smtpd gives them (the same
// dialogues run against the real smtpd in tests/interop/smtpd_transcripts.sh).
#include <gtest/gtest.h>

#include <algorithm>

#include "address/address_test_util.h"
#include "postline/address/routing_context.h"
#include "postline/base/msg.h"
#include "postline/policy/smtpd_restrictions.h"
#include "postline/smtp/received_header.h"
#include "postline/smtp/server_session.h"

namespace postline::smtp {
namespace {

class RecordingSink : public MessageSink {
public:
    std::vector<std::string> calls;
    int opened = 0;

    base::Result<std::string> open(bool) override { return "4QUEUE" + std::to_string(++opened); }
    void arrivalTime(long, long) override {}
    void attribute(std::string_view n, std::string_view v) override {
        calls.push_back("A " + std::string(n) + "=" + std::string(v));
    }
    void sender(std::string_view a) override { calls.push_back("S " + std::string(a)); }
    void recipient(std::string_view a) override { calls.push_back("R " + std::string(a)); }
    void processingFlags(int) override {}
    void messageStart() override { calls.push_back("M"); }
    void extractedStart() override {}
    void contentFilter(std::string_view) override {}
    void redirect(std::string_view) override {}
    void contentLine(std::string_view l, bool) override { calls.push_back("N " + std::string(l)); }
    SinkResult finish() override {
        calls.push_back("E");
        return {};
    }
    void abandon() override {}
    bool has(std::string_view call) const { return std::find(calls.begin(), calls.end(), call) != calls.end(); }
};

class FakeFlush : public FlushService {
public:
    int status = kOk;
    std::vector<std::string> sites;
    int sendSite(std::string_view site) override {
        sites.emplace_back(site);
        return status;
    }
};

using Settings = std::vector<std::pair<std::string, std::string>>;

struct Session {
    config::Config config = address::testing::testConfig();
    std::unique_ptr<address::RoutingContext> context;
    std::unique_ptr<policy::SmtpdRestrictions> restrictions;
    RecordingSink sink;
    FakeFlush flush;
    std::unique_ptr<SmtpServerSession> session;
    std::vector<std::string> logs;

    explicit Session(Settings settings, bool withFlush = true) {
        config.set("mynetworks", "127.0.0.0/8");
        config.set("alias_maps", "");
        config.set("local_recipient_maps", "");
        config.set("smtpd_error_sleep_time", "0");
        for (auto& [n, v] : settings) config.set(n, v);
        context = std::make_unique<address::RoutingContext>(config);
        policy::SmtpdSession s;
        s.clientAddress = "127.0.0.1";
        s.clientName = s.reverseName = "localhost";
        restrictions = std::make_unique<policy::SmtpdRestrictions>(*context, s);
        SessionOptions o;
        o.clientName = o.reverseName = "localhost";
        o.clientAddress = "127.0.0.1";
        o.clientPort = "4711";
        o.serverAddress = "127.0.0.1";
        o.serverPort = "25";
        o.clock = [] { return std::pair<long, long>{1700000000, 5}; };
        if (withFlush) o.flush = &flush;
        base::setMsgSink([this](base::Severity sev, std::string_view text) {
            logs.push_back((sev == base::Severity::Warning ? "warning: " : "") + std::string(text));
        });
        session = std::make_unique<SmtpServerSession>(*context, *restrictions, sink, o);
        session->start();
    }
    ~Session() {
        session.reset();
        base::setMsgSink(nullptr);
    }
    std::string run(std::string_view input) {
        session->feed(input);
        std::string out;
        for (auto& c : session->takeOutput()) out += c.bytes;
        return out;
    }
    bool logged(std::string_view text) const { return std::find(logs.begin(), logs.end(), text) != logs.end(); }
};

constexpr const char* kGreeting = "220 mail.example.org ESMTP Postfix\r\n";

TEST(SmtpServerSessionXclient, UnauthorizedClient) {
    Session t(Settings{});
    std::string out = t.run("EHLO c\r\nXCLIENT\r\nXCLIENT NAME=x.example\r\nXFORWARD NAME=x.example\r\n");
    EXPECT_EQ(out.find("XCLIENT NAME"), std::string::npos);
    EXPECT_NE(out.find("501 5.5.4 Syntax: XCLIENT attribute=value...\r\n550 5.7.0 Error: insufficient authorization\r\n"
                       "550 5.7.0 Error: insufficient authorization\r\n"),
              std::string::npos);
}

TEST(SmtpServerSessionXclient, SessionContinuesAsTheNewClient) {
    Session t(Settings{{"smtpd_authorized_xclient_hosts", "127.0.0.0/8"}});
    std::string out = t.run("EHLO proxy.example\r\n");
    EXPECT_NE(out.find("250-XCLIENT NAME ADDR PROTO HELO REVERSE_NAME PORT LOGIN DESTADDR DESTPORT\r\n"),
              std::string::npos);
    out = t.run(
        "XCLIENT ADDR=192.0.2.7 NAME=client.example PORT=25000 HELO=c.example PROTO=ESMTP\r\n"
        "MAIL FROM:<a@example.net>\r\nRCPT TO:<x@elsewhere.example>\r\nRCPT TO:<root@mail.example.org>\r\n"
        "DATA\r\n.\r\nXCLIENT NAME=other.example\r\nQUIT\r\n");
    EXPECT_EQ(out,
              "220 mail.example.org ESMTP Postfix\r\n250 2.1.0 Ok\r\n"
              "454 4.7.1 <x@elsewhere.example>: Relay access denied\r\n250 2.1.5 Ok\r\n"
              "354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued as 4QUEUE1\r\n"
              "550 5.7.0 Error: insufficient authorization\r\n221 2.0.0 Bye\r\n");
    EXPECT_TRUE(t.sink.has("A log_client_address=192.0.2.7"));
    EXPECT_TRUE(t.sink.has("A log_message_origin=client.example[192.0.2.7]"));
    EXPECT_TRUE(t.sink.has("A client_port=25000"));
    EXPECT_TRUE(t.sink.has("A helo_name=c.example"));
    // permit_inet_interfaces (local_header_rewrite_clients) looks at the socket's peer,
    // which XCLIENT does not change.
    EXPECT_TRUE(t.sink.has("A rewrite_context=local"));
    EXPECT_TRUE(t.sink.has("N Received: from c.example (client.example [192.0.2.7])"));
    EXPECT_TRUE(t.sink.has("N \tby mail.example.org (Postfix) with ESMTP id 4QUEUE1"));
    t.session->close();
    EXPECT_TRUE(
        t.logged("NOQUEUE: reject: RCPT from client.example[192.0.2.7]: 454 4.7.1 <x@elsewhere.example>: "
                 "Relay access denied; from=<a@example.net> to=<x@elsewhere.example> proto=ESMTP "
                 "helo=<c.example>"));
    EXPECT_TRUE(t.logged("4QUEUE1: client=client.example[192.0.2.7]"));
    // A successful XCLIENT is not counted as a success (smtpd jumps back to the greeting).
    EXPECT_TRUE(
        t.logged("disconnect from client.example[192.0.2.7] ehlo=1 xclient=0/2 mail=1 rcpt=1/2 data=1 "
                 "quit=1 commands=5/8"));
}

TEST(SmtpServerSessionXclient, ResetsHeloAndProtocolAndLogsIn) {
    Session t(Settings{{"smtpd_authorized_xclient_hosts", "127.0.0.1"}});
    t.run("EHLO proxy.example\r\nXCLIENT ADDR=IPv6:2001:db8::7 LOGIN=joe\r\n");
    std::string out = t.run("MAIL FROM:<a@example.net>\r\nRCPT TO:<root@mail.example.org>\r\nDATA\r\n.\r\n");
    EXPECT_EQ(out,
              "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
              "250 2.0.0 Ok: queued as 4QUEUE1\r\n");
    EXPECT_TRUE(t.sink.has("A sasl_method=XCLIENT"));
    EXPECT_TRUE(t.sink.has("A sasl_username=joe"));
    EXPECT_TRUE(t.sink.has("A log_client_address=IPv6:2001:db8::7"));
    EXPECT_TRUE(t.sink.has("A client_address=2001:db8::7"));
    EXPECT_TRUE(t.sink.has("A client_address_type=10"));
    EXPECT_TRUE(t.sink.has("A protocol_name=SMTP"));
    EXPECT_FALSE(t.sink.has("A helo_name=proxy.example"));
    EXPECT_TRUE(t.sink.has("N Received: from localhost (localhost [IPv6:2001:db8::7])"));
    EXPECT_TRUE(t.logged("4QUEUE1: client=localhost[2001:db8::7], sasl_method=XCLIENT, sasl_username=joe"));
}

TEST(SmtpServerSessionXclient, NewClientMeetsConnectRestrictions) {
    Session t(Settings{{"smtpd_authorized_xclient_hosts", "127.0.0.1"},
                       {"smtpd_delay_reject", "no"},
                       {"smtpd_client_restrictions", "reject_unknown_client_hostname"}});
    std::string out = t.run("XCLIENT ADDR=192.0.2.9 NAME=[TEMPUNAVAIL]\r\nHELO x\r\nQUIT\r\n");
    EXPECT_EQ(out, std::string(kGreeting) +
                       "450 4.7.25 Client host rejected: cannot find your hostname, [192.0.2.9]\r\n"
                       "503 5.7.0 Error: access denied for unknown[192.0.2.9]\r\n221 2.0.0 Bye\r\n");
    EXPECT_TRUE(
        t.logged("NOQUEUE: reject: XCLIENT from unknown[192.0.2.9]: 450 4.7.25 Client host rejected: cannot "
                 "find your hostname, [192.0.2.9]; proto=SMTP"));
}

TEST(SmtpServerSessionXclient, HostListThatFails) {
    // EHLO cannot tell whether to announce XCLIENT; XFORWARD cannot be permitted.
    Session ehlo(Settings{{"smtpd_authorized_xclient_hosts", "hash:/nonexistent/xclient_hosts"}});
    EXPECT_EQ(ehlo.run("EHLO c\r\n"),
              std::string(kGreeting) + "421 4.3.0 mail.example.org Server local data error\r\n");
    EXPECT_TRUE(ehlo.session->done());
    EXPECT_TRUE(
        ehlo.logged("warning: smtpd_authorized_xclient_hosts: hash:/nonexistent/xclient_hosts: table lookup "
                    "problem"));
    EXPECT_TRUE(
        ehlo.logged("warning: don't know if EHLO feature XCLIENT should be announced to "
                    "localhost[127.0.0.1]"));
    EXPECT_TRUE(
        ehlo.logged("NOQUEUE: reject: EHLO from localhost[127.0.0.1]: 421 4.3.0 mail.example.org Server "
                    "local data error"));
    Session command(Settings{{"smtpd_authorized_xforward_hosts", "hash:/nonexistent/xforward_hosts"}});
    EXPECT_EQ(
        command.run("HELO c\r\nXFORWARD NAME=x.example\r\n"),
        std::string(kGreeting) + "250 mail.example.org\r\n421 4.3.0 mail.example.org Server local data error\r\n");
    EXPECT_TRUE(command.logged("warning: don't know if command XFORWARD should be allowed from localhost[127.0.0.1]"));
}

TEST(SmtpServerSessionXforward, AttributesForTheNextMessage) {
    Session t(Settings{{"smtpd_authorized_xforward_hosts", "127.0.0.0/8"}});
    std::string out = t.run("EHLO filter.example\r\n");
    EXPECT_NE(out.find("250-XFORWARD NAME ADDR PROTO HELO SOURCE PORT IDENT\r\n"), std::string::npos);
    out = t.run(
        "XFORWARD NAME=up.example ADDR=192.0.2.5 PORT=2525\r\nXFORWARD PROTO=ESMTP HELO=up IDENT=ABC SOURCE=REMOTE\r\n"
        "MAIL FROM:<a@example.net>\r\nXFORWARD NAME=x.example\r\nRCPT TO:<root@mail.example.org>\r\nDATA\r\n.\r\n");
    EXPECT_EQ(out,
              "250 2.0.0 Ok\r\n250 2.0.0 Ok\r\n250 2.1.0 Ok\r\n503 5.5.1 Error: MAIL transaction in progress\r\n"
              "250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued as 4QUEUE1\r\n");
    for (const char* a :
         {"A log_ident=ABC", "A rewrite_context=remote", "A log_client_name=up.example",
          "A log_client_address=192.0.2.5", "A log_client_port=2525", "A log_message_origin=up.example[192.0.2.5]",
          "A log_helo_name=up", "A log_protocol_name=ESMTP", "A client_name=localhost", "A client_address=127.0.0.1"})
        EXPECT_TRUE(t.sink.has(a)) << a;
    EXPECT_TRUE(t.sink.has("N Received: from filter.example (localhost [127.0.0.1])"));
    EXPECT_TRUE(t.logged("4QUEUE1: client=localhost[127.0.0.1], orig_queue_id=ABC, orig_client=up.example[192.0.2.5]"));
    // The next message has the session's own attributes again.
    t.sink.calls.clear();
    t.run("MAIL FROM:<a@example.net>\r\nRCPT TO:<root@mail.example.org>\r\nDATA\r\n.\r\n");
    EXPECT_TRUE(t.sink.has("A log_ident=4QUEUE2"));
    EXPECT_TRUE(t.sink.has("A log_client_name=localhost"));
    EXPECT_TRUE(t.logged("4QUEUE2: client=localhost[127.0.0.1]"));
}

TEST(SmtpServerSessionEtrn, RestrictionsAndFlushService) {
    Session t(Settings{{"smtpd_etrn_restrictions", "check_etrn_access inline:{no.example=REJECT}, permit"},
                       {"fast_flush_domains", "flush.example"}});
    std::string out =
        t.run("EHLO c\r\nETRN no.example\r\nETRN sub.no.example\r\nETRN flush.example\r\nETRN #other.example\r\n");
    EXPECT_EQ(out.substr(out.find("554")),
              "554 5.7.1 <no.example>: Etrn command rejected: Access denied\r\n"
              "554 5.7.1 <sub.no.example>: Etrn command rejected: Access denied\r\n"
              "250 Queuing started\r\n459 <other.example>: service unavailable\r\n");
    EXPECT_EQ(t.flush.sites, std::vector<std::string>{"flush.example"});
    EXPECT_TRUE(
        t.logged("NOQUEUE: reject: ETRN from localhost[127.0.0.1]: 554 5.7.1 <no.example>: Etrn command "
                 "rejected: Access denied; proto=ESMTP helo=<c>"));
    EXPECT_TRUE(t.logged("warning: reject: ETRN other.example... from localhost[127.0.0.1]"));
    t.flush.status = FlushService::kBad;
    EXPECT_EQ(t.run("ETRN flush.example\r\n"), "458 Unable to queue messages\r\n");
    EXPECT_TRUE(t.logged("warning: bad ETRN flush.example... from localhost[127.0.0.1]"));
    t.flush.status = FlushService::kFail;
    EXPECT_EQ(t.run("ETRN flush.example\r\n"), "458 Unable to queue messages\r\n");
    EXPECT_TRUE(t.logged("warning: unable to talk to fast flush service"));
}

TEST(SmtpServerSessionEtrn, NoFlushService) {
    Session t(Settings{{"fast_flush_domains", "flush.example"}}, false);
    EXPECT_EQ(t.run("HELO c\r\nETRN flush.example\r\n"),
              std::string(kGreeting) + "250 mail.example.org\r\n458 Unable to queue messages\r\n");
    EXPECT_TRUE(t.logged("warning: unable to talk to fast flush service"));
}

TEST(SmtpServerSessionFooter, FooterMapsByReply) {
    Session t(Settings{{"smtpd_reject_footer_maps", "regexp:{{/^500 / see https://help.example/}}"},
                       {"smtpd_reject_footer", "generic"}});
    std::string out = t.run("FOO\r\nMAIL FROM:<a\r\n");
    EXPECT_EQ(out, std::string(kGreeting) +
                       "500-5.5.2 Error: command not recognized\r\n500 5.5.2 see https://help.example/\r\n"
                       "501-5.1.7 Bad sender address syntax\r\n501 5.1.7 generic\r\n");
}

}  // namespace
}  // namespace postline::smtp
