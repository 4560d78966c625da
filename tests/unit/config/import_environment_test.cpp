// clean_env() and update_env(): the environment import_environment leaves a command.
#include "postline/config/import_environment.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

extern char** environ;

namespace postline::config {
namespace {

// Each test gets the process environment back as it found it.
class ImportEnvironmentTest : public ::testing::Test {
protected:
    void SetUp() override {
        for (char** e = environ; *e; ++e) saved_.emplace_back(*e);
    }
    void TearDown() override {
        ::clearenv();
        for (const auto& entry : saved_) {
            auto eq = entry.find('=');
            ::setenv(entry.substr(0, eq).c_str(), entry.substr(eq + 1).c_str(), 1);
        }
    }
    std::vector<std::string> saved_;
};

std::string env(const char* name) {
    const char* value = std::getenv(name);
    return value ? value : "(unset)";
}

TEST_F(ImportEnvironmentTest, CleanKeepsOnlyWhatTheListNames) {
    ::setenv("PL_KEEP", "kept", 1);
    ::setenv("PL_DROP", "dropped", 1);
    ::setenv("PL_OVER", "old", 1);
    cleanEnvironment("PL_KEEP, PL_MISSING\tPL_OVER=new,,PL_SET=a=b");
    EXPECT_EQ(env("PL_KEEP"), "kept");
    EXPECT_EQ(env("PL_DROP"), "(unset)");
    EXPECT_EQ(env("PL_MISSING"), "(unset)");  // a bare name that was not set stays unset
    EXPECT_EQ(env("PL_OVER"), "new");
    EXPECT_EQ(env("PL_SET"), "a=b");
    EXPECT_EQ(env("PATH"), "(unset)");
}

TEST_F(ImportEnvironmentTest, ApplySetsAndKeepsTheRest) {
    ::setenv("PL_OTHER", "stays", 1);
    applyImportEnvironment("TZ MAIL_CONFIG PL_NEW=1");
    EXPECT_EQ(env("PL_OTHER"), "stays");
    EXPECT_EQ(env("PL_NEW"), "1");
}

}  // namespace
}  // namespace postline::config
