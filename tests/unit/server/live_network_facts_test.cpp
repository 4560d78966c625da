// LiveNetworkFacts against a private DNS server (tests/unit/dns/test_dns_server.h) and
// a policy server thread (test_policy_server.h): smtpd_check.c's unknown-host and
// unknown-domain lookups, smtpd_peer.c's client names, check_policy_service's request,
// replies, connection reuse, limits, timeouts and default actions, also evaluated
// through lib/policy's restrictions as smtpd will run them.
#include "postline/server/live_network_facts.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "address/address_test_util.h"
#include "dns/test_dns_server.h"
#include "postline/address/routing_context.h"
#include "postline/base/msg.h"
#include "postline/config/config.h"
#include "postline/policy/smtpd_restrictions.h"
#include "server/test_policy_server.h"

namespace postline::server {
namespace {

using policy::DnsAnswer;
using policy::DnsQuery;
using std::chrono::milliseconds;

const char* kZone = R"(
mx.example.test. MX 10 mail.example.test.
mail.example.test. A 192.0.2.10
mail.example.test. AAAA 2001:db8::10
aonly.example.test. A 192.0.2.11
mxonly.example.test. MX 10 elsewhere.example.test.
nullmx.example.test. MX 0 .
nullmx.example.test. A 192.0.2.12
badmx.example.test. MX GARBAGE
numericmx.example.test. MX 10 192.0.2.1.
mxfail.example.test. MX SERVFAIL
mxfail.example.test. A 192.0.2.13
allfail.example.test. * SERVFAIL
v4fail.example.test. A SERVFAIL
v4fail.example.test. MX 10 mail.example.test.
10.2.0.192.in-addr.arpa. PTR mail.example.test.
20.2.0.192.in-addr.arpa. PTR forged.example.test.
forged.example.test. A 192.0.2.99
30.2.0.192.in-addr.arpa. PTR 192.0.2.30.
40.2.0.192.in-addr.arpa. PTR SERVFAIL
50.2.0.192.in-addr.arpa. PTR gone.example.test.
60.2.0.192.in-addr.arpa. PTR v4fail.example.test.
0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. PTR mail.example.test.
mxhosted.example.test. MX 10 mx.badhost.test.
mx.badhost.test. A 203.0.113.5
nsdomain.example.test. NS ns.badns.test.
sub.nsdomain.example.test. A 192.0.2.77
ns.badns.test. A 203.0.113.53
2.2.0.192.rbl.test. A 127.0.0.2
2.2.0.192.rbl.test. TXT "listed at rbl.test"
2.2.0.192.rbl.test. TXT "see" " there"
3.2.0.192.rbl.test. A 127.0.0.20
4.2.0.192.rbl.test. A SERVFAIL
spam.example.test.rhsbl.test. A 127.0.0.2
1.2.0.192.wl.test. A 127.0.0.5
4.2.0.192.wl.test. A SERVFAIL
0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.rbl.test. A 127.0.0.3
)";

// Captures warnings for the test's lifetime.
struct Warnings {
    std::vector<std::string> lines;
    Warnings() {
        base::setMsgSink([this](base::Severity s, std::string_view text) {
            if (s == base::Severity::Warning) lines.emplace_back(text);
        });
    }
    ~Warnings() { base::setMsgSink(nullptr); }
    bool has(const std::string& text) const {
        return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(text) != l.npos; });
    }
};

class LiveDnsTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { server_ = new testing::TestDnsServer(kZone); }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
    }
    void SetUp() override {
        ASSERT_TRUE(server_->ok()) << "the test DNS server did not start (python3-dnslib installed?)";
        options_.resolver.nameservers = {server_->address()};
        options_.resolver.timeout = milliseconds(500);
        options_.resolver.tries = 1;
        auto r = dns::Resolver::create(options_.resolver);
        ASSERT_TRUE(r.ok());
        resolver_ = std::move(r.value());
    }
    std::unique_ptr<LiveNetworkFacts> facts() {
        auto f = LiveNetworkFacts::create(options_);
        EXPECT_TRUE(f.ok());
        return std::move(f.value());
    }
    static testing::TestDnsServer* server_;
    LiveNetworkOptions options_;
    std::unique_ptr<dns::Resolver> resolver_;
};
testing::TestDnsServer* LiveDnsTest::server_ = nullptr;

