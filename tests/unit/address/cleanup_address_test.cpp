// Tests of cleanup's address processing: canonical maps and classes, masquerading,
// virtual alias expansion with its limits, extension propagation.
#include "postline/address/cleanup_address.h"

#include <gtest/gtest.h>

#include "address_test_util.h"
#include "postline/address/routing_context.h"

namespace postline::address {
namespace {

using testing::TempDir;

CleanupResult rcpt(const config::Config& c, std::string_view a) {
    RoutingContext ctx(c);
    return cleanupRecipient(ctx, a);
}
CleanupResult sender(const config::Config& c, std::string_view a) {
    RoutingContext ctx(c);
    return cleanupSender(ctx, a);
}

TEST(Canonical, ClassesDecideWhichMapsApply) {
    auto c = testing::testConfig();
    c.set("canonical_maps",
          "inline:{ {Sender@Example.NET=canon-sender@example.net}, {r@example.net=canon-r@example.net} }");
    c.set("sender_canonical_maps", "inline:{ {s@example.net=Sender@example.net} }");
    EXPECT_EQ(sender(c, "s@example.net").address, "canon-sender@example.net");  // sender, then common
    EXPECT_EQ(rcpt(c, "s@example.net").address, "s@example.net");               // sender map not for recipients
    EXPECT_EQ(rcpt(c, "r@example.net").address, "canon-r@example.net");
    c.set("canonical_classes", "envelope_sender");
    EXPECT_EQ(rcpt(c, "r@example.net").address, "r@example.net");
}

TEST(Canonical, AtDomainResultsAndExtensions) {
    auto c = testing::testConfig();
    c.set("recipient_delimiter", "+");
    c.set("canonical_maps", "inline:{ {@old.example=@new.example}, {joe@example.net=joseph@example.net} }");
    EXPECT_EQ(rcpt(c, "a+x@old.example").address, "a+x@new.example");
    EXPECT_EQ(rcpt(c, "joe+list@example.net").address, "joseph+list@example.net");
    c.set("propagate_unmatched_extensions", "virtual");
    EXPECT_EQ(rcpt(c, "joe+list@example.net").address, "joseph@example.net");
    // A bare result is canonicalized with @$myorigin.
    c.set("canonical_maps", "inline:{ {x@example.net=bare} }");
    EXPECT_EQ(rcpt(c, "x@example.net").address, "bare@example.org");
}

TEST(Canonical, NestingAndErrors) {
    auto c = testing::testConfig();
    c.set("canonical_maps",
          "inline:{ {a@x.example=b@x.example}, {b@x.example=c@x.example}, {loop@x.example=loop2@x.example}, "
          "{loop2@x.example=loop@x.example} }");
    EXPECT_EQ(rcpt(c, "a@x.example").address, "c@x.example");
    auto r = rcpt(c, "loop@x.example");
    EXPECT_TRUE(r.defer);
    EXPECT_EQ(r.steps.back().warnings.at(0),
              "unreasonable canonical_maps map nesting for loop@x.example -- message not accepted, try again later");
    c.set("canonical_maps", "fail:broken");
    r = rcpt(c, "a@x.example");
    EXPECT_TRUE(r.defer);
    EXPECT_EQ(r.reason, "4.3.0 Error: queue file write error");
}

TEST(Masquerade, DomainsExemptionsAndExceptions) {
    auto c = testing::testConfig();
    c.set("masquerade_domains", "!secret.example.com, example.com");
    EXPECT_EQ(sender(c, "u@host.a.example.com").address, "u@example.com");
    EXPECT_EQ(sender(c, "u@example.com").address, "u@example.com");
    EXPECT_EQ(sender(c, "u@host.secret.example.com").address, "u@host.secret.example.com");
    EXPECT_EQ(sender(c, "u@notexample.com").address, "u@notexample.com");
    // envelope_recipient is not in the default masquerade_classes.
    EXPECT_EQ(rcpt(c, "u@host.example.com").address, "u@host.example.com");
    c.set("masquerade_classes", "envelope_recipient");
    EXPECT_EQ(rcpt(c, "u@host.example.com").address, "u@example.com");
    c.set("masquerade_exceptions", "root");
    EXPECT_EQ(rcpt(c, "Root@host.example.com").address, "Root@host.example.com");
}

TEST(Virtual, RecursiveExpansionAndDuplicates) {
    TempDir dir;
    auto c = testing::testConfig();
    auto v = dir.write("virtual",
                       "list@example.net a@example.net, b@example.net, a@example.net\n"
                       "a@example.net alice@example.org\n"
                       "self@example.org self@example.org, other@example.net\n"
                       "@catch.example catcher@example.org\n");
    c.set("virtual_alias_maps", "texthash:" + v);
    auto r = rcpt(c, "list@example.net");
    EXPECT_EQ(r.recipients, (std::vector<std::string>{"alice@example.org", "b@example.net"}));
    r = rcpt(c, "self@example.org");
    EXPECT_EQ(r.recipients, (std::vector<std::string>{"self@example.org", "other@example.net"}));
    r = rcpt(c, "anyone@catch.example");
    EXPECT_EQ(r.recipients, (std::vector<std::string>{"catcher@example.org"}));
    r = rcpt(c, "nobody@example.com");
    EXPECT_EQ(r.recipients, (std::vector<std::string>{"nobody@example.com"}));
}

TEST(Virtual, ExtensionPropagation) {
    auto c = testing::testConfig();
    c.set("recipient_delimiter", "+");
    c.set("virtual_alias_maps", "inline:{ {root2@example.org=t2@example.net} }");
    EXPECT_EQ(rcpt(c, "root2+foo@example.org").recipients, (std::vector<std::string>{"t2+foo@example.net"}));
}

TEST(Virtual, LimitsDeferTheMessage) {
    auto c = testing::testConfig();
    c.set("virtual_alias_maps",
          "inline:{ {loop1@example.org=loop2@example.org}, {loop2@example.org=loop1@example.org} }");
    auto r = rcpt(c, "loop1@example.org");
    EXPECT_TRUE(r.defer);
    EXPECT_EQ(r.reason, "4.6.0 Alias expansion error");
    EXPECT_EQ(r.recipients, (std::vector<std::string>{"loop1@example.org"}));
    EXPECT_EQ(r.steps.back().warnings.at(0),
              "unreasonable virtual_alias_maps map nesting for loop1@example.org -- message not accepted, try again "
              "later");
    c.set("virtual_alias_maps", "inline:{ {big@example.org=a@x.example,b@x.example,c@x.example} }");
    c.set("virtual_alias_expansion_limit", "2");
    r = rcpt(c, "big@example.org");
    EXPECT_TRUE(r.defer);
    c.set("virtual_alias_expansion_limit", "3");
    EXPECT_FALSE(rcpt(c, "big@example.org").defer);
}

TEST(CleanupSender, NullSenderAndMailerDaemon) {
    auto c = testing::testConfig();
    EXPECT_EQ(sender(c, "").address, "");
    EXPECT_EQ(sender(c, "MAILER-DAEMON").address, "");
    EXPECT_EQ(sender(c, "mailer-daemon@example.org").address, "");
    EXPECT_EQ(sender(c, "MAILER-DAEMON@example.net").address, "MAILER-DAEMON@example.net");
    EXPECT_EQ(rcpt(c, "").address, "MAILER-DAEMON@example.org");
}

}  // namespace
}  // namespace postline::address
