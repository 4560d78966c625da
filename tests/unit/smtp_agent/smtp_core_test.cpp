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
#include <optional>
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

// The connection cache as scache(8) keeps it, in memory: labels to descriptors.
class MemoryCache : public ConnectionCache {
public:
    struct Entry {
        int fd;
        std::string property;
    };
    std::map<std::string, std::vector<Entry>> endpoints;
    std::map<std::string, std::pair<std::string, std::string>> destinations;  // -> property, endpoint
    std::vector<std::string> requests;
    ~MemoryCache() override {
        for (auto& [label, list] : endpoints)
            for (auto& e : list) ::close(e.fd);
    }
    std::optional<Found> findDestination(std::string_view label) override {
        requests.push_back("find_dest " + std::string(label));
        auto d = destinations.find(std::string(label));
        if (d == destinations.end()) return std::nullopt;
        auto found = take(d->second.second);
        if (found) found->destinationProperty = d->second.first;
        return found;
    }
    std::optional<Found> findEndpoint(std::string_view label) override {
        requests.push_back("find_endp " + std::string(label));
        return take(std::string(label));
    }
    void saveDestination(long, std::string_view label, std::string_view property,
                         std::string_view endpointLabel) override {
        requests.push_back("save_dest " + std::string(label));
        destinations[std::string(label)] = {std::string(property), std::string(endpointLabel)};
    }
    void saveEndpoint(long, std::string_view label, std::string_view property, int fd) override {
        requests.push_back("save_endp " + std::string(label));
        endpoints[std::string(label)].push_back({::dup(fd), std::string(property)});
        ::close(fd);
    }

private:
    std::optional<Found> take(const std::string& label) {
        auto it = endpoints.find(label);
        if (it == endpoints.end() || it->second.empty()) return std::nullopt;
        Entry e = it->second.back();
        it->second.pop_back();
        return Found{e.fd, "", e.property};
    }
};

TEST_F(SmtpCoreTest, ACachedConnectionCarriesTheNextDelivery) {
    FakeServer server;
    ASSERT_TRUE(server.listenTcp(10778));
    server.start();
    MemoryCache cache;
    AgentSettings s = settings();
    s.serviceName = "relay";
    s.cacheDestinations = [](const std::string& domain) { return domain == "127.0.0.1"; };
    delivery::DeliverRequest r = request();
    r.nexthop = "[127.0.0.1]:10778";
    r.dataSize = 77;
    {
        auto d = open(r);
        ASSERT_TRUE(d);
        EXPECT_EQ(deliverSmtp(*d, s, noDns(), &cache).status, delivery::kStatusFinal);
    }
    const std::string dest = "relay\n[127.0.0.1]:10778\n0\n0\n";
    const std::string endp = "relay\n127.0.0.1\n10778\n0\n0\n";
    EXPECT_EQ(cache.requests, (std::vector<std::string>{"find_dest " + dest, "find_endp " + endp, "save_dest " + dest,
                                                        "save_endp " + endp}));
    EXPECT_EQ(server.transcript.find("QUIT"), std::string::npos) << server.transcript;
    ASSERT_EQ(cache.endpoints[endp].size(), 1u);
    EXPECT_NE(cache.endpoints[endp][0].property.find("reuse_count=0\n"), std::string::npos);
    EXPECT_NE(cache.destinations[dest].first.find("host_addr=127.0.0.1\n"), std::string::npos);
    // The second request finds it by the nexthop: RSET, then the transaction; the
    // status line says how often the connection has served.
    log_.clear();
    cache.requests.clear();
    {
        auto d = open(r);
        ASSERT_TRUE(d);
        EXPECT_EQ(deliverSmtp(*d, s, noDns(), &cache).status, delivery::kStatusFinal);
    }
    EXPECT_EQ(cache.requests,
              (std::vector<std::string>{"find_dest " + dest, "save_dest " + dest, "save_endp " + endp}));
    std::string sent = logLine("to=<bob@example.com>");
    EXPECT_NE(sent.find("relay=127.0.0.1[127.0.0.1]:10778, conn_use=2, delay="), std::string::npos) << sent;
    ASSERT_EQ(cache.endpoints[endp].size(), 1u);
    EXPECT_NE(cache.endpoints[endp][0].property.find("reuse_count=1\n"), std::string::npos);
    // Only one connection was made: the server saw the second transaction after RSET
    // on the same one.
    size_t firstMail = server.transcript.find("MAIL FROM");
    size_t rset = server.transcript.find("RSET\r\nMAIL FROM", firstMail);
    EXPECT_NE(rset, std::string::npos) << server.transcript;
    // With the reuse count limit reached, the session says QUIT and is not saved.
    s.reuseCountLimit = 2;
    cache.requests.clear();
    {
        auto d = open(r);
        ASSERT_TRUE(d);
        EXPECT_EQ(deliverSmtp(*d, s, noDns(), &cache).status, delivery::kStatusFinal);
    }
    EXPECT_EQ(cache.requests, (std::vector<std::string>{"find_dest " + dest}));
    server.join();
    EXPECT_NE(server.transcript.find(".\r\nQUIT\r\n"), std::string::npos) << server.transcript;
}

