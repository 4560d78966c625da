// The queue listing (lib/queue showq): which files a scan reports and in which form, as
// Postfix's showq/showq.c reads them, and mailq's and postqueue -j's text for an entry.
#include "postline/queue/showq.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "postline/queue/record.h"
#include "postline/queue/record_type.h"

namespace postline::queue {
namespace {

namespace fs = std::filesystem;

// A scratch queue directory that the test works in (the scan reads relative paths).
class ShowqScan : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/showq_test.XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        old_ = fs::current_path();
        fs::current_path(dir_);
        // Arrival times are printed in local time.
        ::setenv("TZ", "UTC", 1);
        ::tzset();
        for (auto q : {"maildrop", "active", "incoming", "deferred", "hold", "defer"}) fs::create_directory(q);
    }
    void TearDown() override {
        fs::current_path(old_);
        fs::remove_all(dir_);
    }
    static void write(const std::string& path, const std::string& bytes, mode_t mode) {
        fs::create_directories(fs::path(path).parent_path());
        std::ofstream(path, std::ios::binary) << bytes;
        ::chmod(path.c_str(), mode);
    }
    // A queue file as cleanup leaves it: size record, time, sender, recipients, content.
    static std::string queueFile(const std::string& sender, const std::vector<std::pair<int, std::string>>& rcpts) {
        std::string content;
        appendRecord(content, rec::kNorm, "Subject: x");
        appendRecord(content, rec::kNorm, "");
        appendRecord(content, rec::kNorm, "body");
        std::string out;
        appendRecord(out, rec::kSize, "            123             0             1             0           123");
        appendRecord(out, rec::kTime, "1700000000 5");
        appendRecord(out, rec::kFrom, sender);
        for (auto& [type, addr] : rcpts) appendRecord(out, type, addr);
        appendRecord(out, rec::kMesg, "");
        // The size record's first field is the content size: from here to the 'X' record.
        out += content;
        appendRecord(out, rec::kXtra, "");
        appendRecord(out, rec::kEnd, "");
        // Patch the content size to the real one.
        std::string size = std::to_string(content.size());
        std::string field = std::string(15 - size.size(), ' ') + size;
        out.replace(2, 15, field);
        return out;
    }
    std::vector<ShowqEntry> scan(ShowqOptions options = {}) {
        std::vector<ShowqEntry> out;
        options.warn = [this](std::string_view w) { warnings_.emplace_back(w); };
        auto st = scanShowq(options, [&](const ShowqEntry& e) { out.push_back(e); });
        EXPECT_TRUE(st) << (st ? "" : st.error().message);
        return out;
    }
    std::string dir_;
    fs::path old_;
    std::vector<std::string> warnings_;
};

