// Tests of the routing test format (route_case.cpp), its checks against real routes
// (route_case_check.cpp), route outcomes (route_outcome.cpp) and the table probes of
// `postline diff` (table_probes.cpp).
#include "postline/simulate/route_case.h"

#include <gtest/gtest.h>

#include "address/address_test_util.h"
#include "postline/address/routing_context.h"
#include "postline/base/strings.h"
#include "postline/simulate/route_case_check.h"
#include "postline/simulate/route_outcome.h"
#include "postline/simulate/table_probes.h"

namespace postline::simulate {
namespace {

using V = CaseExpectation::Verdict;

std::vector<RouteCase> parse(std::string_view text) {
    auto r = parseRouteCases(text, "t.tests");
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : std::vector<RouteCase>{};
}

std::string parseError(std::string_view text) {
    auto r = parseRouteCases(text, "t.tests");
    EXPECT_FALSE(r.ok());
    return r.ok() ? "" : r.error().message;
}

TEST(RouteCase, OneLineForms) {
    auto cases = parse(
        "# comment\n"
        "info@example.net -> alice@example.com\n"
        "\n"
        "<jobs@example.net> -> carol@example.com, dave@example.com via local:example.com\n"
        "x@example.org -> via relay:[mail.example.org]\n"
        "y@example.org -> reject 550 5.1.1\n"
        "z@example.org -> bounce\n"
        "\"a b\"@example.org -> deliver\n"
        "w@example.org -> deliver w@example.org\n"
        "m@example.org -> mailbox /var/mail/m\n");
    ASSERT_EQ(cases.size(), 8u);
    EXPECT_EQ(cases[0].line, 2);
    EXPECT_EQ(cases[0].address, "info@example.net");
    ASSERT_TRUE(cases[0].expect.recipients);
    EXPECT_EQ(*cases[0].expect.recipients, std::vector<std::string>{"alice@example.com"});
    EXPECT_EQ(cases[0].expect.verdict, V::Any);
    EXPECT_EQ(cases[1].address, "jobs@example.net");
    EXPECT_EQ(cases[1].expect.recipients->size(), 2u);
    ASSERT_EQ(cases[1].expect.routes.size(), 1u);
    EXPECT_EQ(cases[1].expect.routes[0].transport, "local");
    EXPECT_EQ(cases[1].expect.routes[0].nexthop, "example.com");
    EXPECT_FALSE(cases[2].expect.recipients);
    EXPECT_EQ(cases[2].expect.routes[0].transport, "relay");
    EXPECT_EQ(cases[2].expect.routes[0].nexthop, "[mail.example.org]");
    EXPECT_EQ(cases[3].expect.verdict, V::Reject);
    EXPECT_EQ(cases[3].expect.reasonPrefix, "550 5.1.1");
    EXPECT_EQ(cases[4].expect.verdict, V::Bounce);
    EXPECT_EQ(cases[5].address, "a b@example.org");
    EXPECT_EQ(cases[5].expect.verdict, V::Deliver);
    EXPECT_EQ(cases[6].expect.verdict, V::Deliver);
    EXPECT_EQ(*cases[6].expect.recipients, std::vector<std::string>{"w@example.org"});
    ASSERT_EQ(cases[7].expect.local.size(), 1u);
    EXPECT_EQ(cases[7].expect.local[0].kind, "mailbox");
    EXPECT_EQ(cases[7].expect.local[0].target, "/var/mail/m");
}

TEST(RouteCase, BlocksAndDefaults) {
    auto cases = parse(
        "defaults\n"
        "    sender joe@example.org\n"
        "a@example.com\n"
        "    recipients b@example.com, c@example.com\n"
        "    recipient b@example.com via smtp:[mx.example.com]:2525\n"
        "    transport smtp\n"
        "    nexthop [mx.example.com]\n"
        "    command /usr/bin/procmail -a admin\n"
        "d@example.com -> deliver\n"
        "\tsender <>\n"
        "\tclient mail.example.net[192.0.2.1]\n"
        "\thelo mail.example.net\n"
        "\tsasl alice\n"
        "defaults\n"
        "e@example.com -> bounce 5.1.6\n");
    ASSERT_EQ(cases.size(), 3u);
    EXPECT_EQ(cases[0].input.sender, "joe@example.org");
    EXPECT_FALSE(cases[0].input.hasSessionFields());
    EXPECT_EQ(cases[0].expect.recipients->size(), 2u);
    ASSERT_EQ(cases[0].expect.routes.size(), 3u);
    EXPECT_EQ(cases[0].expect.routes[0].recipient, "b@example.com");
    EXPECT_EQ(cases[0].expect.routes[0].nexthop, "[mx.example.com]:2525");
    EXPECT_FALSE(cases[0].expect.routes[1].nexthop);
    EXPECT_TRUE(cases[0].expect.routes[2].transport.empty());
    EXPECT_EQ(cases[0].expect.local[0].target, "/usr/bin/procmail -a admin");
    EXPECT_EQ(cases[1].input.sender, "");
    EXPECT_EQ(cases[1].input.client, "mail.example.net[192.0.2.1]");
    EXPECT_EQ(cases[1].input.helo, "mail.example.net");
    EXPECT_EQ(cases[1].input.sasl, "alice");
    EXPECT_TRUE(cases[1].input.hasSessionFields());
    EXPECT_EQ(cases[2].input.sender, "");  // a new defaults block starts again
}

TEST(RouteCase, MistakesNameFileAndLine) {
    EXPECT_EQ(parseError("a@b\n  foo bar\n"), "t.tests:2: unknown keyword \"foo\"");
    EXPECT_EQ(parseError("\n  sender x@y\n"), "t.tests:2: indented line without a case above it");
    EXPECT_EQ(parseError("a@b\nc@d -> deliver\n"),
              "t.tests:1: case a@b has no expectation (add \"-> ...\" or indented lines)");
    EXPECT_EQ(parseError("a@b -> deliver\nc@d\n"),
              "t.tests:2: case c@d has no expectation (add \"-> ...\" or indented lines)");
    EXPECT_EQ(parseError("a@b -> reject\n  bounce\n"), "t.tests:2: conflicting results: reject and bounce");
    EXPECT_EQ(parseError("a@b -> \n"), "t.tests:1: nothing after \"->\"");
    EXPECT_EQ(parseError("a@b -> sender x@y\n"),
              "t.tests:1: \"sender\" is an input: give it on an indented line under the case");
    EXPECT_EQ(parseError("defaults\n  via smtp\n"),
              "t.tests:2: \"via\" cannot be a default (only sender, client, helo, sasl, dns, policy)");
    EXPECT_EQ(parseError("a@b -> x@y\n  recipients z@y\n"), "t.tests:2: recipients given twice");
    EXPECT_EQ(parseError("a@b c@d -> deliver\n"),
              "t.tests:1: expected \"ADDRESS -> EXPECTATION\", got \"a@b c@d -> deliver\"");
    EXPECT_EQ(parseError("a@b -> x@y via\n"), "t.tests:1: expected \"via TRANSPORT[:NEXTHOP]\" at the end");
    EXPECT_EQ(parseError("a@b -> relay:[x]\n"),
              "t.tests:1: \"relay:[x]\" is not an address (a route is written \"via TRANSPORT[:NEXTHOP]\")");
    EXPECT_EQ(parseError("a@b -> deliver\n  helo mail.example.net\n"),
              "t.tests:1: case a@b: helo, sasl, dns and policy need a client (client NAME[ADDR] or client ADDR)");
    EXPECT_EQ(parseError("defaults\n  sasl alice\na@b -> deliver\n"),
              "t.tests:3: case a@b: helo, sasl, dns and policy need a client (client NAME[ADDR] or client ADDR)");
    EXPECT_EQ(parseError("a@b -> deliver\n  client mail.example.net\n"),
              "t.tests:1: case a@b: bad client address: \"mail.example.net\"");
    EXPECT_EQ(parseError("a@b -> deliver\n  client mail.example.net[192.0.2.1\n"),
              "t.tests:1: case a@b: bad client \"mail.example.net[192.0.2.1\" (expected NAME[ADDR] or ADDR)");
    EXPECT_EQ(parseError("a@b -> deliver\n  client 192.0.2.1\n  dns example.com=maybe\n").rfind("t.tests:3: ", 0), 0u);
    EXPECT_EQ(parseError("a@b -> deliver\n  client 192.0.2.1\n  policy nonsense\n").rfind("t.tests:3: ", 0), 0u);
    EXPECT_EQ(parseError("a@b\n  mailbox\n"), "t.tests:2: \"mailbox\" needs a value");
    EXPECT_EQ(parseError("a@b -> deliver\n  sender\n"), "t.tests:2: \"sender\" needs a value");
}

TEST(RouteCase, SessionOfACase) {
    CaseInput in;
    in.client = "Mail.Example.NET[192.0.2.1]";
    in.helo = "mail.example.net";
    in.sasl = "alice";
    auto s = caseSession(in);
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(s->clientAddress, "192.0.2.1");
    EXPECT_EQ(s->clientName, "mail.example.net");
    EXPECT_EQ(s->helo, "mail.example.net");
    EXPECT_EQ(s->saslUsername, "alice");
    in.dns = {"example.com=nullmx"};
    in.policy = {"*=DUNNO"};
    s = caseSession(in);
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(s->facts().dnsAnswer("EXAMPLE.com."), policy::DnsAnswer::NullMx);
    EXPECT_EQ(s->offline.policy.at("*"), "DUNNO");
    in = CaseInput{};
    in.client = "2001:db8::1";
    s = caseSession(in);
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(s->clientName, "unknown");
    EXPECT_FALSE(s->helo);
}

TEST(RouteCase, AddressLines) {
    EXPECT_EQ(addressLines("# c\n a@b \n\n<c@d>\r\n\"x y\"@e\n"), (std::vector<std::string>{"a@b", "c@d", "x y@e"}));
}

std::vector<CaseMismatch> check(const config::Config& c, std::string_view text) {
    auto cases = parse(text);
    EXPECT_EQ(cases.size(), 1u);
    if (cases.empty()) return {};
    address::RoutingContext ctx(c);
    return checkRouteCase(cases[0].expect, routeRecipient(ctx, cases[0].input.sender, cases[0].address));
}

TEST(RouteCaseCheck, PassesAndFailsWithTheDecidingStep) {
    auto c = address::testing::testConfig();
    c.set("virtual_alias_maps", "inline:{ {info@example.net=alice@example.com, bob@example.com} }");
    c.set("transport_maps", "inline:{ {example.com=relay:[mx.example.com]} }");
    EXPECT_TRUE(
        check(c, "info@example.net -> bob@example.com, alice@EXAMPLE.COM via relay:[MX.example.com]\n").empty());
    EXPECT_TRUE(check(c, "info@example.net -> via relay\n").empty());
    EXPECT_TRUE(check(c, "info@example.net\n  recipient alice@example.com via relay:[mx.example.com]\n").empty());

    auto m = check(c, "info@example.net -> alice@example.com\n");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].what, "recipients");
    EXPECT_EQ(m[0].expected, "alice@example.com");
    EXPECT_EQ(m[0].actual, "alice@example.com, bob@example.com");
    ASSERT_EQ(m[0].decidedBy.size(), 1u);
    EXPECT_EQ(m[0].decidedBy[0].rfind("cleanup virtual_alias_maps: key \"info@example.net\" -> ", 0), 0u)
        << m[0].decidedBy[0];

