// The queue manager's persistent queue scan (qmgr_scan.c): a pass reads the queue and
// its hashed subdirectories one file at a time, a request during a pass starts another
// pass after it, and "ignore time stamps" applies to the pass under way.
#include "queue_scan.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

namespace postline::qmgr {
namespace {

namespace fs = std::filesystem;

class QueueScanTest : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() / ("queue_scan_test." + std::to_string(::getpid()));
        fs::create_directories(root_ / "deferred" / "A");
        fs::create_directories(root_ / "deferred" / "B");
        for (const char* id : {"A1111", "A2222", "B3333"})
            std::ofstream(root_ / "deferred" / std::string(1, id[0]) / id) << "x";
        std::ofstream(root_ / "deferred" / "C4444") << "x";       // not hashed
        std::ofstream(root_ / "deferred" / "not-an-id!") << "x";  // skipped
    }
    void TearDown() override { fs::remove_all(root_); }
    std::set<std::string> pass(QueueScan& scan) {
        std::set<std::string> ids;
        while (auto id = scan.next()) EXPECT_TRUE(ids.insert(*id).second) << "twice in one pass: " << *id;
        return ids;
    }
    fs::path root_;
};

TEST_F(QueueScanTest, APassReadsEveryFileOnceThenEnds) {
    QueueScan scan((root_ / "deferred").string());
    EXPECT_FALSE(scan.next());  // no pass was asked for
    scan.request();
    EXPECT_EQ(pass(scan), (std::set<std::string>{"A1111", "A2222", "B3333", "C4444"}));
    EXPECT_FALSE(scan.next());
}

TEST_F(QueueScanTest, ARequestDuringAPassStartsAnotherAfterIt) {
    QueueScan scan((root_ / "deferred").string());
    scan.request();
    ASSERT_TRUE(scan.next());
    EXPECT_FALSE(scan.all());
    scan.request(true);  // a flush: the pass under way ignores time stamps too
    EXPECT_TRUE(scan.all());
    // The first pass ends (three more files), the second one reads all four again.
    std::multiset<std::string> rest;
    while (auto id = scan.next()) rest.insert(*id);
    EXPECT_EQ(rest.size(), 7u);
    EXPECT_EQ(rest.count("C4444") + rest.count("A1111") + rest.count("A2222") + rest.count("B3333"), 7u);
    EXPECT_TRUE(scan.all());
    EXPECT_FALSE(scan.next());
    scan.request();
    EXPECT_FALSE(scan.all());
}

}  // namespace
}  // namespace postline::qmgr
