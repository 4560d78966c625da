// smtp(8)/lmtp(8)'s delivery of one request against a scripted server on loopback
// (TCP ports 10778-10779) or a UNIX-domain socket: what arrives, and each recipient's
// log line, bounce or defer log entry and queue file mark as Postfix's smtp reports them.
#include "smtp_core.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cstring>
#include <map>
#include <thread>

#include "delivery/agent_queue_fixture.h"

namespace postline::smtp_agent {
namespace {

using delivery::testing::State;

// One client served by a script: replies by command, RCPT refusals by address, and
// after the dot one reply (SMTP) or one per accepted recipient (LMTP).
class FakeServer {
public:
    std::string greeting = "220 fake.example ESMTP";
    std::string ehlo = "250-fake.example\r\n250-PIPELINING\r\n250-SIZE 1000000\r\n250 8BITMIME";
    std::map<std::string, std::string> rcptReplies;  // address -> reply
    std::vector<std::string> dotReplies = {"250 2.0.0 Ok: queued as 3ABCDE"};
    std::string silentOn;    // a command left unanswered (the client times out)
    std::string closeOn;     // a command answered by closing the connection
    std::string transcript;  // every byte received
    std::string data;        // the content between DATA's 354 and the dot, as received

    bool listenTcp(int port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in sin{};
        sin.sin_family = AF_INET;
        sin.sin_port = htons(static_cast<uint16_t>(port));
        sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return ::bind(fd_, reinterpret_cast<sockaddr*>(&sin), sizeof sin) == 0 && ::listen(fd_, 1) == 0;
    }
    bool listenUnix(const std::string& path) {
        fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un sun{};
        sun.sun_family = AF_UNIX;
        std::strncpy(sun.sun_path, path.c_str(), sizeof sun.sun_path - 1);
        return ::bind(fd_, reinterpret_cast<sockaddr*>(&sun), sizeof sun) == 0 && ::listen(fd_, 1) == 0;
    }
    void start() {
        thread_ = std::thread([this] { serve(); });
    }
    void join() {
        if (thread_.joinable()) thread_.join();
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    ~FakeServer() { join(); }

private:
    void serve() {
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        auto say = [&](const std::string& reply) {
            std::string out = reply + "\r\n";
            (void)::write(c, out.data(), out.size());
        };
        say(greeting);
        std::string buffer;
        bool inData = false;
        int accepted = 0;
        char chunk[4096];
        for (;;) {
            ssize_t n = ::read(c, chunk, sizeof chunk);
            if (n <= 0) break;
            buffer.append(chunk, static_cast<size_t>(n));
            transcript.append(chunk, static_cast<size_t>(n));
            size_t end;
            while ((end = buffer.find("\r\n")) != std::string::npos) {
                std::string line = buffer.substr(0, end);
                buffer.erase(0, end + 2);
                if (inData) {
                    if (line != ".") {
                        data += line + "\r\n";
                        continue;
                    }
                    inData = false;
                    for (size_t i = 0; i < dotReplies.size() && static_cast<int>(i) < std::max(accepted, 1); ++i)
                        say(dotReplies[i]);
                    continue;
                }
                std::string verb = line.substr(0, 4);
                if (verb == closeOn) {
                    ::close(c);
                    return;
                }
                if (verb == silentOn) continue;
                if (verb == "EHLO" || verb == "LHLO" || verb == "HELO") {
                    say(ehlo);
                } else if (verb == "MAIL") {
                    say("250 2.1.0 Ok");
                } else if (verb == "RCPT") {
                    std::string address = line.substr(line.find('<') + 1);
                    address = address.substr(0, address.find('>'));
                    auto it = rcptReplies.find(address);
                    if (it != rcptReplies.end()) {
                        say(it->second);
                    } else {
                        ++accepted;
                        say("250 2.1.5 Ok");
                    }
                } else if (verb == "DATA") {
                    inData = true;
                    say("354 End data with <CR><LF>.<CR><LF>");
                } else if (verb == "QUIT") {
                    say("221 2.0.0 Bye");
                    ::close(c);
                    return;
                } else {
                    say("250 2.0.0 Ok");
                }
            }
        }
        ::close(c);
    }

    int fd_ = -1;
    std::thread thread_;
};

class SmtpCoreTest : public delivery::testing::AgentQueueFixture {
protected:
    AgentSettings settings(bool lmtp = false) {
        AgentSettings s;
        s.lmtp = lmtp;
        s.client.lmtp = lmtp;
        s.client.heloName = "client.example";
        s.client.myHostname = "client.example";
        s.client.skipQuitResponse = !lmtp;
        s.addresses.lookupMx = !lmtp;
        s.connectTimeout = 5;
        s.heloTimeout = s.mailTimeout = s.rcptTimeout = s.dataInitTimeout = s.dataXferTimeout = s.dataDoneTimeout =
            s.rsetTimeout = s.quitTimeout = 10;
        return s;
    }
    Lookup noDns() {
        Lookup l;
        l.mx = [](const std::string&) {
            ADD_FAILURE() << "no DNS in this test";
            return MxAnswer{};
        };
        l.host = [](const std::string&, bool, bool) {
            ADD_FAILURE() << "no DNS in this test";
            return HostAnswer{};
        };
        return l;
    }
    std::string logLine(std::string_view needle) const {
        for (const auto& line : log_)
            if (line.find(needle) != std::string::npos) return line;
        return "";
    }
};

TEST_F(SmtpCoreTest, RelaysToALiteralAndBouncesARefusedRecipient) {
    FakeServer server;
    ASSERT_TRUE(server.listenTcp(10778));
    server.rcptReplies["carol@example.com"] = "550 5.1.1 <carol@example.com>: Recipient address rejected: User unknown";
    server.start();
    delivery::DeliverRequest r = request();
    r.nexthop = "[127.0.0.1]:10778";
    r.dataSize = 77;
    auto d = open(r);
    ASSERT_TRUE(d);
    delivery::DeliverReply reply = deliverSmtp(*d, settings(), noDns());
    server.join();
    EXPECT_EQ(reply.status, delivery::kStatusFinal);
    EXPECT_EQ(states(), (std::vector<State>{State::Done, State::Done}));
    std::string sent = logLine("to=<bob@example.com>");
    EXPECT_NE(sent.find("to=<bob@example.com>, relay=127.0.0.1[127.0.0.1]:10778, delay="), std::string::npos) << sent;
    EXPECT_NE(sent.find(", dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 3ABCDE)"), std::string::npos) << sent;
    std::string bounced = logLine("to=<carol@example.com>");
    EXPECT_NE(bounced.find(", dsn=5.1.1, status=bounced (host 127.0.0.1[127.0.0.1] said: 550 5.1.1 "
                           "<carol@example.com>: Recipient address rejected: User unknown (in reply to RCPT TO "
                           "command))"),
              std::string::npos)
        << bounced;
    std::string bounceLog = slurp(root_ + "/bounce/" + id_);
    EXPECT_NE(bounceLog.find("diag_type=smtp"), std::string::npos) << bounceLog;
    EXPECT_NE(bounceLog.find("mta_type=dns"), std::string::npos) << bounceLog;
    EXPECT_NE(server.transcript.find("MAIL FROM:<alice@example.org> SIZE=77\r\nRCPT TO:<bob@example.com>\r\n"),
              std::string::npos)
        << server.transcript;
    EXPECT_EQ(server.data, "Subject: hi\r\n\r\na body line that is longer than twenty\r\nend\r\n");
}

TEST_F(SmtpCoreTest, NoServerDefersEveryRecipientAndThrottles) {
    delivery::DeliverRequest r = request();
    r.nexthop = "[127.0.0.1]:10779";
    auto d = open(r);
    ASSERT_TRUE(d);
    delivery::DeliverReply reply = deliverSmtp(*d, settings(), noDns());
    EXPECT_EQ(reply.status, delivery::kStatusDefer);
    EXPECT_EQ(reply.hopStatus.status, "4.4.1");
    EXPECT_EQ(reply.hopStatus.reason, "connect to 127.0.0.1[127.0.0.1]:10779: Connection refused");
    EXPECT_EQ(states(), (std::vector<State>{State::Todo, State::Todo}));
    EXPECT_EQ(log_.front(), "connect to 127.0.0.1[127.0.0.1]:10779: Connection refused");
    std::string deferred = logLine("to=<bob@example.com>");
    EXPECT_NE(deferred.find(", relay=none, delay="), std::string::npos) << deferred;
    EXPECT_NE(deferred.find(", dsn=4.4.1, status=deferred (connect to 127.0.0.1[127.0.0.1]:10779: Connection "
                            "refused)"),
              std::string::npos)
        << deferred;
}

TEST_F(SmtpCoreTest, TheNextSiteIsTriedAfterAFailedConnection) {
    FakeServer server;
    ASSERT_TRUE(server.listenTcp(10778));
    server.start();
    delivery::DeliverRequest r = request();
    r.nexthop = "[127.0.0.1]:10779, [127.0.0.1]:10778";
    auto d = open(r);
    ASSERT_TRUE(d);
    delivery::DeliverReply reply = deliverSmtp(*d, settings(), noDns());
    server.join();
    EXPECT_EQ(reply.status, delivery::kStatusFinal);
    EXPECT_EQ(states(), (std::vector<State>{State::Done, State::Done}));
    EXPECT_NE(logLine("connect to 127.0.0.1[127.0.0.1]:10779: Connection refused"), "");
}

// MX hosts by preference: the best one (127.0.0.2, where nothing listens) first, then
// the next; smtp_mx_address_limit cuts the list.
TEST_F(SmtpCoreTest, MxHostsInPreferenceOrderUnderTheAddressLimit) {
    Lookup dns;
    dns.mx = [](const std::string& domain) {
        MxAnswer a;
        EXPECT_EQ(domain, "example.com");
        a.status = MxAnswer::Found;
        a.exchanges = {{20, "mx2.example.com"}, {10, "mx1.example.com"}};
        return a;
    };
    dns.host = [](const std::string& host, bool, bool) {
        HostAnswer a;
        a.status = HostAnswer::Found;
        a.addresses = {host == "mx1.example.com" ? "127.0.0.2" : "127.0.0.1"};
        return a;
    };
    AgentSettings s = settings();
    s.defaultService = "10778";
    {
        FakeServer server;
        ASSERT_TRUE(server.listenTcp(10778));
        server.start();
        auto d = open(request());
        ASSERT_TRUE(d);
        delivery::DeliverReply reply = deliverSmtp(*d, s, dns);
        server.join();
        EXPECT_EQ(reply.status, delivery::kStatusFinal);
        EXPECT_EQ(log_.front(), "connect to mx1.example.com[127.0.0.2]:10778: Connection refused");
        std::string sent = logLine("to=<bob@example.com>");
        EXPECT_NE(sent.find("relay=mx2.example.com[127.0.0.1]:10778, "), std::string::npos) << sent;
    }
    writeQueueFile();
    log_.clear();
    s.mxAddressLimit = 1;
    auto d = open(request());
    ASSERT_TRUE(d);
    delivery::DeliverReply reply = deliverSmtp(*d, s, dns);
    EXPECT_EQ(reply.status, delivery::kStatusDefer);
    EXPECT_EQ(reply.hopStatus.reason, "connect to mx1.example.com[127.0.0.2]:10778: Connection refused");
}

TEST_F(SmtpCoreTest, TemporaryGreetingRefusalOnTheLastServerDefersAndThrottles) {
    FakeServer server;
    ASSERT_TRUE(server.listenTcp(10778));
    server.greeting = "421 4.3.2 Service shutting down";
    server.start();
    delivery::DeliverRequest r = request();
    r.nexthop = "[127.0.0.1]:10778";
    auto d = open(r);
    ASSERT_TRUE(d);
    delivery::DeliverReply reply = deliverSmtp(*d, settings(), noDns());
    server.join();
    EXPECT_EQ(reply.status, delivery::kStatusDefer);
    EXPECT_EQ(reply.hopStatus.status, "4.3.2");
    EXPECT_EQ(reply.hopStatus.reason,
              "host 127.0.0.1[127.0.0.1] refused to talk to me: 421 4.3.2 Service shutting down");
    EXPECT_EQ(reply.hopStatus.dtext, "421 4.3.2 Service shutting down");
    std::string deferred = logLine("to=<carol@example.com>");
    EXPECT_NE(deferred.find("relay=127.0.0.1[127.0.0.1]:10778, "), std::string::npos) << deferred;
}

TEST_F(SmtpCoreTest, ATimeoutAndALostConnectionDeferAndThrottle) {
    FakeServer server;
    ASSERT_TRUE(server.listenTcp(10778));
    server.silentOn = "DATA";
    server.start();
    delivery::DeliverRequest r = request();
    r.nexthop = "[127.0.0.1]:10778";
    auto d = open(r);
    ASSERT_TRUE(d);
    AgentSettings s = settings();
    s.dataInitTimeout = 1;
    delivery::DeliverReply reply = deliverSmtp(*d, s, noDns());
    server.join();
    EXPECT_EQ(reply.status, delivery::kStatusDefer);
    EXPECT_EQ(reply.hopStatus.status, "4.4.2");
    EXPECT_EQ(reply.hopStatus.reason, "conversation with 127.0.0.1[127.0.0.1] timed out while sending DATA command");
    EXPECT_EQ(states(), (std::vector<State>{State::Todo, State::Todo}));

    FakeServer closing;
    ASSERT_TRUE(closing.listenTcp(10778));
    closing.closeOn = "MAIL";
    closing.ehlo = "250 fake.example";  // no PIPELINING: MAIL alone
    closing.start();
    auto d2 = open(r);
    ASSERT_TRUE(d2);
    log_.clear();
    reply = deliverSmtp(*d2, settings(), noDns());
    closing.join();
    EXPECT_EQ(reply.hopStatus.reason, "lost connection with 127.0.0.1[127.0.0.1] while sending MAIL FROM");
    std::string deferred = logLine("to=<bob@example.com>");
    EXPECT_NE(deferred.find("relay=127.0.0.1[127.0.0.1]:10778, "), std::string::npos) << deferred;
    EXPECT_NE(deferred.find("dsn=4.4.2, status=deferred (lost connection with 127.0.0.1[127.0.0.1] while sending "
                            "MAIL FROM)"),
              std::string::npos)
        << deferred;
}

TEST_F(SmtpCoreTest, LmtpOverAUnixSocketReportsEachRecipient) {
    std::string path = root_ + "/lmtp.sock";
    FakeServer server;
    ASSERT_TRUE(server.listenUnix(path));
    server.greeting = "220 fake.example LMTP";
    server.ehlo = "250-fake.example\r\n250 PIPELINING";
    server.dotReplies = {"250 2.0.0 <bob@example.com> Saved", "452 4.2.2 <carol@example.com> Quota exceeded"};
    server.start();
    delivery::DeliverRequest r = request();
    r.nexthop = "unix:" + path;
    auto d = open(r);
    ASSERT_TRUE(d);
    delivery::DeliverReply reply = deliverSmtp(*d, settings(true), noDns());
    server.join();
    EXPECT_EQ(reply.status, delivery::kStatusDefer);
    EXPECT_EQ(reply.hopStatus.status, "");  // a recipient's failure does not throttle
    EXPECT_EQ(states(), (std::vector<State>{State::Done, State::Todo}));
    std::string relay = "relay=client.example[" + path + "], ";
    std::string sent = logLine("to=<bob@example.com>");
    EXPECT_NE(sent.find(relay), std::string::npos) << sent;
    EXPECT_NE(sent.find("status=sent (250 2.0.0 <bob@example.com> Saved)"), std::string::npos) << sent;
    std::string deferred = logLine("to=<carol@example.com>");
    EXPECT_NE(deferred.find("status=deferred (host client.example[" + path +
                            "] said: 452 4.2.2 <carol@example.com> Quota exceeded (in reply to end of DATA command))"),
              std::string::npos)
        << deferred;
    EXPECT_NE(server.transcript.find("LHLO client.example\r\n"), std::string::npos);
    EXPECT_NE(server.transcript.find("QUIT\r\n"), std::string::npos);
}

TEST_F(SmtpCoreTest, SettingsFromParameters) {
    std::map<std::string, std::string> p = {
        {"lmtp_lhlo_name", "me.example"}, {"lmtp_tcp_port", "24"},        {"lmtp_skip_quit_response", "no"},
        {"lmtp_lhlo_timeout", "2m"},      {"lmtp_connect_timeout", "0s"}, {"lmtp_mx_address_limit", "5"},
        {"inet_protocols", "ipv4"},       {"line_length_limit", "2048"},  {"lmtp_line_length_limit", "998"}};
    AgentSettings s = readAgentSettings(true, [&](std::string_view n) {
        auto it = p.find(std::string(n));
        return it == p.end() ? std::string() : it->second;
    });
    EXPECT_TRUE(s.client.lmtp);
    EXPECT_EQ(s.client.heloName, "me.example");
    EXPECT_FALSE(s.client.skipQuitResponse);
    EXPECT_EQ(s.heloTimeout, 120);
    EXPECT_EQ(s.connectTimeout, 0);
    EXPECT_EQ(s.defaultService, "24");
    EXPECT_TRUE(s.addresses.ipv4);
    EXPECT_FALSE(s.addresses.ipv6);
    EXPECT_FALSE(s.addresses.lookupMx);
}

}  // namespace
}  // namespace postline::smtp_agent