    m = check(c, "info@example.net -> via smtp:[mx.example.com]\n");
    ASSERT_EQ(m.size(), 2u);
    EXPECT_EQ(m[0].what, "route of <alice@example.com>");
    EXPECT_EQ(m[0].expected, "smtp:[mx.example.com]");
    EXPECT_EQ(m[0].actual, "relay:[mx.example.com]");
    ASSERT_EQ(m[0].decidedBy.size(), 1u);
    EXPECT_EQ(m[0].decidedBy[0],
              "<alice@example.com> transport_maps: key \"example.com\" -> relay:[mx.example.com]  [inline:{ "
              "{example.com=relay:[mx.example.com]} }]");

    m = check(c, "info@example.net\n  recipient carol@example.com\n");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].what, "recipient <carol@example.com>");
    EXPECT_EQ(m[0].expected, "<carol@example.com> among the final recipients");
    EXPECT_EQ(m[0].actual, "final recipients: alice@example.com, bob@example.com");
}

TEST(RouteCaseCheck, Verdicts) {
    auto c = address::testing::testConfig();
    c.set("alias_maps", "inline:{ {postmaster=root}, {archive=/var/archive/all} }");
    c.set("relocated_maps", "inline:{ {gone@example.net=new@example.com} }");
    EXPECT_TRUE(check(c, "nosuchuser-xyz@example.org -> reject 550 5.1.1\n").empty());
    EXPECT_TRUE(check(c, "gone@example.net -> reject 550 5.1.6 <gone@example.net>: Recipient\n").empty());
    EXPECT_TRUE(check(c, "archive@example.org -> file /var/archive/all\n").empty());

    auto m = check(c, "nosuchuser-xyz@example.org -> deliver\n");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].what, "result");
    EXPECT_EQ(m[0].expected, "deliver");
    EXPECT_EQ(m[0].actual.rfind("reject 550 5.1.1 <nosuchuser-xyz@example.org>", 0), 0u) << m[0].actual;
    ASSERT_EQ(m[0].decidedBy.size(), 1u);
    EXPECT_EQ(m[0].decidedBy[0].rfind("smtpd smtpd_recipient_check: REJECT 550 5.1.1", 0), 0u) << m[0].decidedBy[0];

    m = check(c, "gone@example.net -> reject 550 5.1.1\n");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].expected, "reject 550 5.1.1...");

    // smtpd accepts, local(8) bounces: "bounce", not "reject".
    c.set("local_recipient_maps", "");
    EXPECT_TRUE(check(c, "nosuchuser-xyz@example.org -> bounce 5.1.1 unknown user\n").empty());
    m = check(c, "nosuchuser-xyz@example.org -> reject\n");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].actual, "bounce 5.1.1 unknown user: \"nosuchuser-xyz\"");
    EXPECT_EQ(m[0].decidedBy,
              std::vector<std::string>{
                  "<nosuchuser-xyz@example.org> local local: REJECT 5.1.1 unknown user: \"nosuchuser-xyz\""});

    // Recipients and routes are checked without a verdict: a bounce does not fail them.
    EXPECT_TRUE(check(c, "nosuchuser-xyz@example.org -> via local:mail.example.org\n").empty());
    m = check(c, "archive@example.org -> mailbox /var/mail/archive\n");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].what, "local delivery");
    EXPECT_EQ(m[0].actual, "local deliveries: file /var/archive/all");
}

