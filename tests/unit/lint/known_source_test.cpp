// LintOptions::knownSource: the lines of a table whose source the caller already checked
// are not checked again; everything else about the table still is.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "postline/lint/linter.h"

namespace postline::lint {
namespace {

namespace fs = std::filesystem;

TEST(KnownSource, SkipsTheLinesOfKnownTablesOnly) {
    char tmpl[] = "/tmp/lint_known.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    std::string dir = tmpl;
    std::ofstream(dir + "/main.cf") << "virtual_alias_maps = hash:" << dir << "/virtual\n"
                                    << "header_checks = regexp:" << dir << "/checks\n"
                                    << "smtpd_relay_restrictions = reject_unauth_destination\n"
                                    << "smtpd_forbid_bare_newline = normalize\n"
                                    << "alias_maps =\n";                      // not the host's /etc/aliases
    std::ofstream(dir + "/virtual") << "a@example.com b\na@example.com c\n";  // a duplicate
    std::ofstream(dir + "/checks") << "/(/ REJECT\n";                         // a bad pattern
    LintOptions options;
    options.configDir = dir;
    options.disabledRules = {"table-not-built"};
    auto rulesOf = [&] {
        std::vector<std::string> rules;
        auto findings = lintConfiguration(options);
        EXPECT_TRUE(findings.ok());
        if (findings.ok())
            for (const Diagnostic& d : *findings) rules.push_back(d.rule);
        return rules;
    };
    EXPECT_EQ(rulesOf(), (std::vector<std::string>{"pattern-error", "table-duplicate"}));

    std::vector<std::string> asked;
    options.knownSource = [&](const std::string& type, const std::string& source, bool aliasFormat) {
        asked.push_back(type + ":" + source + (aliasFormat ? " (aliases)" : ""));
        return type == "hash";
    };
    EXPECT_EQ(rulesOf(), (std::vector<std::string>{"pattern-error"}));
    std::sort(asked.begin(), asked.end());
    EXPECT_EQ(asked, (std::vector<std::string>{"hash:" + dir + "/virtual", "regexp:" + dir + "/checks"}));

    // A known source that is gone is still reported: only its lines are skipped.
    fs::remove(dir + "/virtual");
    options.knownSource = [](const std::string&, const std::string&, bool) { return true; };
    EXPECT_EQ(rulesOf(), (std::vector<std::string>{"table-missing"}));
    fs::remove_all(dir);
}

// The virtual alias expansion rules read main.cf and the virtual_alias_maps tables only:
// they are skipped when every one of these is known, and run when any one is not.
TEST(KnownSource, VirtualAliasRulesNeedMainCfAndEveryTableKnown) {
    char tmpl[] = "/tmp/lint_known.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    std::string dir = tmpl;
    std::ofstream(dir + "/main.cf") << "virtual_alias_domains = example.com\n"
                                    << "virtual_alias_maps = hash:" << dir << "/virtual, regexp:" << dir << "/more\n"
                                    << "alias_maps =\n";
    // Not built: the loop is found in the source.
    std::ofstream(dir + "/virtual") << "a@example.com b@example.com\n";
    std::ofstream(dir + "/more") << "/^b@example\\.com$/ a@example.com\n";
    LintOptions options;
    options.configDir = dir;
    options.disabledRules = {"table-not-built"};
    auto loops = [&] {
        auto findings = lintConfiguration(options);
        EXPECT_TRUE(findings.ok());
        return findings.ok() ? std::count_if(findings->begin(), findings->end(),
                                             [](const Diagnostic& d) { return d.rule == "virtual-alias-loop"; })
                             : -1;
    };
    EXPECT_EQ(loops(), 1);
    bool regexpKnown = true;
    options.knownSource = [&](const std::string& type, const std::string&, bool) {
        return type == "hash" || regexpKnown;
    };
    options.knownFile = [&](const std::string& path) { return path == dir + "/main.cf"; };
    EXPECT_EQ(loops(), 0);
    regexpKnown = false;
    EXPECT_EQ(loops(), 1);
    regexpKnown = true;
    options.knownFile = [](const std::string&) { return false; };
    EXPECT_EQ(loops(), 1);
    fs::remove_all(dir);
}

}  // namespace
}  // namespace postline::lint
