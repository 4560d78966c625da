// Tests of the reply pieces: dsn_valid, dsn_split, smtpd_dsn_fix and access(5) values.
#include "postline/policy/smtpd_reply.h"

#include <gtest/gtest.h>

#include "postline/policy/access_action.h"

namespace postline::policy {
namespace {

TEST(SmtpdReply, DsnValid) {
    EXPECT_EQ(dsnValid("5.7.1"), 5u);
    EXPECT_EQ(dsnValid("4.123.456 text"), 9u);
    EXPECT_EQ(dsnValid("5.7.1x"), 0u);
    EXPECT_EQ(dsnValid("3.7.1"), 0u);
    EXPECT_EQ(dsnValid("5.1234.1"), 0u);
    EXPECT_EQ(dsnValid("5..1"), 0u);
    EXPECT_EQ(dsnValid(""), 0u);
}

TEST(SmtpdReply, DsnSplit) {
    auto d = dsnSplit("5.7.1", "  5.7.9   custom text");
    EXPECT_EQ(d.dsn, "5.7.9");
    EXPECT_EQ(d.text, "custom text");
    d = dsnSplit("4.7.1", "try later");
    EXPECT_EQ(d.dsn, "4.7.1");
    EXPECT_EQ(d.text, "try later");
    d = dsnSplit("5.7.1", "");
    EXPECT_EQ(d.text, "");
}

TEST(SmtpdReply, DsnFix) {
    EXPECT_EQ(smtpdDsnFix("5.1.1", kSenderClass), "4.1.0");
    EXPECT_EQ(smtpdDsnFix("5.1.2", kSenderClass), "4.1.8");
    EXPECT_EQ(smtpdDsnFix("5.1.8", kRecipientClass), "4.1.2");
    EXPECT_EQ(smtpdDsnFix("5.1.7", kRecipientClass), "4.1.3");
    EXPECT_EQ(smtpdDsnFix("5.1.9", kRecipientClass), "4.1.0");
    EXPECT_EQ(smtpdDsnFix("5.1.1", kHeloClass), "4.0.0");
    EXPECT_EQ(smtpdDsnFix("5.7.1", kSenderClass), "5.7.1");
}

TEST(AccessAction, Words) {
    using Kind = AccessAction::Kind;
    EXPECT_EQ(parseAccessAction("OK").kind, Kind::Ok);
    EXPECT_EQ(parseAccessAction("relay").kind, Kind::Ok);
    EXPECT_EQ(parseAccessAction("1234567").kind, Kind::Ok);
    EXPECT_EQ(parseAccessAction("reject").kind, Kind::Reject);
    auto a = parseAccessAction("REJECT\t  go away now");
    EXPECT_EQ(a.kind, Kind::Reject);
    EXPECT_EQ(a.text, "go away now");
    EXPECT_EQ(parseAccessAction("DEFER").kind, Kind::Defer);
    EXPECT_EQ(parseAccessAction("defer_if_permit x").kind, Kind::DeferIfPermit);
    EXPECT_EQ(parseAccessAction("DEFER_IF_REJECT").kind, Kind::DeferIfReject);
    EXPECT_EQ(parseAccessAction("DUNNO").kind, Kind::Dunno);
    EXPECT_EQ(parseAccessAction("HOLD").kind, Kind::Hold);
    EXPECT_EQ(parseAccessAction("DISCARD").kind, Kind::Discard);
    EXPECT_EQ(parseAccessAction("REDIRECT a@b").kind, Kind::Redirect);
    EXPECT_EQ(parseAccessAction("BCC a@b").kind, Kind::Bcc);
    EXPECT_EQ(parseAccessAction("FILTER smtp:[127.0.0.1]:10026").kind, Kind::Filter);
    EXPECT_EQ(parseAccessAction("PREPEND X-Test: yes").kind, Kind::Prepend);
    EXPECT_EQ(parseAccessAction("WARN text").kind, Kind::Warn);
    EXPECT_EQ(parseAccessAction("INFO text").kind, Kind::Info);
    EXPECT_EQ(parseAccessAction("HANGUP").kind, Kind::Hangup);
    a = parseAccessAction("550 5.7.9 custom");
    EXPECT_EQ(a.kind, Kind::Code);
    EXPECT_EQ(a.code, 550);
    EXPECT_EQ(a.text, "5.7.9 custom");
    // A code needs text; other words are restrictions.
    EXPECT_EQ(parseAccessAction("450").kind, Kind::Ok);  // all digits
    EXPECT_EQ(parseAccessAction("200 weird").kind, Kind::Restrictions);
    EXPECT_EQ(parseAccessAction("permit_mynetworks, reject").kind, Kind::Restrictions);
    EXPECT_EQ(parseAccessAction("BOGUSACTION").kind, Kind::Restrictions);
}

}  // namespace
}  // namespace postline::policy
