// postsuper's operations (lib/queue's Superintendent, after Postfix's postsuper.c) on a
// scratch spool: which files go where, what is counted, what is said.
#include "postline/queue/superintendent.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "postline/base/msg.h"

namespace postline::queue {
namespace {

class SuperintendentTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = ::testing::TempDir() + "superintendent_test.XXXXXX";
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        root_ = pattern;
        char cwd[4096];
        ASSERT_NE(::getcwd(cwd, sizeof cwd), nullptr);
        cwd_ = cwd;
        ASSERT_EQ(::chdir(root_.c_str()), 0);
        for (const char* queue :
             {"maildrop", "incoming", "active", "deferred", "hold", "defer", "bounce", "trace", "flush"})
            ::mkdir(queue, 0700);
        base::setMsgSink([this](base::Severity severity, std::string_view text) {
            messages_.push_back((severity == base::Severity::Warning ? "warning: " : "") + std::string(text));
        });
    }
    void TearDown() override {
        base::setMsgSink(nullptr);
        ASSERT_EQ(::chdir(cwd_.c_str()), 0);
        std::filesystem::remove_all(root_);
    }

    // A file with `mode` (0700: a complete message) and, when given, that time.
    static void file(const std::string& path, mode_t mode = 0700, time_t mtime = 0) {
        for (size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1))
            ::mkdir(path.substr(0, slash).c_str(), 0700);
        int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
        ASSERT_GE(fd, 0) << path;
        ASSERT_EQ(::write(fd, "x", 1), 1);
        ::fchmod(fd, mode);
        ::close(fd);
        if (mtime) {
            struct utimbuf times {
                mtime, mtime
            };
            ::utime(path.c_str(), &times);
        }
    }
    static bool exists(const std::string& path) {
        struct stat st;
        return ::lstat(path.c_str(), &st) == 0;
    }
    static time_t mtimeOf(const std::string& path) {
        struct stat st;
        return ::stat(path.c_str(), &st) == 0 ? st.st_mtime : -1;
    }
    static ino_t inodeOf(const std::string& path) {
        struct stat st;
        return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
    }

    const std::vector<std::string> messageQueues_{"hold", "incoming", "active", "deferred"};
    std::string root_, cwd_;
    std::vector<std::string> messages_;
};

TEST_F(SuperintendentTest, DeleteOneTakesTheLogsWithTheMessage) {
    file("deferred/A/ABCDE12");
    file("defer/A/ABCDE12", 0600);
    file("bounce/ABCDE12", 0600);
    file("trace/ABCDE12", 0600);
    file("bounce/FFFFF99", 0600);  // the log of a message that is not there
    Superintendent super("deferred, defer", 1, false);
    ASSERT_TRUE(super.deleteOne(messageQueues_, "ABCDE12"));
    ASSERT_TRUE(super.deleteOne(messageQueues_, "FFFFF99"));
    EXPECT_FALSE(exists("deferred/A/ABCDE12"));
    EXPECT_FALSE(exists("defer/A/ABCDE12"));
    EXPECT_FALSE(exists("bounce/ABCDE12"));
    EXPECT_FALSE(exists("trace/ABCDE12"));
    EXPECT_TRUE(exists("bounce/FFFFF99"));
    EXPECT_EQ(super.counts().deleted, 1);
    EXPECT_EQ(messages_, std::vector<std::string>{"ABCDE12: removed"});
}

TEST_F(SuperintendentTest, IncompleteAndMisplacedFilesAreNotFoundById) {
    file("incoming/ABCDE12", 0600);  // still being written
    file("deferred/ABCDE34");        // not in its hashed subdirectory
    Superintendent super("deferred, defer", 1, false);
    ASSERT_TRUE(super.deleteOne(messageQueues_, "ABCDE12"));
    ASSERT_TRUE(super.holdOne(messageQueues_, "ABCDE34"));
    EXPECT_TRUE(exists("incoming/ABCDE12"));
    EXPECT_TRUE(exists("deferred/ABCDE34"));
    EXPECT_EQ(super.counts().deleted, 0);
    EXPECT_EQ(super.counts().held, 0);
}

TEST_F(SuperintendentTest, HoldReleaseAndRequeue) {
    time_t old = 1577934245;
    file("incoming/ABCDE12", 0700, old);
    file("defer/A/ABCDE12", 0600, old);
    file("maildrop/ABCDE56", 0700, old);
    Superintendent super("deferred, defer", 1, false);
    ASSERT_TRUE(super.holdOne(messageQueues_, "ABCDE12"));
    ASSERT_TRUE(super.holdOne({"maildrop"}, "ABCDE56"));  // never from the maildrop
    EXPECT_TRUE(exists("hold/ABCDE12"));
    EXPECT_TRUE(exists("maildrop/ABCDE56"));
    EXPECT_TRUE(exists("defer/A/ABCDE12"));  // logs stay with a held message

    // Released into its hashed place with its time kept.
    ASSERT_TRUE(super.releaseOne(messageQueues_, "ABCDE12"));
    EXPECT_TRUE(exists("deferred/A/ABCDE12"));
    EXPECT_EQ(mtimeOf("deferred/A/ABCDE12"), old);

    // Requeued by id: into the maildrop with a fresh time.
    ASSERT_TRUE(super.requeueOne(messageQueues_, "ABCDE12"));
    EXPECT_TRUE(exists("maildrop/ABCDE12"));
    EXPECT_GT(mtimeOf("maildrop/ABCDE12"), old);
    EXPECT_EQ(super.counts().held, 1);
    EXPECT_EQ(super.counts().released, 1);
    EXPECT_EQ(super.counts().requeued, 1);
    EXPECT_EQ(messages_, (std::vector<std::string>{"ABCDE12: placed on hold", "ABCDE12: released from hold",
                                                   "ABCDE12: requeued"}));
}