TEST_F(LiveDnsTest, HostNames) {
    auto& r = *resolver_;
    EXPECT_EQ(lookupHost(r, "mail.example.test", DnsQuery::Host), DnsAnswer::Found);
    EXPECT_EQ(lookupHost(r, "mxonly.example.test", DnsQuery::Host), DnsAnswer::Found);
    EXPECT_EQ(lookupHost(r, "nowhere.example.test", DnsQuery::Host), DnsAnswer::NotFound);
    EXPECT_EQ(lookupHost(r, "allfail.example.test", DnsQuery::Host), DnsAnswer::TempFail);
    // A fails temporarily, the MX is found: found (STOP_OK).
    EXPECT_EQ(lookupHost(r, "v4fail.example.test", DnsQuery::Host), DnsAnswer::Found);
    // An MTA name may have a null MX: its A record is found first.
    EXPECT_EQ(lookupHost(r, "nullmx.example.test.", DnsQuery::Host), DnsAnswer::Found);
}

TEST_F(LiveDnsTest, NamesThatAreNeverLookedUp) {
    auto& r = *resolver_;
    EXPECT_EQ(lookupHost(r, "192.0.2.10", DnsQuery::Host), DnsAnswer::NotFound);
    EXPECT_EQ(lookupHost(r, "bad..name.test", DnsQuery::MailHost), DnsAnswer::NotFound);
    EXPECT_EQ(lookupHost(r, "", DnsQuery::MailHost), DnsAnswer::NotFound);
    EXPECT_EQ(server_->queries().find("192.0.2.10"), std::string::npos);
    EXPECT_EQ(server_->queries().find("bad..name"), std::string::npos);
}

TEST_F(LiveDnsTest, MailDomains) {
    auto& r = *resolver_;
    EXPECT_EQ(lookupHost(r, "mx.example.test", DnsQuery::MailHost), DnsAnswer::Found);
    EXPECT_EQ(lookupHost(r, "aonly.example.test", DnsQuery::MailHost), DnsAnswer::Found);
    EXPECT_EQ(lookupHost(r, "nullmx.example.test", DnsQuery::MailHost), DnsAnswer::NullMx);
    EXPECT_EQ(lookupHost(r, "badmx.example.test", DnsQuery::MailHost), DnsAnswer::Malformed);
    EXPECT_EQ(lookupHost(r, "numericmx.example.test", DnsQuery::MailHost), DnsAnswer::Malformed);
    EXPECT_EQ(lookupHost(r, "nowhere.example.test", DnsQuery::MailHost), DnsAnswer::NotFound);
    // The MX lookup fails temporarily but an address is found: found.
    EXPECT_EQ(lookupHost(r, "mxfail.example.test", DnsQuery::MailHost), DnsAnswer::Found);
    EXPECT_EQ(lookupHost(r, "allfail.example.test", DnsQuery::MailHost), DnsAnswer::TempFail);
}

TEST_F(LiveDnsTest, ClientNames) {
    Warnings w;
    auto& r = *resolver_;
    ClientNames ok = lookupClientNames(r, "192.0.2.10");
    EXPECT_EQ(ok.name, "mail.example.test");
    EXPECT_EQ(ok.reverseName, "mail.example.test");
    EXPECT_EQ(ok.nameStatus, DnsAnswer::Found);
    ClientNames v6 = lookupClientNames(r, "2001:db8::10");
    EXPECT_EQ(v6.name, "mail.example.test");

    ClientNames forged = lookupClientNames(r, "192.0.2.20");
    EXPECT_EQ(forged.name, "unknown");
    EXPECT_EQ(forged.reverseName, "forged.example.test");
    EXPECT_EQ(forged.nameStatus, DnsAnswer::NotFound);
    EXPECT_EQ(forged.reverseNameStatus, DnsAnswer::Found);
    EXPECT_TRUE(w.has("hostname forged.example.test does not resolve to address 192.0.2.20"));

    ClientNames gone = lookupClientNames(r, "192.0.2.50");
    EXPECT_EQ(gone.name, "unknown");
    EXPECT_TRUE(w.has("hostname gone.example.test does not resolve to address 192.0.2.50: Name or service not known"));
    ClientNames fwdTemp = lookupClientNames(r, "192.0.2.60");
    EXPECT_EQ(fwdTemp.name, "unknown");
    EXPECT_EQ(fwdTemp.reverseName, "v4fail.example.test");
    EXPECT_EQ(fwdTemp.nameStatus, DnsAnswer::TempFail);

    ClientNames numeric = lookupClientNames(r, "192.0.2.30");
    EXPECT_EQ(numeric.reverseName, "unknown");
    EXPECT_EQ(numeric.nameStatus, DnsAnswer::NotFound);
    ClientNames none = lookupClientNames(r, "192.0.2.70");
    EXPECT_EQ(none.name, "unknown");
    EXPECT_EQ(none.reverseNameStatus, DnsAnswer::NotFound);
    ClientNames temp = lookupClientNames(r, "192.0.2.40");
    EXPECT_EQ(temp.name, "unknown");
    EXPECT_EQ(temp.nameStatus, DnsAnswer::TempFail);
    EXPECT_EQ(temp.reverseNameStatus, DnsAnswer::TempFail);
}

