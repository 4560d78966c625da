// Tests of smtpd's restrictions evaluated offline: each restriction, each access(5)
// action, the reply rules (codes, status codes, soft_bounce, warn_if_reject,
// defer_if_permit/defer_if_reject) and the stages. Expected replies are Postfix 3.7's
// texts (smtpd/smtpd_check.c; the format strings are in the installed smtpd binary).
#include "postline/policy/smtpd_restrictions.h"

#include <gtest/gtest.h>

#include "address/address_test_util.h"
#include "postline/address/routing_context.h"

namespace postline::policy {
namespace {

using Verdict = RecipientCheck::Verdict;

config::Config baseConfig() {
    auto c = address::testing::testConfig();
    c.set("mynetworks", "127.0.0.0/8");
    c.set("local_recipient_maps", "inline:{ {root=x}, {joe=x} }");
    return c;
}

SmtpdSession client(std::string addr = "192.0.2.1", std::string name = "unknown") {
    SmtpdSession s;
    s.clientAddress = std::move(addr);
    s.clientName = s.reverseName = std::move(name);
    return s;
}

RecipientCheck run(const config::Config& c, const SmtpdSession& s, std::string_view rcpt,
                   std::string_view sender = "joe@example.net") {
    address::RoutingContext ctx(c);
    SmtpdRestrictions r(ctx, s);
    return r.check(sender, rcpt);
}

// A recipient access table with one entry for `key`.
config::Config withRecipientAccess(const std::string& key, const std::string& value) {
    auto c = baseConfig();
    c.set("smtpd_recipient_restrictions", "check_recipient_access inline:{ {" + key + "=" + value + "} }");
    return c;
}

TEST(SmtpdRestrictions, RelayDeniedByDefault) {
    auto c = baseConfig();
    auto r = run(c, client(), "x@remote.example");
    EXPECT_EQ(r.verdict, Verdict::Defer);
    EXPECT_EQ(r.reply, "454 4.7.1 <x@remote.example>: Relay access denied");
    EXPECT_EQ(r.stage, "smtpd_relay_restrictions");
    c.set("smtpd_relay_restrictions", "permit_mynetworks, reject_unauth_destination");
    r = run(c, client(), "x@remote.example");
    EXPECT_EQ(r.verdict, Verdict::Reject);
    EXPECT_EQ(r.reply, "554 5.7.1 <x@remote.example>: Relay access denied");
    c.set("relay_domains_reject_code", "550");
    EXPECT_EQ(run(c, client(), "x@remote.example").reply, "550 5.7.1 <x@remote.example>: Relay access denied");
}

TEST(SmtpdRestrictions, PermitMynetworksAndSasl) {
    auto c = baseConfig();
    EXPECT_EQ(run(c, client("127.0.0.1", "localhost"), "x@remote.example").verdict, Verdict::Accept);
    auto s = client();
    s.saslUsername = "joe";
    EXPECT_EQ(run(c, s, "x@remote.example").verdict, Verdict::Defer);  // smtpd_sasl_auth_enable = no
    c.set("smtpd_sasl_auth_enable", "yes");
    EXPECT_EQ(run(c, s, "x@remote.example").verdict, Verdict::Accept);
    EXPECT_EQ(run(c, client(), "x@remote.example").verdict, Verdict::Defer);
}

TEST(SmtpdRestrictions, RelayDomainsAndAuthDestination) {
    auto c = baseConfig();
    c.set("relay_domains", "partner.example");
    c.set("relay_recipient_maps", "");
    EXPECT_EQ(run(c, client(), "u@partner.example").verdict, Verdict::Accept);
    EXPECT_EQ(run(c, client(), "u@a.partner.example").verdict, Verdict::Accept);  // parent style
    // A source-routed local part is not an authorized destination.
    EXPECT_EQ(run(c, client(), "a%b@partner.example").reply, "454 4.7.1 <a%b@partner.example>: Relay access denied");
    c.set("smtpd_relay_restrictions", "permit_auth_destination, reject");
    EXPECT_EQ(run(c, client(), "u@partner.example").verdict, Verdict::Accept);
    EXPECT_EQ(run(c, client(), "u@remote.example").reply,
              "554 5.7.1 <u@remote.example>: Recipient address rejected: Access denied");
}

TEST(SmtpdRestrictions, AccessRejectAndDefer) {
    auto r = run(withRecipientAccess("root@example.org", "REJECT"), client(), "root@example.org");
    EXPECT_EQ(r.verdict, Verdict::Reject);
    EXPECT_EQ(r.reply, "554 5.7.1 <root@example.org>: Recipient address rejected: Access denied");
    EXPECT_EQ(r.stage, "smtpd_recipient_restrictions");
    EXPECT_EQ(run(withRecipientAccess("root@example.org", "REJECT go away"), client(), "root@example.org").reply,
              "554 5.7.1 <root@example.org>: Recipient address rejected: go away");
    EXPECT_EQ(run(withRecipientAccess("root@example.org", "REJECT 5.7.9 policy"), client(), "root@example.org").reply,
              "554 5.7.9 <root@example.org>: Recipient address rejected: policy");
    r = run(withRecipientAccess("root@example.org", "DEFER"), client(), "root@example.org");
    EXPECT_EQ(r.verdict, Verdict::Defer);
    EXPECT_EQ(r.reply, "450 4.7.1 <root@example.org>: Recipient address rejected: Access denied");
    EXPECT_EQ(run(withRecipientAccess("root@example.org", "DEFER try later"), client(), "root@example.org").reply,
              "450 4.7.1 <root@example.org>: Recipient address rejected: try later");
    auto c = withRecipientAccess("root@example.org", "REJECT");
    c.set("access_map_reject_code", "550");
    EXPECT_EQ(run(c, client(), "root@example.org").reply,
              "550 5.7.1 <root@example.org>: Recipient address rejected: Access denied");
}

TEST(SmtpdRestrictions, AccessReplyCodes) {
    EXPECT_EQ(run(withRecipientAccess("root@example.org", "450 custom temp"), client(), "root@example.org").reply,
              "450 4.7.1 <root@example.org>: Recipient address rejected: custom temp");
    EXPECT_EQ(
        run(withRecipientAccess("root@example.org", "550 5.7.9 custom with dsn"), client(), "root@example.org").reply,
        "550 5.7.9 <root@example.org>: Recipient address rejected: custom with dsn");
    EXPECT_EQ(run(withRecipientAccess("root@example.org", "421 closing"), client(), "root@example.org").reply,
              "421 4.7.1 <root@example.org>: Recipient address rejected: closing");
    // A recipient status code in the sender class, and the code's first digit wins.
    auto c = baseConfig();
    c.set("smtpd_sender_restrictions", "check_sender_access inline:{ {joe@example.net=550 5.1.1 no such sender} }");
    EXPECT_EQ(run(c, client(), "root@example.org").reply,
              "550 5.1.0 <joe@example.net>: Sender address rejected: no such sender");
    EXPECT_EQ(run(withRecipientAccess("root@example.org", "450 5.7.3 odd"), client(), "root@example.org").reply,
              "450 4.7.3 <root@example.org>: Recipient address rejected: odd");
}

TEST(SmtpdRestrictions, AccessPermitAndDunno) {
    auto c = baseConfig();
    c.set("smtpd_relay_restrictions", "");
    c.set("smtpd_recipient_restrictions",
          "check_recipient_access inline:{ {x@remote.example=OK}, {y@remote.example=RELAY}, {z@remote.example=12345}, "
          "{d@remote.example=DUNNO} }, reject_unauth_destination");
    EXPECT_EQ(run(c, client(), "x@remote.example").verdict, Verdict::Accept);
    EXPECT_EQ(run(c, client(), "y@remote.example").verdict, Verdict::Accept);
    EXPECT_EQ(run(c, client(), "z@remote.example").verdict, Verdict::Accept);
    EXPECT_EQ(run(c, client(), "d@remote.example").reply, "554 5.7.1 <d@remote.example>: Relay access denied");
    // Domain and localpart@ keys.
    c.set("smtpd_recipient_restrictions",
          "check_recipient_access inline:{ {remote.example=OK}, {bad@=REJECT} }, reject_unauth_destination");
    EXPECT_EQ(run(c, client(), "any@sub.remote.example").verdict, Verdict::Accept);
    EXPECT_EQ(run(c, client(), "bad@example.org").reply,
              "554 5.7.1 <bad@example.org>: Recipient address rejected: Access denied");
}

TEST(SmtpdRestrictions, AccessMessageActions) {
    auto r = run(withRecipientAccess("root@example.org", "HOLD"), client(), "root@example.org");
    EXPECT_EQ(r.verdict, Verdict::Accept);
    ASSERT_EQ(r.actions.size(), 1u);
    EXPECT_EQ(r.actions[0], "HOLD <root@example.org>: Recipient address triggers HOLD action");
    r = run(withRecipientAccess("root@example.org", "DISCARD"), client(), "root@example.org");
    EXPECT_TRUE(r.discard);
    EXPECT_EQ(r.actions.at(0), "DISCARD <root@example.org>: Recipient address triggers DISCARD action");
    // DISCARD ends every check, the unlisted-recipient check too.
    r = run(withRecipientAccess("nobody@example.org", "DISCARD"), client(), "nobody@example.org");
    EXPECT_EQ(r.verdict, Verdict::Accept);
    EXPECT_TRUE(r.discard);
    r = run(withRecipientAccess("root@example.org", "REDIRECT other@example.net"), client(), "root@example.org");
    EXPECT_EQ(r.actions.at(0), "REDIRECT other@example.net");
    r = run(withRecipientAccess("root@example.org", "REDIRECT nowhere"), client(), "root@example.org");
    EXPECT_TRUE(r.actions.empty());
    r = run(withRecipientAccess("root@example.org", "FILTER smtp:[127.0.0.1]:10026"), client(), "root@example.org");
    EXPECT_EQ(r.actions.at(0), "FILTER smtp:[127.0.0.1]:10026");
    r = run(withRecipientAccess("root@example.org", "BCC spy@example.net"), client(), "root@example.org");
    EXPECT_EQ(r.actions.at(0), "BCC spy@example.net");
    r = run(withRecipientAccess("root@example.org", "PREPEND X-Test: yes"), client(), "root@example.org");
    EXPECT_EQ(r.actions.at(0), "PREPEND X-Test: yes");
    r = run(withRecipientAccess("root@example.org", "WARN look here"), client(), "root@example.org");
    EXPECT_EQ(r.actions.at(0), "warn: look here");
    EXPECT_EQ(r.verdict, Verdict::Accept);
    r = run(withRecipientAccess("root@example.org", "INFO note"), client(), "root@example.org");
    EXPECT_EQ(r.actions.at(0), "info: note");
}

TEST(SmtpdRestrictions, ConditionalDeferrals) {
    auto r = run(withRecipientAccess("root@example.org", "DEFER_IF_PERMIT maybe later"), client(), "root@example.org");
    EXPECT_EQ(r.verdict, Verdict::Defer);
    EXPECT_EQ(r.reply, "450 4.7.1 <root@example.org>: Recipient address rejected: maybe later");
    r = run(withRecipientAccess("root@example.org", "DEFER_IF_PERMIT"), client(), "root@example.org");
    EXPECT_EQ(r.reply, "450 4.7.1 <root@example.org>: Recipient address rejected: Service unavailable");
    // DEFER_IF_REJECT alone accepts; before a reject it turns the reject into 450.
    EXPECT_EQ(run(withRecipientAccess("root@example.org", "DEFER_IF_REJECT"), client(), "root@example.org").verdict,
              Verdict::Accept);
    auto c = baseConfig();
    c.set("smtpd_recipient_restrictions",
          "check_recipient_access inline:{ {root@example.org=DEFER_IF_REJECT not sure} }, reject");
    r = run(c, client(), "root@example.org");
    EXPECT_EQ(r.reply, "450 4.7.1 <root@example.org>: Recipient address rejected: not sure");
    c.set("smtpd_recipient_restrictions", "defer_if_permit, permit");
    EXPECT_EQ(run(c, client(), "root@example.org").reply,
              "450 4.7.0 <root@example.org>: Recipient address rejected: defer_if_permit requested");
    c.set("smtpd_recipient_restrictions", "defer_if_reject, reject");
    EXPECT_EQ(run(c, client(), "root@example.org").reply,
              "450 4.7.0 <root@example.org>: Recipient address rejected: defer_if_reject requested");
    // A reject after DEFER_IF_PERMIT still rejects.
    c.set("smtpd_recipient_restrictions", "defer_if_permit, reject");
    EXPECT_EQ(run(c, client(), "root@example.org").reply,
              "554 5.7.1 <root@example.org>: Recipient address rejected: Access denied");
}

TEST(SmtpdRestrictions, GenericAllowDenyAndCodes) {
    auto c = baseConfig();
    c.set("smtpd_recipient_restrictions", "defer");
    EXPECT_EQ(run(c, client(), "root@example.org").reply,
              "450 4.3.2 <root@example.org>: Recipient address rejected: Try again later");
    c.set("defer_code", "451");
    EXPECT_EQ(run(c, client(), "root@example.org").reply,
              "451 4.3.2 <root@example.org>: Recipient address rejected: Try again later");
    c.set("smtpd_recipient_restrictions", "reject");
    c.set("reject_code", "550");
    EXPECT_EQ(run(c, client(), "root@example.org").reply,
              "550 5.7.1 <root@example.org>: Recipient address rejected: Access denied");
    c.set("reject_code", "299");  // not 4xx/5xx: Postfix's generic reply
    EXPECT_EQ(run(c, client(), "root@example.org").reply, "450 4.7.1 Service unavailable");
    c.set("reject_code", "554");
    c.set("soft_bounce", "yes");
    EXPECT_EQ(run(c, client(), "root@example.org").reply,
              "454 4.7.1 <root@example.org>: Recipient address rejected: Access denied");
}

TEST(SmtpdRestrictions, WarnIfReject) {
    auto c = baseConfig();
    c.set("smtpd_relay_restrictions", "permit_mynetworks, reject_unauth_destination");
    c.set("smtpd_recipient_restrictions", "warn_if_reject, reject, permit");
    auto r = run(c, client(), "root@example.org");
    EXPECT_EQ(r.verdict, Verdict::Accept);
    bool warned = false;
    for (auto& s : r.steps)
        for (auto& w : s.warnings)
            warned |= w == "reject_warning: 554 5.7.1 <root@example.org>: Recipient address rejected: Access denied";
    EXPECT_TRUE(warned);
    // A relay rule after warn_if_reject does not protect: smtpd would not start.
    c.set("smtpd_relay_restrictions", "permit_mynetworks, warn_if_reject, reject_unauth_destination");
    c.set("smtpd_recipient_restrictions", "");
    EXPECT_TRUE(run(c, client(), "root@example.org").undecidable);
}

TEST(SmtpdRestrictions, ConfigurationErrors) {
    auto c = withRecipientAccess("root@example.org", "hash:/etc/postfix/other");
    auto r = run(c, client(), "root@example.org");
    EXPECT_EQ(r.verdict, Verdict::Defer);
    EXPECT_EQ(r.reply, "451 4.3.5 Server configuration error");
    r = run(withRecipientAccess("root@example.org", "BOGUSACTION"), client(), "root@example.org");
    EXPECT_EQ(r.reply, "451 4.3.5 Server configuration error");
    c = baseConfig();
    c.set("smtpd_recipient_restrictions", "check_recipient_access");
    EXPECT_EQ(run(c, client(), "root@example.org").reply, "451 4.3.5 Server configuration error");
    c.set("smtpd_relay_restrictions", "permit_mynetworks");
    c.set("smtpd_recipient_restrictions", "permit_mynetworks");
    r = run(c, client(), "root@example.org");
    EXPECT_TRUE(r.undecidable);
    EXPECT_NE(r.reply.find("specify at least one working instance of"), std::string::npos);
    // A missing access table defers, through check_table_result's reply code path.
    c = baseConfig();
    c.set("smtpd_recipient_restrictions", "check_recipient_access hash:/nonexistent/access");
    EXPECT_EQ(run(c, client(), "root@example.org").reply,
              "451 4.3.5 <root@example.org>: Recipient address rejected: Server configuration error");
}

TEST(SmtpdRestrictions, RestrictionClassesAndBareTables) {
    auto c = baseConfig();
    c.set("smtpd_restriction_classes", "strict");
    c.set("strict", "reject_unauth_destination, reject");
    c.set("smtpd_recipient_restrictions", "check_recipient_access inline:{ {root@example.org=strict} }");
    EXPECT_EQ(run(c, client(), "root@example.org").reply,
              "554 5.7.1 <root@example.org>: Recipient address rejected: Access denied");
    EXPECT_EQ(run(c, client(), "joe@example.org").verdict, Verdict::Accept);
    c.set("smtpd_recipient_restrictions", "inline:{ {joe@example.org=REJECT bare} }");
    EXPECT_EQ(run(c, client(), "joe@example.org").reply,
              "554 5.7.1 <joe@example.org>: Recipient address rejected: bare");
    c.set("smtpd_recipient_restrictions", "strict");
    EXPECT_EQ(run(c, client(), "joe@example.org").verdict, Verdict::Reject);
}

TEST(SmtpdRestrictions, ClientRestrictions) {
    auto c = baseConfig();
    c.set("smtpd_client_restrictions", "check_client_access inline:{ {192.0.2=REJECT}, {example.net=DEFER nope} }");
    auto r = run(c, client(), "root@example.org");
    EXPECT_EQ(r.reply, "554 5.7.1 <unknown[192.0.2.1]>: Client host rejected: Access denied");
    EXPECT_EQ(r.stage, "smtpd_client_restrictions");
    EXPECT_EQ(run(c, client("198.51.100.7", "mx.sub.example.net"), "root@example.org").reply,
              "450 4.7.1 <mx.sub.example.net[198.51.100.7]>: Client host rejected: nope");
    EXPECT_EQ(run(c, client("198.51.100.7"), "root@example.org").verdict, Verdict::Accept);
    c.set("smtpd_client_restrictions", "reject_unknown_client_hostname");
    EXPECT_EQ(run(c, client(), "root@example.org").reply,
              "450 4.7.25 Client host rejected: cannot find your hostname, [192.0.2.1]");
    c.set("unknown_client_reject_code", "550");
    EXPECT_EQ(run(c, client(), "root@example.org").reply,
              "550 5.7.25 Client host rejected: cannot find your hostname, [192.0.2.1]");
    auto s = client();
    s.offline.dns["192.0.2.1"] = DnsAnswer::TempFail;
    EXPECT_EQ(run(c, s, "root@example.org").reply,
              "450 4.7.25 Client host rejected: cannot find your hostname, [192.0.2.1]");
    EXPECT_EQ(run(c, client("192.0.2.1", "mx.example.net"), "root@example.org").verdict, Verdict::Accept);
    // IPv6 keys drop one part at a time.
    c.set("smtpd_client_restrictions", "check_client_access inline:{ {2001:db8=REJECT v6} }");
    EXPECT_EQ(run(c, client("2001:db8::1"), "root@example.org").reply,
              "554 5.7.1 <unknown[2001:db8::1]>: Client host rejected: v6");
}

TEST(SmtpdRestrictions, DelayReject) {
    auto c = baseConfig();
    c.set("smtpd_client_restrictions", "reject");
    c.set("smtpd_delay_reject", "no");
    auto r = run(c, client(), "root@example.org");
    EXPECT_EQ(r.reply, "554 5.7.1 <unknown[192.0.2.1]>: Client host rejected: Access denied");
    EXPECT_EQ(r.stage, "smtpd_client_restrictions");
    // HOLD in client restrictions has no message to hold at connect time.
    c.set("smtpd_client_restrictions", "check_client_access inline:{ {192.0.2.1=HOLD} }");
    r = run(c, client(), "root@example.org");
    EXPECT_EQ(r.verdict, Verdict::Accept);
    EXPECT_TRUE(r.actions.empty());
    c.set("smtpd_delay_reject", "yes");
    EXPECT_EQ(run(c, client(), "root@example.org").actions.size(), 1u);
}

TEST(SmtpdRestrictions, HeloRestrictions) {
    auto c = baseConfig();
    c.set("smtpd_helo_restrictions", "reject_invalid_helo_hostname, reject_non_fqdn_helo_hostname");
    auto s = client();
    EXPECT_EQ(run(c, s, "root@example.org").verdict, Verdict::Accept);  // no HELO
    s.helo = "bad_host!";
    EXPECT_EQ(run(c, s, "root@example.org").reply, "501 5.5.2 <bad_host!>: Helo command rejected: Invalid name");
    s.helo = "nodots";
    EXPECT_EQ(run(c, s, "root@example.org").reply,
              "504 5.5.2 <nodots>: Helo command rejected: need fully-qualified hostname");
    s.helo = "mx.example.net.";
    EXPECT_EQ(run(c, s, "root@example.org").verdict, Verdict::Accept);
    s.helo = "[192.0.2.300]";
    EXPECT_EQ(run(c, s, "root@example.org").reply,
              "501 5.5.2 <[192.0.2.300]>: Helo command rejected: invalid ip address");
    s.helo = "[192.0.2.1]";
    EXPECT_EQ(run(c, s, "root@example.org").verdict, Verdict::Accept);
    c.set("smtpd_helo_restrictions", "check_helo_access inline:{ {example.net=REJECT you are not me} }");
    s.helo = "a.example.net";
    EXPECT_EQ(run(c, s, "root@example.org").reply, "554 5.7.1 <a.example.net>: Helo command rejected: you are not me");
    c.set("smtpd_helo_restrictions", "reject_unknown_helo_hostname");
    auto r = run(c, s, "root@example.org");
    EXPECT_TRUE(r.undecidable);
    s.offline.dns["a.example.net"] = DnsAnswer::NotFound;
    EXPECT_EQ(run(c, s, "root@example.org").reply, "450 4.7.1 <a.example.net>: Helo command rejected: Host not found");
    s.offline.dns["a.example.net"] = DnsAnswer::TempFail;
    EXPECT_EQ(run(c, s, "root@example.org").reply, "450 4.7.1 <a.example.net>: Helo command rejected: Host not found");
    s.offline.dns["a.example.net"] = DnsAnswer::Found;
    EXPECT_EQ(run(c, s, "root@example.org").verdict, Verdict::Accept);
}

// Facts from another source than the offline answers (as smtpd's resolver and policy
// clients will give them) decide the same restrictions the same way.
struct FixedFacts final : NetworkFacts {
    std::optional<DnsAnswer> dnsAnswer(std::string_view) const override { return DnsAnswer::NotFound; }
    std::optional<std::string> policyAction(std::string_view) const override { return "REJECT greylisted"; }
};

TEST(SmtpdRestrictions, NetworkFactsFromAnotherSource) {
    auto c = baseConfig();
    c.set("smtpd_helo_restrictions", "reject_unknown_helo_hostname");
    auto s = client();
    s.helo = "a.example.net";
    s.offline.dns["a.example.net"] = DnsAnswer::Found;
    EXPECT_EQ(run(c, s, "root@example.org").verdict, Verdict::Accept);
    FixedFacts facts;
    s.network = &facts;
    EXPECT_EQ(run(c, s, "root@example.org").reply, "450 4.7.1 <a.example.net>: Helo command rejected: Host not found");
    c.set("smtpd_helo_restrictions", "");
    c.set("smtpd_recipient_restrictions", "check_policy_service inet:127.0.0.1:10023");
    EXPECT_EQ(run(c, s, "root@example.org").reply,
              "554 5.7.1 <root@example.org>: Recipient address rejected: greylisted");
}

TEST(SmtpdRestrictions, SenderRestrictions) {
    auto c = baseConfig();
    c.set("smtpd_sender_restrictions", "reject_non_fqdn_sender");
    EXPECT_EQ(run(c, client(), "root@example.org", "x@nodots").reply,
              "504 5.5.2 <x@nodots>: Sender address rejected: need fully-qualified address");
    EXPECT_EQ(run(c, client(), "root@example.org", "").verdict, Verdict::Accept);
    c.set("smtpd_sender_restrictions", "check_sender_access inline:{ {<>=REJECT no bounces}, {bad@=REJECT} }");
    EXPECT_EQ(run(c, client(), "root@example.org", "").reply, "554 5.7.1 <>: Sender address rejected: no bounces");
    EXPECT_EQ(run(c, client(), "root@example.org", "bad@example.net").reply,
              "554 5.7.1 <bad@example.net>: Sender address rejected: Access denied");
    c.set("smtpd_sender_restrictions", "reject_unknown_sender_domain");
    EXPECT_TRUE(run(c, client(), "root@example.org", "x@nonexistent.invalid").undecidable);
    auto s = client();
    s.offline.dns["nonexistent.invalid"] = DnsAnswer::NotFound;
    EXPECT_EQ(run(c, s, "root@example.org", "x@nonexistent.invalid").reply,
              "450 4.1.8 <x@nonexistent.invalid>: Sender address rejected: Domain not found");
    s.offline.dns["nonexistent.invalid"] = DnsAnswer::NullMx;
    EXPECT_EQ(run(c, s, "root@example.org", "x@nonexistent.invalid").reply,
              "550 5.7.27 <x@nonexistent.invalid>: Sender address rejected: Domain nonexistent.invalid does not "
              "accept mail (nullMX)");
    s.offline.dns["nonexistent.invalid"] = DnsAnswer::TempFail;
    EXPECT_EQ(run(c, s, "root@example.org", "x@nonexistent.invalid").reply,
              "450 4.1.8 <x@nonexistent.invalid>: Sender address rejected: Domain not found");
    // Local domains need no DNS.
    EXPECT_EQ(run(c, client(), "root@example.org", "joe@example.org").verdict, Verdict::Accept);
    c.set("unknown_address_reject_code", "550");
    s.offline.dns["nonexistent.invalid"] = DnsAnswer::NotFound;
    EXPECT_EQ(run(c, s, "root@example.org", "x@nonexistent.invalid").reply,
              "550 5.1.8 <x@nonexistent.invalid>: Sender address rejected: Domain not found");
}

TEST(SmtpdRestrictions, UnlistedSenderAndRecipient) {
    auto c = baseConfig();
    EXPECT_EQ(run(c, client(), "nobody@example.org").reply,
              "550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in local recipient table");
    c.set("smtpd_reject_unlisted_recipient", "no");
    EXPECT_EQ(run(c, client(), "nobody@example.org").verdict, Verdict::Accept);
    c.set("smtpd_recipient_restrictions", "reject_unlisted_recipient");
    EXPECT_EQ(run(c, client(), "nobody@example.org").verdict, Verdict::Reject);
    c = baseConfig();
    c.set("smtpd_reject_unlisted_sender", "yes");
    EXPECT_EQ(run(c, client(), "root@example.org", "nobody@example.org").reply,
              "550 5.1.0 <nobody@example.org>: Sender address rejected: User unknown in local recipient table");
    EXPECT_EQ(run(c, client(), "root@example.org", "joe@example.org").verdict, Verdict::Accept);
}

TEST(SmtpdRestrictions, RecipientSyntaxAndDns) {
    auto c = baseConfig();
    c.set("smtpd_relay_restrictions",
          "reject_non_fqdn_recipient, reject_unknown_recipient_domain, reject_unauth_destination");
    EXPECT_EQ(run(c, client(), "u@nodots").reply,
              "504 5.5.2 <u@nodots>: Recipient address rejected: need fully-qualified address");
    auto s = client();
    s.offline.dns["gone.example"] = DnsAnswer::NotFound;
    EXPECT_EQ(run(c, s, "u@gone.example").reply,
              "450 4.1.2 <u@gone.example>: Recipient address rejected: Domain not found");
    s.offline.dns["gone.example"] = DnsAnswer::NullMx;
    EXPECT_EQ(run(c, s, "u@gone.example").reply,
              "556 5.1.10 <u@gone.example>: Recipient address rejected: Domain gone.example does not accept mail "
              "(nullMX)");
}

TEST(SmtpdRestrictions, PolicyServiceAndUndecidable) {
    auto c = baseConfig();
    c.set("smtpd_recipient_restrictions", "check_policy_service inet:127.0.0.1:10023");
    auto r = run(c, client(), "root@example.org");
    EXPECT_TRUE(r.undecidable);
    EXPECT_EQ(r.verdict, Verdict::Defer);
    auto s = client();
    s.offline.policy["inet:127.0.0.1:10023"] = "REJECT greylisted";
    EXPECT_EQ(run(c, s, "root@example.org").reply,
              "554 5.7.1 <root@example.org>: Recipient address rejected: greylisted");
    s.offline.policy["inet:127.0.0.1:10023"] = "DUNNO";
    EXPECT_EQ(run(c, s, "root@example.org").verdict, Verdict::Accept);
    c.set("smtpd_recipient_restrictions", "reject_unverified_recipient");
    EXPECT_TRUE(run(c, client(), "root@example.org").undecidable);
    c.set("smtpd_recipient_restrictions", "reject_rbl_client zen.example");
    EXPECT_TRUE(run(c, client(), "root@example.org").undecidable);
    // The DNS lists that have nothing to look up are skipped, as smtpd skips them: the null
    // sender for reject_rhsbl_sender, a client without a name for reject_rhsbl_client.
    c.set("smtpd_recipient_restrictions", "reject_rhsbl_sender dbl.example");
    EXPECT_TRUE(run(c, client(), "root@example.org").undecidable);
    EXPECT_EQ(run(c, client(), "root@example.org", "").verdict, Verdict::Accept);
    c.set("smtpd_recipient_restrictions", "reject_rhsbl_client dbl.example");
    EXPECT_EQ(run(c, client(), "root@example.org").verdict, Verdict::Accept);
    EXPECT_TRUE(run(c, client("192.0.2.1", "host.example.net"), "root@example.org").undecidable);
    // Offline there is no TLS and no pipelining.
    c.set("smtpd_recipient_restrictions", "permit_tls_clientcerts, reject_unauth_pipelining");
    EXPECT_EQ(run(c, client(), "root@example.org").verdict, Verdict::Accept);
    c.set("smtpd_recipient_restrictions", "reject_plaintext_session");
    EXPECT_EQ(run(c, client(), "root@example.org").reply, "450 4.7.1 Session encryption is required");
}

TEST(SmtpdRestrictions, SenderLoginMismatch) {
    auto c = baseConfig();
    c.set("smtpd_sasl_auth_enable", "yes");
    c.set("smtpd_sender_login_maps", "inline:{ {joe@example.net=joe} }");
    c.set("smtpd_sender_restrictions", "reject_sender_login_mismatch");
    auto s = client();
    EXPECT_EQ(run(c, s, "root@example.org").reply,
              "553 5.7.1 <joe@example.net>: Sender address rejected: not logged in");
    s.saslUsername = "joe";
    EXPECT_EQ(run(c, s, "root@example.org").verdict, Verdict::Accept);
    s.saslUsername = "eve";
    EXPECT_EQ(run(c, s, "root@example.org").reply,
              "553 5.7.1 <joe@example.net>: Sender address rejected: not owned by user eve");
}

TEST(SmtpdRestrictions, DataAndPostmaster) {
    auto c = baseConfig();
    c.set("smtpd_data_restrictions", "reject");
    auto r = run(c, client(), "root@example.org");
    EXPECT_EQ(r.reply, "554 5.7.1 <DATA>: Data command rejected: Access denied");
    EXPECT_EQ(r.stage, "DATA");
    c = baseConfig();
    c.set("smtpd_end_of_data_restrictions", "defer");
    EXPECT_EQ(run(c, client(), "root@example.org").reply,
              "450 4.3.2 <END-OF-MESSAGE>: End-of-data rejected: Try again later");
    c = baseConfig();
    c.set("smtpd_client_restrictions", "reject");
    EXPECT_EQ(run(c, client(), "postmaster").verdict, Verdict::Accept);
}

TEST(SmtpdSession, Options) {
    auto s = sessionForClient("192.0.2.1,Mail.Example.NET");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->namaddr(), "mail.example.net[192.0.2.1]");
    EXPECT_EQ(sessionForClient("2001:DB8::1")->namaddr(), "unknown[2001:db8::1]");
    EXPECT_FALSE(sessionForClient("not-an-ip"));
    EXPECT_FALSE(sessionForClient("192.0.2.1,bad name"));
    EXPECT_TRUE(addDnsAnswer(s->offline, "Example.COM.=notfound"));
    EXPECT_EQ(s->facts().dnsAnswer("example.com"), DnsAnswer::NotFound);
    EXPECT_FALSE(addDnsAnswer(s->offline, "example.com=maybe"));
    EXPECT_TRUE(addPolicyAnswer(s->offline, "inet:127.0.0.1:10023=DEFER_IF_PERMIT a=b"));
    EXPECT_EQ(s->offline.policy["inet:127.0.0.1:10023"], "DEFER_IF_PERMIT a=b");
    // The facts in use: the offline answers, a service's own before "*".
    EXPECT_EQ(s->facts().policyAction("inet:127.0.0.1:10023"), "DEFER_IF_PERMIT a=b");
    EXPECT_EQ(s->facts().policyAction("unix:private/policy"), std::nullopt);
    EXPECT_TRUE(addPolicyAnswer(s->offline, "*=DUNNO"));
    EXPECT_EQ(s->facts().policyAction("unix:private/policy"), "DUNNO");
}

}  // namespace
}  // namespace postline::policy
