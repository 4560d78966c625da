// master.cf parsing (lib/config/src/master_cf.cpp), with Postfix 3.7's messages.
#include "postline/config/master_cf.h"

#include <gtest/gtest.h>

namespace postline::config {
namespace {

TEST(MasterCf, FieldsContinuationAndOptionForms) {
    auto entries = parseMasterCf(
        "# c\nsmtp inet n - y - - smtpd\n  -o a=1 -o { b = x, y } -oc=3\n[::1]:2525 inet n - n - - smtpd -o { d = e "
        "}\n",
        "master.cf");
    ASSERT_TRUE(entries.ok());
    ASSERT_EQ(entries->size(), 2u);
    const auto& smtp = (*entries)[0];
    EXPECT_EQ(smtp.name(), "smtp");
    EXPECT_EQ(smtp.line, 3);
    EXPECT_EQ(smtp.argv, (std::vector<std::string>{"smtp", "inet", "n", "-", "y", "-", "-", "smtpd", "-o", "a=1", "-o",
                                                   "{b=x, y}", "-o", "c=3"}));
    auto params = smtp.params();
    ASSERT_EQ(params.size(), 3u);
    EXPECT_EQ(params[1], (std::pair<std::string, std::string>{"b", "x, y"}));
    EXPECT_EQ((*entries)[1].name(), "[::1]:2525");
    EXPECT_EQ((*entries)[1].argv.back(), "d=e");
}

TEST(MasterCf, ArgumentsAfterTheCommandAreNotOptions) {
    auto entries = parseMasterCf("p unix - n n - - pipe flags=R argv=/bin/cat -o x=1\n", "m");
    ASSERT_TRUE(entries.ok());
    EXPECT_TRUE((*entries)[0].params().empty());
}

TEST(MasterCf, BadEntriesGivePostfixMessages) {
    auto r = parseMasterCf("smtp inet n - y - - smtpd\nbroken unix - -\n", "/etc/postfix/master.cf");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "file /etc/postfix/master.cf: line 2: bad field count");
    EXPECT_EQ(parseMasterCf("smtp inot n - y - - smtpd\n", "m").error().message,
              "invalid type field \"inot\" in \"smtp inot n - y - - smtpd\"");
    EXPECT_EQ(parseMasterCf("smtp inet n - y 1x - smtpd\n", "m").error().message,
              "invalid wakeup field \"1x\" in \"smtp inet n - y 1x - smtpd\"");
    EXPECT_TRUE(parseMasterCf("smtp inet n - y 60? - smtpd\n", "m").ok());
}

TEST(MasterCf, OptionLinesAndFirstLine) {
    auto entries =
        parseMasterCf("smtp inet n - y - - smtpd\n  -o a=1\n# comment\n\n  -oa=2 -o{ b = x y }\n  -o c=3\n", "m");
    ASSERT_TRUE(entries.ok());
    const auto& smtp = (*entries)[0];
    EXPECT_EQ(smtp.firstLine, 1);
    EXPECT_EQ(smtp.line, 6);
    EXPECT_EQ(smtp.optionLine("a"), 5);  // the last one, the one that takes effect
    EXPECT_EQ(smtp.optionLine("b"), 5);
    EXPECT_EQ(smtp.optionLine("c"), 6);
    EXPECT_EQ(smtp.optionLine("d"), 0);
    // Every -o in order, each at its own line, the brace form unwrapped.
    auto options = smtp.options();
    ASSERT_EQ(options.size(), 4u);
    EXPECT_EQ(options[0].name, "a");
    EXPECT_EQ(options[0].value, "1");
    EXPECT_EQ(options[0].line, 2);
    EXPECT_EQ(options[1].name, "a");
    EXPECT_EQ(options[1].line, 5);
    EXPECT_EQ(options[2].name, "b");
    EXPECT_EQ(options[2].value, "x y");
    EXPECT_EQ(options[2].line, 5);
    EXPECT_EQ(options[3].line, 6);
    // Without line information (a single parsed line), lines are 0.
    auto one = parseMasterEntry("smtp inet n - y - - smtpd -o a=1");
    ASSERT_TRUE(one.ok());
    ASSERT_EQ(one->options().size(), 1u);
    EXPECT_EQ(one->options()[0].line, 0);
}

TEST(MasterCf, ScanGoesOnAfterBadLines) {
    auto scan = scanMasterCf("broken unix - -\nsmtp inet n - y - - smtpd\nx inot n - y - - smtpd\n  -o a=1\n");
    ASSERT_EQ(scan.entries.size(), 1u);
    EXPECT_EQ(scan.entries[0].name(), "smtp");
    ASSERT_EQ(scan.problems.size(), 2u);
    EXPECT_EQ(scan.problems[0].message, "bad field count");
    EXPECT_EQ(scan.problems[0].firstLine, 1);
    EXPECT_EQ(scan.problems[1].firstLine, 3);
    EXPECT_EQ(scan.problems[1].lastLine, 4);
    EXPECT_EQ(scan.problems[1].message, "invalid type field \"inot\" in \"x inot n - y - - smtpd  -o a=1\"");
}

TEST(MasterCf, SplitNameValue) {
    EXPECT_EQ(*splitNameValue("  a =  b c  "), (std::pair<std::string, std::string>{"a", "b c"}));
    EXPECT_EQ(splitNameValue("a b = c").error().message, "missing '=' after attribute name");
    EXPECT_EQ(normalizeOptionValue("{ a = b }"), "a=b");
    EXPECT_EQ(normalizeOptionValue("{ a = b c }"), "{a=b c}");
}

}  // namespace
}  // namespace postline::config