TEST_F(LiveDnsTest, FactsRememberAnswers) {
    auto count = [&] {
        std::string q = server_->queries();
        size_t n = 0;
        for (size_t p = q.find("mx.example.test MX"); p != q.npos; p = q.find("mx.example.test MX", p + 1))
            if (p == 0 || q[p - 1] == '\n') ++n;
        return n;
    };
    auto f = facts();
    auto before = count();
    EXPECT_EQ(f->dnsLookup("MX.example.test", DnsQuery::MailHost), DnsAnswer::Found);
    EXPECT_EQ(f->dnsAnswer("mx.example.test."), DnsAnswer::Found);
    EXPECT_EQ(count(), before + 1);
    f->forgetDns();
    EXPECT_EQ(f->dnsLookup("mx.example.test", DnsQuery::MailHost), DnsAnswer::Found);
    EXPECT_EQ(count(), before + 2);
    EXPECT_EQ(f->dnsAnswer("192.0.2.40"), DnsAnswer::TempFail);
    EXPECT_EQ(f->lookupClient("192.0.2.10").name, "mail.example.test");
}

TEST_F(LiveDnsTest, PeernameLookupOff) {
    options_.peernameLookup = false;
    auto f = facts();
    ClientNames n = f->lookupClient("192.0.2.10");
    EXPECT_EQ(n.name, "unknown");
    EXPECT_EQ(n.reverseName, "unknown");
    EXPECT_EQ(f->dnsLookup("192.0.2.10", DnsQuery::Client), DnsAnswer::NotFound);
}

// The restrictions as smtpd runs them, with the live facts.
config::Config restrictionConfig() {
    auto c = address::testing::testConfig();
    c.set("mynetworks", "127.0.0.0/8");
    c.set("local_recipient_maps", "");
    return c;
}

policy::RecipientCheck check(const config::Config& c, const policy::SmtpdSession& s, std::string_view sender,
                             std::string_view rcpt) {
    address::RoutingContext ctx(c);
    policy::SmtpdRestrictions r(ctx, s);
    return r.check(sender, rcpt);
}

policy::SmtpdSession session(const LiveNetworkFacts& facts, const std::string& address, const std::string& helo) {
    policy::SmtpdSession s;
    s.clientAddress = address;
    ClientNames n = facts.lookupClient(address);
    s.clientName = n.name;
    s.reverseName = n.reverseName;
    s.helo = helo;
    s.network = &facts;
    return s;
}

