// unescapeC(): Postfix's util/unescape.c, used for smtpd_expansion_filter and pipe's eol=.
#include <gtest/gtest.h>

#include "postline/base/strings.h"

namespace postline::base {
namespace {

TEST(UnescapeC, NamedEscapes) { EXPECT_EQ(unescapeC("a\\tb\\r\\n\\a\\b\\f\\v"), "a\tb\r\n\a\b\f\v"); }

TEST(UnescapeC, OctalTakesAtMostThreeDigits) {
    EXPECT_EQ(unescapeC("\\40!"), " !");
    EXPECT_EQ(unescapeC("\\1011"), "A1");
    EXPECT_EQ(unescapeC("\\0"), std::string(1, '\0'));
}

TEST(UnescapeC, OtherCharactersStandForThemselves) {
    EXPECT_EQ(unescapeC("\\\\ \\q"), "\\ q");
    EXPECT_EQ(unescapeC("end\\"), "end\\");
}

}  // namespace
}  // namespace postline::base
