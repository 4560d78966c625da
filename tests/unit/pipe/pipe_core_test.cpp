// pipe(8)'s work on a request (pipe.c deliver_message, eval_command_status) over a real
// queue file: the message as the flags= lines shape it, commands run through /bin/sh
// that write files, the per-recipient reports, and the checks before the command runs.
#include "pipe_core.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "delivery/agent_queue_fixture.h"
#include "postline/address/tokens.h"

namespace postline::pipe {
namespace {

namespace fs = std::filesystem;
using delivery::testing::State;

std::string readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

class PipeCoreTest : public delivery::testing::AgentQueueFixture {
protected:
    void SetUp() override {
        AgentQueueFixture::SetUp();
        ::setenv("TZ", "UTC", 1);
        ::tzset();
        out_ = root_ + "/out";
    }
    PipeEnvironment environment(std::vector<std::string> args) {
        auto attr = parseAttributes(
            args,
            [](const std::string&) {
                return std::optional<UserEntry>(UserEntry{5000, 5000});
            },
            [](const std::string&) { return std::optional<gid_t>(5000); });
        EXPECT_TRUE(attr) << attr.error().message;
        PipeEnvironment env;
        env.service = "filter";
        env.configDirectory = "/etc/postfix";
        env.attributes = *attr;
        env.timeLimit = 20;
        env.recipientDelimiter = "+";
        env.quoteLocal = [](std::string_view a) { return address::quoteLocalPart(a); };
        env.warn = [this](std::string_view t) { warnings_.emplace_back(t); };
        env.now = 1796605323;  // Mon Dec  7 01:02:03 2026 UTC
        return env;
    }
    delivery::DeliverRequest one() {
        delivery::DeliverRequest r = request();
        r.recipients.resize(1);
        return r;
    }