TEST_F(LiveDnsTest, RestrictionsAskTheDns) {
    auto f = facts();
    auto c = restrictionConfig();
    c.set("smtpd_helo_restrictions", "reject_unknown_helo_hostname");
    c.set("smtpd_sender_restrictions", "reject_unknown_sender_domain");
    c.set("smtpd_client_restrictions", "reject_unknown_client_hostname");
    auto s = session(*f, "192.0.2.10", "mail.example.test");
    EXPECT_EQ(check(c, s, "joe@mx.example.test", "root@example.org").verdict, policy::RecipientCheck::Verdict::Accept);
    EXPECT_EQ(check(c, s, "joe@nullmx.example.test", "root@example.org").reply,
              "550 5.7.27 <joe@nullmx.example.test>: Sender address rejected: Domain nullmx.example.test does not "
              "accept mail (nullMX)");
    EXPECT_EQ(check(c, s, "joe@nowhere.example.test", "root@example.org").reply,
              "450 4.1.8 <joe@nowhere.example.test>: Sender address rejected: Domain not found");
    EXPECT_EQ(check(c, s, "joe@allfail.example.test", "root@example.org").reply,
              "450 4.1.8 <joe@allfail.example.test>: Sender address rejected: Domain not found");
    auto helo = session(*f, "192.0.2.10", "nowhere.example.test");
    EXPECT_EQ(check(c, helo, "joe@mx.example.test", "root@example.org").reply,
              "450 4.7.1 <nowhere.example.test>: Helo command rejected: Host not found");
    auto temp = session(*f, "192.0.2.40", "mail.example.test");
    EXPECT_EQ(check(c, temp, "joe@mx.example.test", "root@example.org").reply,
              "450 4.7.25 Client host rejected: cannot find your hostname, [192.0.2.40]");
    // The forward lookup failing temporarily defers reject_unknown_client_hostname, but
    // the reverse name was found: reject_unknown_reverse_client_hostname passes.
    auto fwdTemp = session(*f, "192.0.2.60", "mail.example.test");
    EXPECT_EQ(check(c, fwdTemp, "joe@mx.example.test", "root@example.org").reply,
              "450 4.7.25 Client host rejected: cannot find your hostname, [192.0.2.60]");
    c.set("smtpd_client_restrictions", "reject_unknown_reverse_client_hostname");
    EXPECT_EQ(check(c, fwdTemp, "joe@mx.example.test", "root@example.org").verdict,
              policy::RecipientCheck::Verdict::Accept);
    EXPECT_EQ(check(c, temp, "joe@mx.example.test", "root@example.org").reply,
              "450 4.7.1 Client host rejected: cannot find your reverse hostname, [192.0.2.40]");
    c.set("smtpd_client_restrictions", "reject_unknown_client_hostname");
    auto forged = session(*f, "192.0.2.20", "mail.example.test");
    EXPECT_EQ(check(c, forged, "joe@mx.example.test", "root@example.org").reply,
              "450 4.7.25 Client host rejected: cannot find your hostname, [192.0.2.20]");
}

