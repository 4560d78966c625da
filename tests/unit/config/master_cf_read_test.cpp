// master.cf as Postfix 3.7's postconf reads it (lib/config/src/master_cf.cpp): continuing
// text without an entry, brace warnings, field separators and NUL bytes.
#include <gtest/gtest.h>

#include "postline/config/master_cf.h"

namespace postline::config {
namespace {

TEST(MasterCfRead, LeadingWhitespaceLineIsWarnedAboutAndSkipped) {
    // The -o lines of a deleted service: readllines() warns and reads on.
    std::vector<std::string> warnings;
    auto entries =
        parseMasterCf("# gone\n  -o a=1\n -o b=2\nsmtp inet n - y - - smtpd\n  -o c=3\n", "/e/master.cf", &warnings);
    ASSERT_TRUE(entries.ok()) << entries.error().message;
    ASSERT_EQ(entries->size(), 1u);
    EXPECT_EQ((*entries)[0].params(), (std::vector<std::pair<std::string, std::string>>{{"c", "3"}}));
    EXPECT_EQ(warnings, std::vector<std::string>{
                            "/e/master.cf: logical line must not start with whitespace: \"  -o a=1 -o b=2\""});
    // Cut at 30 bytes.
    warnings.clear();
    ASSERT_TRUE(parseMasterCf(" -o aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1\n", "m", &warnings).ok());
    EXPECT_EQ(warnings, std::vector<std::string>{
                            "m: logical line must not start with whitespace: \" -o aaaaaaaaaaaaaaaaaaaaaaaaaa...\""});
    // A checker still sees the line.
    auto scan = scanMasterCf("  -o a=1\nsmtp inet n - y - - smtpd\n");
    ASSERT_EQ(scan.problems.size(), 1u);
    EXPECT_TRUE(scan.problems[0].skipped);
    EXPECT_EQ(scan.entries.size(), 1u);
}

TEST(MasterCfRead, BadFieldCountNamesTheFirstLineOfTheEntry) {
    auto r = parseMasterCf("smtp inet n - y - - smtpd\nbroken unix\n  -\n  -\n", "m");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "file m: line 2: bad field count");
}

TEST(MasterCfRead, BraceTextIsExtractedWithPostfixWarnings) {
    std::vector<std::string> warnings;
    auto entries = parseMasterCf(
        "smtp inet n - y - - smtpd -o {a=b -o c=d\n"
        "s2 inet n - y - - smtpd -o {x=y}z -o { q } -o { r = s  t }\n"
        "p unix - n n - - pipe argv=/bin/cat { a  b } {x} {y\n",
        "m", &warnings);
    ASSERT_TRUE(entries.ok()) << entries.error().message;
    ASSERT_EQ(entries->size(), 3u);
    EXPECT_EQ((*entries)[0].argv.back(), "{a=b -o c=d}");
    EXPECT_EQ((*entries)[1].argv, (std::vector<std::string>{"s2", "inet", "n", "-", "y", "-", "-", "smtpd", "-o", "x=y",
                                                            "-o", "q", "-o", "{r=s  t}"}));
    EXPECT_EQ((*entries)[2].argv, (std::vector<std::string>{"p", "unix", "-", "n", "n", "-", "-", "pipe",
                                                            "argv=/bin/cat", "{a  b}", "x", "y"}));
    EXPECT_EQ(warnings, (std::vector<std::string>{
                            "master.cf: missing '}' in \"{a=b -o c=d\"",
                            "master.cf: syntax error after '}' in \"{x=y}z\"",
                            "master.cf: missing '=' after attribute name: \"q\"",
                            "master.cf: missing '}' in \"{y\"",
                        }));
}

TEST(MasterCfRead, OnlySpaceTabCrLfSeparateFields) {
    // A vertical tab is part of a field (argv_splitq with " \t\r\n").
    auto r = parseMasterCf("smtp inet\vn - y - - smtpd x\n", "m");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "invalid type field \"inet\vn\" in \"smtp inet\vn - y - - smtpd x\"");
    EXPECT_FALSE(parseMasterCf("smtp\vinet n - y - - smtpd\n", "m").ok());
}

TEST(MasterCfRead, TextAfterNulIsIgnored) {
    auto entries = parseMasterCf(std::string("smtp inet n - y - - smtpd -o a=b\0 -o c=d\n  -o e=f\n", 50), "m");
    ASSERT_TRUE(entries.ok()) << entries.error().message;
    EXPECT_EQ((*entries)[0].params(), (std::vector<std::pair<std::string, std::string>>{{"a", "b"}}));
}

}  // namespace
}  // namespace postline::config
