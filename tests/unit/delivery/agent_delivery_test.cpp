// A delivery agent's reporting over a real queue file (Postfix's deliver_request.c,
// deliver_completed.c, sent.c, bounce.c, defer.c, log_adhoc.c): the content between
// the data offset and the extracted segment, the status log line, the bounce and defer
// logs, recipients marked done in place, the shared lock, and log_adhoc's delays.
#include "postline/delivery/agent_delivery.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "delivery/agent_queue_fixture.h"
#include "postline/base/msg.h"
#include "postline/queue/queue_file.h"
#include "postline/queue/queue_lock.h"
#include "postline/queue/recipient_done.h"
#include "postline/queue/record_type.h"

namespace postline::delivery {
namespace {

using testing::State;

class AgentDeliveryTest : public testing::AgentQueueFixture {};

TEST_F(AgentDeliveryTest, ContentLinesStopAtTheExtractedSegment) {
    auto d = open(request());
    ASSERT_TRUE(d);
    auto lines = d->contentLines();
    ASSERT_TRUE(lines.ok()) << lines.error().message;
    EXPECT_EQ(*lines, (std::vector<std::string>{"Subject: hi", "", "a body line that is longer than twenty", "end"}));
}

TEST_F(AgentDeliveryTest, SentLogsAndMarksDone) {
    auto d = open(request());
    ASSERT_TRUE(d);
    Dsn dsn;
    dsn.status = "2.0.0";
    dsn.reason = "delivered to mailbox";
    ASSERT_TRUE(d->sent(d->request().recipients[0], "local", dsn).ok());
    ASSERT_EQ(log_.size(), 1u);
    // orig_to is left out: it differs from the recipient only in case.
    std::regex shape(id_ + R"(: to=<bob@example\.com>, relay=local, delay=[0-9.]+, delays=0\.5/0\.5/0/[0-9.]+, )"
                           R"(dsn=2\.0\.0, status=sent \(delivered to mailbox\))");
    EXPECT_TRUE(std::regex_match(log_[0], shape)) << log_[0];
    EXPECT_EQ(states(), (std::vector<State>{State::Done, State::Todo}));
    EXPECT_FALSE(std::filesystem::exists(root_ + "/bounce/" + id_));
}

TEST_F(AgentDeliveryTest, SentWithoutSuccessFlagIsNotMarked) {
    DeliverRequest r = request();
    r.flags = kFlagBounce;
    auto d = open(r);
    ASSERT_TRUE(d);
    ASSERT_TRUE(d->sent(d->request().recipients[1], "none", {"5.1.1", "", "oops", "", "", "", ""}).ok());
    // A status of the wrong class is replaced, with sent.c's warning.
    ASSERT_EQ(log_.size(), 2u);
    EXPECT_EQ(log_[0], "warning: sent: ignoring dsn code \"5.1.1\"");
    EXPECT_NE(log_[1].find(", orig_to=<Postmaster@example.com>, relay=none, "), std::string::npos) << log_[1];
    EXPECT_NE(log_[1].find("dsn=2.0.0, status=sent (oops)"), std::string::npos) << log_[1];
    EXPECT_EQ(states(), (std::vector<State>{State::Todo, State::Todo}));
}

TEST_F(AgentDeliveryTest, BounceWritesTheBounceLogAndMarksDone) {
    auto d = open(request());
    ASSERT_TRUE(d);
    d->setReportSettings({2, [](std::string_view a) { return "Q" + std::string(a); }, false, true, false, {}});
    Dsn dsn{"5.1.1", "", "unknown user", "smtp", "550 5.1.1 no such user", "dns", "mx.example.com"};
    ASSERT_TRUE(d->bounce(d->request().recipients[1], "mx.example.com[192.0.2.1]:25", dsn).ok());
    EXPECT_EQ(states(), (std::vector<State>{State::Todo, State::Done}));
    std::string logText = slurp(root_ + "/bounce/" + id_);
    EXPECT_NE(logText.find("<Qcarol@example.com>: unknown user\n"), std::string::npos) << logText;
    EXPECT_NE(logText.find("recipient=Qcarol@example.com\n"), std::string::npos) << logText;
    EXPECT_NE(logText.find("=QPostmaster@example.com\n"), std::string::npos) << logText;
    EXPECT_NE(logText.find("offset=" + std::to_string(carolOffset_) + "\n"), std::string::npos);
    EXPECT_NE(logText.find("dsn_orig_rcpt=rfc822;x@y\n"), std::string::npos);
    EXPECT_NE(logText.find("status=5.1.1\naction=failed\n"), std::string::npos) << logText;
    EXPECT_NE(logText.find("diag_text=550 5.1.1 no such user\n"), std::string::npos);
    ASSERT_EQ(log_.size(), 1u);
    EXPECT_NE(log_[0].find(": to=<Qcarol@example.com>, orig_to=<QPostmaster@example.com>, relay=mx.example.com["),
              std::string::npos)
        << log_[0];
    EXPECT_NE(log_[0].find("dsn=5.1.1, status=bounced (unknown user)"), std::string::npos) << log_[0];
}

TEST_F(AgentDeliveryTest, DeferWritesTheDeferLogAndDoesNotMark) {
    auto d = open(request());
    ASSERT_TRUE(d);
    ASSERT_TRUE(d->defer(d->request().recipients[0], "none", {"4.4.1", "", "connect refused", "", "", "", ""}).ok());
    EXPECT_EQ(states(), (std::vector<State>{State::Todo, State::Todo}));
    // defer/ is hashed by default (hash_queue_names = deferred, defer).
    std::string path = root_ + "/defer/" + id_.substr(0, 1) + "/" + id_;
    std::string logText = slurp(path);
    EXPECT_NE(logText.find("status=4.4.1\naction=delayed\n"), std::string::npos) << path << ": " << logText;
    EXPECT_NE(log_.back().find("dsn=4.4.1, status=deferred (connect refused)"), std::string::npos);
}

TEST_F(AgentDeliveryTest, DeferTellsTheFastFlushServiceTheDomain) {
    auto d = open(request());
    ASSERT_TRUE(d);
    std::vector<std::string> added;
    ReportSettings settings;
    settings.fastFlush = [&added](std::string_view site, std::string_view id) {
        added.push_back(std::string(site) + " " + std::string(id));
    };
    d->setReportSettings(settings);
    ASSERT_TRUE(d->defer(d->request().recipients[0], "none", {"4.4.1", "", "connect refused", "", "", "", ""}).ok());
    ASSERT_EQ(added.size(), 1u);
    std::string rcpt = d->request().recipients[0].address;
    EXPECT_EQ(added[0], rcpt.substr(rcpt.rfind('@') + 1) + " " + id_);
    // Delivered and bounced recipients are none of its business.
    ASSERT_TRUE(d->sent(d->request().recipients[1], "none", {"2.0.0", "", "ok", "", "", "", ""}).ok());
    EXPECT_EQ(added.size(), 1u);
}

TEST_F(AgentDeliveryTest, SoftBounceDefersWhatWouldBounce) {
    auto d = open(request());
    ASSERT_TRUE(d);
    ReportSettings settings;
    settings.softBounce = true;
    d->setReportSettings(settings);
    Dsn dsn{"5.1.1", "", "unknown user", "", "", "", ""};
    ASSERT_TRUE(d->bounce(d->request().recipients[1], "local", dsn).ok());
    EXPECT_EQ(states(), (std::vector<State>{State::Todo, State::Todo}));  // not done
    EXPECT_TRUE(d->deferredAny());
    EXPECT_FALSE(std::filesystem::exists(root_ + "/bounce/" + id_));
    std::string logText = slurp(root_ + "/defer/" + id_.substr(0, 1) + "/" + id_);
    EXPECT_NE(logText.find("status=4.1.1\naction=delayed\n"), std::string::npos) << logText;
    EXPECT_NE(log_.back().find("dsn=4.1.1, status=SOFTBOUNCE (unknown user)"), std::string::npos) << log_.back();
}

TEST_F(AgentDeliveryTest, BounceThatCannotBeLoggedIsDeferred) {
    // A missing bounce/ would be made again; a file in its place cannot be.
    std::filesystem::remove_all(root_ + "/bounce");
    std::ofstream(root_ + "/bounce") << "not a directory\n";
    auto d = open(request());
    ASSERT_TRUE(d);
    EXPECT_FALSE(d->bounce(d->request().recipients[0], "none", {"5.0.0", "", "no", "", "", "", ""}).ok());
    EXPECT_EQ(states(), (std::vector<State>{State::Todo, State::Todo}));
    ASSERT_FALSE(log_.empty());
    EXPECT_NE(log_.back().find("dsn=4.3.0, status=deferred (bounce or trace service failure)"), std::string::npos)
        << log_.back();
}

TEST_F(AgentDeliveryTest, OpenRefusesALockedOrMissingFile) {
    int fd = ::open((root_ + "/active/" + id_).c_str(), O_RDWR);
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(*queue::tryLockQueueFile(fd, queue::QueueLock::Manager));
    auto locked = AgentDelivery::open(root_, "deferred, defer", 1, request());
    ASSERT_FALSE(locked.ok());
    EXPECT_EQ(locked.error().message, "queue file " + id_ + " is locked");
    ::close(fd);

    DeliverRequest r = request();
    r.queueId = "NOSUCHID";
    auto missing = AgentDelivery::open(root_, "deferred, defer", 1, r);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().message, "open queue file NOSUCHID: No such file or directory");

