// Tests of the whole route: smtpd's recipient check (check_rcpt_maps), cleanup and
// resolution, and the verdict.
#include "postline/simulate/route.h"

#include <gtest/gtest.h>

#include "address/address_test_util.h"
#include "postline/address/routing_context.h"

namespace postline::simulate {
namespace {

using address::testing::TempDir;

RouteReport route(const config::Config& c, std::string_view rcpt, std::string_view sender = "") {
    address::RoutingContext ctx(c);
    return routeRecipient(ctx, sender, rcpt);
}

TEST(Route, LocalRecipientTable) {
    auto c = address::testing::testConfig();
    c.set("alias_maps", "inline:{ {postmaster=root}, {webmaster=root} }");
    auto r = route(c, "root@example.org");  // in the password file
    EXPECT_EQ(r.verdict, Verdict::Deliver);
    ASSERT_EQ(r.recipients.size(), 1u);
    EXPECT_EQ(r.recipients[0].resolution.transport, "local");
    EXPECT_EQ(route(c, "webmaster@example.org").verdict, Verdict::Deliver);
    r = route(c, "no-such-user-xyz@example.org");
    EXPECT_EQ(r.verdict, Verdict::Reject);
    EXPECT_EQ(r.reason,
              "550 5.1.1 <no-such-user-xyz@example.org>: Recipient address rejected: User unknown in local recipient "
              "table");
    c.set("local_recipient_maps", "");  // smtpd accepts, local(8) bounces
    r = route(c, "no-such-user-xyz@example.org");
    EXPECT_EQ(r.verdict, Verdict::Reject);
    EXPECT_EQ(r.reason, "5.1.1 unknown user: \"no-such-user-xyz\"");
    c.set("local_recipient_maps", "hash:/nonexistent/table");
    r = route(c, "no-such-user-xyz@example.org");
    EXPECT_EQ(r.verdict, Verdict::Defer);
    EXPECT_EQ(r.reason,
              "451 4.3.0 <no-such-user-xyz@example.org>: Recipient address rejected: Temporary lookup failure");
}

TEST(Route, VirtualAliasDomains) {
    TempDir dir;
    auto c = address::testing::testConfig();
    auto v = dir.write("virtual", "valias.example x\ninfo@valias.example a@example.net, b@example.com\n");
    c.set("virtual_alias_maps", "texthash:" + v);
    auto r = route(c, "info@valias.example");
    EXPECT_EQ(r.verdict, Verdict::Deliver);
    ASSERT_EQ(r.recipients.size(), 2u);
    EXPECT_EQ(r.recipients[1].address, "b@example.com");
    EXPECT_EQ(r.recipients[1].resolution.transport, "smtp");
    r = route(c, "nobody@valias.example");
    EXPECT_EQ(r.verdict, Verdict::Reject);
    EXPECT_EQ(r.reason,
              "550 5.1.1 <nobody@valias.example>: Recipient address rejected: User unknown in virtual alias table");
}

TEST(Route, RelocatedAndRelayRecipients) {
    auto c = address::testing::testConfig();
    c.set("relocated_maps", "inline:{ {gone@example.net=new@example.com} }");
    auto r = route(c, "gone@example.net");
    EXPECT_EQ(r.verdict, Verdict::Reject);
    EXPECT_EQ(r.reason, "550 5.1.6 <gone@example.net>: Recipient address rejected: User has moved to new@example.com");
    c.set("relay_domains", "relay.example");
    c.set("relay_recipient_maps", "inline:{ {known@relay.example=x} }");
    EXPECT_EQ(route(c, "known@relay.example").verdict, Verdict::Deliver);
    EXPECT_EQ(route(c, "unknown@relay.example").reason,
              "550 5.1.1 <unknown@relay.example>: Recipient address rejected: User unknown in relay recipient table");
}

TEST(Route, TemporaryProblemsOutrankRejects) {
    auto c = address::testing::testConfig();
    c.set("virtual_alias_maps", "inline:{ {l1@example.net=l2@example.net}, {l2@example.net=l1@example.net} }");
    auto r = route(c, "l1@example.net");
    EXPECT_EQ(r.verdict, Verdict::Defer);
    EXPECT_EQ(r.reason, "4.6.0 Alias expansion error");
}

// Differences found by tests/interop/trace_postfix.sh against a running Postfix 3.7.
TEST(Route, SmtpdAlwaysKnowsPostmasterMailerDaemonAndDoubleBounce) {
    auto c = address::testing::testConfig();
    c.set("alias_maps", "");
    c.set("local_recipient_maps", "inline:{ {root=x} }");
    for (const char* rcpt : {"postmaster@example.org", "MAILER-DAEMON@example.org", "double-bounce@localhost"})
        EXPECT_EQ(route(c, rcpt).smtpd.verdict, policy::RecipientCheck::Verdict::Accept) << rcpt;
    EXPECT_EQ(route(c, "postmasters@example.org").smtpd.verdict, policy::RecipientCheck::Verdict::Reject);
    EXPECT_EQ(route(c, "postmaster+x@example.org").smtpd.verdict, policy::RecipientCheck::Verdict::Reject);
}

TEST(Route, LeadingDashIsBadSyntaxUnlessAllowMinUser) {
    auto c = address::testing::testConfig();
    auto r = route(c, "-foo@example.org");
    EXPECT_EQ(r.verdict, Verdict::Reject);
    EXPECT_EQ(r.reason, "501 5.1.3 Bad recipient address syntax");
    c.set("allow_min_user", "yes");
    c.set("local_recipient_maps", "");
    r = route(c, "-foo@example.org");
    EXPECT_EQ(r.smtpd.verdict, policy::RecipientCheck::Verdict::Accept);
}

TEST(Route, MalformedDomainIsBadSyntaxAtRcpt) {
    auto c = address::testing::testConfig();
    for (const char* rcpt : {"user@192.0.2.1", "user@remote.example..", "user@bad_domain!.example"}) {
        auto r = route(c, rcpt);
        EXPECT_EQ(r.verdict, Verdict::Reject) << rcpt;
        EXPECT_EQ(r.reason, "501 5.1.3 Bad recipient address syntax") << rcpt;
    }
    EXPECT_EQ(route(c, "user@[192.0.2.1]").smtpd.verdict, policy::RecipientCheck::Verdict::Accept);
}

TEST(Route, SmtpdRepliesNameTheAddressWithoutItsSourceRoute) {
    auto c = address::testing::testConfig();
    c.set("alias_maps", "");
    auto r = route(c, "@relay.example:nosuchuser@example.org");
    EXPECT_EQ(r.reason,
              "550 5.1.1 <nosuchuser@example.org>: Recipient address rejected: User unknown in local recipient table");
    EXPECT_EQ(r.input, "@relay.example:nosuchuser@example.org");
    EXPECT_EQ(route(c, "@relay.example:root@example.org").verdict, Verdict::Deliver);
}

TEST(Route, RetryTransportDefersAtRcpt) {
    auto c = address::testing::testConfig();
    c.set("transport_maps", "inline:{ {slow.example=retry:4.4.1 try later}, {slow2.example=retry:try again} }");
    auto r = route(c, "user@slow.example");
    EXPECT_EQ(r.verdict, Verdict::Defer);
    EXPECT_EQ(r.reason, "450 4.4.1 <user@slow.example>: Recipient address rejected: try later");
    EXPECT_EQ(route(c, "user@slow2.example").reason,
              "450 4.1.1 <user@slow2.example>: Recipient address rejected: try again");
}

TEST(Route, QmgrDiscardsMailForTheLocalDoubleBounceAddress) {
    auto c = address::testing::testConfig();
    auto r = route(c, "Double-Bounce@example.org");
    EXPECT_EQ(r.verdict, Verdict::Deliver);
    ASSERT_EQ(r.recipients.size(), 1u);
    EXPECT_EQ(r.recipients[0].verdict, Verdict::Discard);
    EXPECT_EQ(r.recipients[0].reason, "2.0.0 undeliverable postmaster notification discarded");
    EXPECT_TRUE(r.recipients[0].localDeliveries.empty());
    r = route(c, "double-bounce@remote.example");  // only in local domains
    ASSERT_EQ(r.recipients.size(), 1u);
    EXPECT_EQ(r.recipients[0].verdict, Verdict::Deliver);
}

}  // namespace
}  // namespace postline::simulate
