// mbox writing as Postfix's local(8) does it (mail_copy.c, mbox_open.c, dot_lockfile.c,
// deliver_flock.c): the From line and prepended headers, ">From " quoting, the blank
// line, the lock file and kernel locks, mode 0600, and the truncate on a failed write.
#include "postline/delivery/mbox.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "postline/delivery/dot_lock.h"

namespace postline::delivery {
namespace {

namespace fs = std::filesystem;

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

class MboxTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/mbox_testXXXXXX";
        dir_ = ::mkdtemp(tmpl);
        ::setenv("TZ", "UTC", 1);
        ::tzset();
    }
    void TearDown() override { fs::remove_all(dir_); }
    MboxTarget target(const std::string& name) {
        MboxTarget t;
        t.path = dir_ + "/" + name;
        t.lock.fcntl = true;
        t.lock.dotlock = true;
        t.retry.tries = 1;
        t.retry.delaySeconds = 0;
        return t;
    }
    std::string dir_;
};

const std::vector<std::string> kMessage = {"Subject: hi", "From: a@example.org", "",    "From here on",
                                           ">From kept",  "from lower",          "last"};

TEST(FormatCopy, MboxHasFromLineHeadersQuotingAndBlankLine) {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
    CopyEnvelope env{"alice@example.org", "bob@example.com", "bob@example.com", 1796605323};
    EXPECT_EQ(formatCopy(env, kMessage, copy_flag::kMbox),
              "From alice@example.org  Mon Dec  7 01:02:03 2026\n"
              "Return-Path: <alice@example.org>\n"
              "X-Original-To: bob@example.com\n"
              "Delivered-To: bob@example.com\n"
              "Subject: hi\nFrom: a@example.org\n\n>From here on\n>From kept\nfrom lower\nlast\n\n");
}

TEST(FormatCopy, NullSenderIsMailerDaemonAndEmptyReturnPath) {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
    CopyEnvelope env{"", "", "bob@example.com", 1796605323};
    std::string out = formatCopy(env, {"Subject: x", "", "body"}, copy_flag::kMbox);
    EXPECT_EQ(out,
              "From MAILER-DAEMON  Mon Dec  7 01:02:03 2026\nReturn-Path: <>\nDelivered-To: bob@example.com\n"
              "Subject: x\n\nbody\n\n");
}

TEST(FormatCopy, MaildirFlagsHaveNoFromLineNoQuotingNoBlank) {
    CopyEnvelope env{"a@x", "o@y", "d@y", 0};
    int flags = copy_flag::kToFile | copy_flag::kReturnPath | copy_flag::kOrigRcpt | copy_flag::kDelivered;
    EXPECT_EQ(formatCopy(env, {"S: 1", "", "From me"}, flags),
              "Return-Path: <a@x>\nX-Original-To: o@y\nDelivered-To: d@y\nS: 1\n\nFrom me\n");
}

TEST(FormatCopy, DotFlagDoublesLeadingDots) {
    EXPECT_EQ(formatCopy({}, {".", "..x", "a."}, copy_flag::kDot), "..\n...x\na.\n");
}

TEST_F(MboxTest, CreatesMailbox0600AndAppends) {
    ::umask(022);
    auto t = target("bob");
    ASSERT_FALSE(appendMessage(t, "first\n\n"));
    ASSERT_FALSE(appendMessage(t, "second\n\n"));
    EXPECT_EQ(slurp(t.path), "first\n\nsecond\n\n");
    struct stat st {};
    ASSERT_EQ(::stat(t.path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    EXPECT_FALSE(fs::exists(t.path + ".lock"));  // released
}

TEST_F(MboxTest, HeldDotLockDefersAndLeavesFileAlone) {
    auto t = target("bob");
    ASSERT_FALSE(appendMessage(t, "old\n"));
    ASSERT_TRUE(dotLock(t.path, t.retry));
    auto failure = appendMessage(t, "new\n");
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->status, "4.2.0");
    EXPECT_EQ(failure->reason, "unable to create lock file " + t.path + ".lock: File exists");
    EXPECT_EQ(slurp(t.path), "old\n");
    EXPECT_TRUE(fs::exists(t.path + ".lock"));  // not ours to remove
    dotUnlock(t.path);
    EXPECT_FALSE(fs::exists(t.path + ".lock"));
}

TEST_F(MboxTest, StaleDotLockIsRemoved) {
    auto t = target("bob");
    t.retry.tries = 2;
    t.retry.staleSeconds = -10;  // any existing lock counts as stale
    ASSERT_TRUE(dotLock(t.path, t.retry));
    EXPECT_FALSE(appendMessage(t, "x\n"));
    EXPECT_EQ(slurp(t.path), "x\n");
}

TEST_F(MboxTest, HeldFlockDefers) {
    auto t = target("bob");
    t.lock = MailboxLock{true, false, false};
    ASSERT_FALSE(appendMessage(t, "a\n"));
    int fd = ::open(t.path.c_str(), O_RDONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::flock(fd, LOCK_EX), 0);
    auto failure = appendMessage(t, "b\n");
    ::close(fd);
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->status, "4.2.0");
    EXPECT_EQ(failure->reason.rfind("unable to lock for exclusive access: ", 0), 0u) << failure->reason;
    EXPECT_EQ(slurp(t.path), "a\n");
}

