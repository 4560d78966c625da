// Maildir delivery as Postfix's local/maildir.c does it: the tmp/ and new/ file names,
// the directories made on demand, nothing left in tmp/, the failure texts.
#include "postline/delivery/maildir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace postline::delivery {
namespace {

namespace fs = std::filesystem;

TEST(MaildirNames, MatchPostfixFormats) {
    timeval start{1796605323, 42017};
    EXPECT_EQ(maildirTmpName(start, 4711, "mx"), "1796605323.P4711.mx");
    EXPECT_EQ(maildirNewName(start, 0x803, 0x1a2b3c, "mx"), "1796605323.V803I1a2b3cM42017.mx");
}

class MaildirTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/maildir_testXXXXXX";
        dir_ = ::mkdtemp(tmpl);
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string dir_;
};

TEST_F(MaildirTest, WritesIntoNewThroughTmpMakingDirectories) {
    MaildirTarget t;
    t.path = dir_ + "/Maildir/";
    t.hostname = "host.example";
    t.pid = 321;
    t.start = timeval{1796605323, 5};
    CopyFailure failure;
    auto written = deliverToMaildir(t, "Return-Path: <a@b>\n\nhello\n", &failure);
    ASSERT_TRUE(written) << written.error().message;
    struct stat st {};
    ASSERT_EQ(::stat(written->c_str(), &st), 0);
    EXPECT_EQ(*written, t.path + "new/" + maildirNewName(*t.start, st.st_dev, st.st_ino, "host.example"));
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    EXPECT_EQ(st.st_nlink, 1u);
    std::ifstream in(*written);
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_EQ(ss.str(), "Return-Path: <a@b>\n\nhello\n");
    EXPECT_TRUE(fs::is_directory(t.path + "cur"));
    EXPECT_TRUE(fs::is_empty(t.path + "tmp"));
    ::stat((t.path + "new").c_str(), &st);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(MaildirTest, TwoDeliveriesInOneSecondGetDistinctNames) {
    MaildirTarget t;
    t.path = dir_ + "/md/";
    t.hostname = "h";
    auto a = deliverToMaildir(t, "a\n", nullptr);
    auto b = deliverToMaildir(t, "b\n", nullptr);
    ASSERT_TRUE(a && b);
    EXPECT_NE(*a, *b);
    size_t count = 0;
    for (auto& e : fs::directory_iterator(t.path + "new")) {
        (void)e;
        ++count;
    }
    EXPECT_EQ(count, 2u);
}

TEST_F(MaildirTest, UnusableMaildirFailsWithPostfixText) {
    // A plain file where the maildir should be: the tmp/ file cannot be made.
    std::ofstream(dir_ + "/Maildir") << "not a directory\n";
    MaildirTarget t;
    t.path = dir_ + "/Maildir/";
    t.hostname = "h";
    t.pid = 9;
    t.start = timeval{100, 0};
    CopyFailure failure;
    auto written = deliverToMaildir(t, "x\n", &failure);
    ASSERT_FALSE(written);
    EXPECT_EQ(failure.status, "5.2.0");
    EXPECT_EQ(failure.reason, "create maildir file " + dir_ + "/Maildir/tmp/100.P9.h: Not a directory");
}

}  // namespace
}  // namespace postline::delivery
