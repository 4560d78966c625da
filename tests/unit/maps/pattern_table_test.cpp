// patternTableRules(): the match rules of regexp: and pcre: tables with their lines and
// result templates, read by the same parser that lookups use.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "postline/base/msg.h"
#include "postline/maps/pattern_table.h"

namespace postline::maps {
namespace {

class PatternTableRules : public ::testing::Test {
protected:
    void SetUp() override {
        base::setMsgSink([this](base::Severity, std::string_view text) { warnings.emplace_back(text); });
        dir = ::testing::TempDir() + "pattern_table_test." + std::to_string(::getpid());
        ::mkdir(dir.c_str(), 0700);
    }
    void TearDown() override { base::setMsgSink(nullptr); }

    DictSpec write(const std::string& type, const std::string& text) {
        std::string path = dir + "/t." + type;
        std::ofstream(path) << text;
        return parseDictSpec(type + ":" + path, "");
    }

    std::vector<std::string> warnings;
    std::string dir;
};

const char* kTable =
    "# transports\n"
    "/\\.example\\.com$/  smtp:[relay.example.com]\n"
    "\n"
    "if /^bulk/\n"
    "/@(.*)$/   slow:$1\n"
    "endif\n"
    "/^a/\n"
    "  relay:\n"
    "/(/  broken:\n"
    "!/^x/  price$$:\n";

void expectRules(const std::vector<PatternTableRule>& rules) {
    ASSERT_EQ(rules.size(), 4u);
    EXPECT_EQ(rules[0].line, 2);
    EXPECT_EQ(rules[0].result, "smtp:[relay.example.com]");
    EXPECT_FALSE(rules[0].substitutes);
    EXPECT_EQ(rules[1].line, 5);  // inside IF/ENDIF
    EXPECT_EQ(rules[1].result, "slow:${1}");
    EXPECT_TRUE(rules[1].substitutes);
    EXPECT_EQ(rules[2].line, 7);  // a continued rule: the line of its pattern
    EXPECT_EQ(rules[2].result, "relay:");
    EXPECT_EQ(rules[3].line, 10);  // the bad pattern of line 9 is skipped
    EXPECT_EQ(rules[3].result, "price$$:");
    EXPECT_FALSE(rules[3].substitutes);
}

TEST_F(PatternTableRules, RegexpRulesWithLinesAndTemplates) {
    auto rules = patternTableRules(write("regexp", kTable));
    ASSERT_TRUE(rules) << rules.error().message;
    expectRules(*rules);
    // The table warned about the bad rule as it always does.
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("line 9"), std::string::npos) << warnings[0];
}

TEST_F(PatternTableRules, PcreRulesWithLinesAndTemplates) {
    if (!findDictType("pcre")) GTEST_SKIP() << "built without PCRE";
    auto rules = patternTableRules(write("pcre", kTable));
    ASSERT_TRUE(rules) << rules.error().message;
    expectRules(*rules);
}

TEST_F(PatternTableRules, InlineRulesAreNumberedByPosition) {
    auto rules = patternTableRules(parseDictSpec("regexp:{ {/^a/ smtp:}, {/^b/ relay:x} }", ""));
    ASSERT_TRUE(rules) << rules.error().message;
    ASSERT_EQ(rules->size(), 2u);
    EXPECT_EQ((*rules)[1].line, 2);
    EXPECT_EQ((*rules)[1].result, "relay:x");
}

TEST_F(PatternTableRules, OtherTypesAndMissingFilesAreErrors) {
    auto cidr = patternTableRules(write("cidr", "10.0.0.0/8 OK\n"));
    ASSERT_FALSE(cidr);
    EXPECT_NE(cidr.error().message.find("is not a pattern table"), std::string::npos);
    auto missing = patternTableRules(parseDictSpec("regexp:" + dir + "/nonexistent", ""));
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("nonexistent"), std::string::npos);
}

}  // namespace
}  // namespace postline::maps
