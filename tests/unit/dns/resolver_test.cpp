// lib/dns's Resolver against a private DNS server on 127.0.0.1 (test_dns_server.h):
// each record type, NXDOMAIN versus NODATA, SERVFAIL, REFUSED, silence, a reply cut
// short, null MX, CNAME chains, TCP, and the event-driven shape.
#include <gtest/gtest.h>

#include <algorithm>

#include "dns/test_dns_server.h"
#include "postline/dns/resolver.h"

namespace postline::dns {
namespace {

const char* kZone = R"(
example.test. MX 20 mx2.example.test.
example.test. MX 10 mx1.example.test.
example.test. TXT "v=spf1 -all"
example.test. NS ns1.example.test.
example.test. NS ns2.example.test.
mx1.example.test. A 192.0.2.1
mx1.example.test. A 192.0.2.2
mx1.example.test. AAAA 2001:db8::1
nullmx.test. MX 0 .
alias.example.test. CNAME mx1.example.test.
2.0.0.127.rbl.test. A 127.0.0.2
2.0.0.127.rbl.test. TXT "listed" " because"
2.0.0.127.rbl.test. TXT "second record"
1.2.0.192.in-addr.arpa. PTR mx1.example.test.
1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. PTR v6.example.test.
servfail.test. * SERVFAIL
refused.test. * REFUSED
formerr.test. * FORMERR
silent.test. * DROP
garbage.test. * GARBAGE
halfbroken.test. A 192.0.2.9
halfbroken.test. AAAA SERVFAIL
)";

class ResolverTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { server_ = new testing::TestDnsServer(kZone); }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
    }
    void SetUp() override {
        ASSERT_TRUE(server_->ok()) << "the test DNS server did not start (python3-dnslib installed?)";
    }
    std::unique_ptr<Resolver> make(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000), int tries = 2,
                                   bool tcp = false) {
        ResolverOptions o;
        o.nameservers = {server_->address()};
        o.timeout = timeout;
        o.tries = tries;
        o.useTcp = tcp;
        auto r = Resolver::create(o);
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
        return r.ok() ? std::move(r.value()) : nullptr;
    }
    static testing::TestDnsServer* server_;
};
testing::TestDnsServer* ResolverTest::server_ = nullptr;

TEST_F(ResolverTest, AddressRecords) {
    auto r = make();
    Answer a = r->lookup("mx1.example.test", RecordType::A);
    EXPECT_EQ(a.status, Status::Found) << a.error;
    auto addrs = a.addresses;
    std::sort(addrs.begin(), addrs.end());
    EXPECT_EQ(addrs, (std::vector<std::string>{"192.0.2.1", "192.0.2.2"}));
    Answer v6 = r->lookup("MX1.Example.Test.", RecordType::AAAA);
    EXPECT_EQ(v6.status, Status::Found) << v6.error;
    EXPECT_EQ(v6.addresses, std::vector<std::string>{"2001:db8::1"});
    EXPECT_EQ(v6.name, "MX1.Example.Test.");
}

TEST_F(ResolverTest, MxSortedByPreference) {
    auto r = make();
    Answer a = r->lookup("example.test", RecordType::MX);
    ASSERT_EQ(a.status, Status::Found) << a.error;
    ASSERT_EQ(a.mx.size(), 2u);
    EXPECT_EQ(a.mx[0].preference, 10);
    EXPECT_EQ(a.mx[0].exchange, "mx1.example.test");
    EXPECT_EQ(a.mx[1].exchange, "mx2.example.test");
    EXPECT_FALSE(a.nullMx());
}

TEST_F(ResolverTest, NullMx) {
    auto r = make();
    Answer a = r->lookup("nullmx.test", RecordType::MX);
    ASSERT_EQ(a.status, Status::Found) << a.error;
    ASSERT_EQ(a.mx.size(), 1u);
    EXPECT_EQ(a.mx[0].exchange, "");
    EXPECT_TRUE(a.nullMx());
}

TEST_F(ResolverTest, NxDomainAndNoDataAreDistinguished) {
    auto r = make();
    Answer nx = r->lookup("nowhere.example.test", RecordType::A);
    EXPECT_EQ(nx.status, Status::NxDomain);
    EXPECT_TRUE(nx.notFound());
    EXPECT_FALSE(nx.error.empty());
    Answer nodata = r->lookup("example.test", RecordType::A);
    EXPECT_EQ(nodata.status, Status::NoData);
    EXPECT_TRUE(nodata.notFound());
    Answer nomx = r->lookup("mx1.example.test", RecordType::MX);
    EXPECT_EQ(nomx.status, Status::NoData);
}

TEST_F(ResolverTest, CnameIsFollowed) {
    auto r = make();
    Answer a = r->lookup("alias.example.test", RecordType::A);
    EXPECT_EQ(a.status, Status::Found) << a.error;
    EXPECT_EQ(a.addresses.size(), 2u);
}

TEST_F(ResolverTest, TxtRecordsJoinTheirStrings) {
    auto r = make();
    Answer a = r->lookup("2.0.0.127.rbl.test", RecordType::TXT);
    ASSERT_EQ(a.status, Status::Found) << a.error;
    auto texts = a.texts;
    std::sort(texts.begin(), texts.end());
    EXPECT_EQ(texts, (std::vector<std::string>{"listed because", "second record"}));
    Answer spf = r->lookup("example.test", RecordType::TXT);
    EXPECT_EQ(spf.texts, std::vector<std::string>{"v=spf1 -all"});
}