TEST_F(LiveDnsTest, DnsLists) {
    Warnings w;
    auto f = facts();
    auto c = restrictionConfig();
    c.set("smtpd_client_restrictions", "reject_rbl_client rbl.test");
    auto listed = session(*f, "192.0.2.2", "mail.example.test");
    EXPECT_EQ(check(c, listed, "joe@mx.example.test", "root@example.org").reply,
              "554 5.7.1 Service unavailable; Client host [192.0.2.2] blocked using rbl.test; listed at rbl.test / "
              "see there");
    auto noText = session(*f, "192.0.2.3", "mail.example.test");
    EXPECT_EQ(check(c, noText, "joe@mx.example.test", "root@example.org").reply,
              "554 5.7.1 Service unavailable; Client host [192.0.2.3] blocked using rbl.test");
    auto v6 = session(*f, "2001:db8::10", "mail.example.test");
    EXPECT_EQ(check(c, v6, "joe@mx.example.test", "root@example.org").reply,
              "554 5.7.1 Service unavailable; Client host [2001:db8::10] blocked using rbl.test");
    auto clean = session(*f, "192.0.2.10", "mail.example.test");
    EXPECT_EQ(check(c, clean, "joe@mx.example.test", "root@example.org").verdict,
              policy::RecipientCheck::Verdict::Accept);
    // A list that cannot be asked lets the client through, with a warning.
    auto failing = session(*f, "192.0.2.4", "mail.example.test");
    EXPECT_EQ(check(c, failing, "joe@mx.example.test", "root@example.org").verdict,
              policy::RecipientCheck::Verdict::Accept);
    EXPECT_TRUE(w.has("4.2.0.192.rbl.test: RBL lookup error:"));

    // Reply filters.
    c.set("smtpd_client_restrictions", "reject_rbl_client rbl.test=127.0.0.[2..11]");
    EXPECT_EQ(check(c, listed, "joe@mx.example.test", "root@example.org").verdict,
              policy::RecipientCheck::Verdict::Reject);
    EXPECT_EQ(check(c, noText, "joe@mx.example.test", "root@example.org").verdict,
              policy::RecipientCheck::Verdict::Accept);
    c.set("smtpd_client_restrictions", "reject_rbl_client rbl.test=127.0.0.[3;20]");
    EXPECT_EQ(check(c, listed, "joe@mx.example.test", "root@example.org").verdict,
              policy::RecipientCheck::Verdict::Accept);
    EXPECT_EQ(check(c, noText, "joe@mx.example.test", "root@example.org").reply,
              "554 5.7.1 Service unavailable; Client host [192.0.2.3] blocked using rbl.test");
    c.set("smtpd_client_restrictions", "reject_rbl_client rbl.test=127.0.0");
    EXPECT_EQ(check(c, listed, "joe@mx.example.test", "root@example.org").reply,
              "451 4.3.5 Server configuration error");

    // rbl_reply_maps and the expansion of the template.
    c.set("smtpd_client_restrictions", "reject_rbl_client rbl.test");
    // ($$: main.cf expands parameter values; the template needs its $ names kept.)
    c.set("rbl_reply_maps", "inline:{ {rbl.test = $$rbl_code 5.7.9 go away $$client_address ($$rbl_reason)} }");
    c.set("maps_rbl_reject_code", "550");
    EXPECT_EQ(check(c, listed, "joe@mx.example.test", "root@example.org").reply,
              "550 5.7.9 go away 192.0.2.2 (listed at rbl.test / see there)");
    c.set("rbl_reply_maps", "");

    // Right-hand side lists: the sender's domain.
    c.set("smtpd_client_restrictions", "");
    c.set("smtpd_sender_restrictions", "reject_rhsbl_sender rhsbl.test");
    EXPECT_EQ(check(c, clean, "joe@spam.example.test", "root@example.org").reply,
              "550 5.7.1 Service unavailable; Sender address [joe@spam.example.test] blocked using rhsbl.test");
    EXPECT_EQ(check(c, clean, "joe@mx.example.test", "root@example.org").verdict,
              policy::RecipientCheck::Verdict::Accept);

    // Allow lists.
    c.set("smtpd_sender_restrictions", "");
    c.set("smtpd_client_restrictions", "permit_dnswl_client wl.test, reject");
    auto allowed = session(*f, "192.0.2.1", "mail.example.test");
    EXPECT_EQ(check(c, allowed, "joe@mx.example.test", "root@example.org").verdict,
              policy::RecipientCheck::Verdict::Accept);
    EXPECT_EQ(check(c, listed, "joe@mx.example.test", "root@example.org").verdict,
              policy::RecipientCheck::Verdict::Reject);
    // A failing allow list defers what is rejected later.
    EXPECT_EQ(check(c, failing, "joe@mx.example.test", "root@example.org").reply,
              "450 4.7.1 <192.0.2.4>: Client host rejected: Service unavailable");

    // The facts' own answer.
    auto a = f->dnsListLookup("2.2.0.192.RBL.test");
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->status, DnsAnswer::Found);
    EXPECT_EQ(a->addresses, std::vector<std::string>{"127.0.0.2"});
    EXPECT_EQ(f->dnsListLookup("9.2.0.192.rbl.test")->status, DnsAnswer::NotFound);
}

TEST_F(LiveDnsTest, ServerAccess) {
    auto f = facts();
    auto c = restrictionConfig();
    auto s = session(*f, "192.0.2.10", "mail.example.test");
    using V = policy::RecipientCheck::Verdict;
    c.set("smtpd_sender_restrictions",
          "check_sender_mx_access inline:{ {mx.badhost.test=REJECT bad mx}, {aonly.example.test=REJECT self} }");
    EXPECT_EQ(check(c, s, "joe@mxhosted.example.test", "root@example.org").reply,
              "554 5.7.1 <joe@mxhosted.example.test>: Sender address rejected: bad mx");
    // No MX records: the domain is its own mail exchanger.
    EXPECT_EQ(check(c, s, "joe@aonly.example.test", "root@example.org").reply,
              "554 5.7.1 <joe@aonly.example.test>: Sender address rejected: self");
    EXPECT_EQ(check(c, s, "joe@mx.example.test", "root@example.org").verdict, V::Accept);
    EXPECT_EQ(check(c, s, "joe@nullmx.example.test", "root@example.org").verdict, V::Accept);
    auto failed = check(c, s, "joe@allfail.example.test", "root@example.org");
    EXPECT_EQ(failed.verdict, V::Accept);
    bool warned = false;
    for (const auto& step : failed.steps)
        for (const auto& text : step.warnings)
            warned = warned || text == "Unable to look up MX host for allfail.example.test: Host not found, try again";
    EXPECT_TRUE(warned);

    // Name servers of the nearest parent, and their addresses.
    c.set("smtpd_sender_restrictions", "check_sender_ns_access inline:{ {203.0.113.53=REJECT bad ns address} }");
    EXPECT_EQ(check(c, s, "joe@sub.nsdomain.example.test", "root@example.org").reply,
              "554 5.7.1 <joe@sub.nsdomain.example.test>: Sender address rejected: bad ns address");

    // The HELO name's own addresses.
    c.set("smtpd_sender_restrictions", "");
    c.set("smtpd_helo_restrictions", "check_helo_a_access inline:{ {192.0.2.10=REJECT helo address} }");
    EXPECT_EQ(check(c, s, "joe@mx.example.test", "root@example.org").reply,
              "554 5.7.1 <mail.example.test>: Helo command rejected: helo address");

    // These lookups may not allow anything.
    c.set("smtpd_helo_restrictions", "check_helo_mx_access inline:{ {mail.example.test=OK} }");
    auto mxHelo = session(*f, "192.0.2.10", "mx.example.test");
    EXPECT_EQ(check(c, mxHelo, "joe@mx.example.test", "root@example.org").reply,
              "451 4.3.5 Server configuration error");
}

