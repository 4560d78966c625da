// Tests of the whole route: smtpd's recipient check (check_rcpt_maps), cleanup and
// resolution, and the verdict.
#include "postline/address/route.h"

#include <gtest/gtest.h>

#include "address_test_util.h"
#include "postline/address/routing_context.h"

namespace postline::address {
namespace {

using testing::TempDir;

RouteReport route(const config::Config& c, std::string_view rcpt, std::string_view sender = "") {
    RoutingContext ctx(c);
    return routeRecipient(ctx, sender, rcpt);
}

TEST(Route, LocalRecipientTable) {
    auto c = testing::testConfig();
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
    auto c = testing::testConfig();
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
    auto c = testing::testConfig();
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
    auto c = testing::testConfig();
    c.set("virtual_alias_maps", "inline:{ {l1@example.net=l2@example.net}, {l2@example.net=l1@example.net} }");
    auto r = route(c, "l1@example.net");
    EXPECT_EQ(r.verdict, Verdict::Defer);
    EXPECT_EQ(r.reason, "4.6.0 Alias expansion error");
}

}  // namespace
}  // namespace postline::address
