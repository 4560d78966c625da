// The trace service (Postfix's bounce/bounce_trace_service.c) over a temporary spool:
// the success report from trace/ID to the sender (every logged recipient, the
// agent's action, the original's headers), the log removed once posted and kept when
// posting fails, no log no report, the null sender's and the double bounce's cases,
// and the verify report for user-requested verification.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "bounce_core.h"
#include "postline/delivery/bounce_request.h"
#include "postline/queue/bounce_log.h"
#include "postline/queue/cleanup_status.h"
#include "postline/queue/queue_file.h"
#include "postline/queue/queue_file_writer.h"
#include "postline/queue/record.h"
#include "postline/queue/record_type.h"

namespace postline::bounce {
namespace {

namespace fs = std::filesystem;
namespace rec = queue::rec;

struct Notice {
    std::string sender, recipient;
    std::vector<std::string> lines;
    bool finished = false, abandoned = false;
    std::string text() const {
        std::string out;
        for (const std::string& l : lines) out += l + "\n";
        return out;
    }
};

class RecordingPoster : public Poster {
public:
    struct Sub : Submission {
        Sub(RecordingPoster& p, size_t i) : poster(p), index(i), id("NEW" + std::to_string(i + 1)) {}
        const std::string& queueId() const override { return id; }
        void line(std::string_view t) override { poster.notices[index].lines.emplace_back(t); }
        base::Result<int> finish() override {
            poster.notices[index].finished = true;
            return poster.finishStatus;
        }
        void abandon() override { poster.notices[index].abandoned = true; }
        RecordingPoster& poster;
        size_t index;
        std::string id;
    };
    base::Result<std::unique_ptr<Submission>> open(const std::string& sender, const std::string& recipient,
                                                   int) override {
        notices.push_back({sender, recipient, {}, false, false});
        return std::unique_ptr<Submission>(new Sub(*this, notices.size() - 1));
    }
    std::vector<Notice> notices;
    int finishStatus = 0;
};

class BounceTraceTest : public ::testing::Test {
protected:
    static constexpr const char* kId = "4TrAcE1cF2z9sT";

    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("bounce_trace_test." + std::to_string(::getpid()));
        fs::remove_all(dir_);
        for (const char* d : {"active", "trace"}) fs::create_directories(dir_ / d);
        s_.queueDirectory = dir_.string();
        s_.layout = queue::queueLayout("", 1);
        s_.serviceName = "trace";
        s_.myhostname = "mx.example.com";
        s_.formatDate = [](long t) { return "DATE(" + std::to_string(t) + ")"; };
        s_.now = [] { return 1796602000L; };
        s_.info = [this](std::string_view t) { infos_.emplace_back(t); };
        s_.warn = [this](std::string_view t) { warnings_.emplace_back(t); };
        request_.command = delivery::BounceCommand::Trace;
        request_.queueName = "active";
        request_.queueId = kId;
        request_.sender = "alice@example.com";
        request_.encoding = "7bit";
        request_.dsnEnvid = "env-42";
    }
    void TearDown() override { fs::remove_all(dir_); }

