// main.cf lines as Postfix 3.7 reads them (lib/config/src/main_cf.cpp and
// config_lines.cpp): NUL bytes and dict_load_fp()'s messages.
#include <gtest/gtest.h>

#include <string>

#include "postline/config/config.h"

namespace postline::config {
namespace {

TEST(MainCfRead, ALogicalLineEndsAtItsFirstNul) {
    std::string text("mail_name = ab\0cd\nmyhostname = x\0\n  continued\nz = 1\n", 52);
    auto defs = parseMainCf(text, "main.cf");
    ASSERT_TRUE(defs.ok()) << defs.error().message;
    EXPECT_EQ(defs->at("mail_name").value, "ab");
    EXPECT_EQ(defs->at("myhostname").value, "x");
    EXPECT_EQ(defs->at("z").value, "1");
    auto bad = parseMainCf(std::string("mail_\0name = ab\n", 16), "f");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().message, "f, line 1: missing '=' after attribute name: \"mail_\"");
}

TEST(MainCfRead, MessagesQuoteTheWholeLogicalLine) {
    auto noName = parseMainCf("= value\n", "f");
    ASSERT_FALSE(noName.ok());
    EXPECT_EQ(noName.error().message, "f, line 1: missing attribute name: \"= value\"");
    auto empty = parseMainCf(std::string("\0x = 1\n", 7), "f");
    ASSERT_FALSE(empty.ok());
    EXPECT_EQ(empty.error().message, "f, line 1: missing attribute name: \"\"");
    auto trailing = parseMainCf("# c\nabc\n  def  \n", "f");
    ASSERT_FALSE(trailing.ok());
    EXPECT_EQ(trailing.error().message, "f, line 2: missing '=' after attribute name: \"abc  def  \"");
}

}  // namespace
}  // namespace postline::config