// Policy servers.
class PolicyTest : public ::testing::Test {
protected:
    LiveNetworkOptions options() {
        LiveNetworkOptions o;
        o.resolver.nameservers = {"127.0.0.1:1"};  // no DNS in these tests
        o.policy.timeout = milliseconds(300);
        o.policy.retryDelay = milliseconds(10);
        return o;
    }
    std::unique_ptr<LiveNetworkFacts> facts(const LiveNetworkOptions& o) {
        auto f = LiveNetworkFacts::create(o);
        EXPECT_TRUE(f.ok());
        return std::move(f.value());
    }
    static std::optional<std::string> dunno(const testing::TestPolicyServer::Request&) {
        return std::string("action=DUNNO\n\n");
    }
    static std::string value(const testing::TestPolicyServer::Request& r, const std::string& name) {
        for (auto& [n, v] : r)
            if (n == name) return v;
        return "<absent>";
    }
};

TEST_F(PolicyTest, RequestAttributesAndAction) {
    testing::TestPolicyServer server([](const testing::TestPolicyServer::Request& r) -> std::optional<std::string> {
        if (value(r, "recipient") == "grey@example.org") return std::string("action=DEFER_IF_PERMIT greylisted\n\n");
        return std::string("foo=bar\naction=REJECT not today\nignored=1\n\n");
    });
    auto o = options();
    o.policy.policyContext = "ctx1";
    auto f = facts(o);
    auto c = restrictionConfig();
    c.set("smtpd_recipient_restrictions", "check_policy_service " + server.endpoint());
    policy::SmtpdSession s;
    s.clientAddress = "192.0.2.1";
    s.clientName = "mail.example.test";
    s.reverseName = "mail.example.test";
    s.helo = "helo.example.test";
    s.policyAttributes = {
        {"protocol_name", "ESMTP"}, {"client_port", "40000"}, {"recipient_count", "3"}, {"x_extra", "1"}};
    s.network = f.get();
    auto r = check(c, s, "joe@example.net", "root@example.org");
    EXPECT_EQ(r.reply, "554 5.7.1 <root@example.org>: Recipient address rejected: not today");
    r = check(c, s, "joe@example.net", "grey@example.org");
    EXPECT_EQ(r.reply, "450 4.7.1 <grey@example.org>: Recipient address rejected: greylisted");

    auto reqs = server.requests();
    ASSERT_EQ(reqs.size(), 2u);
    const auto& q = reqs[0];
    ASSERT_FALSE(q.empty());
    EXPECT_EQ(q[0], (std::pair<std::string, std::string>{"request", "smtpd_access_policy"}));
    EXPECT_EQ(value(q, "protocol_state"), "RCPT");
    EXPECT_EQ(value(q, "protocol_name"), "ESMTP");
    EXPECT_EQ(value(q, "client_address"), "192.0.2.1");
    EXPECT_EQ(value(q, "client_name"), "mail.example.test");
    EXPECT_EQ(value(q, "client_port"), "40000");
    EXPECT_EQ(value(q, "reverse_client_name"), "mail.example.test");
    EXPECT_EQ(value(q, "helo_name"), "helo.example.test");
    EXPECT_EQ(value(q, "sender"), "joe@example.net");
    EXPECT_EQ(value(q, "recipient"), "root@example.org");
    EXPECT_EQ(value(q, "recipient_count"), "0");  // counted only from DATA on
    EXPECT_EQ(value(q, "policy_context"), "ctx1");
    EXPECT_EQ(value(q, "compatibility_level"), "3.6");
    EXPECT_EQ(value(q, "mail_version"), c.get("mail_version"));
    EXPECT_EQ(value(q, "x_extra"), "1");
    EXPECT_EQ(value(q, "sasl_username"), "");
    EXPECT_EQ(value(q, "size"), "0");
    // One connection for both requests.
    EXPECT_EQ(server.connections(), 1);
}

