// Tests of canonical rewriting (trivial-rewrite/rewrite.c, postconf(5) defaults).
#include "postline/address/rewrite.h"

#include <gtest/gtest.h>

#include "address_test_util.h"

namespace postline::address {
namespace {

std::string rw(std::string_view a, const RewriteSettings& s) { return rewriteAddress(a, s); }

TEST(Rewrite, LocalContextDefaults) {
    auto config = testing::testConfig();
    auto s = RewriteSettings::local(config);
    EXPECT_FALSE(s.appendDotMydomain);  // compatibility_level 3.6
    EXPECT_EQ(rw("lp", s), "lp@example.org");
    EXPECT_EQ(rw("someone@mx1", s), "someone@mx1");
    EXPECT_EQ(rw("host!user", s), "user@host");
    EXPECT_EQ(rw("a!b!c", s), "b!c@a");
    EXPECT_EQ(rw("user%site", s), "user@site");
    EXPECT_EQ(rw("a%b%c", s), "a%b@c");
    EXPECT_EQ(rw("@a,@b:user@c", s), "user@c");
    EXPECT_EQ(rw("user@example.com.", s), "user@example.com");
    EXPECT_EQ(rw("user@.", s), "user@.");
    EXPECT_EQ(rw("", s), "");
    EXPECT_EQ(rw("a b", s), "a b@example.org");
    EXPECT_EQ(rw("a b@c d", s), "a b@c d");
    // A lone "@" (external form) is an empty address.
    TokenList lone = scanTokens("@");
    rewriteTokens(lone, s);
    EXPECT_TRUE(lone.empty());
}

TEST(Rewrite, SwitchesAndDotMydomain) {
    auto config = testing::testConfig();
    config.set("swap_bangpath", "no");
    config.set("allow_percent_hack", "no");
    config.set("append_dot_mydomain", "yes");
    auto s = RewriteSettings::local(config);
    EXPECT_EQ(rw("host!user", s), "host!user@example.org");
    EXPECT_EQ(rw("user%site", s), "user%site@example.org");
    EXPECT_EQ(rw("user@mx1", s), "user@mx1.example.org");
    EXPECT_EQ(rw("user@[1.2.3.4]", s), "user@[1.2.3.4]");
    config.set("append_at_myorigin", "no");
    EXPECT_EQ(rw("lp", RewriteSettings::local(config)), "lp");
    config.set("compatibility_level", "0");
    config.erase("append_dot_mydomain");
    EXPECT_TRUE(RewriteSettings::local(config).appendDotMydomain);
}

TEST(Rewrite, RecordsAStepOnlyWhenChanged) {
    auto s = RewriteSettings::local(testing::testConfig());
    Steps steps;
    rewriteAddress("a@b.c", s, &steps);
    EXPECT_TRUE(steps.empty());
    rewriteAddress("a", s, &steps);
    ASSERT_EQ(steps.size(), 1u);
    EXPECT_EQ(steps[0].result, "a@example.org");
}

}  // namespace
}  // namespace postline::address
