// cleanup's conversation and queue file on a scratch spool (CleanupSession, the byte-fed
// core of cleanup(8)): the handshake, the records of the file Postfix's cleanup writes
// for the same input (size record, time and create_time, sender, recipients with their
// original and DSN records, headers added, content, extracted segment), duplicates,
// checks actions, errors and their replies.
#include "cleanup_session.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "postline/address/routing_context.h"
#include "postline/config/config.h"
#include "postline/queue/cleanup_client.h"
#include "postline/queue/cleanup_status.h"
#include "postline/queue/input_stream.h"
#include "postline/queue/record.h"
#include "postline/queue/record_type.h"

namespace postline::cleanup {
namespace {

using queue::Record;
namespace rec = queue::rec;

class CleanupSessionTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = ::testing::TempDir() + "cleanup_session_test.XXXXXX";
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        root_ = pattern;
        char cwd[4096];
        ASSERT_NE(::getcwd(cwd, sizeof cwd), nullptr);
        cwd_ = cwd;
        ASSERT_EQ(::chdir(root_.c_str()), 0);
        for (const char* q : {"incoming", "hold"}) ::mkdir(q, 0700);
        config_.set("compatibility_level", "3.6");
        config_.set("myhostname", "mail.example.org");
        config_.set("mydomain", "example.org");
        config_.set("myorigin", "$mydomain");
        config_.set("mydestination", "$myhostname, localhost.$mydomain, localhost, $mydomain");
    }
    void TearDown() override {
        (void)::chdir(cwd_.c_str());
        std::filesystem::remove_all(root_);
    }

    // Runs one conversation: flags, then `records`; returns the reply's status.
    int run(int flags, const std::vector<Record>& records) {
        routing_ = std::make_unique<address::RoutingContext>(config_);
        env_.settings = CleanupSettings::read([&](std::string_view n) { return config_.get(n); });
        env_.routing = routing_.get();
        env_.createFile = [] { return queue::NewQueueFile::create("incoming", {}, false, 0600, nullptr); };
        env_.info = [this](std::string_view t) { log_.emplace_back(t); };
        env_.warn = [this](std::string_view t) { log_.push_back("warning: " + std::string(t)); };
        env_.now = [] { return static_cast<time_t>(1700000100); };
        CleanupSession session(env_);
        auto hello = session.start();
        EXPECT_TRUE(hello.ok());
        queue::attr::GroupScanner scan;
        EXPECT_TRUE(scan.feed(*hello).ok());
        EXPECT_TRUE(scan.complete());
        EXPECT_EQ(*scan.find("protocol"), "cleanup_protocol");
        id_ = *scan.find("queue_id");
        std::string in;
        queue::attr::appendNumber(in, "flags", static_cast<unsigned>(flags));
        queue::attr::appendEnd(in);
        for (const Record& r : records) queue::appendRecord(in, r.type, r.data);
        // Byte by byte: the session must not depend on how the input is cut.
        std::string reply;
        for (char c : in) reply += session.feed(std::string_view(&c, 1));
        if (!session.done()) reply += session.eof();
        scan.reset();
        EXPECT_TRUE(scan.feed(reply).ok());
        EXPECT_TRUE(scan.complete());
        EXPECT_TRUE(queue::attr::expectExactly(scan.attributes(), {"status", "reason"}).ok());
        reason_ = *scan.find("reason");
        return std::atoi(scan.find("status")->c_str());
    }

    // The records of the file, pointers not followed.
    std::vector<Record> fileRecords(const std::string& path) {
        std::vector<Record> out;
        auto in = queue::InputStream::open(path);
        EXPECT_TRUE(in.ok()) << path;
        if (!in.ok()) return out;
        queue::RecordReader reader(*in);
        for (;;) {
            auto r = reader.next(queue::read_flag::kNone);
            EXPECT_TRUE(r.ok());
            if (!r.ok() || r->type == rec::kEof) break;
            out.push_back(*r);
        }
        return out;
    }