    // The active queue file, its size record patched in a second pass.
    void writeQueueFile(const std::string& sender = "alice@example.com") {
        auto build = [&](long dataOffset, long contentSize) {
            queue::SizeFields size;
            size.contentOffset = dataOffset;
            size.extractedOffsetDelta = contentSize;
            size.recipients = 1;
            std::string out;
            queue::appendRecord(out, rec::kSize, queue::formatSizeFields(size));
            queue::appendRecord(out, rec::kTime, "1796601000 0");
            queue::appendRecord(out, rec::kFrom, sender);
            queue::appendRecord(out, rec::kAttr, "notify_flags=2");
            queue::appendRecord(out, rec::kRcpt, "bob@example.org");
            queue::appendRecord(out, rec::kMesg, "");
            long data = static_cast<long>(out.size());
            for (const char* l : {"From: alice@example.com", "Subject: test", "", "the body"})
                queue::appendRecord(out, rec::kNorm, l);
            long extracted = static_cast<long>(out.size());
            queue::appendRecord(out, rec::kXtra, "");
            queue::appendRecord(out, rec::kEnd, "");
            return std::make_tuple(out, data, extracted - data);
        };
        auto [first, data, size] = build(1, 1);
        auto [bytes, d2, s2] = build(data, size);
        std::ofstream(dir_ / "active" / kId, std::ios::binary) << bytes;
    }
    std::string logPath() const { return (dir_ / "trace" / kId).string(); }
    void traced(const std::string& rcpt, const std::string& action, const std::string& reason,
                const std::string& orcpt = "") {
        queue::BounceLogEntry e;
        e.recipient = rcpt;
        e.dsnNotify = 2;
        e.dsnOrcpt = orcpt;
        e.status = "2.0.0";
        e.action = action;
        e.reason = reason;
        ASSERT_TRUE(queue::appendBounceLog(logPath(), e).ok());
    }