    r.queueName = "../active";
    EXPECT_FALSE(AgentDelivery::open(root_, "deferred, defer", 1, r).ok());
}

TEST_F(AgentDeliveryTest, MarkDoneRefusesAnOffsetThatIsNoRecipient) {
    int fd = ::open((root_ + "/active/" + id_).c_str(), O_RDWR);
    ASSERT_GE(fd, 0);
    EXPECT_FALSE(queue::markRecipientDone(fd, dataOffset_).ok());
    EXPECT_FALSE(queue::markRecipientDone(fd, 0).ok());
    EXPECT_TRUE(queue::markRecipientDone(fd, -1).ok());
    EXPECT_TRUE(queue::markRecipientDone(fd, bobOffset_).ok());
    EXPECT_TRUE(queue::markRecipientDone(fd, bobOffset_).ok());  // already done
    ::close(fd);
    EXPECT_EQ(states(), (std::vector<State>{State::Done, State::Todo}));
}

TEST(FormatDelays, AsLogAdhocFormatsThem) {
    // Two significant digits, at most delay_logging_resolution_limit decimals.
    EXPECT_EQ(formatDelays(100, 100.04, 100.05, 0, 100.12), "delay=0.12, delays=0.04/0.01/0/0.07");
    EXPECT_EQ(formatDelays(100, 100.0041, 100.0051, 0, 100.0063), "delay=0.01, delays=0/0/0/0");
    EXPECT_EQ(formatDelays(100, 100.0041, 100.0051, 0, 100.0063, 4), "delay=0.0063, delays=0.0041/0.001/0/0.0012");
    // Seconds: one decimal below 10, whole seconds above.
    EXPECT_EQ(formatDelays(100, 101.23, 101.5, 103, 112.6), "delay=13, delays=1.2/0.27/1.5/9.6");
    EXPECT_EQ(formatDelays(100, 350, 350.2, 0, 3700), "delay=3600, delays=250/0.2/0/3350");
    // No active time: all of it before the queue manager; no hand-off: the queue
    // manager's; a clock that went back counts as 0.
    EXPECT_EQ(formatDelays(100, 0, 0, 0, 101), "delay=1, delays=1/0/0/0");
    EXPECT_EQ(formatDelays(100, 100.5, 0, 0, 101), "delay=1, delays=0.5/0.5/0/0");
    EXPECT_EQ(formatDelays(100, 99, 100, 0, 98), "delay=0, delays=0/1/0/0");
    EXPECT_EQ(formatDelays(100, 100, 100, 0, 100, 0), "delay=0, delays=0/0/0/0");
    EXPECT_EQ(formatDelays(100, 100.6, 100.6, 0, 100.6, 0), "delay=1, delays=1/0/0/0");
}

}  // namespace
}  // namespace postline::delivery