TEST_F(ResolverTest, NameServers) {
    auto r = make();
    Answer a = r->lookup("example.test", RecordType::NS);
    ASSERT_EQ(a.status, Status::Found) << a.error;
    auto names = a.names;
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"ns1.example.test", "ns2.example.test"}));
    EXPECT_EQ(r->lookup("mx1.example.test", RecordType::NS).status, Status::NoData);
}

TEST_F(ResolverTest, ReverseLookups) {
    EXPECT_EQ(reverseLookupName("192.0.2.1"), "1.2.0.192.in-addr.arpa");
    EXPECT_EQ(reverseLookupName("2001:db8::1"),
              "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
    EXPECT_EQ(reverseLookupName("mx1.example.test"), std::nullopt);
    auto r = make();
    Answer a = r->lookupAddress("192.0.2.1");
    EXPECT_EQ(a.status, Status::Found) << a.error;
    EXPECT_EQ(a.names, std::vector<std::string>{"mx1.example.test"});
    Answer v6 = r->lookupAddress("2001:db8::1");
    EXPECT_EQ(v6.names, std::vector<std::string>{"v6.example.test"});
    EXPECT_EQ(r->lookupAddress("192.0.2.99").status, Status::NxDomain);
    EXPECT_EQ(r->lookupAddress("not-an-address").status, Status::Malformed);
}

TEST_F(ResolverTest, ServerFailures) {
    auto r = make(std::chrono::milliseconds(300), 1);
    EXPECT_EQ(r->lookup("servfail.test", RecordType::MX).status, Status::TempFail);
    // REFUSED sends c-ares (like glibc's res_send) to the next server; none left: try again.
    Answer refused = r->lookup("refused.test", RecordType::A);
    EXPECT_EQ(refused.status, Status::TempFail) << refused.error;
    EXPECT_EQ(r->lookup("formerr.test", RecordType::A).status, Status::Failed);
    Answer bad = r->lookup("garbage.test", RecordType::MX);
    EXPECT_EQ(bad.status, Status::Malformed) << bad.error;
    EXPECT_EQ(r->lookup("halfbroken.test", RecordType::A).status, Status::Found);
    EXPECT_EQ(r->lookup("halfbroken.test", RecordType::AAAA).status, Status::TempFail);
}

TEST_F(ResolverTest, SilenceTimesOutAfterTheTries) {
    auto r = make(std::chrono::milliseconds(200), 2);
    auto t0 = std::chrono::steady_clock::now();
    Answer a = r->lookup("silent.test", RecordType::A);
    auto elapsed = std::chrono::steady_clock::now() - t0;
    EXPECT_EQ(a.status, Status::TempFail);
    EXPECT_FALSE(a.error.empty());
    // Two tries: 200ms, then 400ms (c-ares doubles the wait per round).
    EXPECT_GE(elapsed, std::chrono::milliseconds(550));
    EXPECT_LT(elapsed, std::chrono::milliseconds(3000));
}

TEST_F(ResolverTest, UnreachableServerIsTempFail) {
    ResolverOptions o;
    o.nameservers = {"127.0.0.1:1"};  // nothing listens on port 1
    o.timeout = std::chrono::milliseconds(200);
    o.tries = 1;
    auto r = Resolver::create(o);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ((*r)->lookup("example.test", RecordType::MX).status, Status::TempFail);
}

TEST_F(ResolverTest, Tcp) {
    auto r = make(std::chrono::milliseconds(2000), 2, true);
    Answer a = r->lookup("example.test", RecordType::MX);
    EXPECT_EQ(a.status, Status::Found) << a.error;
    EXPECT_EQ(a.mx.size(), 2u);
}

TEST_F(ResolverTest, EventDrivenQueriesOverlap) {
    auto r = make();
    std::vector<Answer> answers;
    for (const char* n : {"example.test", "nullmx.test", "nowhere.test"})
        r->start(n, RecordType::MX, [&answers](Answer a) { answers.push_back(std::move(a)); });
    EXPECT_EQ(r->pending(), 3u);
    EXPECT_FALSE(r->interests().empty());
    for (int i = 0; i < 100 && r->pending(); ++i) r->runOnce(std::chrono::milliseconds(100));
    ASSERT_EQ(answers.size(), 3u);
    std::sort(answers.begin(), answers.end(), [](const Answer& x, const Answer& y) { return x.name < y.name; });
    EXPECT_EQ(answers[0].status, Status::Found);
    EXPECT_EQ(answers[1].status, Status::NxDomain);
    EXPECT_TRUE(answers[2].nullMx());
}

TEST_F(ResolverTest, DestructionAnswersPendingQueries) {
    std::vector<Status> statuses;
    {
        auto r = make();
        r->start("silent.test", RecordType::A, [&statuses](Answer a) { statuses.push_back(a.status); });
    }
    EXPECT_EQ(statuses, std::vector<Status>{Status::TempFail});
}

TEST(ResolverOptionsTest, BadNameserver) {
    ResolverOptions o;
    o.nameservers = {"not an address"};
    EXPECT_FALSE(Resolver::create(o).ok());
    o.nameservers = {"300.1.1.1"};
    EXPECT_FALSE(Resolver::create(o).ok());
}

TEST(DnsNamesTest, Names) {
    EXPECT_STREQ(statusName(Status::NoData), "nodata");
    EXPECT_STREQ(statusName(Status::Failed), "failed");
    EXPECT_STREQ(recordTypeName(RecordType::AAAA), "AAAA");
}

}  // namespace
}  // namespace postline::dns
