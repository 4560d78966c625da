// smtp(8)'s part in DSN success notices (Postfix's smtp_rcpt.c smtp_rcpt_done): a
// NOTIFY=SUCCESS recipient accepted by a server without DSN is "relayed" in the trace
// log; a server that announced DSN sends its own notice, so ours is not asked for (the
// NOTIFY is passed on); verifying (sendmail -bv) stops after RCPT. A scripted server on
// loopback TCP port 10790.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>

#include "delivery/agent_queue_fixture.h"
#include "postline/queue/bounce_log.h"
#include "smtp_core.h"

namespace postline::smtp_agent {
namespace {

constexpr int kPort = 10790;

// One client: the greeting, EHLO's reply as given, 250 for the rest, the transcript.
class ScriptedServer {
public:
    explicit ScriptedServer(std::string ehlo) : ehlo_(std::move(ehlo)) {}
    bool listen() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in sin{};
        sin.sin_family = AF_INET;
        sin.sin_port = htons(static_cast<uint16_t>(kPort));
        sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0 || ::listen(fd_, 1) != 0) return false;
        thread_ = std::thread([this] { serve(); });
        return true;
    }
    void join() {
        if (thread_.joinable()) thread_.join();
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    ~ScriptedServer() { join(); }
    std::string transcript;

private:
    void serve() {
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        auto say = [&](const std::string& reply) {
            std::string out = reply + "\r\n";
            (void)::write(c, out.data(), out.size());
        };
        say("220 fake.example ESMTP");
        std::string buffer;
        bool inData = false;
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
                    if (line == ".") {
                        inData = false;
                        say("250 2.0.0 Ok: queued as 3ABCDE");
                    }
                    continue;
                }
                std::string verb = line.substr(0, 4);
                if (verb == "EHLO") {
                    say(ehlo_);
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
    std::string ehlo_;
    int fd_ = -1;
    std::thread thread_;
};

class SmtpDsnSuccessTest : public delivery::testing::AgentQueueFixture {
protected:
    AgentSettings settings() {
        AgentSettings s;
        s.client.heloName = "client.example";
        s.client.myHostname = "client.example";
        s.client.skipQuitResponse = true;
        s.addresses.lookupMx = false;
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
    delivery::DeliverReply deliverTo(ScriptedServer& server, int extraFlags = 0) {
        EXPECT_TRUE(server.listen());
        delivery::DeliverRequest r = request();
        r.flags |= extraFlags;
        r.nexthop = "[127.0.0.1]:" + std::to_string(kPort);
        auto d = open(r);
        EXPECT_TRUE(d);
        delivery::DeliverReply reply = deliverSmtp(*d, settings(), noDns());
        server.join();
        return reply;
    }
    std::string tracePath() const { return root_ + "/trace/" + id_; }
};

TEST_F(SmtpDsnSuccessTest, AServerWithoutDsnIsRelayedInTheTraceLog) {
    ScriptedServer server("250-fake.example\r\n250 PIPELINING");
    EXPECT_EQ(deliverTo(server).status, delivery::kStatusFinal);
    auto entries = queue::readBounceLog(tracePath());
    ASSERT_TRUE(entries.ok()) << entries.error().message;
    // bob asked for SUCCESS (notify_flags=6); carol did not.
    ASSERT_EQ(entries->size(), 1u);
    const queue::BounceLogEntry& e = (*entries)[0];
    EXPECT_EQ(e.recipient, "bob@example.com");
    EXPECT_EQ(e.action, "relayed");
    EXPECT_EQ(e.status, "2.0.0");
    EXPECT_EQ(e.reason, "delivery via 127.0.0.1[127.0.0.1]:10790: 250 2.0.0 Ok: queued as 3ABCDE");
    EXPECT_EQ(e.diagType, "smtp");
    EXPECT_EQ(e.mtaType, "dns");
}

TEST_F(SmtpDsnSuccessTest, AServerWithDsnSendsItsOwnNotice) {
    ScriptedServer server("250-fake.example\r\n250-PIPELINING\r\n250 DSN");
    EXPECT_EQ(deliverTo(server).status, delivery::kStatusFinal);
    EXPECT_FALSE(std::filesystem::exists(tracePath()));
    EXPECT_NE(server.transcript.find("RCPT TO:<bob@example.com> ORCPT=rfc822;Bob@Example.COM NOTIFY=SUCCESS,FAILURE"),
              std::string::npos)
        << server.transcript;
    EXPECT_EQ(states(),
              (std::vector<delivery::testing::State>{delivery::testing::State::Done, delivery::testing::State::Done}));
}

// sendmail -bv (DEL_REQ_FLAG_USR_VRFY): RCPT only, each recipient deliverable with the
// server's RCPT reply, nothing sent.
TEST_F(SmtpDsnSuccessTest, VerifyingStopsAfterRcpt) {
    ScriptedServer server("250-fake.example\r\n250 PIPELINING");
    EXPECT_EQ(deliverTo(server, delivery::kFlagUserVerify).status, delivery::kStatusFinal);
    EXPECT_EQ(server.transcript.find("DATA"), std::string::npos) << server.transcript;
    EXPECT_NE(server.transcript.find("RSET\r\n"), std::string::npos) << server.transcript;
    auto entries = queue::readBounceLog(tracePath());
    ASSERT_TRUE(entries.ok()) << entries.error().message;
    ASSERT_EQ(entries->size(), 2u);
    EXPECT_EQ((*entries)[0].action, "deliverable");
    EXPECT_EQ((*entries)[0].reason, "delivery via 127.0.0.1[127.0.0.1]:10790: 250 2.0.0 Ok");
    EXPECT_EQ((*entries)[1].recipient, "carol@example.com");
    EXPECT_EQ(states(),
              (std::vector<delivery::testing::State>{delivery::testing::State::Done, delivery::testing::State::Done}));
}

}  // namespace
}  // namespace postline::smtp_agent