TEST_F(PolicyTest, RequestLimitAndMaxIdle) {
    testing::TestPolicyServer server(dunno);
    auto o = options();
    o.policy.requestLimit = 2;
    auto f = facts(o);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(f->policyAction(server.endpoint()), "DUNNO");
    EXPECT_EQ(server.connections(), 2);

    testing::TestPolicyServer idle(dunno);
    o = options();
    o.policy.maxIdle = milliseconds(100);
    f = facts(o);
    EXPECT_EQ(f->policyAction(idle.endpoint()), "DUNNO");
    EXPECT_EQ(f->policyAction(idle.endpoint()), "DUNNO");
    std::this_thread::sleep_for(milliseconds(150));
    EXPECT_EQ(f->policyAction(idle.endpoint()), "DUNNO");
    EXPECT_EQ(idle.connections(), 2);
}

TEST_F(PolicyTest, ServerThatHangsUpGetsTheDefaultAction) {
    Warnings w;
    testing::TestPolicyServer server([](const testing::TestPolicyServer::Request&) { return std::nullopt; });
    auto f = facts(options());
    EXPECT_EQ(f->policyAction(server.endpoint()), "451 4.3.5 Server configuration problem");
    EXPECT_EQ(server.requests().size(), 2u);  // smtpd_policy_service_try_limit = 2
    EXPECT_TRUE(w.has("problem talking to server " + server.endpoint()));

    // Through the restrictions: the default action is the reply.
    auto c = restrictionConfig();
    c.set("smtpd_recipient_restrictions", "check_policy_service " + server.endpoint());
    policy::SmtpdSession s;
    s.clientAddress = "192.0.2.1";
    s.network = f.get();
    EXPECT_EQ(check(c, s, "joe@example.net", "root@example.org").reply,
              "451 4.3.5 <root@example.org>: Recipient address rejected: Server configuration problem");
}

TEST_F(PolicyTest, TimeoutAndRefusal) {
    Warnings w;
    testing::TestPolicyServer slow([](const testing::TestPolicyServer::Request&) -> std::optional<std::string> {
        std::this_thread::sleep_for(milliseconds(600));
        return std::string("action=OK\n\n");
    });
    auto o = options();
    o.policy.tryLimit = 1;
    o.policy.defaultAction = "DUNNO";
    auto f = facts(o);
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(f->policyAction(slow.endpoint()), "DUNNO");
    EXPECT_LT(std::chrono::steady_clock::now() - t0, milliseconds(550));
    EXPECT_TRUE(w.has("problem talking to server " + slow.endpoint() + ": Connection timed out"));

    EXPECT_EQ(f->policyAction("inet:127.0.0.1:1"), "DUNNO");
    EXPECT_TRUE(w.has("problem talking to server inet:127.0.0.1:1: Connection refused"));
}

TEST_F(PolicyTest, ReplyWithoutAction) {
    Warnings w;
    testing::TestPolicyServer server(
        [](const testing::TestPolicyServer::Request&) { return std::optional<std::string>("foo=bar\n\n"); });
    auto f = facts(options());
    EXPECT_EQ(f->policyAction(server.endpoint()), "451 4.3.5 Server configuration problem");
    EXPECT_TRUE(w.has("missing attribute action in input from " + server.endpoint()));
    EXPECT_EQ(server.requests().size(), 2u);
}

