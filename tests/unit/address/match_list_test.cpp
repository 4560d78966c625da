// Tests of domain and string lists (match_list.c, domain_list.c, resolve_local.c).
#include "postline/address/match_list.h"

#include <gtest/gtest.h>

#include "address_test_util.h"
#include "postline/address/local_domains.h"

namespace postline::address {
namespace {

using testing::TempDir;

TEST(MatchList, StringListIsExact) {
    auto l = MatchList::create("mydestination", "Example.ORG, localhost", MatchKind::String);
    EXPECT_TRUE(l.match("example.org").matched);
    EXPECT_TRUE(l.match("EXAMPLE.org").matched);
    EXPECT_FALSE(l.match("sub.example.org").matched);
    EXPECT_EQ(l.match("localhost").pattern, "localhost");
}

TEST(MatchList, HostListDotPatternsAndParentStyle) {
    auto plain = MatchList::create("x", ".example.com", MatchKind::Host);
    EXPECT_TRUE(plain.match("a.example.com").matched);
    EXPECT_FALSE(plain.match("example.com").matched);
    auto parent = MatchList::create("relay_domains", "example.com", MatchKind::HostParent);
    EXPECT_TRUE(parent.match("example.com").matched);
    EXPECT_TRUE(parent.match("a.b.example.com").matched);
    EXPECT_FALSE(parent.match("badexample.com").matched);
    auto exact = MatchList::create("x", "example.com", MatchKind::Host);
    EXPECT_FALSE(exact.match("a.example.com").matched);
}

TEST(MatchList, NegationStopsTheScan) {
    auto l = MatchList::create("relay_domains", "!secret.example.com, example.com", MatchKind::HostParent);
    EXPECT_FALSE(l.match("secret.example.com").matched);
    EXPECT_EQ(l.match("secret.example.com").pattern, "!secret.example.com");
    EXPECT_TRUE(l.match("www.example.com").matched);
    auto twice = MatchList::create("x", "!!a.org", MatchKind::String);
    EXPECT_TRUE(twice.match("a.org").matched);
}

TEST(MatchList, TablesAndFiles) {
    TempDir dir;
    auto table = dir.write("domains", "example.net anything\n.sub.example.com x\n");
    auto list = dir.write("list", "# comment\nfile.example  other.example\n");
    auto l = MatchList::create("relay_domains", "texthash:" + table + ", " + list, MatchKind::HostParent);
    EXPECT_TRUE(l.match("EXAMPLE.NET").matched);
    EXPECT_EQ(l.match("a.example.net").key, "example.net");
    EXPECT_TRUE(l.match("other.example").matched);
    EXPECT_FALSE(l.match("comment").matched);
    auto dotStyle = MatchList::create("x", "texthash:" + table, MatchKind::Host);
    EXPECT_FALSE(dotStyle.match("a.example.net").matched);
    EXPECT_TRUE(dotStyle.match("a.sub.example.com").matched);
    EXPECT_EQ(dotStyle.match("a.sub.example.com").key, ".sub.example.com");
    auto strings = MatchList::create("virtual_alias_domains", "texthash:" + table, MatchKind::String);
    EXPECT_FALSE(strings.match("a.example.net").matched);
}

TEST(MatchList, BrokenEntriesAreErrors) {
    auto l = MatchList::create("mydestination", "fail:x, example.org", MatchKind::String);
    auto r = l.match("example.org");
    EXPECT_FALSE(r.matched);
    EXPECT_TRUE(r.error);
    auto missing = MatchList::create("x", "/nonexistent/file", MatchKind::String);
    EXPECT_TRUE(missing.match("a").error);
}

TEST(LocalDomains, DestinationsAndInterfaces) {
    auto config = testing::testConfig();
    config.set("proxy_interfaces", "192.0.2.1");
    LocalDomains local(config);
    EXPECT_EQ(local.check("mail.example.org").locality, Locality::Local);
    EXPECT_EQ(local.check("Example.Org.").locality, Locality::Local);
    EXPECT_EQ(local.check("example.org..").locality, Locality::NotLocal);
    EXPECT_EQ(local.check("example.net").locality, Locality::NotLocal);
    EXPECT_EQ(local.check("[127.0.0.1]").locality, Locality::Local);
    EXPECT_EQ(local.check("[192.0.2.1]").reason, "proxy_interfaces: 192.0.2.1");
    EXPECT_EQ(local.check("[192.0.2.2]").locality, Locality::NotLocal);
    EXPECT_EQ(local.check("127.0.0.1").locality, Locality::NotLocal);
    config.set("inet_interfaces", "loopback-only");
    LocalDomains loop(config);
    EXPECT_EQ(loop.check("[IPv6:::1]").locality, Locality::Local);
}

}  // namespace
}  // namespace postline::address