    static std::vector<Record> submission(std::vector<std::string> headers, std::vector<std::string> rcpts,
                                          std::string sender = "alice") {
        std::vector<Record> r{
            {rec::kTime, "1700000000 123456"}, {rec::kAttr, "rewrite_context=local"}, {rec::kFrom, sender}};
        for (auto& a : rcpts) r.push_back({rec::kRcpt, a});
        r.push_back({rec::kMesg, ""});
        r.push_back({rec::kNorm, "Received: by mail.example.org (Postfix, from userid 1000)"});
        r.push_back({rec::kNorm, "\tid 4ABC; Tue, 14 Nov 2023 22:13:20 +0000 (UTC)"});
        for (auto& h : headers) r.push_back({rec::kNorm, h});
        r.push_back({rec::kNorm, ""});
        r.push_back({rec::kNorm, "body line"});
        r.push_back({rec::kXtra, ""});
        r.push_back({rec::kEnd, ""});
        return r;
    }

    config::Config config_ = config::Config::defaults("/nonexistent");
    std::unique_ptr<address::RoutingContext> routing_;
    CleanupEnvironment env_;
    std::string root_, cwd_, id_, reason_;
    std::vector<std::string> log_;
};

std::string show(const std::vector<Record>& records) {
    std::string s;
    for (const Record& r : records) s += std::string(1, static_cast<char>(r.type)) + " " + r.data + "\n";
    return s;
}

TEST_F(CleanupSessionTest, WritesTheQueueFileAsPostfixCleanupDoes) {
    int status = run(queue::cleanup_flag::kMapOk | queue::cleanup_flag::kBccOk | queue::cleanup_flag::kFilter,
                     submission({"Subject: hi"}, {"bob@example.org", "bob@example.org", "carol@remote.example"}));
    ASSERT_EQ(status, 0) << reason_;
    std::string path = "incoming/" + id_;
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0700u);
    auto recs = fileRecords(path);
    ASSERT_GE(recs.size(), 10u);
    EXPECT_EQ(recs[0].type, rec::kSize);
    // The size record: content length, content offset, recipients, qmgr options, length, options.
    long f[6] = {};
    ASSERT_EQ(std::sscanf(recs[0].data.c_str(), "%ld %ld %ld %ld %ld %ld", &f[0], &f[1], &f[2], &f[3], &f[4], &f[5]),
              6);
    EXPECT_EQ(f[2], 2);  // the same recipient twice is written once
    EXPECT_EQ(f[0], f[4]);
    std::string expected =
        "T 1700000000 123456\n"
        "A create_time=1700000100\n"
        "A rewrite_context=local\n"
        "S alice@example.org\n"
        "A dsn_orig_rcpt=rfc822;bob@example.org\n"
        "O bob@example.org\n"
        "R bob@example.org\n"
        "A dsn_orig_rcpt=rfc822;carol@remote.example\n"
        "O carol@remote.example\n"
        "R carol@remote.example\n"
        "M \n"
        "N Received: by mail.example.org (Postfix, from userid 1000)\n"
        "N \tid 4ABC; Tue, 14 Nov 2023 22:13:20 +0000 (UTC)\n"
        "N Subject: hi\n";
    std::vector<Record> body(recs.begin() + 1, recs.end());
    std::string all = show(body);
    EXPECT_EQ(all.substr(0, expected.size()), expected) << all;
    // Then the headers cleanup adds: Message-Id, Date, From; the body; X, E.
    EXPECT_NE(all.find("N Message-Id: <"), std::string::npos) << all;
    EXPECT_NE(all.find("." + id_ + "@mail.example.org>\n"), std::string::npos) << all;
    EXPECT_NE(all.find("N Date: "), std::string::npos);
    EXPECT_NE(all.find("N From: alice@example.org\nN \nN body line\nX \n"), std::string::npos) << all;
    EXPECT_EQ(recs.back().type, rec::kEnd);
    // The content offset points at the first record after M.
    off_t offset = 0;
    for (size_t i = 0; i < recs.size(); ++i) {
        if (recs[i].type == rec::kMesg) {
            offset += 2;
            break;
        }
        std::string enc;
        queue::appendRecord(enc, recs[i].type, recs[i].data);
        offset += static_cast<off_t>(enc.size());
    }
    EXPECT_EQ(f[1], offset);
    bool logged = false;
    for (auto& l : log_) logged |= l.rfind(id_ + ": message-id=<", 0) == 0;
    EXPECT_TRUE(logged);
}

