// Queue state changes (queue_state.h, after mail_queue_rename(), mail_queue_mkdirs()
// and mail_open_ok()) on a scratch spool: renames between queues into hashed
// subdirectories made on demand, a vanished source, the completion mark and the
// deferred file's next-attempt time.
#include "postline/queue/queue_state.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace postline::queue {
namespace {

class QueueStateTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = ::testing::TempDir() + "queue_state_test.XXXXXX";
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        root_ = pattern;
        char cwd[4096];
        ASSERT_NE(::getcwd(cwd, sizeof cwd), nullptr);
        cwd_ = cwd;
        ASSERT_EQ(::chdir(root_.c_str()), 0);
        for (const char* queue : {"incoming", "active", "deferred", "hold"}) ::mkdir(queue, 0700);
    }
    void TearDown() override {
        (void)::chdir(cwd_.c_str());
        std::filesystem::remove_all(root_);
    }
    // A message file with `mode` at `path` (relative to the spool).
    static void makeFile(const std::string& path, mode_t mode) {
        int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_EXCL, 0600);
        ASSERT_GE(fd, 0) << path;
        ASSERT_EQ(::write(fd, "E", 1), 1);
        ::close(fd);
        ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    }
    static bool exists(const std::string& path) {
        struct stat st {};
        return ::stat(path.c_str(), &st) == 0;
    }

    std::string root_, cwd_;
};

TEST_F(QueueStateTest, MovesIntoHashedSubdirectoriesItCreates) {
    // deferred is hashed two levels deep: deferred/5/D/ for a short id starting "5D".
    QueueLayout layout = queueLayout("deferred, defer", 2);
    makeFile("active/5DA2B3C4D5E", 0700);
    ASSERT_TRUE(moveQueueFile(layout, kActive, kDeferred, "5DA2B3C4D5E"));
    EXPECT_FALSE(exists("active/5DA2B3C4D5E"));
    EXPECT_TRUE(exists("deferred/5/D/5DA2B3C4D5E"));
    // And back, out of the hashed queue into a flat one; the subdirectories stay.
    ASSERT_TRUE(moveQueueFile(layout, kDeferred, kActive, "5DA2B3C4D5E"));
    EXPECT_TRUE(exists("active/5DA2B3C4D5E"));
    EXPECT_TRUE(exists("deferred/5/D"));
}

TEST_F(QueueStateTest, MovedContentAndModeAreTheFile) {
    QueueLayout layout = queueLayout("deferred", 1);
    makeFile("incoming/6E1F2A3B4C5", 0700);
    struct stat before {};
    ASSERT_EQ(::stat("incoming/6E1F2A3B4C5", &before), 0);
    ASSERT_TRUE(moveQueueFile(layout, kIncoming, kHold, "6E1F2A3B4C5"));
    struct stat after {};
    ASSERT_EQ(::stat("hold/6E1F2A3B4C5", &after), 0);
    EXPECT_EQ(before.st_ino, after.st_ino);  // a rename, not a copy
    EXPECT_EQ(after.st_mode & 07777, 0700u);
}

TEST_F(QueueStateTest, AVanishedSourceIsENOENT) {
    QueueLayout layout = queueLayout("deferred", 1);
    auto moved = moveQueueFile(layout, kActive, kDeferred, "7F0A1B2C3D4");
    ASSERT_FALSE(moved);
    EXPECT_EQ(moved.error().errnum, ENOENT);
    EXPECT_EQ(moved.error().message, "rename active/7F0A1B2C3D4 to deferred/7/7F0A1B2C3D4: No such file or directory");
    // The failed attempt made the destination's subdirectory; nothing else appeared.
    EXPECT_FALSE(exists("deferred/7/7F0A1B2C3D4"));
}

TEST_F(QueueStateTest, DirectoriesThatCannotBeMadeAreAnError) {
    makeFile("notadir", 0600);
    auto made = makeQueueDirectories("notadir/A/FILE");
    ASSERT_FALSE(made);
    EXPECT_EQ(made.error().message, "mkdir notadir/A: Not a directory");
    EXPECT_TRUE(makeQueueDirectories("hold/B/C/FILE"));
    EXPECT_TRUE(exists("hold/B/C"));
    EXPECT_FALSE(exists("hold/B/C/FILE"));
}

TEST_F(QueueStateTest, OnlyOwnerRwxFilesAreReady) {
    struct stat st {};
    st.st_mode = S_IFREG | 0700;
    EXPECT_TRUE(queueFileReady(st));
    st.st_mode = S_IFREG | 0744;  // postdrop's maildrop files: rwx for the owner
    EXPECT_TRUE(queueFileReady(st));
    st.st_mode = S_IFREG | 0600;  // still being written
    EXPECT_FALSE(queueFileReady(st));
    st.st_mode = S_IFREG | 0500;
    EXPECT_FALSE(queueFileReady(st));
    st.st_mode = S_IFDIR | 0700;
    EXPECT_FALSE(queueFileReady(st));
}

TEST_F(QueueStateTest, NextAttemptIsTheModificationTime) {
    makeFile("deferred/8A0B1C2D3E4", 0700);
    const time_t now = 1'700'000'000, next = now + 300;
    ASSERT_TRUE(setNextAttempt("deferred/8A0B1C2D3E4", now, next));
    struct stat st {};
    ASSERT_EQ(::stat("deferred/8A0B1C2D3E4", &st), 0);
    EXPECT_EQ(st.st_mtime, next);
    EXPECT_EQ(st.st_atime, now);
    EXPECT_FALSE(attemptDue(st, now));
    EXPECT_FALSE(attemptDue(st, next - 1));
    EXPECT_TRUE(attemptDue(st, next));
    auto missing = setNextAttempt("deferred/none", now, next);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().errnum, ENOENT);
}

}  // namespace
}  // namespace postline::queue
