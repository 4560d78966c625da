// mail_conf_checkdir(): which configuration directories a set-gid command accepts.
#include "postline/config/config_dir_check.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "postline/base/msg.h"

namespace postline::config {
namespace {

class ConfigDirCheckTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/config_dir_check.XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        base::setMsgSink([this](base::Severity, std::string_view text) { messages_ += std::string(text) + "\n"; });
    }
    void TearDown() override {
        base::setMsgSink(nullptr);
        std::filesystem::remove_all(dir_);
    }
    void writeMainCf(const std::string& text) { std::ofstream(dir_ + "/main.cf") << text; }

    std::string dir_;
    std::string messages_;
};

TEST_F(ConfigDirCheckTest, NamedDirectoriesPass) {
    writeMainCf(
        "# comment\nalternate_config_directories = /etc/a,\n  /etc/b\nmulti_instance_directories = /etc/postfix-out\n");
    EXPECT_TRUE(checkConfigDirectory("/etc/a", dir_));
    EXPECT_TRUE(checkConfigDirectory("/etc/b", dir_));  // a continued logical line
    EXPECT_TRUE(checkConfigDirectory("/etc/postfix-out", dir_));
    EXPECT_EQ(messages_, "");
}

TEST_F(ConfigDirCheckTest, OthersAreRefusedWithPostfixsTexts) {
    writeMainCf("alternate_config_directories = /etc/a\nmyhostname = /etc/c\n");
    auto status = checkConfigDirectory("/etc/c", dir_);
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().message,
              "specify \"alternate_config_directories = /etc/c\" or "
              "\"multi_instance_directories = /etc/c\" in " +
                  dir_ + "/main.cf");
    EXPECT_EQ(messages_, "unauthorized configuration directory name: /etc/c\n");
    // Exact comparison: a prefix or a trailing slash is another directory.
    EXPECT_FALSE(checkConfigDirectory("/etc", dir_));
    EXPECT_FALSE(checkConfigDirectory("/etc/a/", dir_));
}

TEST_F(ConfigDirCheckTest, MissingDefaultMainCf) {
    auto status = checkConfigDirectory("/etc/a", dir_);
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().message, "open file " + dir_ + "/main.cf: No such file or directory");
}

TEST_F(ConfigDirCheckTest, TrustedProcessesSkipTheCheck) {
    // The test runs with its own ids: not set-gid, so nothing is checked.
    ASSERT_FALSE(processIsUnsafe());
    EXPECT_TRUE(checkConfigDirectoryIfUnsafe("/nonexistent/directory"));
}

}  // namespace
}  // namespace postline::config