    std::string out_;
    std::vector<std::string> warnings_;
};

TEST_F(PipeCoreTest, FlagsShapeTheMessageAndEachRecipientIsSent) {
    PipeEnvironment env = environment({"flags=FRODB.>", "user=filter", "argv=/bin/sh", "-c",
                                       "cat > " + out_ + "; echo ok; echo ", "sh", "${sender}", "${recipient}"});
    auto d = open(one());
    ASSERT_TRUE(d);
    delivery::DeliverReply reply = deliverPipe(env, *d);
    EXPECT_EQ(reply.status, delivery::kStatusFinal);
    EXPECT_EQ(readFile(out_),
              "From alice@example.org  Mon Dec  7 01:02:03 2026\n"
              "Return-Path: <alice@example.org>\n"
              "X-Original-To: Bob@Example.COM\n"
              "Delivered-To: bob@example.com\n"
              "Subject: hi\n\na body line that is longer than twenty\nend\n\n");
    EXPECT_EQ(states(), (std::vector<State>{State::Done, State::Todo}));
    ASSERT_EQ(log_.size(), 1u);
    EXPECT_NE(log_[0].find(": to=<bob@example.com>, relay=filter, "), std::string::npos) << log_[0];
    EXPECT_NE(log_[0].find(", dsn=2.0.0, status=sent (delivered via filter service (ok))"), std::string::npos)
        << log_[0];
}

// A shell variable in argv= is written $$ in master.cf, as in Postfix ($1 would be an
// unknown macro).
TEST_F(PipeCoreTest, AllRecipientsInOneCommand) {
    std::string args = root_ + "/args";
    PipeEnvironment env = environment({"flags=q", "user=filter", "argv=/bin/sh", "-c",
                                       "cat > " + out_ + "; printf '%s\\n' \"$$@\" > " + args, "sh", "-f", "$sender",
                                       "$nexthop", "$size", "${recipient}", "${user}"});
    auto d = open(request());
    ASSERT_TRUE(d);
    EXPECT_EQ(deliverPipe(env, *d).status, delivery::kStatusFinal);
    EXPECT_EQ(readFile(args),
              "-f\nalice@example.org\nexample.com\n0\nbob@example.com\ncarol@example.com\nbob\ncarol\n");
    // No flags: the message as it is.
    EXPECT_EQ(readFile(out_), "Subject: hi\n\na body line that is longer than twenty\nend\n");
    EXPECT_EQ(states(), (std::vector<State>{State::Done, State::Done}));
    ASSERT_EQ(log_.size(), 2u);
    EXPECT_NE(log_[1].find("to=<carol@example.com>, orig_to=<Postmaster@example.com>, relay=filter, "),
              std::string::npos)
        << log_[1];
    EXPECT_NE(log_[1].find("status=sent (delivered via filter service)"), std::string::npos) << log_[1];
}

TEST_F(PipeCoreTest, TempfailDefersEveryRecipient) {
    PipeEnvironment env = environment({"user=filter", "argv=/bin/sh", "-c", "echo busy; exit 75"});
    auto d = open(request());
    ASSERT_TRUE(d);
    EXPECT_EQ(deliverPipe(env, *d).status, delivery::kStatusDefer);
    EXPECT_EQ(states(), (std::vector<State>{State::Todo, State::Todo}));
    ASSERT_EQ(log_.size(), 2u);
    EXPECT_NE(log_[0].find("dsn=4.3.0, status=deferred (temporary failure. Command output: busy )"), std::string::npos)
        << log_[0];
    std::string deferLog = readFile(root_ + "/defer/" + id_.substr(0, 1) + "/" + id_);
    EXPECT_NE(deferLog.find("diag_type=x-unix\n"), std::string::npos) << deferLog;
}

TEST_F(PipeCoreTest, NoUserBouncesEveryRecipient) {
    PipeEnvironment env = environment({"user=filter", "argv=/bin/sh", "-c", "exit 67"});
    auto d = open(request());
    ASSERT_TRUE(d);
    EXPECT_EQ(deliverPipe(env, *d).status, delivery::kStatusFinal);
    EXPECT_EQ(states(), (std::vector<State>{State::Done, State::Done}));
    ASSERT_EQ(log_.size(), 2u);
    EXPECT_NE(log_[0].find("dsn=5.1.1, status=bounced (user unknown)"), std::string::npos) << log_[0];
    EXPECT_NE(readFile(root_ + "/bounce/" + id_).find("recipient=carol@example.com\n"), std::string::npos);
}

TEST_F(PipeCoreTest, DeliveredToAndOriginalNeedOneRecipient) {
    for (const char* flag : {"D", "O"}) {
        warnings_.clear();
        PipeEnvironment env = environment({std::string("flags=") + flag, "user=filter", "argv=/bin/true"});
        PipeOutcome o = decidePipe(env, request(), {"Subject: x"});
        EXPECT_EQ(o.status, CommandStatus::Defer);
        EXPECT_EQ(o.dsn.status, "4.3.5");
        EXPECT_EQ(o.dsn.reason, "mail system configuration error");
        EXPECT_EQ(warnings_, (std::vector<std::string>{std::string("pipe flag `") + flag +
                                                       "' requires filter_destination_recipient_limit = 1"}));
    }
}

TEST_F(PipeCoreTest, SizeLimitAndLoopBounce) {
    PipeEnvironment env = environment({"flags=D", "user=filter", "size=100", "argv=/bin/sh", "-c", "touch " + out_});
    delivery::DeliverRequest r = one();
    r.dataSize = 101;
    PipeOutcome o = decidePipe(env, r, {"Subject: x"});
    EXPECT_EQ(o.status, CommandStatus::Bounce);
    EXPECT_EQ(o.dsn.status, "5.2.3");
    EXPECT_EQ(o.dsn.reason, "message too large");
    r.dataSize = 100;
    o = decidePipe(env, r, {"Subject: x", "delivered-to:  BOB@example.com", "", "Delivered-To: x"});
    EXPECT_EQ(o.status, CommandStatus::Bounce);
    EXPECT_EQ(o.dsn.status, "5.4.6");
    EXPECT_EQ(o.dsn.reason, "mail forwarding loop for bob@example.com");
    EXPECT_FALSE(fs::exists(out_));
    // Only the primary header counts.
    o = decidePipe(env, r, {"Subject: x", "", "Delivered-To: bob@example.com"});
    EXPECT_EQ(o.status, CommandStatus::Ok);
    EXPECT_TRUE(fs::exists(out_));
}

TEST_F(PipeCoreTest, NullSenderEolAndFinalDelivery) {
    PipeEnvironment env = environment({"flags=RX", "user=filter", "eol=\\r\\n", "argv=/bin/sh", "-c",
                                       "cat > " + out_ + "; echo \"$$1\"", "sh", "${sender}"});
    delivery::DeliverRequest r = one();
    r.sender = "";
    PipeOutcome o = decidePipe(env, r, {"Subject: x", "", "b"});
    EXPECT_EQ(o.status, CommandStatus::Ok);
    EXPECT_EQ(o.dsn.action, "delivered");
    EXPECT_EQ(o.dsn.reason, "delivered via filter service (MAILER-DAEMON)");
    EXPECT_EQ(readFile(out_), "Return-Path: <MAILER-DAEMON>\r\nSubject: x\r\n\r\nb\r\n");

    env = environment({"flags=R", "user=filter", "null_sender=", "argv=/bin/sh", "-c", "cat > " + out_});
    o = decidePipe(env, r, {"Subject: x"});
    EXPECT_EQ(o.dsn.action, "relayed");
    EXPECT_EQ(readFile(out_), "Return-Path: <>\nSubject: x\n");
}

TEST_F(PipeCoreTest, BadMacroDefers) {
    PipeEnvironment env = environment({"user=filter", "argv=/bin/echo", "${home}"});
    PipeOutcome o = decidePipe(env, one(), {"Subject: x"});
    EXPECT_EQ(o.status, CommandStatus::Defer);
    EXPECT_EQ(o.dsn.status, "4.3.5");
    EXPECT_EQ(warnings_,
              (std::vector<std::string>{"file /etc/postfix/master.cf: service filter: unknown macro name: \"home\""}));
}

TEST_F(PipeCoreTest, DeliveredToSeenReadsThePrimaryHeaderOnly) {
    std::vector<std::string> lines{"Received: from x", "\tby y", "Delivered-To: A@B.example",
                                   "Subject: s",       "",       "Delivered-To: c@d"};
    EXPECT_TRUE(deliveredToSeen(lines, "a@b.EXAMPLE"));
    EXPECT_FALSE(deliveredToSeen(lines, "c@d"));
    EXPECT_FALSE(deliveredToSeen({"Delivered-To-X: a@b"}, "a@b"));
}

}  // namespace
}  // namespace postline::pipe
