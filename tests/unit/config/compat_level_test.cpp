// Compatibility levels (lib/config/src/compat_level.cpp and the <level operators of
// expand.cpp), with compat_level.c's syntax and Postfix 3.7's messages.
#include "postline/config/compat_level.h"

#include <gtest/gtest.h>

#include "postline/config/config.h"
#include "postline/config/expand.h"

namespace postline::config {
namespace {

TEST(CompatLevel, ParsesLikeCompatLevelFromString) {
    EXPECT_EQ(compatLevelFromString("0"), 0);
    EXPECT_EQ(compatLevelFromString("3.6"), (3L << 20) | (6L << 10));
    EXPECT_EQ(compatLevelFromString("3.6.1"), (3L << 20) | (6L << 10) | 1);
    EXPECT_EQ(compatLevelFromString(" 3.6"), compatLevelFromString("3.6"));  // strtol() skips blanks
    EXPECT_EQ(compatLevelFromString("3.1023.1023"), (3L << 20) | (1023L << 10) | 1023);
    for (const char* bad : {"junk", "3..6", "", "3.6.", ".3", "3.6x", "-1", "3.1024", "3.6.1.2", "99999999999999999999",
                            "3.4294967296", "8796093022208"})
        EXPECT_FALSE(compatLevelFromString(bad).has_value()) << bad;
    EXPECT_TRUE(compatLevelFromString("8796093022207").has_value());
}

TEST(CompatLevel, MalformedLevelIsAnExpansionError) {
    auto lookup = [](std::string_view name) -> std::optional<std::string> {
        if (name == "compatibility_level") return std::string("3..6");
        return std::nullopt;
    };
    auto r = macroExpand("${{$compatibility_level} <level {2} ? {subnet} : {host}}", kMacroRecurse, lookup);
    EXPECT_TRUE(r.error);
    EXPECT_EQ(r.warnings, std::vector<std::string>{"malformed compatibility level syntax: \"3..6\""});
    // A scan evaluates nothing.
    EXPECT_FALSE(macroExpand("${{$compatibility_level} <level {2} ? {a} : {b}}", kMacroScan, lookup).error);
    auto good = macroExpand("${{3.6} <level {2} ? {subnet} : {host}}", kMacroRecurse, lookup);
    EXPECT_FALSE(good.error);
    EXPECT_EQ(good.text, "host");
}

TEST(CompatLevel, CheckNamesTheExpandedValue) {
    Config config = Config::defaults();
    EXPECT_TRUE(checkCompatibilityLevel(config).ok());
    config.set("level", "junk");
    config.set("compatibility_level", "$level");
    auto status = checkCompatibilityLevel(config);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().message, "malformed compatibility level syntax: \"junk\"");
}

}  // namespace
}  // namespace postline::config
