// Tests of what happens after resolution, as qmgr and the delivery agents decide it:
// proxy: tables in domain lists, transports master.cf does not offer, defer_transports,
// the error transport's default status, soft_bounce, sender_dependent_relayhost_maps
// DUNNO, alias extension propagation, myorigin from a file, and external tables.
#include <gtest/gtest.h>

#include "address/address_test_util.h"
#include "postline/address/external_tables.h"
#include "postline/address/local_delivery.h"
#include "postline/address/resolve.h"
#include "postline/address/routing_context.h"
#include "postline/simulate/route.h"

namespace postline::simulate {
namespace {

using address::testing::TempDir;

RouteReport route(const config::Config& c, std::string_view rcpt, std::string_view sender = "") {
    address::RoutingContext ctx(c);
    return routeRecipient(ctx, sender, rcpt);
}

TEST(RouteDelivery, ProxyTablesInDomainLists) {
    TempDir dir;
    auto c = address::testing::testConfig();
    auto v = dir.write("virtual", "valias.example x\ninfo@valias.example a@example.net\n");
    auto r = dir.write("relay", "relay.example ok\n");
    // virtual_alias_domains defaults to $virtual_alias_maps: a proxy: list too.
    c.set("virtual_alias_maps", "proxy:texthash:" + v);
    c.set("relay_domains", "proxy:texthash:" + r);
    auto rep = route(c, "someone@remote.example");
    EXPECT_EQ(rep.verdict, Verdict::Deliver) << rep.reason;
    ASSERT_EQ(rep.recipients.size(), 1u);
    EXPECT_EQ(rep.recipients[0].resolution.transport, "smtp");
    EXPECT_EQ(rep.recipients[0].resolution.nexthop, "remote.example");
    rep = route(c, "info@valias.example");
    EXPECT_EQ(rep.verdict, Verdict::Deliver) << rep.reason;
    ASSERT_EQ(rep.recipients.size(), 1u);
    EXPECT_EQ(rep.recipients[0].address, "a@example.net");
    address::RoutingContext ctx(c);
    auto res = address::resolveAddress(ctx, "", "x@relay.example");
    EXPECT_EQ(res.addressClass, address::AddressClass::Relay);
    EXPECT_FALSE(res.fail);
}

TEST(RouteDelivery, TransportThatMasterCfDoesNotOffer) {
    TempDir dir;
    auto c = config::Config::defaults(dir.path.string());
    c.set("myhostname", "mail.example.org");
    c.set("mydomain", "example.org");
    c.set("transport_maps", "inline:{ {nosuch.example = nosuchservice:[192.0.2.31]} }");
    dir.write("master.cf",
              "smtp inet n - n - - smtpd\n"
              "smtp unix - - n - - smtp\n"
              "public unix n - n - - discard\n"
              "error unix - - n - - error\n");
    c.set("default_transport", "smtp");
    auto r = route(c, "a@nosuch.example");
    EXPECT_EQ(r.verdict, Verdict::Defer);
    EXPECT_EQ(r.reason, "4.3.0 mail transport unavailable");
    EXPECT_EQ(route(c, "a@remote.example").verdict, Verdict::Deliver);
    // A unix service with private = n has its socket in public/, where qmgr does not look.
    c.set("default_transport", "public");
    EXPECT_EQ(route(c, "a@remote.example").reason, "4.3.0 mail transport unavailable");
    // defer_transports: qmgr hands such mail to retry(8).
    c.set("default_transport", "smtp");
    c.set("defer_transports", "smtp");
    dir.write("master.cf", "smtp unix - - n - - smtp\nretry unix - - n - - error\n");
    EXPECT_EQ(route(c, "a@remote.example").reason, "4.3.2 deferred transport");
}

TEST(RouteDelivery, SenderDependentRelayhostDunnoKeepsRelayhost) {
    auto c = address::testing::testConfig();
    c.set("relayhost", "[smarthost.example]:587");
    c.set("sender_dependent_relayhost_maps",
          "inline:{ {dunno@sender.example = DUNNO}, {other@sender.example = [other.example]} }");
    address::RoutingContext ctx(c);
    EXPECT_EQ(address::resolveAddress(ctx, "dunno@sender.example", "u@remote.example").nexthop,
              "[smarthost.example]:587");
    EXPECT_EQ(address::resolveAddress(ctx, "other@sender.example", "u@remote.example").nexthop, "[other.example]");
    c.set("relayhost", "");
    address::RoutingContext ctx2(c);
    EXPECT_EQ(address::resolveAddress(ctx2, "dunno@sender.example", "u@remote.example").nexthop, "remote.example");
}

TEST(RouteDelivery, ErrorTransportWithoutText) {
    // Reached through virtual aliases, which smtpd accepts: error(8) decides.
    auto c = address::testing::testConfig();
    c.set("virtual_alias_maps",
          "inline:{ {closed@example.org = a@closed.example}, {later@example.org = a@later.example},"
          " {coded@example.org = a@coded.example} }");
    c.set("transport_maps",
          "inline:{ {closed.example = error:}, {later.example = retry:}, {coded.example = error:5.7.1 go away} }");
    auto r = route(c, "closed@example.org");
    EXPECT_EQ(r.verdict, Verdict::Reject);
    EXPECT_EQ(r.reason, "5.0.0 Address is undeliverable");
    r = route(c, "later@example.org");
    EXPECT_EQ(r.verdict, Verdict::Defer);
    EXPECT_EQ(r.reason, "4.0.0 Address is undeliverable");
    EXPECT_EQ(route(c, "coded@example.org").reason, "5.7.1 go away");
}

TEST(RouteDelivery, SoftBounceDefersEveryBounceAfterAcceptance) {
    TempDir dir;
    auto c = address::testing::testConfig();
    c.set("soft_bounce", "yes");
    c.set("alias_maps", "");
    c.set("local_recipient_maps", "");
    c.set("virtual_alias_maps",
          "inline:{ {closed@example.org = closed@closed.example}, {old@example.org = moved@example.org} }");
    c.set("transport_maps", "inline:{ {closed.example = error:5.7.1 this address is closed} }");
    c.set("relocated_maps", "inline:{ {moved@example.org = new@elsewhere.example} }");
    auto r = route(c, "closed@example.org");
    EXPECT_EQ(r.verdict, Verdict::Defer);
    EXPECT_EQ(r.reason, "4.7.1 this address is closed");
    r = route(c, "no-such-user-xyz@example.org");
    EXPECT_EQ(r.verdict, Verdict::Defer);
    EXPECT_EQ(r.reason, "4.1.1 unknown user: \"no-such-user-xyz\"");
    ASSERT_EQ(r.recipients.size(), 1u);
    ASSERT_EQ(r.recipients[0].localDeliveries.size(), 1u);
    EXPECT_EQ(r.recipients[0].localDeliveries[0].kind, address::LocalDelivery::Kind::Defer);
    r = route(c, "old@example.org");
    EXPECT_EQ(r.verdict, Verdict::Defer);
    EXPECT_EQ(r.reason, "4.1.6 User has moved to new@elsewhere.example");
    c.set("soft_bounce", "no");
    r = route(c, "old@example.org");
    EXPECT_EQ(r.verdict, Verdict::Reject);
    EXPECT_EQ(r.reason, "5.1.6 User has moved to new@elsewhere.example");
}

TEST(RouteDelivery, AliasPropagatesUnmatchedExtension) {
    auto c = address::testing::testConfig();
    c.set("recipient_delimiter", "+");
    c.set("alias_maps", "inline:{ {fwd = remote@partner.example}, {fwd+exact = exact@partner.example} }");
    auto targets = [&](std::string_view rcpt) {
        address::RoutingContext ctx(c);
        std::vector<std::string> out;
        for (auto& d : address::deliverLocal(ctx, rcpt).deliveries) out.push_back(d.target);
        return out;
    };
    EXPECT_EQ(targets("fwd+x@example.org"), std::vector<std::string>{"remote@partner.example"});
    c.set("propagate_unmatched_extensions", "canonical, virtual, alias");
    EXPECT_EQ(targets("fwd+x@example.org"), std::vector<std::string>{"remote+x@partner.example"});
    // The full local part matched: nothing is unmatched.
    EXPECT_EQ(targets("fwd+exact@example.org"), std::vector<std::string>{"exact@partner.example"});
    EXPECT_EQ(targets("fwd@example.org"), std::vector<std::string>{"remote@partner.example"});
}

TEST(RouteDelivery, MyoriginFromFile) {
    TempDir dir;
    auto c = address::testing::testConfig();
    c.set("myorigin", dir.write("mailname", "  origin.example  \nsecond.example\n"));
    auto r = route(c, "root");
    ASSERT_EQ(r.recipients.size(), 1u) << r.reason;
    EXPECT_EQ(r.recipients[0].address, "root@origin.example");
    address::RoutingContext ctx(c);
    EXPECT_EQ(ctx.get("myorigin"), "origin.example");
    c.set("myorigin", dir.write("empty", "\n"));
    r = route(c, "root");
    EXPECT_EQ(r.verdict, Verdict::Defer);
    EXPECT_EQ(r.reason, "fatal: myorigin file " + (dir.path / "empty").string() + " is empty");
    c.set("myorigin", (dir.path / "missing").string());
    EXPECT_EQ(route(c, "root").reason,
              "fatal: " + (dir.path / "missing").string() + ": cannot open file: No such file or directory");
}

TEST(RouteDelivery, ExternalTablesAreUndecidableWithoutAnswers) {
    auto c = address::testing::testConfig();
    c.set("virtual_alias_maps", "proxy:mysql:/etc/postfix/mysql-virtual.cf");
    auto r = route(c, "info@example.org");
    EXPECT_EQ(r.verdict, Verdict::Defer);
    EXPECT_EQ(r.reason,
              "undecidable offline: mysql:/etc/postfix/mysql-virtual.cf lookup of \"info@example.org\" (give the "
              "answer with --lookup)");
    c.set("transport_maps", "pgsql:/etc/postfix/pgsql-transport.cf");
    {
        address::ExternalLookups answers;
        ASSERT_TRUE(answers.addAnswer("mysql:/etc/postfix/mysql-virtual.cf=Info@example.org=sales@example.net"));
        ASSERT_TRUE(answers.addAnswer("mysql:/etc/postfix/mysql-virtual.cf=*="));
        ASSERT_TRUE(answers.addAnswer("*=*="));
        r = route(c, "info@example.org");
        EXPECT_EQ(r.verdict, Verdict::Deliver) << r.reason;
        ASSERT_EQ(r.recipients.size(), 1u);
        EXPECT_EQ(r.recipients[0].address, "sales@example.net");
        EXPECT_EQ(r.recipients[0].resolution.transport, "smtp");
        EXPECT_FALSE(answers.addAnswer("hash:/etc/postfix/x=a=b"));
        EXPECT_FALSE(answers.addAnswer("mysql:/x.cf=a"));
    }
    // Outside the answers' scope the lookups are undecidable again.
    EXPECT_EQ(route(c, "info@example.org").verdict, Verdict::Defer);
    // A domain list that names one (virtual_alias_domains = $virtual_alias_maps).
    c.set("virtual_alias_maps", "ldap:/etc/postfix/ldap-aliases.cf");
    c.set("transport_maps", "");
    r = route(c, "u@remote.example");
    EXPECT_EQ(r.verdict, Verdict::Defer);
    EXPECT_NE(r.reason.find("undecidable offline: ldap:/etc/postfix/ldap-aliases.cf lookup of \"remote.example\""),
              std::string::npos)
        << r.reason;
}

}  // namespace
}  // namespace postline::simulate