TEST_F(PolicyTest, UnixSocketUnderTheBaseDirectory) {
    char tmpl[] = "/tmp/postline-policy-XXXXXX";
    ASSERT_TRUE(mkdtemp(tmpl));
    std::string dir = tmpl;
    std::filesystem::create_directory(dir + "/private");
    {
        testing::TestPolicyServer server(dunno, dir + "/private/policy");
        auto o = options();
        o.policyBaseDirectory = dir;
        // The test server serves one connection at a time: each facts object closes its
        // connection when it goes.
        EXPECT_EQ(facts(o)->policyAction("unix:private/policy"), "DUNNO");
        EXPECT_EQ(facts(o)->policyAction("unix:" + dir + "/private/policy"), "DUNNO");
        EXPECT_EQ(server.requests().size(), 2u);
    }
    std::filesystem::remove_all(dir);
}

TEST_F(PolicyTest, PerServiceSettings) {
    Warnings w;
    auto f = facts(options());
    EXPECT_EQ(f->policyAction("{ inet:127.0.0.1:1, try_limit=1, { default_action = 450 4.7.1 busy } }"),
              "450 4.7.1 busy");
    // As Postfix's attr_override(): "name = value" with spaces needs braces.
    EXPECT_EQ(f->policyAction("{ inet:127.0.0.1:1, bogus=1 }"), "451 4.3.5 Server configuration problem");
    EXPECT_EQ(f->policyAction("{ inet:127.0.0.1:1, timeout = 1 }"), "451 4.3.5 Server configuration problem");
    EXPECT_TRUE(w.has("malformed option"));
    EXPECT_TRUE(w.has("unknown option: \"bogus = 1\""));
}

TEST(PolicyServiceSpec, Parse) {
    PolicySettings d;
    auto p = parsePolicyService("inet:127.0.0.1:9998", d);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->endpoint, "inet:127.0.0.1:9998");
    p = parsePolicyService(
        "{ unix:private/policy, timeout=10s, { max_idle = 1m }, request_limit=5, try_limit=3, "
        "{ default_action = DEFER_IF_PERMIT try later }, policy_context=abc }",
        d);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(p->endpoint, "unix:private/policy");
    EXPECT_EQ(p->settings.timeout, std::chrono::seconds(10));
    EXPECT_EQ(p->settings.maxIdle, std::chrono::seconds(60));
    EXPECT_EQ(p->settings.requestLimit, 5);
    EXPECT_EQ(p->settings.tryLimit, 3);
    EXPECT_EQ(p->settings.defaultAction, "DEFER_IF_PERMIT try later");
    EXPECT_EQ(p->settings.policyContext, "abc");
    EXPECT_EQ(p->settings.maxTtl, d.maxTtl);
    EXPECT_FALSE(parsePolicyService("", d).ok());
    EXPECT_FALSE(parsePolicyService("{ }", d).ok());
    EXPECT_FALSE(parsePolicyService("{ inet:h:1, timeout }", d).ok());
    EXPECT_FALSE(parsePolicyService("{ inet:h:1, timeout=soon }", d).ok());
    EXPECT_FALSE(parsePolicyService("{ inet:h:1, try_limit=0 }", d).ok());
    EXPECT_FALSE(parsePolicyService("{ inet:h:1", d).ok());
    EXPECT_FALSE(parsePolicyService("private-policy", d).ok());
}

TEST(PolicyServiceSpec, SettingsFromConfig) {
    auto c = address::testing::testConfig();
    PolicySettings d = policySettings(c);
    EXPECT_EQ(d.timeout, std::chrono::seconds(100));
    EXPECT_EQ(d.maxIdle, std::chrono::seconds(300));
    EXPECT_EQ(d.maxTtl, std::chrono::seconds(1000));
    EXPECT_EQ(d.retryDelay, std::chrono::seconds(1));
    EXPECT_EQ(d.tryLimit, 2);
    EXPECT_EQ(d.requestLimit, 0);
    EXPECT_EQ(d.defaultAction, "451 4.3.5 Server configuration problem");
    c.set("smtpd_policy_service_timeout", "5");
    c.set("smtpd_policy_service_max_ttl", "2m");
    c.set("smtpd_policy_service_default_action", "DUNNO");
    c.set("smtpd_peername_lookup", "no");
    LiveNetworkOptions o = liveNetworkOptions(c);
    EXPECT_EQ(o.policy.timeout, std::chrono::seconds(5));
    EXPECT_EQ(o.policy.maxTtl, std::chrono::seconds(120));
    EXPECT_EQ(o.policy.defaultAction, "DUNNO");
    EXPECT_FALSE(o.peernameLookup);
    EXPECT_EQ(o.policyBaseDirectory, c.get("queue_directory"));
}

}  // namespace
}  // namespace postline::server
