// pattern-shadowed over one regexp table: which rules are reported, and the earliest
// earlier rule that takes their keys.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "postline/lint/linter.h"

namespace postline::lint {
namespace {

// "LINE<BY" for each pattern-shadowed finding of a header_checks table holding `rules`.
std::vector<std::string> shadowed(const std::string& rules) {
    char tmpl[] = "/tmp/lint_shadow.XXXXXX";
    EXPECT_NE(::mkdtemp(tmpl), nullptr);
    std::string dir = tmpl;
    std::ofstream(dir + "/main.cf") << "header_checks = regexp:" << dir << "/checks\nalias_maps =\n";
    std::ofstream(dir + "/checks") << rules;
    LintOptions options;
    options.configDir = dir;
    std::vector<std::string> out;
    auto findings = lintConfiguration(options);
    EXPECT_TRUE(findings.ok());
    if (findings.ok()) {
        for (const Diagnostic& d : *findings) {
            if (d.rule != "pattern-shadowed") continue;
            auto at = d.message.find("line ");
            std::string by = d.message.substr(at + 5, d.message.find(' ', at + 5) - at - 5);
            out.push_back(std::to_string(d.line) + "<" + by);
        }
    }
    std::filesystem::remove_all(dir);
    return out;
}

TEST(PatternShadowed, DuplicatesPrefixesAndCatchAlls) {
    EXPECT_EQ(shadowed("/^Subject: a/ REJECT\n/^Subject: a/ DISCARD\n"), (std::vector<std::string>{"2<1"}));
    // An anchored literal shadows longer anchored literals; caseless by default.
    EXPECT_EQ(shadowed("/^X-Spam/ REJECT\n/^x-spam-flag: yes$/ DISCARD\n/^X-Other/ DISCARD\n"),
              (std::vector<std::string>{"2<1"}));
    // An unanchored literal shadows any pattern whose leading literal contains it.
    EXPECT_EQ(shadowed("/viagra/ REJECT\n/^Subject: cheap viagra.*$/ DISCARD\n"), (std::vector<std::string>{"2<1"}));
    // The earliest rule that takes the keys is named, a same-pattern rule included.
    EXPECT_EQ(shadowed("/^From: x.*y/ WARN\n/^From/ REJECT\n/^From: x.*y/ DISCARD\n/^From: z/ DISCARD\n"),
              (std::vector<std::string>{"3<1", "4<2"}));
    EXPECT_EQ(shadowed("/^/ WARN\n/^a/ REJECT\n"), (std::vector<std::string>{"2<1"}));
}

TEST(PatternShadowed, WhatDoesNotShadow) {
    // A case-sensitive rule does not shadow a caseless one; a negated or multi-line one
    // shadows nothing; rules in different IF blocks are apart.
    EXPECT_TRUE(shadowed("/^X-Spam/i REJECT\n/^X-Spam-Flag/ DISCARD\n").empty());
    EXPECT_TRUE(shadowed("!/^X-Spam/ REJECT\n/^X-Spam-Flag/ DISCARD\n").empty());
    EXPECT_TRUE(shadowed("/^X-Spam/m REJECT\n/^X-Spam-Flag/ DISCARD\n").empty());
    EXPECT_TRUE(shadowed("if /^X/\n/^X-Spam/ REJECT\nendif\n/^X-Spam-Flag/ DISCARD\n").empty());
    EXPECT_TRUE(shadowed("/^X-(Spam|Ham)/ REJECT\n/^X-Spam-Flag/ DISCARD\n").empty());
}

}  // namespace
}  // namespace postline::lint