TEST_F(CleanupSessionTest, RemoteContextAddsNoHeaders) {
    auto records = submission({"Subject: hi"}, {"bob@example.org"});
    records[1].data = "rewrite_context=remote";
    ASSERT_EQ(run(queue::cleanup_flag::kMapOk, records), 0);
    std::string all = show(fileRecords("incoming/" + id_));
    EXPECT_EQ(all.find("Message-Id:"), std::string::npos) << all;
    EXPECT_EQ(all.find("N From:"), std::string::npos) << all;
    bool logged = false;
    for (auto& l : log_) logged |= l == id_ + ": message-id=<>";
    EXPECT_TRUE(logged);
}

TEST_F(CleanupSessionTest, DropsBccAndReturnPathAndKeepsMessageId) {
    ASSERT_EQ(run(queue::cleanup_flag::kMapOk,
                  submission({"Return-Path: <x@y>", "Bcc: secret@example.org", "Message-ID: <abc@example.org>",
                              "Date: Tue, 14 Nov 2023 22:13:20 +0000", "From: Alice <alice@example.org>",
                              "To: bob@example.org"},
                             {"bob@example.org"})),
              0);
    std::string all = show(fileRecords("incoming/" + id_));
    EXPECT_EQ(all.find("Return-Path"), std::string::npos);
    EXPECT_EQ(all.find("Bcc"), std::string::npos);
    EXPECT_NE(all.find("N Message-ID: <abc@example.org>\n"), std::string::npos) << all;
    EXPECT_EQ(all.find("A message_id="), std::string::npos) << all;  // not in 3.7
    EXPECT_EQ(all.find("Message-Id: <"), std::string::npos) << all;
}

TEST_F(CleanupSessionTest, RewritesHeaderAddressesInTheLocalContext) {
    ASSERT_EQ(run(queue::cleanup_flag::kMapOk, submission({"To: bob, carol@remote.example"}, {"bob"})), 0);
    std::string all = show(fileRecords("incoming/" + id_));
    EXPECT_NE(all.find("N To: bob@example.org, carol@remote.example\n"), std::string::npos) << all;
}

TEST_F(CleanupSessionTest, HeaderChecksRejectWithTheLogLine) {
    config_.set("header_checks", "regexp:{ {/^Subject: spam/ REJECT no spam please} }");
    auto records = submission({"Subject: spam spam"}, {"bob@example.org"});
    records.insert(records.begin() + 2, Record{rec::kAttr, "log_message_origin=client.example[192.0.2.1]"});
    records.insert(records.begin() + 3, Record{rec::kAttr, "log_protocol_name=ESMTP"});
    records.insert(records.begin() + 4, Record{rec::kAttr, "log_helo_name=client.example"});
    int status = run(queue::cleanup_flag::kMapOk | queue::cleanup_flag::kFilter, records);
    EXPECT_EQ(status, queue::cleanup_stat::kCont);
    EXPECT_EQ(reason_, "5.7.1 no spam please");
    EXPECT_FALSE(std::filesystem::exists("incoming/" + id_));
    std::string want = id_ +
                       ": reject: header Subject: spam spam from client.example[192.0.2.1]; from=<alice@example.org> "
                       "to=<bob@example.org> proto=ESMTP helo=<client.example>: 5.7.1 no spam please";
    EXPECT_NE(std::find(log_.begin(), log_.end(), want), log_.end()) << ::testing::PrintToString(log_);
}

TEST_F(CleanupSessionTest, HoldActionPutsTheFileOnHold) {
    config_.set("header_checks", "regexp:{ {/^Subject: hold/ HOLD} }");
    ASSERT_EQ(run(queue::cleanup_flag::kMapOk | queue::cleanup_flag::kFilter,
                  submission({"Subject: hold me"}, {"bob@example.org"})),
              0);
    EXPECT_FALSE(std::filesystem::exists("incoming/" + id_));
    EXPECT_TRUE(std::filesystem::exists("hold/" + id_));
}