TEST_F(SmtpCoreTest, ADeadCachedConnectionIsSkippedForANewOne) {
    FakeServer server;
    ASSERT_TRUE(server.listenTcp(10779));
    server.start();
    MemoryCache cache;
    AgentSettings s = settings();
    s.cacheDestinations = [](const std::string&) { return true; };
    // A cached connection whose server has gone: its probe fails quietly.
    int pair[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
    ::close(pair[1]);
    const std::string endp = "smtp\n127.0.0.1\n10779\n0\n0\n";
    cache.endpoints[endp].push_back(
        {pair[0], "tls_level=0\nreuse_count=0\nendpoint_features=7\nexpire_time=4102444800\n\n"});
    delivery::DeliverRequest r = request();
    r.nexthop = "[127.0.0.1]:10779";
    auto d = open(r);
    ASSERT_TRUE(d);
    EXPECT_EQ(deliverSmtp(*d, s, noDns(), &cache).status, delivery::kStatusFinal);
    std::string sent = logLine("to=<bob@example.com>");
    EXPECT_NE(sent.find("relay=127.0.0.1[127.0.0.1]:10779, delay="), std::string::npos) << sent;
    EXPECT_NE(server.transcript.find("EHLO client.example"), std::string::npos) << server.transcript;
    // The new session was saved for the next one.
    EXPECT_EQ(cache.endpoints[endp].size(), 1u);
    for (auto& e : cache.endpoints[endp]) ::close(e.fd);  // let the server see the end of the connection
    cache.endpoints.clear();
    server.join();
}

TEST(SessionCache, LabelsAndPropertiesAsPostfixWritesThem) {
    EXPECT_EQ(destinationLabel("smtp", "example.com", false), "smtp\nexample.com\n0\n0\n");
    EXPECT_EQ(endpointLabel("smtp", "192.0.2.1", 25, true), "smtp\n192.0.2.1\n25\n0\n1\n");
    // A field holding the separator or the "not applicable" mark is base64.
    EXPECT_EQ(destinationLabel("smtp", "a*b", false), "smtp\nYSpi\n0\n0\n");
    EXPECT_EQ(destinationLabel("", "x", false), "*\nx\n0\n0\n");
    CachedSession c;
    c.destination = "[mx.example]:2525";
    c.host = "mx.example";
    c.address = "192.0.2.1";
    c.port = 2525;
    c.bestMx = true;
    c.features.esmtp = c.features.pipelining = c.features.dsn = true;
    c.reuseCount = 3;
    c.expireTime = 1800000000;
    // The port in network byte order, the feature bits of Postfix's smtp.h.
    EXPECT_EQ(destinationProperty(c),
              "destination=[mx.example]:2525\nhost_name=mx.example\nhost_addr=192.0.2.1\nhost_port=56585\n"
              "destination_features=4096\n\n");
    EXPECT_EQ(endpointProperty(c), "tls_level=0\nreuse_count=3\nendpoint_features=32773\nexpire_time=1800000000\n\n");
    auto back = parseCachedSession(destinationProperty(c), endpointProperty(c));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->destination, c.destination);
    EXPECT_EQ(back->port, 2525u);
    EXPECT_TRUE(back->bestMx);
    EXPECT_TRUE(back->features.pipelining && back->features.dsn && !back->features.size);
    EXPECT_EQ(back->reuseCount, 3);
    EXPECT_EQ(back->expireTime, 1800000000);
    // Found by endpoint: no destination properties.
    EXPECT_TRUE(parseCachedSession("", endpointProperty(c)));
    EXPECT_FALSE(parseCachedSession("", "reuse_count=x\n\n"));
    EXPECT_FALSE(parseCachedSession("", "garbage"));
    // A TLS session (Postfix's smtp saved it) is not continued in plain text.
    EXPECT_FALSE(parseCachedSession("", "tls_level=1\nreuse_count=0\nendpoint_features=0\nexpire_time=1\n\n"));
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
