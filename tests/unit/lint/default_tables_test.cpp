// Tables named only by built-in defaults: linted as Postfix would use them (alias_maps
// left at its default), a missing file being a warning on main.cf, line 0, and not
// linted where no daemon of the configuration opens them. The alias_maps default is
// replaced (LintOptions::defaults) by a file of the scratch directory, so that nothing
// of the host is read.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "postline/lint/linter.h"

namespace postline::lint {
namespace {

namespace fs = std::filesystem;

class DefaultTables : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/lint_defaults.XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir = tmpl;
        std::ofstream(dir + "/main.cf") << "myhostname = mail.example.com\n"
                                        << "mydestination = $myhostname, localhost\n"
                                        << "mynetworks = 127.0.0.0/8\n"
                                        << "compatibility_level = 3.6\n";
        options.configDir = dir;
        options.disabledRules = {"table-not-built"};
        options.defaults["alias_maps"] = "hash:" + dir + "/aliases, nis:mail.aliases";
    }
    void TearDown() override { fs::remove_all(dir); }

    // The findings of the tables family (a trimmed master.cf has others).
    std::vector<Diagnostic> lint() {
        auto findings = lintConfiguration(options);
        EXPECT_TRUE(findings.ok());
        std::vector<Diagnostic> out;
        if (findings.ok())
            for (const Diagnostic& d : *findings)
                if (d.rule.starts_with("table-")) out.push_back(d);
        return out;
    }

    std::string dir;
    LintOptions options;
};

TEST_F(DefaultTables, AliasesOfTheDefaultAreChecked) {
    std::ofstream(dir + "/aliases") << "postmaster: root\npostmaster: admin\n";
    auto findings = lint();
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].rule, "table-duplicate");
    EXPECT_EQ(findings[0].file, dir + "/aliases");
    EXPECT_EQ(findings[0].line, 2);
}

TEST_F(DefaultTables, AMissingDefaultTableIsAWarningOnMainCf) {
    auto all = lintConfiguration(options);
    ASSERT_TRUE(all.ok());
    EXPECT_FALSE(hasErrors(*all, false));
    auto findings = lint();
    ASSERT_EQ(findings.size(), 1u);
    const Diagnostic& d = findings[0];
    EXPECT_EQ(d.rule, "table-default-missing");
    EXPECT_EQ(d.severity, Severity::Warning);
    EXPECT_EQ(d.file, dir + "/main.cf");
    EXPECT_EQ(d.line, 0);
    EXPECT_NE(d.message.find("default value of alias_maps, not set in main.cf"), std::string::npos) << d.message;
    EXPECT_NE(d.hint.find("temporary error"), std::string::npos) << d.hint;
}

TEST_F(DefaultTables, ASetTableThatIsMissingIsStillAnError) {
    // The same file, named by main.cf: the configuration itself is wrong.
    std::ofstream(dir + "/main.cf", std::ios::app) << "alias_maps = hash:" << dir << "/aliases\n";
    auto findings = lint();
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].rule, "table-missing");
    EXPECT_EQ(findings[0].line, 5);
}

TEST_F(DefaultTables, NotCheckedWhereNoDaemonOpensThem) {
    // local(8) has its own alias_maps and smtpd(8) its own local_recipient_maps: main.cf's
    // defaults are opened by nobody.
    std::ofstream(dir + "/master.cf") << "smtp      inet  n       -       y       -       -       smtpd\n"
                                      << "  -o local_recipient_maps=\n"
                                      << "local     unix  -       n       n       -       -       local\n"
                                      << "  -o alias_maps=\n";
    EXPECT_TRUE(lint().empty());
    // A service without the override opens them again.
    std::ofstream(dir + "/master.cf", std::ios::app)
        << "submission inet n       -       y       -       -       smtpd\n";
    auto findings = lint();
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].rule, "table-default-missing");
    EXPECT_NE(findings[0].message.find("local_recipient_maps"), std::string::npos) << findings[0].message;
}

}  // namespace
}  // namespace postline::lint