TEST_F(CleanupSessionTest, BodyChecksReplaceAndDiscard) {
    config_.set("body_checks", "regexp:{ {/^body line$$/ REPLACE new body} }");
    ASSERT_EQ(run(queue::cleanup_flag::kMapOk | queue::cleanup_flag::kFilter,
                  submission({"Subject: x"}, {"bob@example.org"})),
              0)
        << ::testing::PrintToString(log_);
    std::string all = show(fileRecords("incoming/" + id_));
    EXPECT_NE(all.find("N new body\n"), std::string::npos) << all << ::testing::PrintToString(log_);
    config_.set("body_checks", "regexp:{ {/^body line$$/ DISCARD} }");
    ASSERT_EQ(run(queue::cleanup_flag::kMapOk | queue::cleanup_flag::kFilter,
                  submission({"Subject: x"}, {"bob@example.org"})),
              0);
    EXPECT_FALSE(std::filesystem::exists("incoming/" + id_));
}

TEST_F(CleanupSessionTest, ErrorsAndTheirStatuses) {
    // No recipient.
    EXPECT_EQ(run(queue::cleanup_flag::kMapOk, submission({"Subject: x"}, {})), queue::cleanup_stat::kRcpt);
    EXPECT_FALSE(std::filesystem::exists("incoming/" + id_));
    // No end record: the client went away.
    auto records = submission({"Subject: x"}, {"bob@example.org"});
    records.pop_back();
    EXPECT_EQ(run(0, records), queue::cleanup_stat::kBad);
    EXPECT_FALSE(std::filesystem::exists("incoming/" + id_));
    // A recipient before the sender.
    EXPECT_EQ(run(0, {{rec::kTime, "1 0"}, {rec::kRcpt, "bob"}, {rec::kEnd, ""}}), queue::cleanup_stat::kBad);
    // Too many hops.
    config_.set("hopcount_limit", "1");
    EXPECT_EQ(run(0, submission({}, {"bob@example.org"})), queue::cleanup_stat::kHops);
    // Too big.
    config_.set("hopcount_limit", "50");
    config_.set("message_size_limit", "200");
    EXPECT_EQ(run(0, submission({"Subject: " + std::string(300, 'x')}, {"bob@example.org"})),
              queue::cleanup_stat::kSize);
}

TEST_F(CleanupSessionTest, LongLinesAreSplitAtTheLineLimit) {
    config_.set("line_length_limit", "10");
    auto records = submission({"Subject: x"}, {"bob@example.org"});
    records.insert(records.end() - 2, Record{rec::kNorm, "0123456789abcdefghijKLM"});
    ASSERT_EQ(run(0, records), 0);
    std::string all = show(fileRecords("incoming/" + id_));
    EXPECT_NE(all.find("L 0123456789\nL abcdefghij\nN KLM\n"), std::string::npos) << all;
}

}  // namespace
}  // namespace postline::cleanup

namespace postline::cleanup {
namespace {

TEST_F(CleanupSessionTest, StrayCarriageReturnsAndNewlinesBecomeSpaces) {
    // cleanup_replace_stray_cr_lf (yes by default since 3.7.11): in headers and body.
    auto records = submission({"Subject: bd\rat"}, {"bob@example.org"});
    records[records.size() - 3].data = "line\none\r\n";  // the body line
    ASSERT_EQ(run(queue::cleanup_flag::kMapOk, records), 0) << ::testing::PrintToString(log_);
    std::string all = show(fileRecords("incoming/" + id_));
    EXPECT_NE(all.find("N Subject: bd at\n"), std::string::npos) << all;
    EXPECT_NE(all.find("N line one  \n"), std::string::npos) << all;

    config_.set("cleanup_replace_stray_cr_lf", "no");
    ASSERT_EQ(run(queue::cleanup_flag::kMapOk, records), 0);
    all = show(fileRecords("incoming/" + id_));
    EXPECT_NE(all.find("N Subject: bd\rat\n"), std::string::npos) << all;
}

}  // namespace
}  // namespace postline::cleanup
