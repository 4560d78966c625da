// The restriction-name table (restriction_names.h) and the offline evaluation know the
// same names: every name of the table, with an argument of its kind, is evaluated
// without "unknown smtpd restriction", and a misspelt one is not in the table.
#include "postline/policy/restriction_names.h"

#include <gtest/gtest.h>

#include "address/address_test_util.h"
#include "postline/address/routing_context.h"
#include "postline/policy/smtpd_restrictions.h"

namespace postline::policy {
namespace {

std::string argumentFor(RestrictionArgument argument) {
    switch (argument) {
        case RestrictionArgument::None:
            return "";
        case RestrictionArgument::Table:
            return " inline:{ {nothing.example=OK} }";
        case RestrictionArgument::Domain:
            return " list.example";
        case RestrictionArgument::PolicyService:
            return " inet:127.0.0.1:9";
        case RestrictionArgument::Seconds:
            return " 0";
    }
    return "";
}

// The steps of evaluating `list` as smtpd_recipient_restrictions, for a local recipient
// that the relay restrictions let through.
address::Steps stepsOf(const std::string& list) {
    auto c = address::testing::testConfig();
    c.set("mynetworks", "127.0.0.0/8");
    c.set("smtpd_relay_restrictions", "permit_mynetworks, reject_unauth_destination");
    c.set("smtpd_recipient_restrictions", list);
    c.set("alias_maps", "");  // not the host's /etc/aliases
    c.set("local_recipient_maps", "");
    address::RoutingContext ctx(c);
    SmtpdSession s;
    s.clientAddress = "192.0.2.1";
    s.clientName = s.reverseName = "unknown";
    s.helo = "client.example";
    SmtpdRestrictions r(ctx, s);
    return r.check("joe@example.net", "root@example.org").steps;
}

bool mentionsUnknown(const address::Steps& steps) {
    for (const address::Step& step : steps)
        for (const std::string& w : step.warnings)
            if (w.find("unknown smtpd restriction") != std::string::npos) return true;
    return false;
}

// Whether a step of smtpd_recipient_restrictions reports on `name`, or `name` expanded
// into restrictions of its own (reject_sender_login_mismatch): it was evaluated.
bool evaluated(const address::Steps& steps, std::string_view name) {
    for (const address::Step& step : steps)
        if ((step.stage == "smtpd_recipient_restrictions" && step.result.starts_with(name)) || step.stage == name)
            return true;
    return false;
}

TEST(RestrictionNames, TheEvaluationKnowsEveryName) {
    for (const RestrictionName& entry : smtpdRestrictionNames()) {
        std::string list = std::string(entry.name) + argumentFor(entry.argument);
        address::Steps steps = stepsOf(list);
        EXPECT_TRUE(evaluated(steps, entry.name)) << list;
        EXPECT_FALSE(mentionsUnknown(steps)) << list;
    }
}

TEST(RestrictionNames, MisspeltNamesAreUnknownToBoth) {
    for (const char* name : {"permit_sasl_authentication", "reject_unauth_destinaton", "permit_eth0"}) {
        EXPECT_EQ(findSmtpdRestriction(name), nullptr) << name;
        EXPECT_TRUE(mentionsUnknown(stepsOf(name))) << name;
    }
    ASSERT_NE(findSmtpdRestriction("Reject_Unauth_Destination"), nullptr);  // smtpd compares without case
    EXPECT_EQ(findSmtpdRestriction("check_client_access")->argument, RestrictionArgument::Table);
}

}  // namespace
}  // namespace postline::policy
