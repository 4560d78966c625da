// The `$name` expander (lib/config/src/expand.cpp), against what Postfix 3.7's
// postconf -x prints for the same text (testdata/interop/postconf/expand).
#include "postline/config/expand.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace postline::config {
namespace {

MacroResult run(std::string_view text, std::map<std::string, std::string> vars, unsigned flags = kMacroRecurse) {
    return macroExpand(text, flags, [vars](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(std::string(name));
        if (it == vars.end()) return std::nullopt;
        return it->second;
    });
}

TEST(MacroExpand, NamesAndConditionals) {
    std::map<std::string, std::string> v{{"x", "1"}, {"empty", ""}};
    EXPECT_EQ(run("$x|${x}|$(x)|$$x|${x?yes}|${empty?yes}|${x:no}|${empty:no}|${nosuch:dflt}", v).text,
              "1|1|1|$x|yes|||no|dflt");
    EXPECT_EQ(run("${x?{a b}:{c d}}|${empty?{a}:{b}}|${x?{only}}|${empty:{only}}", v).text, "a b|b|only|only");
}

TEST(MacroExpand, ComparisonsKeepOperandWhitespace) {
    std::map<std::string, std::string> v{{"x", "1"}};
    EXPECT_EQ(run("${{$x} == {1} ? {eq} : {ne}}|${{ 1 } == {1} ? {sp} : {nosp}}", v).text, "eq|nosp");
    EXPECT_EQ(run("${{10} < {9} ? {lt} : {ge}}|${{9} <= {9} ? {le} : {gt}}", v).text, "ge|le");
    EXPECT_EQ(run("${{3.10} <level {3.9} ? {lt} : {ge}}|${{2} >=level {3.6} ? {ge} : {lt}}", v).text, "ge|lt");
    EXPECT_EQ(run("${{a} > {b}?{x}:{y}}", v).text, "y");
}

TEST(MacroExpand, RecursesAndStopsRunawayRecursion) {
    EXPECT_EQ(run("$a", {{"a", "<$b>"}, {"b", "B"}}).text, "<B>");
    EXPECT_EQ(run("$a", {{"a", "<$b>"}, {"b", "B"}}, 0).text, "<$b>");
    // postconf -x a, with a = $b and b = $a, expands a's value "$b" (Postfix names "a").
    auto r = run("$b", {{"a", "$b"}, {"b", "$a"}});
    EXPECT_TRUE(r.error);
    ASSERT_FALSE(r.warnings.empty());
    EXPECT_EQ(r.warnings.back(), "unreasonable macro call nesting: \"a\"");
}

TEST(MacroExpand, SyntaxErrorsHavePostfixTexts) {
    EXPECT_EQ(run("${x", {}).warnings.at(0), "truncated macro reference: \"${x\"");
    EXPECT_EQ(run("$x$", {{"x", "1"}}).warnings.at(0), "empty macro name: \"$x$\"");
    EXPECT_TRUE(run("${x?{a}:{b}}}", {{"x", "1"}}).warnings.empty());
    EXPECT_TRUE(run("${a-b}", {}).error);
}

TEST(MacroExpand, ScanVisitsBothBranches) {
    std::vector<std::string> seen;
    macroExpand("${a?{$b}:{$c}} ${{$d} == {x} ? {$e}}", kMacroScan, [&](std::string_view n) {
        seen.emplace_back(n);
        return std::optional<std::string>();
    });
    EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
}

}  // namespace
}  // namespace postline::config
