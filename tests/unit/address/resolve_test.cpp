// Tests of resolution (trivial-rewrite/resolve.c, transport.c): address classes,
// transports, nexthops, transport_maps, relocated_maps, malformed addresses.
#include "postline/address/resolve.h"

#include <gtest/gtest.h>

#include "address_test_util.h"
#include "postline/address/routing_context.h"

namespace postline::address {
namespace {

using testing::TempDir;

Resolution resolve(const config::Config& config, std::string_view rcpt, std::string_view sender = "") {
    RoutingContext ctx(config);
    return resolveAddress(ctx, sender, rcpt);
}

TEST(Resolve, LocalDomainsAndBareNames) {
    auto config = testing::testConfig();
    auto r = resolve(config, "User@Example.ORG");
    EXPECT_EQ(r.addressClass, AddressClass::Local);
    EXPECT_EQ(r.transport, "local");
    EXPECT_EQ(r.nexthop, "mail.example.org");  // local_transport = local:$myhostname
    EXPECT_EQ(r.recipient, "User@Example.ORG");
    r = resolve(config, "lp");
    EXPECT_EQ(r.recipient, "lp@mail.example.org");
    EXPECT_EQ(r.addressClass, AddressClass::Local);
    r = resolve(config, "");
    EXPECT_EQ(r.recipient, "MAILER-DAEMON@mail.example.org");
    r = resolve(config, "user@[127.0.0.1]");
    EXPECT_EQ(r.addressClass, AddressClass::Local);
    EXPECT_EQ(r.recipient, "user@[127.0.0.1]");
    config.set("local_transport", "local");
    EXPECT_EQ(resolve(config, "a@localhost").nexthop, "localhost");
}

TEST(Resolve, RoutingOperatorsInLocalDomains) {
    auto config = testing::testConfig();
    auto r = resolve(config, "user%remote.example@example.org");
    EXPECT_EQ(r.recipient, "user@remote.example");
    EXPECT_EQ(r.addressClass, AddressClass::Default);
    EXPECT_FALSE(r.routed);
    r = resolve(config, "remote.example!user@example.org");
    EXPECT_EQ(r.recipient, "user@remote.example");
    r = resolve(config, "a%b@remote.example");
    EXPECT_TRUE(r.routed);
    EXPECT_EQ(r.recipient, "a%b@remote.example");
    r = resolve(config, "a@b@example.org");
    EXPECT_EQ(r.recipient, "a@b");
    EXPECT_EQ(r.transport, "smtp");
}

TEST(Resolve, DefaultRelayAndRelayhost) {
    auto config = testing::testConfig();
    auto r = resolve(config, "u@example.net");
    EXPECT_EQ(r.addressClass, AddressClass::Default);
    EXPECT_EQ(r.transport, "smtp");
    EXPECT_EQ(r.nexthop, "example.net");
    config.set("relay_domains", "example.net");
    config.set("relayhost", "[smarthost.example]:587");
    r = resolve(config, "u@sub.example.net");
    EXPECT_EQ(r.addressClass, AddressClass::Relay);  // relay_domains matches subdomains
    EXPECT_EQ(r.transport, "relay");
    EXPECT_EQ(r.nexthop, "[smarthost.example]:587");
}

TEST(Resolve, VirtualClasses) {
    TempDir dir;
    auto config = testing::testConfig();
    auto va = dir.write("virtual", "valias.example anything\ninfo@valias.example x@example.net\n");
    auto vm = dir.write("vmailbox", "vbox.example x\n");
    config.set("virtual_alias_maps", "texthash:" + va);
    config.set("virtual_mailbox_maps", "texthash:" + vm);
    auto r = resolve(config, "nobody@valias.example");
    EXPECT_EQ(r.addressClass, AddressClass::VirtualAlias);
    EXPECT_EQ(r.transport, "error");
    EXPECT_EQ(r.nexthop, "5.1.1 User unknown in virtual alias table");
    config.set("show_user_unknown_table_name", "no");
    EXPECT_EQ(resolve(config, "nobody@valias.example").nexthop, "5.1.1 User unknown");
    r = resolve(config, "u@VBOX.example");
    EXPECT_EQ(r.addressClass, AddressClass::VirtualMailbox);
    EXPECT_EQ(r.transport, "virtual");
    EXPECT_EQ(r.nexthop, "VBOX.example");
}

TEST(Resolve, TransportMaps) {
    TempDir dir;
    auto config = testing::testConfig();
    auto t = dir.write("transport",
                       "special@example.net uucp:gateway\n"
                       "example.net smtp:[mx.example.net]\n"
                       ".sub.example.com :[inner]\n"
                       "example.org local:\n"
                       "bounce.example error:no such domain\n"
                       "plain.example relay:\n"
                       "* smtp:[fallback]\n");
    config.set("transport_maps", "texthash:" + t);
    auto r = resolve(config, "special@example.net");
    EXPECT_EQ(r.transport, "uucp");
    EXPECT_EQ(r.nexthop, "gateway");
    r = resolve(config, "other@example.net");
    EXPECT_EQ(r.nexthop, "[mx.example.net]");
    r = resolve(config, "u@a.sub.example.com");
    EXPECT_EQ(r.transport, "smtp");
    EXPECT_EQ(r.nexthop, "[inner]");
    EXPECT_EQ(resolve(config, "u@sub.example.com").nexthop, "[fallback]");
    r = resolve(config, "u@example.org");  // "transport:" resets the nexthop to the domain
    EXPECT_EQ(r.transport, "local");
    EXPECT_EQ(r.nexthop, "example.org");
    r = resolve(config, "u@bounce.example");
    EXPECT_EQ(r.transport, "error");
    EXPECT_EQ(r.nexthop, "no such domain");
    EXPECT_EQ(resolve(config, "u@plain.example").nexthop, "plain.example");
    ASSERT_FALSE(r.steps.empty());
    config.set("transport_maps", "fail:t");
    r = resolve(config, "u@x.example");
    EXPECT_TRUE(r.fail);
}

TEST(Resolve, SenderDependentAndRelocated) {
    TempDir dir;
    auto config = testing::testConfig();
    config.set("sender_dependent_relayhost_maps", "inline:{ {@example.org=[sr.example]}, {<>=DUNNO} }");
    config.set("sender_dependent_default_transport_maps", "inline:{ {boss@example.org=express} }");
    config.set("relocated_maps", "inline:{ {gone@example.net=new@example.com} }");
    auto r = resolve(config, "u@example.net", "boss@example.org");
    EXPECT_EQ(r.transport, "express");
    EXPECT_EQ(r.nexthop, "[sr.example]");
    r = resolve(config, "u@example.net", "");
    EXPECT_EQ(r.transport, "smtp");
    EXPECT_EQ(r.nexthop, "example.net");
    r = resolve(config, "gone@example.net");
    EXPECT_EQ(r.transport, "error");
    EXPECT_EQ(r.nexthop, "5.1.6 User has moved to new@example.com");
}

TEST(Resolve, MalformedAddresses) {
    auto config = testing::testConfig();
    EXPECT_TRUE(resolve(config, "u@bad_-.example..").error);
    EXPECT_TRUE(resolve(config, "u@1.2.3.4").error);
    EXPECT_TRUE(resolve(config, "u@[1.2.3]").error);
    EXPECT_FALSE(resolve(config, "u@[192.0.2.1]").error);
    EXPECT_TRUE(resolve(config, "-opt@example.net").error);
    config.set("resolve_numeric_domain", "yes");
    auto r = resolve(config, "u@127.0.0.1");
    EXPECT_FALSE(r.error);
    EXPECT_EQ(r.recipient, "u@[127.0.0.1]");
    EXPECT_EQ(r.addressClass, AddressClass::Local);
    EXPECT_TRUE(validHostname("a-b.example"));
    EXPECT_FALSE(validHostname("-a.example"));
    EXPECT_FALSE(validHostname("a.example."));
    EXPECT_TRUE(validHostLiteral("[IPv6:2001:db8::1]"));
    EXPECT_FALSE(validHostLiteral("[2001:db8::1]"));
}

TEST(Resolve, NullTransportIsAnError) {
    auto config = testing::testConfig();
    config.set("default_transport", "");
    auto r = resolve(config, "u@example.net");
    EXPECT_TRUE(r.fail);
    EXPECT_EQ(r.steps.back().result,
              "file /nonexistent/main.cf: parameter default_transport: null transport is not allowed");
}

}  // namespace
}  // namespace postline::address