TEST(RouteOutcome, FormatAndCompare) {
    auto c = address::testing::testConfig();
    c.set("virtual_alias_maps", "inline:{ {info@example.net=b@example.com, a@example.com} }");
    c.set("alias_maps", "inline:{ {postmaster=root} }");
    address::RoutingContext ctx(c);
    auto o = routeOutcome(routeRecipient(ctx, "", "info@example.net"));
    EXPECT_EQ(formatOutcome(o), "deliver: a@example.com via smtp:example.com, b@example.com via smtp:example.com");
    auto p = routeOutcome(routeRecipient(ctx, "", "info@example.net"));
    EXPECT_EQ(o, p);
    auto q = routeOutcome(routeRecipient(ctx, "", "nosuchuser-xyz@example.org"));
    EXPECT_FALSE(o == q);
    EXPECT_EQ(q.verdict, "reject");
}

TEST(TableProbes, KeysBecomeAddresses) {
    EXPECT_EQ(probeAddressForKey("virtual_alias_maps", "info@example.net", "h.example"), "info@example.net");
    EXPECT_EQ(probeAddressForKey("virtual_alias_maps", "@example.net", "h.example"), "postline-probe@example.net");
    EXPECT_EQ(probeAddressForKey("virtual_alias_maps", "example.net", "h.example"), "postline-probe@example.net");
    EXPECT_EQ(probeAddressForKey("transport_maps", ".example.org", "h.example"), "postline-probe@probe.example.org");
    EXPECT_EQ(probeAddressForKey("transport_maps", "*", "h.example"), "");
    EXPECT_EQ(probeAddressForKey("alias_maps", "postmaster", "h.example"), "postmaster@h.example");
    EXPECT_EQ(probeAddressForKey("alias_maps", "first.last", "h.example"), "first.last@h.example");
    EXPECT_EQ(probeAddressForKey("alias_maps", "@", "h.example"), "");
    EXPECT_EQ(probeAddressForKey("alias_maps", "YP_LAST_MODIFIED", "h.example"), "");
    EXPECT_EQ(probeAddressForKey("canonical_maps", "user@", "h.example"), "user@h.example");

    address::testing::TempDir dir;
    auto c = address::testing::testConfig();
    c.set("virtual_alias_maps",
          "texthash:" + dir.write("virtual", "info@example.net x\n@example.com y\n") + ", regexp:{ {/x/ y} }");
    c.set("transport_maps", "texthash:" + dir.write("transport", "example.com smtp:\n.example.org relay:\n"));
    c.set("relocated_maps", "texthash:/nonexistent/relocated");
    c.set("alias_maps", "inline:{ {postmaster=root} }");
    auto probes = tableProbeAddresses(c);
    EXPECT_EQ(probes.addresses,
              (std::vector<std::string>{"info@example.net", "postline-probe@example.com", "postmaster@mail.example.org",
                                        "postline-probe@probe.example.org"}));
    ASSERT_EQ(probes.warnings.size(), 1u) << base::join(probes.warnings, "\n");
    EXPECT_EQ(probes.warnings[0].rfind("relocated_maps: ", 0), 0u) << probes.warnings[0];
}

}  // namespace
}  // namespace postline::simulate
