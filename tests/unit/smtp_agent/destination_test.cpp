// smtp(8)'s destinations: the nexthop's sites and ports (smtp_parse_destination,
// host_port) and the address list from MX and host lookups (smtp_addr.c), with DNS
// played by a table.
#include "destination.h"

#include <gtest/gtest.h>

#include <map>

namespace postline::smtp_agent {
namespace {

TEST(Destination, SitesAndPorts) {
    EXPECT_EQ(splitSites("a.example, [b.example]:26 c"),
              (std::vector<std::string>{"a.example", "[b.example]:26", "c"}));
    auto r = parseSite("[127.0.0.1]:2525", "smtp", false, "lmtp=24, smtp=25");
    ASSERT_EQ(r.error, "");
    EXPECT_TRUE(r.site.literal);
    EXPECT_EQ(r.site.host, "127.0.0.1");
    EXPECT_EQ(r.site.port, 2525u);
    r = parseSite("example.org", "smtp", false, "lmtp=24, smtp=25");
    EXPECT_FALSE(r.site.literal);
    EXPECT_EQ(r.site.port, 25u);
    r = parseSite("mx.example:submission", "smtp", false, "lmtp=24, smtp=25, submission=587");
    EXPECT_EQ(r.site.host, "mx.example");
    EXPECT_EQ(r.site.port, 587u);
    r = parseSite("inet:lmtp.example", "24", true, "");
    EXPECT_EQ(r.site.host, "lmtp.example");
    EXPECT_EQ(r.site.port, 24u);
    r = parseSite("unix:/run/dovecot/lmtp", "24", true, "");
    EXPECT_EQ(r.site.unixPath, "/run/dovecot/lmtp");
    r = parseSite("[::1]:2525", "smtp", false, "");
    EXPECT_EQ(r.site.host, "::1");
    EXPECT_EQ(r.site.port, 2525u);
    EXPECT_EQ(parseSite("x:70000", "smtp", false, "").error, "bad network port: 70000 for destination: x:70000");
    EXPECT_EQ(parseSite("x:nosuchservice", "smtp", false, "").error, "unknown service: nosuchservice/tcp");
}

struct FakeDns {
    std::map<std::string, MxAnswer> mx;
    std::map<std::string, HostAnswer> hosts;
    std::vector<std::string> asked;
    Lookup lookup() {
        Lookup l;
        l.mx = [this](const std::string& d) {
            asked.push_back("MX " + d);
            auto it = mx.find(d);
            if (it != mx.end()) return it->second;
            MxAnswer a;
            a.error = "Host not found";
            return a;
        };
        l.host = [this](const std::string& h, bool, bool) {
            asked.push_back("A " + h);
            auto it = hosts.find(h);
            if (it != hosts.end()) return it->second;
            HostAnswer a;
            a.error = "Host not found";
            return a;
        };
        return l;
    }
};

TEST(Destination, MxHostsByPreferenceThenTheirAddresses) {
    FakeDns dns;
    dns.mx["example.org"] = {MxAnswer::Found, {{20, "mx2.example.org"}, {10, "mx1.example.org"}}, ""};
    dns.hosts["mx1.example.org"] = {HostAnswer::Found, {"192.0.2.1", "192.0.2.2"}, ""};
    dns.hosts["mx2.example.org"] = {HostAnswer::Found, {"192.0.2.3"}, ""};
    Why why;
    AddressOptions o;
    o.randomize = false;
    auto list = resolveSite(parseSite("example.org", "smtp", false, "").site, o, dns.lookup(), why);
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ(list[0].host, "mx1.example.org");
    EXPECT_EQ(list[0].address, "192.0.2.1");
    EXPECT_EQ(list[2].host, "mx2.example.org");
    EXPECT_EQ(list[2].preference, 20);
    EXPECT_EQ(why.status, "");
}

TEST(Destination, LiteralsSkipTheMxLookupAndNoMxFallsBackToTheHost) {
    FakeDns dns;
    dns.hosts["relay.example"] = {HostAnswer::Found, {"192.0.2.9"}, ""};
    Why why;
    auto list = resolveSite(parseSite("[relay.example]", "smtp", false, "").site, {}, dns.lookup(), why);
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(dns.asked, std::vector<std::string>{"A relay.example"});
    dns.asked.clear();
    list = resolveSite(parseSite("relay.example", "smtp", false, "").site, {}, dns.lookup(), why);
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(dns.asked, (std::vector<std::string>{"MX relay.example", "A relay.example"}));
    dns.asked.clear();
    list = resolveSite(parseSite("[127.0.0.1]:25", "smtp", false, "").site, {}, dns.lookup(), why);
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].host, "127.0.0.1");
    EXPECT_TRUE(dns.asked.empty());
}

TEST(Destination, LookupFailuresSayWhy) {
    FakeDns dns;
    dns.mx["gone.example"] = {MxAnswer::NotFound, {}, "Host not found"};
    dns.mx["later.example"] = {MxAnswer::TempFail, {}, "Host not found, try again"};
    dns.mx["null.example"] = {MxAnswer::NullMx, {}, ""};
    Why why;
    EXPECT_TRUE(resolveSite(parseSite("gone.example", "smtp", false, "").site, {}, dns.lookup(), why).empty());
    EXPECT_EQ(why.status, "5.4.4");
    EXPECT_EQ(why.reason,
              "Host or domain name not found. Name service error for name=gone.example type=A: Host not found");
    why = {};
    EXPECT_TRUE(resolveSite(parseSite("later.example", "smtp", false, "").site, {}, dns.lookup(), why).empty());
    EXPECT_EQ(why.status, "4.4.3");
    EXPECT_EQ(why.reason,
              "Host or domain name not found. Name service error for name=later.example type=MX: Host not found, "
              "try again");
    why = {};
    EXPECT_TRUE(resolveSite(parseSite("null.example", "smtp", false, "").site, {}, dns.lookup(), why).empty());
    EXPECT_EQ(why.status, "5.1.0");
    EXPECT_EQ(why.reason, "Domain null.example does not accept mail (nullMX)");
}

TEST(Destination, NativeLookupsWhenDnsIsDisabled) {
    FakeDns dns;
    Lookup lookup = dns.lookup();
    lookup.native = [](const std::string& host, bool, bool) {
        HostAnswer a;
        if (host == "localhost") {
            a.status = HostAnswer::Found;
            a.addresses = {"127.0.0.1"};
        } else {
            a.status = HostAnswer::NotFound;
            a.error = "Name or service not known";
        }
        return a;
    };
    AddressOptions o;
    o.lookupMx = false;
    o.dnsHosts = false;
    o.nativeHosts = true;
    Why why;
    auto list = resolveSite(parseSite("localhost:2525", "smtp", false, "").site, o, lookup, why);
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].address, "127.0.0.1");
    EXPECT_TRUE(dns.asked.empty());
    EXPECT_TRUE(resolveSite(parseSite("nosuch.invalid", "smtp", false, "").site, o, lookup, why).empty());
    EXPECT_EQ(why.status, "5.4.4");
    EXPECT_EQ(why.reason, "unable to look up host nosuch.invalid: Name or service not known");
}

}  // namespace
}  // namespace postline::smtp_agent
