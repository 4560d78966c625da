// The XCLIENT and XFORWARD attribute lists (lib/smtp/xclient.h): xtext, the checks and
// 501 replies of Postfix 3.7's xclient_cmd and xforward_cmd, [UNAVAILABLE] and
// [TEMPUNAVAIL], and XFORWARD's accumulation (checked against the real smtpd by
// tests/interop/smtpd_transcripts.sh's xclient and xforward transcripts).
#include "postline/smtp/xclient.h"

#include <gtest/gtest.h>

namespace postline::smtp {
namespace {

XclientIdentity localClient() {
    XclientIdentity id;
    id.name = id.reverseName = "localhost";
    id.address = id.rfcAddress = "127.0.0.1";
    id.port = "4711";
    id.helo = "proxy.example";
    id.protocol = "ESMTP";
    id.serverAddress = "127.0.0.1";
    id.serverPort = "25";
    return id;
}

TEST(Xtext, Unquote) {
    EXPECT_EQ(xtextUnquote("a+2Eb+20c"), "a.b c");
    EXPECT_EQ(xtextUnquote("+2e"), ".");
    EXPECT_EQ(xtextUnquote("plain"), "plain");
    EXPECT_FALSE(xtextUnquote("a+2"));
    EXPECT_FALSE(xtextUnquote("a+zz"));
}

TEST(Xclient, Errors) {
    auto error = [](std::vector<std::string> args) { return applyXclient(args, localClient()).error; };
    EXPECT_EQ(error({"NAME"}), "501 5.5.4 Error: attribute=value expected");
    EXPECT_EQ(error({"NAME="}), "501 5.5.4 Error: attribute=value expected");
    EXPECT_EQ(error({"NAME=" + std::string(256, 'a')}), "501 5.5.4 Error: attribute value too long");
    EXPECT_EQ(error({"FOO=bar"}), "501 5.5.4 Bad XCLIENT attribute name: FOO");
    EXPECT_EQ(error({"NAME=bad..name"}), "501 5.5.4 Bad NAME syntax: bad..name");
    EXPECT_EQ(error({"REVERSE_NAME=-x"}), "501 5.5.4 Bad REVERSE_NAME syntax: -x");
    EXPECT_EQ(error({"ADDR=1.2.3"}), "501 5.5.4 Bad ADDR syntax: 1.2.3");
    EXPECT_EQ(error({"ADDR=2001:db8::1"}), "501 5.5.4 Bad ADDR syntax: 2001:db8::1");  // needs IPv6:
    EXPECT_EQ(error({"ADDR=[TEMPUNAVAIL]"}), "501 5.5.4 Bad ADDR syntax: [TEMPUNAVAIL]");
    EXPECT_EQ(error({"ADDR=1.2.3.4<x>"}), "501 5.5.4 Bad ADDR syntax: 1.2.3.4?x?");  // neutered
    EXPECT_EQ(error({"PORT=123456"}), "501 5.5.4 Bad PORT syntax: 123456");
    EXPECT_EQ(error({"DESTPORT=x"}), "501 5.5.4 Bad DESTPORT syntax: x");
    EXPECT_EQ(error({"PROTO=LMTP"}), "501 5.5.4 Bad PROTO syntax: LMTP");
    EXPECT_EQ(error({"DESTADDR=bad"}), "501 5.5.4 Bad DESTADDR syntax: bad");
    EXPECT_EQ(error({"NAME=a+01b"}), "501 5.5.4 Bad NAME syntax: a?b");  // printable() after xtext
    // The first bad attribute decides; nothing of the command is applied.
    auto r = applyXclient({"NAME=ok.example", "PORT=x"}, localClient());
    EXPECT_EQ(r.error, "501 5.5.4 Bad PORT syntax: x");
    EXPECT_EQ(r.identity.name, "localhost");
}

TEST(Xclient, NewClient) {
    auto r = applyXclient({"addr=192.0.2.7", "Name=client.example", "PORT=25000", "HELO=helo+20name<x>", "PROTO=esmtp",
                           "DESTADDR=IPv6:2001:DB8::1", "DESTPORT=587", "LOGIN=joe"},
                          localClient());
    ASSERT_EQ(r.error, "");
    const XclientIdentity& id = r.identity;
    EXPECT_EQ(id.name, "client.example");
    EXPECT_EQ(id.reverseName, "client.example");
    EXPECT_EQ(id.address, "192.0.2.7");
    EXPECT_EQ(id.rfcAddress, "192.0.2.7");
    EXPECT_EQ(id.family, 2);
    EXPECT_EQ(id.port, "25000");
    EXPECT_EQ(id.helo, "helo?name?x?");
    EXPECT_EQ(id.protocol, "ESMTP");
    EXPECT_EQ(id.serverAddress, "2001:db8::1");
    EXPECT_EQ(id.serverPort, "587");
    EXPECT_EQ(id.login, "joe");
    EXPECT_TRUE(r.gotHelo && r.gotProto && r.gotLogin);
}

TEST(Xclient, UnavailableValues) {
    auto r = applyXclient({"NAME=[TEMPUNAVAIL]", "ADDR=[unavailable]", "PORT=[UNAVAILABLE]", "HELO=[UNAVAILABLE]"},
                          localClient());
    ASSERT_EQ(r.error, "");
    EXPECT_EQ(r.identity.name, "unknown");
    EXPECT_EQ(r.identity.nameStatus, 4);
    EXPECT_EQ(r.identity.reverseName, "localhost");  // a failed NAME leaves the reverse name
    EXPECT_EQ(r.identity.address, "unknown");
    EXPECT_EQ(r.identity.port, "unknown");
    EXPECT_FALSE(r.identity.helo);
    EXPECT_TRUE(r.gotHelo);
    EXPECT_FALSE(r.gotProto);
    auto p = applyXclient({"REVERSE_NAME=[UNAVAILABLE]", "LOGIN=[UNAVAILABLE]"}, localClient());
    EXPECT_EQ(p.identity.reverseName, "unknown");
    EXPECT_EQ(p.identity.reverseStatus, 5);
    EXPECT_EQ(p.identity.name, "localhost");
    EXPECT_FALSE(p.gotLogin);
}

TEST(Xclient, AddressFamilies) {
    EXPECT_EQ(inetFamilies("all"), kFamilyIpv4 | kFamilyIpv6);
    EXPECT_EQ(inetFamilies("ipv4"), kFamilyIpv4);
    EXPECT_EQ(inetFamilies("ipv4, ipv6"), kFamilyIpv4 | kFamilyIpv6);
    auto v6 = applyXclient({"ADDR=IPv6:2001:DB8::7"}, localClient());
    ASSERT_EQ(v6.error, "");
    EXPECT_EQ(v6.identity.address, "2001:db8::7");
    EXPECT_EQ(v6.identity.rfcAddress, "IPv6:2001:db8::7");
    EXPECT_EQ(v6.identity.family, 10);
    EXPECT_EQ(applyXclient({"ADDR=IPv6:2001:DB8::7"}, localClient(), kFamilyIpv4).error,
              "501 5.5.4 Bad ADDR syntax: IPv6:2001:DB8::7");
    EXPECT_EQ(applyXclient({"ADDR=192.0.2.1"}, localClient(), kFamilyIpv6).error,
              "501 5.5.4 Bad ADDR syntax: 192.0.2.1");
}

TEST(Xforward, Errors) {
    XforwardState s;
    EXPECT_EQ(applyXforward({"NAME"}, s), "501 5.5.4 Error: attribute=value expected");
    EXPECT_EQ(applyXforward({"BAD=x"}, s), "501 5.5.4 Bad XFORWARD attribute name: BAD");
    EXPECT_EQ(applyXforward({"NAME=bad..name"}, s), "501 5.5.4 Bad NAME syntax: bad..name");
    EXPECT_EQ(applyXforward({"ADDR=300.1.1.1"}, s), "501 5.5.4 Bad ADDR syntax: 300.1.1.1");
    EXPECT_EQ(applyXforward({"PORT=999999"}, s), "501 5.5.4 Bad PORT syntax: 999999");
    EXPECT_EQ(applyXforward({"SOURCE=elsewhere"}, s), "501 5.5.4 Bad SOURCE syntax: elsewhere");
    EXPECT_EQ(applyXforward({"PROTO=" + std::string(65, 'p')}, s),
              "501 5.5.4 Bad PROTO syntax: " + std::string(65, 'p'));
    EXPECT_EQ(applyXforward({"NAME=ok.example", "PORT=x"}, s), "501 5.5.4 Bad PORT syntax: x");
    EXPECT_EQ(s.flags, 0u);  // nothing applied
}

TEST(Xforward, Accumulates) {
    XforwardState s;
    ASSERT_EQ(applyXforward({"NAME=upstream.example", "ADDR=192.0.2.5", "PORT=2525"}, s), "");
    EXPECT_TRUE(s.haveClient());
    EXPECT_EQ(s.namaddr, "upstream.example[192.0.2.5]");
    EXPECT_EQ(s.protocol, "unknown");  // preset
    ASSERT_EQ(applyXforward({"PROTO=ESMTP", "HELO=up+20stream", "IDENT=ABC123", "SOURCE=remote"}, s), "");
    EXPECT_EQ(s.helo, "up?stream");
    EXPECT_EQ(s.ident, "ABC123");
    EXPECT_EQ(s.domain, "remote");
    EXPECT_EQ(s.protocol, "ESMTP");
    ASSERT_EQ(applyXforward({"ADDR=[UNAVAILABLE]", "SOURCE=[UNAVAILABLE]", "IDENT=[UNAVAILABLE]"}, s), "");
    EXPECT_EQ(s.namaddr, "upstream.example");  // no address: the name alone
    EXPECT_EQ(s.domain, "local");
    EXPECT_FALSE(s.ident);
    XforwardState ipv6;
    ASSERT_EQ(applyXforward({"ADDR=IPv6:2001:db8::5"}, ipv6), "");
    EXPECT_EQ(ipv6.rfcAddress, "IPv6:2001:db8::5");
    EXPECT_EQ(ipv6.namaddr, "unknown[2001:db8::5]");
}

}  // namespace
}  // namespace postline::smtp