    fs::path dir_;
    BounceSettings s_;
    delivery::BounceRequest request_;
    RecordingPoster poster_;
    std::vector<std::string> infos_, warnings_;
};

TEST_F(BounceTraceTest, SuccessReportToTheSender) {
    writeQueueFile();
    traced("bob@example.org", "delivered", "delivery via local: delivered to mailbox", "rfc822;bob@example.org");
    traced("list@example.org", "expanded", "delivery via local: alias expanded");
    EXPECT_EQ(serveBounceRequest(request_, s_, poster_), 0);
    ASSERT_EQ(poster_.notices.size(), 1u);
    const Notice& n = poster_.notices[0];
    EXPECT_EQ(n.sender, "");
    EXPECT_EQ(n.recipient, "alice@example.com");
    EXPECT_TRUE(n.finished);
    std::string text = n.text();
    EXPECT_EQ(text.rfind("From: Mail Delivery System <MAILER-DAEMON>\n"
                         "Subject: Successful Mail Delivery Report\n"
                         "To: alice@example.com\n"
                         "Auto-Submitted: auto-replied\n"
                         "MIME-Version: 1.0\n"
                         "Content-Type: multipart/report; report-type=delivery-status;\n",
                         0),
              0u)
        << text;
    EXPECT_NE(text.find("This is the mail system at host mx.example.com.\n\n"
                        "Your message was successfully delivered to the destination(s)\n"
                        "listed below. If the message was delivered to mailbox you will\n"
                        "receive no further notifications. Otherwise you may still receive\n"
                        "notifications of mail delivery errors from other systems.\n\n"
                        "                   The mail system\n\n"
                        "<bob@example.org>: delivery via local: delivered to mailbox\n\n"
                        "<list@example.org>: delivery via local: alias expanded\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("Reporting-MTA: dns; mx.example.com\n"
                        "Original-Envelope-Id: env-42\n"
                        "X-Postfix-Queue-ID: 4TrAcE1cF2z9sT\n"
                        "X-Postfix-Sender: rfc822; alice@example.com\n"
                        "Arrival-Date: DATE(1796601000)\n\n"
                        "Final-Recipient: rfc822; bob@example.org\n"
                        "Original-Recipient: rfc822;bob@example.org\n"
                        "Action: delivered\n"
                        "Status: 2.0.0\n"
                        "Diagnostic-Code: X-Postfix; delivery via local: delivered to mailbox\n\n"
                        "Final-Recipient: rfc822; list@example.org\n"
                        "Action: expanded\n"),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("Will-Retry-Until"), std::string::npos);
    // Only the headers come back, as "Message Headers" (not "Undelivered").
    EXPECT_NE(text.find("Content-Description: Message Headers\n"
                        "Content-Type: text/rfc822-headers\n"
                        "Content-Transfer-Encoding: 8bit\n\n"
                        "Return-Path: <alice@example.com>\n"
                        "From: alice@example.com\n"
                        "Subject: test\n\n--"),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("the body"), std::string::npos);
    EXPECT_EQ(infos_, std::vector<std::string>{std::string(kId) + ": sender delivery status notification: NEW1"});
    EXPECT_FALSE(fs::exists(logPath()));
    EXPECT_TRUE(fs::exists(dir_ / "active" / kId));
}

TEST_F(BounceTraceTest, NoTraceLogNoReport) {
    writeQueueFile();
    EXPECT_EQ(serveBounceRequest(request_, s_, poster_), 0);
    EXPECT_TRUE(poster_.notices.empty());
    EXPECT_TRUE(infos_.empty());
}

TEST_F(BounceTraceTest, APostingThatFailsKeepsTheLog) {
    writeQueueFile();
    traced("bob@example.org", "delivered", "delivery via local: delivered to mailbox");
    poster_.finishStatus = queue::cleanup_stat::kWrite;
    EXPECT_EQ(serveBounceRequest(request_, s_, poster_), -1);
    EXPECT_TRUE(fs::exists(logPath()));
    EXPECT_TRUE(infos_.empty());
}

TEST_F(BounceTraceTest, NullSenderReportGoesToThePostmasterOnlyWith2bounce) {
    writeQueueFile("");
    request_.sender = "";
    traced("bob@example.org", "delivered", "delivery via local: delivered to mailbox");
    EXPECT_EQ(serveBounceRequest(request_, s_, poster_), 0);
    EXPECT_TRUE(poster_.notices.empty());
    EXPECT_FALSE(fs::exists(logPath()));  // dropped
    EXPECT_EQ(infos_, std::vector<std::string>{std::string(kId) +
                                               ": not sending trace/success notification for single-bounce message"});

    infos_.clear();
    traced("bob@example.org", "delivered", "delivery via local: delivered to mailbox");
    s_.notifyClasses = "2bounce";
    s_.doubleBounceNoticeRecipient = "hostmaster";
    EXPECT_EQ(serveBounceRequest(request_, s_, poster_), 0);
    ASSERT_EQ(poster_.notices.size(), 1u);
    EXPECT_EQ(poster_.notices[0].sender, "double-bounce@mx.example.com");
    EXPECT_EQ(poster_.notices[0].recipient, "hostmaster");
    EXPECT_NE(poster_.notices[0].text().find("X-Postfix-Sender: rfc822; MAILER-DAEMON@mx.example.com\n"),
              std::string::npos);
    EXPECT_FALSE(fs::exists(logPath()));
}

TEST_F(BounceTraceTest, DoubleBounceGetsNothing) {
    writeQueueFile("double-bounce@mx.example.com");
    request_.sender = "Double-Bounce@mx.example.com";
    traced("bob@example.org", "delivered", "delivery via local: delivered to mailbox");
    EXPECT_EQ(serveBounceRequest(request_, s_, poster_), 0);
    EXPECT_TRUE(poster_.notices.empty());
    EXPECT_TRUE(fs::exists(logPath()));
    EXPECT_EQ(infos_, std::vector<std::string>{std::string(kId) +
                                               ": not sending trace/success notification for double-bounce message"});
}

TEST_F(BounceTraceTest, UserVerificationGetsTheVerifyReport) {
    writeQueueFile();
    traced("bob@example.org", "deliverable", "delivery via local: delivers to mailbox");
    request_.flags = 1 << 9;  // DEL_REQ_FLAG_USR_VRFY
    EXPECT_EQ(serveBounceRequest(request_, s_, poster_), 0);
    ASSERT_EQ(poster_.notices.size(), 1u);
    std::string text = poster_.notices[0].text();
    EXPECT_NE(text.find("Subject: Mail Delivery Status Report\n"), std::string::npos) << text;
    EXPECT_NE(text.find("Enclosed is the mail delivery report that you requested.\n"), std::string::npos);
    EXPECT_NE(text.find("Action: deliverable\n"), std::string::npos);
}

}  // namespace
}  // namespace postline::bounce
