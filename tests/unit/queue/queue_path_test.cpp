// Queue names, queue ids and hashed queue paths, as Postfix's mail_queue.c forms them.
#include "postline/queue/queue_path.h"

#include <gtest/gtest.h>

namespace postline::queue {
namespace {

TEST(QueuePath, NamesAndIds) {
    EXPECT_TRUE(queueNameOk("deferred"));
    EXPECT_FALSE(queueNameOk(""));
    EXPECT_FALSE(queueNameOk("../x"));
    EXPECT_FALSE(queueNameOk(std::string(101, 'a')));
    EXPECT_TRUE(queueIdOk("D81CEA7236A"));
    EXPECT_TRUE(queueIdOk("4Xyz1B2C3DzKL"));
    EXPECT_TRUE(queueIdOk("example_com"));  // a fast flush log's name
    EXPECT_FALSE(queueIdOk(""));
    EXPECT_FALSE(queueIdOk("../etc/passwd"));
    EXPECT_FALSE(queueIdOk("a.b"));
    EXPECT_TRUE(queueIdOk(std::string(255, 'A')));
    EXPECT_FALSE(queueIdOk(std::string(256, 'A')));
}

TEST(QueuePath, HashedQueuesOnly) {
    QueueLayout layout;  // Postfix's defaults: deferred and defer, depth 1
    EXPECT_EQ(queuePath(layout, "deferred", "D81CEA7236A"), "deferred/D/D81CEA7236A");
    EXPECT_EQ(queuePath(layout, "defer", "D81CEA7236A"), "defer/D/D81CEA7236A");
    EXPECT_EQ(queuePath(layout, "hold", "D81CEA7236A"), "hold/D81CEA7236A");
    EXPECT_EQ(queuePath(layout, "maildrop", "D81CEA7236A"), "maildrop/D81CEA7236A");
}

TEST(QueuePath, DepthAndShortIds) {
    auto layout = queueLayout("incoming, active,deferred  HOLD", 3);
    ASSERT_EQ(layout.hashedQueues.size(), 4u);
    EXPECT_EQ(queuePath(layout, "incoming", "ABCDEF"), "incoming/A/B/C/ABCDEF");
    EXPECT_EQ(queuePath(layout, "hold", "AB"), "hold/A/B/_/AB");  // case-insensitive name
    EXPECT_EQ(queueDirectory(layout, "saved", "AB"), "saved/");
}

TEST(QueuePath, LongIdsHashByMicroseconds) {
    // A long id: base-52 seconds (6+), 4 base-52 microsecond digits, 'z', the inode.
    // "0B2C" is 0*52^3 + 10*52^2 + 2*52 + 11 = 27155 = 0x06A13.
    QueueLayout layout;
    layout.hashDepth = 2;
    EXPECT_EQ(queuePath(layout, "deferred", "4TQ1Bd0B2CzKLmN"), "deferred/0/6/4TQ1Bd0B2CzKLmN");
    // A 'z' too early is no separator: the id itself is hashed.
    EXPECT_EQ(queuePath(layout, "deferred", "ABzCD"), "deferred/A/B/ABzCD");
}

}  // namespace
}  // namespace postline::queue
