// main.cf parsing and `$` expansion.
#include "postline/config/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace postline::config {
namespace {

TEST(MainCf, ParsesDefinitionsWithContinuationAndOverride) {
    auto defs = parseMainCf("# c\na = 1\nb = x\n  y\na = 2\n", "main.cf");
    ASSERT_TRUE(defs.ok());
    EXPECT_EQ(defs->at("a").value, "2");
    EXPECT_EQ(defs->at("a").line, 5);
    EXPECT_EQ(defs->at("b").value, "x  y");
}

TEST(MainCf, WarnsAboutAnOverrideOnlyWhenTheValueChanges) {
    // dict_load_fp() compares the values: postconf says nothing about the same one again.
    char dir[] = "/tmp/config_testXXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    std::string path = std::string(dir) + "/main.cf";
    std::ofstream(path) << "myhostname = a.example\nmyhostname = a.example\nmydomain = x.example\n"
                           "mydomain = y.example\n";
    auto config = Config::load(dir);
    ASSERT_TRUE(config.ok());
    EXPECT_EQ(config->loadWarnings(),
              std::vector<std::string>{path + ", line 4: overriding earlier entry: mydomain=x.example"});
    std::filesystem::remove_all(dir);
}

TEST(MainCf, RejectsALineWithoutEquals) {
    auto defs = parseMainCf("a = 1\nbogus line\n", "/etc/postfix/main.cf");
    ASSERT_FALSE(defs.ok());
    EXPECT_EQ(defs.error().message, "/etc/postfix/main.cf, line 2: missing '=' after attribute name: \"bogus line\"");
}

TEST(Expand, NamesConditionalsAndComparisons) {
    Config c = Config::defaults("/cfg");
    c.set("a", "A");
    c.set("empty", "");
    c.set("ref", "$a-${a}-$(a)");
    EXPECT_EQ(c.get("ref"), "A-A-A");
    EXPECT_EQ(c.expand("${a?yes}${empty?no}"), "yes");
    EXPECT_EQ(c.expand("${a:no}${empty:yes}"), "yes");
    EXPECT_EQ(c.expand("${a?{x y}:{z}}|${empty?{x}:{z w}}"), "x y|z w");
    EXPECT_EQ(c.expand("$$a"), "$a");
    EXPECT_EQ(c.get("config_directory"), "/cfg");
    EXPECT_EQ(c.get("smtputf8_enable"), "no");
    c.set("compatibility_level", "3.6");
    EXPECT_EQ(c.get("smtputf8_enable"), "yes");
    EXPECT_EQ(c.expand("${{10} < {9} ? {lt} : {ge}}"), "ge");
    EXPECT_EQ(c.expand("${{3.10} <level {3.9} ? {lt} : {ge}}"), "ge");
}

TEST(Expand, StopsOnRecursion) {
    Config c = Config::defaults();
    c.set("a", "$b");
    c.set("b", "$a");
    EXPECT_EQ(c.get("a"), "");
}

}  // namespace
}  // namespace postline::config