TEST_F(ShowqScan, OrderMarksReasonsAndSkippedFiles) {
    write("hold/AAAAA11111", queueFile("h@x", {{rec::kRcpt, "a@x"}}), 0710);  // forced expiry
    write("deferred/B/BBBBB22222",
          queueFile("", {{rec::kDone, "done@x"}, {rec::kRcpt, "r1@x"}, {rec::kRcpt, "r2@x"}, {rec::kRcpt, "a b@x"}}),
          0700);
    write("defer/B/BBBBB22222", "recipient=r1@x\nreason=later\n\n", 0600);
    write("active/CCCCC33333", queueFile("s@x", {{rec::kRcpt, "c@x"}}), 0700);
    write("incoming/DDDDD44444", queueFile("s@x", {{rec::kRcpt, "d@x"}}), 0600);    // not complete
    write("incoming/bad.name", queueFile("s@x", {{rec::kRcpt, "d@x"}}), 0700);      // not a queue id
    write("deferred/E/BBBBB99999", queueFile("s@x", {{rec::kRcpt, "e@x"}}), 0700);  // wrong hash directory
    write("maildrop/FFFFF55555", queueFile("m@x", {{rec::kRcpt, "m@x"}}), 0700);

    ShowqOptions options;
    options.quoteLocal = [](std::string_view a) { return a == "a b@x" ? std::string("\"a b\"@x") : std::string(a); };
    auto entries = scan(options);
    ASSERT_EQ(entries.size(), 4u);
    EXPECT_EQ(entries[0].queue, "maildrop");
    EXPECT_EQ(entries[0].size, static_cast<long>(fs::file_size("maildrop/FFFFF55555")));  // no size record use
    EXPECT_EQ(entries[1].queue, "active");
    EXPECT_EQ(entries[2].queue, "deferred");
    EXPECT_EQ(entries[3].queue, "hold");
    EXPECT_TRUE(entries[3].forcedExpire);
    EXPECT_EQ(entries[3].arrivalTime, 1700000000);

    const auto& deferred = entries[2];
    EXPECT_EQ(deferred.sender, "MAILER-DAEMON");
    EXPECT_EQ(deferred.size, 20);  // the content: three 'N' records (12 + 2 + 6 bytes)
    ASSERT_EQ(deferred.recipients.size(), 3u);
    EXPECT_EQ(deferred.recipients[0].address, "r1@x");
    EXPECT_EQ(deferred.recipients[0].reason, "later");
    EXPECT_EQ(deferred.recipients[1].address, "r2@x");
    EXPECT_EQ(deferred.recipients[1].reason, "");
    EXPECT_EQ(deferred.recipients[2].address, "\"a b\"@x");

    std::string text = showqCompatEntry(deferred, false);
    EXPECT_EQ(text,
              "BBBBB22222       20 Tue Nov 14 22:13:20  MAILER-DAEMON\n"
              "                                                                       (later)\n"
              "                                         r1@x\n"
              "                                                          (reason unavailable)\n"
              "                                         r2@x\n"
              "                                         \"a b\"@x\n");
    EXPECT_EQ(showqJsonLine(deferred, false),
              "{\"queue_name\": \"deferred\", \"queue_id\": \"BBBBB22222\", \"arrival_time\": 1700000000, "
              "\"message_size\": 20, \"forced_expire\": false, \"sender\": \"MAILER-DAEMON\", \"recipients\": "
              "[{\"address\": \"r1@x\", \"delay_reason\": \"later\"}, {\"address\": \"r2@x\"}, "
              "{\"address\": \"\\\"a b\\\"@x\"}]}\n");
    EXPECT_EQ(showqCompatEntry(entries[3], false).substr(0, 12), "AAAAA11111!#");
    EXPECT_EQ(showqCompatEntry(entries[1], true).substr(0, 18), "CCCCC33333*       ");
}

TEST_F(ShowqScan, SenderProblemsAndSummary) {
    // A recipient before the sender: nothing listed, a warning.
    std::string noSender;
    appendRecord(noSender, rec::kRcpt, "r@x");
    appendRecord(noSender, rec::kFrom, "s@x");
    appendRecord(noSender, rec::kEnd, "");
    write("hold/AAAAA11111", noSender, 0700);
    // Two senders: listed up to the second one.
    std::string twoSenders;
    appendRecord(twoSenders, rec::kFrom, "s@x");
    appendRecord(twoSenders, rec::kRcpt, "r1@x");
    appendRecord(twoSenders, rec::kFrom, "t@x");
    appendRecord(twoSenders, rec::kRcpt, "r2@x");
    write("hold/BBBBB22222", twoSenders, 0700);
    auto entries = scan();
    ASSERT_EQ(entries.size(), 1u);
    ASSERT_EQ(entries[0].recipients.size(), 1u);
    EXPECT_EQ(entries[0].recipients[0].address, "r1@x");
    ASSERT_EQ(warnings_.size(), 2u);
    EXPECT_EQ(showqCompatSummary(0, 0), "Mail queue is empty\n");
    EXPECT_EQ(showqCompatSummary(1, 2047), "\n-- 1 Kbytes in 1 Request.\n");
    EXPECT_EQ(showqCompatSummary(3, 100), "\n-- 0 Kbytes in 3 Requests.\n");
}

TEST_F(ShowqScan, MissingQueueDirectoryIsAnError) {
    fs::remove("hold");
    auto st = scanShowq({}, [](const ShowqEntry&) {});
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().message, "open directory hold: No such file or directory");
}

}  // namespace
}  // namespace postline::queue
