// The fast flush service's logs and flushes on a spool in a temporary directory.
#include "flush_core.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <utime.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace postline::flush {
namespace {

namespace fs = std::filesystem;

class FlushCoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        char pattern[] = "/tmp/flush_test.XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        root_ = pattern;
        cwd_ = fs::current_path();
        for (const char* d : {"incoming", "deferred", "flush"}) fs::create_directory(root_ + "/" + d);
        fs::current_path(root_);
        env_.layout = queue::queueLayout("deferred, defer", 1);
        env_.eligible = [](std::string_view site) { return site != "other.example"; };
        env_.triggerQmgr = [this](std::string_view r) { triggers_ += std::string(r); };
        env_.now = [] { return time_t(1800000000); };
    }
    void TearDown() override {
        fs::current_path(cwd_);
        fs::remove_all(root_);
    }
    std::string deferred(const std::string& id) {
        fs::create_directories("deferred/" + id.substr(0, 1));
        std::string path = "deferred/" + id.substr(0, 1) + "/" + id;
        std::ofstream(path) << "queue file";
        ::chmod(path.c_str(), 0700);
        return path;
    }
    static std::string slurp(const std::string& path) {
        std::ifstream in(path);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }

    std::string root_, cwd_, triggers_;
    FlushEnvironment env_;
};

TEST(SitePath, MasksWhatCouldUpsetAFileName) {
    EXPECT_EQ(sitePath("Mail.Example.COM"), "mail_example_com");
    EXPECT_EQ(sitePath("[192.0.2.1]"), "_192_0_2_1_");
    EXPECT_EQ(sitePath(""), "");
}

TEST_F(FlushCoreTest, AddAppendsTheQueueIdToTheSiteLog) {
    EXPECT_EQ(addToLog(env_, "example.com", "4ABC123"), kStatusOk);
    EXPECT_EQ(addToLog(env_, "example.com", "4ABC124"), kStatusOk);
    EXPECT_EQ(slurp("flush/example_com"), "4ABC123\n4ABC124\n");
    EXPECT_EQ(addToLog(env_, "other.example", "4ABC125"), kStatusDeny);
    EXPECT_EQ(addToLog(env_, "example.com", "../x"), kStatusBad);
}

TEST_F(FlushCoreTest, SendSiteMovesListedMailToIncomingAndWakesTheQueueManager) {
    std::string path = deferred("4ABC123");
    ASSERT_EQ(addToLog(env_, "example.com", "4ABC123"), kStatusOk);
    ASSERT_EQ(addToLog(env_, "example.com", "4ABC123"), kStatusOk);   // a duplicate
    ASSERT_EQ(addToLog(env_, "example.com", "4ABCGONE"), kStatusOk);  // long gone
    EXPECT_EQ(sendSite(env_, "example.com"), kStatusOk);
    EXPECT_FALSE(fs::exists(path));
    struct stat st {};
    ASSERT_EQ(::stat("incoming/4ABC123", &st), 0);
    EXPECT_EQ(st.st_mtime, 1800000000);
    EXPECT_EQ(triggers_, "FI");
    EXPECT_EQ(slurp("flush/example_com"), "");  // emptied
    EXPECT_EQ(sendSite(env_, "other.example"), kStatusDeny);
}

TEST_F(FlushCoreTest, SendFileMarksTheMessageForUnthrottling) {
    deferred("4ABC777");
    EXPECT_EQ(sendFile(env_, "4ABC777"), kStatusOk);
    struct stat st {};
    ASSERT_EQ(::stat("incoming/4ABC777", &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0740u);
    EXPECT_EQ(triggers_, "I");
    triggers_.clear();
    EXPECT_EQ(sendFile(env_, "4ABCNONE"), kStatusOk);
    EXPECT_EQ(triggers_, "");  // nothing found, nobody woken
}

TEST_F(FlushCoreTest, RefreshPurgesEmptyOldLogsAndFlushesUnreadOnes) {
    std::ofstream("flush/empty_example");
    utimbuf old{1700000000, 1700000000};
    ::utime("flush/empty_example", &old);
    deferred("4ABC900");
    ASSERT_EQ(addToLog(env_, "busy.example", "4ABC900"), kStatusOk);
    ::utime("flush/busy_example", &old);
    EXPECT_EQ(refreshLogs(env_, 3600, 7 * 86400), kStatusOk);
    EXPECT_FALSE(fs::exists("flush/empty_example"));
    EXPECT_TRUE(fs::exists("incoming/4ABC900"));
    EXPECT_EQ(triggers_, "I");  // a refresh does not revive dead destinations first
}

}  // namespace
}  // namespace postline::flush
