// Queue file locks: the queue manager's exclusive lock and the delivery agents' shared
// one exclude each other across open file descriptions, as flock(2) locks do between
// processes (Postfix's qmgr skips a message "still being delivered").
#include "postline/queue/queue_lock.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace postline::queue {
namespace {

class QueueLockTest : public ::testing::Test {
protected:
    void SetUp() override {
        path_ = ::testing::TempDir() + "queue_lock_test." + std::to_string(::getpid());
        int fd = ::open(path_.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0700);
        ASSERT_GE(fd, 0);
        ::close(fd);
    }
    void TearDown() override { std::remove(path_.c_str()); }
    int open() const { return ::open(path_.c_str(), O_RDWR); }
    std::string path_;
};

TEST_F(QueueLockTest, ManagerAndDeliveryExcludeEachOther) {
    int manager = open();
    int agent = open();
    int bounce = open();
    ASSERT_TRUE(manager >= 0 && agent >= 0 && bounce >= 0);

    // Two readers share the file; the queue manager must wait until both are done.
    EXPECT_EQ(*tryLockQueueFile(agent, QueueLock::Delivery), true);
    EXPECT_EQ(*tryLockQueueFile(bounce, QueueLock::Delivery), true);
    EXPECT_EQ(*tryLockQueueFile(manager, QueueLock::Manager), false);
    EXPECT_TRUE(unlockQueueFile(agent));
    EXPECT_EQ(*tryLockQueueFile(manager, QueueLock::Manager), false);
    ::close(bounce);  // closing releases the lock
    EXPECT_EQ(*tryLockQueueFile(manager, QueueLock::Manager), true);

    // While the queue manager holds it, no delivery starts.
    EXPECT_EQ(*tryLockQueueFile(agent, QueueLock::Delivery), false);
    EXPECT_TRUE(unlockQueueFile(manager));
    EXPECT_EQ(*tryLockQueueFile(agent, QueueLock::Delivery), true);
    ::close(manager);
    ::close(agent);
}

TEST_F(QueueLockTest, ABadDescriptorIsAnError) {
    auto locked = tryLockQueueFile(-1, QueueLock::Manager);
    ASSERT_FALSE(locked.ok());
    EXPECT_EQ(locked.error().message, "Bad file descriptor");
}

}  // namespace
}  // namespace postline::queue