TEST_F(SuperintendentTest, ExpireSetsTheGroupExecuteBitOnce) {
    file("hold/ABCDE12");
    Superintendent super("deferred, defer", 1, false);
    ASSERT_TRUE(super.expireOne(messageQueues_, "ABCDE12"));
    ASSERT_TRUE(super.expireOne(messageQueues_, "ABCDE12"));
    struct stat st;
    ASSERT_EQ(::stat("hold/ABCDE12", &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0710u);
    EXPECT_EQ(super.counts().expired, 1);
}

TEST_F(SuperintendentTest, BadIdsAndQueueNames) {
    Superintendent super("deferred, defer", 1, false);
    ASSERT_TRUE(super.deleteOne(messageQueues_, "../hold/x"));
    EXPECT_EQ(messages_, std::vector<std::string>{"warning: invalid mail queue id: ../hold/x"});
    auto status = super.deleteOne({"nosuch"}, "ABCDE12");
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().message, "invalid directory name: nosuch");
    status = super.scan({"saved"}, super::kDeleteAll);
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().message, "invalid directory name: saved");
}

TEST_F(SuperintendentTest, DeleteAllCountsCompleteMessagesOnly) {
    file("deferred/A/ABCDE12");
    file("defer/A/ABCDE12", 0600);
    file("incoming/ABCDE34", 0600);
    file("hold/ABCDE56");
    Superintendent super("deferred, defer", 1, false);
    ASSERT_TRUE(super.scan({"defer", "incoming", "deferred", "hold"}, super::kDeleteAll));
    EXPECT_FALSE(exists("deferred/A/ABCDE12"));
    EXPECT_FALSE(exists("defer/A/ABCDE12"));
    EXPECT_FALSE(exists("incoming/ABCDE34"));
    EXPECT_FALSE(exists("hold/ABCDE56"));
    EXPECT_EQ(super.counts().deleted, 2);
}

TEST_F(SuperintendentTest, RepairMovesAndPurges) {
    // Long ids need not match their inode: only their place is repaired.
    const std::string id1 = "4jjFDh5bz7z1bYDj", id2 = "4jjFDhCDF7z1bYDk";
    QueueLayout layout = queueLayout("deferred, defer", 1);
    time_t weeksAgo = ::time(nullptr) - 8 * 24 * 3600;
    file("deferred/" + id1);                  // belongs in a hashed subdirectory
    file("deferred/X/Y/" + id2);              // a level too deep, and in the wrong place
    file("incoming/stale1", 0600, weeksAgo);  // an old temporary file
    file("incoming/fresh1", 0600);            // a temporary file still in use
    ::mkdir("hold/alien", 0700);
    Superintendent super("deferred, defer", 1, true);
    ASSERT_TRUE(super.scan({"deferred", "hold"}, super::kStruct | super::kPurge));
    ASSERT_TRUE(super.scan({"incoming"}, super::kPurge));
    EXPECT_TRUE(exists(queuePath(layout, "deferred", id1)));
    EXPECT_TRUE(exists(queuePath(layout, "deferred", id2)));
    EXPECT_FALSE(exists("deferred/X/Y"));
    EXPECT_TRUE(exists("deferred/X"));  // a level the hashing wants stays, empty or not
    EXPECT_FALSE(exists("incoming/stale1"));
    EXPECT_TRUE(exists("incoming/fresh1"));
    EXPECT_FALSE(exists("hold/alien"));
    EXPECT_EQ(super.counts().positionMismatch, 2);
    EXPECT_EQ(super.counts().inodeMismatch, 0);
}

TEST_F(SuperintendentTest, RepairRenamesToTheInode) {
    file("deferred/ABCDE12");
    file("deferred/B/BCDEF12");
    file("incoming/fresh1", 0600);
    Superintendent super("deferred, defer", 1, false);
    ASSERT_TRUE(super.scan({"incoming", "deferred", "hold"}, super::kStruct));
    // Short names that do not match their inode become "NEWID#FIX" (the id's first
    // five characters, then the inode in hex); the next pass drops the suffix and
    // puts the file in its hashed place.
    EXPECT_EQ(super.counts().inodeMismatch, 3);  // ABCDE12, BCDEF12 and fresh1
    ASSERT_TRUE(super.scan({"incoming", "deferred", "hold"}, super::kStruct));
    EXPECT_EQ(super.counts().inodeFixed, 3);
    std::vector<std::string> found;
    for (const char* dir : {"deferred/A", "deferred/B", "incoming"}) {
        DIR* d = ::opendir(dir);
        ASSERT_NE(d, nullptr) << dir;
        while (struct dirent* entry = ::readdir(d)) {
            std::string name = entry->d_name;
            if (name == "." || name == "..") continue;
            std::string path = std::string(dir) + "/" + name;
            char hex[32];
            std::snprintf(hex, sizeof hex, "%lX", static_cast<unsigned long>(inodeOf(path)));
            EXPECT_EQ(name.substr(5), hex) << path;
            found.push_back(std::string(dir) + "/" + name.substr(0, 5));
        }
        ::closedir(d);
    }
    std::sort(found.begin(), found.end());
    EXPECT_EQ(found, (std::vector<std::string>{"deferred/A/ABCDE", "deferred/B/BCDEF", "incoming/fresh"}));
}

}  // namespace
}  // namespace postline::queue
