// SmtpServerSession's client limits (smtpd_client_connection_count_limit and the rate
// limits) against a counter played by the test: the 421 and 450 replies and warnings
// as Postfix 3.7's smtpd gives them, disconnect sent at the end, and the clients the
// limits do not apply to (exceptions, XCLIENT-authorized clients). The same sessions
// run against the real smtpd and anvil in tests/interop/smtpd_limits.sh.
#include <gtest/gtest.h>

#include <algorithm>

#include "address/address_test_util.h"
#include "postline/address/routing_context.h"
#include "postline/base/msg.h"
#include "postline/policy/smtpd_restrictions.h"
#include "postline/smtp/server_session.h"

namespace postline::smtp {
namespace {

class NullSink : public MessageSink {
public:
    base::Result<std::string> open(bool) override { return std::string("4QUEUE"); }
    void arrivalTime(long, long) override {}
    void attribute(std::string_view, std::string_view) override {}
    void sender(std::string_view) override {}
    void recipient(std::string_view) override {}
    void processingFlags(int) override {}
    void messageStart() override {}
    void extractedStart() override {}
    void contentFilter(std::string_view) override {}
    void redirect(std::string_view) override {}
    void contentLine(std::string_view, bool) override {}
    SinkResult finish() override { return {}; }
    void abandon() override {}
};

class FakeEvents : public ClientEvents {
public:
    int count = 1, rate = 1, messages = 0, recipients = 0;
    std::vector<std::string> calls;
    std::optional<Connection> connect(std::string_view service, std::string_view address) override {
        calls.push_back("connect " + std::string(service) + ":" + std::string(address));
        return Connection{count, rate};
    }
    void disconnect(std::string_view service, std::string_view address) override {
        calls.push_back("disconnect " + std::string(service) + ":" + std::string(address));
    }
    std::optional<int> message(std::string_view, std::string_view) override { return ++messages; }
    std::optional<int> recipient(std::string_view, std::string_view) override { return ++recipients; }
};

using Settings = std::vector<std::pair<std::string, std::string>>;

struct Session {
    config::Config config = address::testing::testConfig();
    std::unique_ptr<address::RoutingContext> context;
    std::unique_ptr<policy::SmtpdRestrictions> restrictions;
    NullSink sink;
    FakeEvents events;
    std::unique_ptr<SmtpServerSession> session;
    std::vector<std::string> warnings;
    std::string greeting;

    Session(Settings settings, int count, int rate) {
        events.count = count;
        events.rate = rate;
        config.set("mynetworks", "127.0.0.0/8");
        config.set("local_recipient_maps", "");
        config.set("smtpd_error_sleep_time", "0");
        config.set("smtpd_client_event_limit_exceptions", "");
        for (auto& [n, v] : settings) config.set(n, v);
        context = std::make_unique<address::RoutingContext>(config);
        policy::SmtpdSession s;
        s.clientAddress = "192.0.2.9";
        s.clientName = s.reverseName = "client.example";
        restrictions = std::make_unique<policy::SmtpdRestrictions>(*context, s);
        SessionOptions o;
        o.clientName = o.reverseName = "client.example";
        o.clientAddress = "192.0.2.9";
        o.clock = [] { return std::pair<long, long>{1700000000, 5}; };
        o.events = &events;
        o.service = "smtp";
        base::setMsgSink([this](base::Severity sev, std::string_view text) {
            if (sev == base::Severity::Warning) warnings.emplace_back(text);
        });
        session = std::make_unique<SmtpServerSession>(*context, *restrictions, sink, o);
        session->start();
        for (auto& c : session->takeOutput()) greeting += c.bytes;
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
};

TEST(SmtpServerSessionLimits, TooManyConnectionsGetA421) {
    Session t({{"smtpd_client_connection_count_limit", "2"}}, 3, 3);
    EXPECT_EQ(t.greeting, "421 4.7.0 mail.example.org Error: too many connections from 192.0.2.9\r\n");
    EXPECT_TRUE(t.session->done());
    ASSERT_EQ(t.warnings.size(), 1u);
    EXPECT_EQ(t.warnings[0],
              "Connection concurrency limit exceeded: 3 from client.example[192.0.2.9] for service smtp");
    t.session->close();
    EXPECT_EQ(t.events.calls, (std::vector<std::string>{"connect smtp:192.0.2.9", "disconnect smtp:192.0.2.9"}));
}

TEST(SmtpServerSessionLimits, ConnectionRate) {
    Session t({{"smtpd_client_connection_rate_limit", "5"}}, 1, 6);
    EXPECT_EQ(t.greeting, "421 4.7.0 mail.example.org Error: too many connections from 192.0.2.9\r\n");
    ASSERT_EQ(t.warnings.size(), 1u);
    EXPECT_EQ(t.warnings[0], "Connection rate limit exceeded: 6 from client.example[192.0.2.9] for service smtp");
}

TEST(SmtpServerSessionLimits, MessageAndRecipientRates) {
    Session t({{"smtpd_client_message_rate_limit", "1"}, {"smtpd_client_recipient_rate_limit", "1"}}, 1, 1);
    EXPECT_EQ(t.greeting.substr(0, 4), "220 ");
    std::string out = t.run(
        "EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<root@mail.example.org>\r\n"
        "RCPT TO:<root@mail.example.org>\r\nRSET\r\nMAIL FROM:<a@example.org>\r\n");
    EXPECT_NE(out.find("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n450 4.7.1 Error: too many recipients from 192.0.2.9\r\n"
                       "250 2.0.0 Ok\r\n450 4.7.1 Error: too much mail from 192.0.2.9\r\n"),
              std::string::npos)
        << out;
    ASSERT_EQ(t.warnings.size(), 2u);
    EXPECT_EQ(t.warnings[0],
              "Recipient address rate limit exceeded: 2 from client.example[192.0.2.9] for service smtp");
    EXPECT_EQ(t.warnings[1],
              "Message delivery request rate limit exceeded: 2 from client.example[192.0.2.9] for service smtp");
}

TEST(SmtpServerSessionLimits, ExceptionsAndXclientClientsAreNotCounted) {
    Session excepted({{"smtpd_client_event_limit_exceptions", "192.0.2.0/24"}}, 100, 100);
    EXPECT_EQ(excepted.greeting.substr(0, 4), "220 ");
    EXPECT_TRUE(excepted.events.calls.empty());
    Session proxy({{"smtpd_authorized_xclient_hosts", "192.0.2.9"}}, 100, 100);
    EXPECT_EQ(proxy.greeting.substr(0, 4), "220 ");
    EXPECT_TRUE(proxy.events.calls.empty());
}

}  // namespace
}  // namespace postline::smtp
