// RFC 3463 status checks and the status at the front of a reason text (Postfix's
// dsn_util.c dsn_valid and dsn_split).
#include "postline/delivery/dsn.h"

#include <gtest/gtest.h>

namespace postline::delivery {
namespace {

TEST(Dsn, Valid) {
    EXPECT_TRUE(dsnValid("2.0.0"));
    EXPECT_TRUE(dsnValid("5.123.456"));
    EXPECT_FALSE(dsnValid("3.0.0"));
    EXPECT_FALSE(dsnValid("5.1234.0"));
    EXPECT_FALSE(dsnValid("5.1."));
    EXPECT_FALSE(dsnValid("5.1.1 "));
    EXPECT_FALSE(dsnValid("5..1"));
    EXPECT_FALSE(dsnValid(""));
}

TEST(Dsn, Split) {
    DsnSplit a = splitDsn("5.0.0", "  4.1.1   try again later");
    EXPECT_EQ(a.status, "4.1.1");
    EXPECT_EQ(a.text, "try again later");
    DsnSplit b = splitDsn("5.0.0", " mailbox unavailable");
    EXPECT_EQ(b.status, "5.0.0");
    EXPECT_EQ(b.text, "mailbox unavailable");
    DsnSplit c = splitDsn("2.0.0", "5.1.1x no");  // not a status: the whole text
    EXPECT_EQ(c.status, "2.0.0");
    EXPECT_EQ(c.text, "5.1.1x no");
    DsnSplit d = splitDsn("4.0.0", "4.7.1");
    EXPECT_EQ(d.status, "4.7.1");
    EXPECT_EQ(d.text, "");
}

}  // namespace
}  // namespace postline::delivery