TEST_F(MboxTest, HeldFcntlLockInAnotherProcessDefers) {
    auto t = target("bob");
    t.lock = MailboxLock{false, true, false};
    ASSERT_FALSE(appendMessage(t, "a\n"));
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    pid_t child = ::fork();
    if (child == 0) {
        int fd = ::open(t.path.c_str(), O_RDWR);
        struct flock fl {};
        fl.l_type = F_WRLCK;
        if (fd < 0 || ::fcntl(fd, F_SETLK, &fl) < 0) ::_exit(1);
        (void)!::write(ready[1], "x", 1);
        ::sleep(5);
        ::_exit(0);
    }
    char c;
    ASSERT_EQ(::read(ready[0], &c, 1), 1);
    auto failure = appendMessage(t, "b\n");
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->status, "4.2.0");
    EXPECT_EQ(slurp(t.path), "a\n");
    EXPECT_FALSE(appendMessage(t, "c\n"));  // the holder is gone
    EXPECT_EQ(slurp(t.path), "a\nc\n");
}

TEST_F(MboxTest, FailedWriteIsTruncatedBack) {
    auto t = target("bob");
    ASSERT_FALSE(appendMessage(t, std::string(100, 'a')));
    // A file size limit makes the write fail half-way (EFBIG): nothing of it may stay.
    auto old = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit saved {};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
    struct rlimit small = saved;
    small.rlim_cur = 150;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
    auto failure = appendMessage(t, std::string(100, 'b'));
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &saved), 0);
    std::signal(SIGXFSZ, old);
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->status, "5.2.2");
    EXPECT_EQ(failure->reason, "error writing message: File too large");
    EXPECT_EQ(slurp(t.path), std::string(100, 'a'));
    EXPECT_FALSE(fs::exists(t.path + ".lock"));
}

TEST_F(MboxTest, RefusesDirectorySymlinkAndForeignOwner) {
    auto t = target("dir");
    fs::create_directory(t.path);
    auto failure = appendMessage(t, "x\n");
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->status, "5.2.0");

    auto link = target("link");
    fs::create_symlink(dir_ + "/real", link.path);
    failure = appendMessage(link, "x\n");
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->reason, "file is a symbolic link");
    EXPECT_FALSE(fs::exists(dir_ + "/real"));

    auto owned = target("owned");
    owned.requiredOwner = ::getuid() + 1;
    failure = appendMessage(owned, "x\n");
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->status, "4.2.0");
    EXPECT_EQ(failure->reason, "destination " + owned.path + " is not owned by recipient");
}

TEST_F(MboxTest, FileDeliveryRefusesExecutableAndWritesDevices) {
    auto t = target("script");
    t.refuseExecutable = true;
    ASSERT_FALSE(appendMessage(t, "x\n"));
    ::chmod(t.path.c_str(), 0700);
    auto failure = appendMessage(t, "y\n");
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->status, "5.7.1");
    EXPECT_EQ(failure->reason, "file is executable");

    MboxTarget dev;
    dev.path = "/dev/null";
    dev.lock.fcntl = true;
    dev.lock.dotlock = true;
    dev.dotLockMayFail = true;
    dev.allowNonRegular = true;
    EXPECT_FALSE(appendMessage(dev, "z\n"));
    dev.allowNonRegular = false;
    ASSERT_TRUE(appendMessage(dev, "z\n"));
}

TEST(MailboxLock, ParsesNamesAndRejectsOthers) {
    auto lock = parseMailboxLock("fcntl, DOTLOCK");
    ASSERT_TRUE(lock);
    EXPECT_TRUE(lock->fcntl);
    EXPECT_TRUE(lock->dotlock);
    EXPECT_FALSE(lock->flock);
    EXPECT_FALSE(parseMailboxLock("fcntl posix"));
    EXPECT_FALSE(parseMailboxLock(""));
}

TEST(MboxDsn, MapsErrnoAsPostfix) {
    EXPECT_EQ(mboxDsn(EAGAIN, "5.2.0"), "4.2.0");
    EXPECT_EQ(mboxDsn(ENOSPC, "5.2.0"), "4.3.0");
    EXPECT_EQ(mboxDsn(EDQUOT, "5.2.0"), "5.2.2");
    EXPECT_EQ(mboxDsn(EACCES, "5.2.0"), "5.2.0");
}

}  // namespace
}  // namespace postline::delivery
