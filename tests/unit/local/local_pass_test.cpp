// deliver_pass as local uses it: a fake agent on a UNIX-domain socket speaks first, gets
// the one-recipient request and answers; a missing agent and a garbled reply are told
// apart (mail transport unavailable, unknown mail transport error).
#include "local_pass.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <thread>

#include "postline/queue/attr_stream.h"

namespace postline::local {
namespace {

class FakeAgent {
public:
    explicit FakeAgent(std::string path) : path_(std::move(path)) {
        fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un sun{};
        sun.sun_family = AF_UNIX;
        std::strncpy(sun.sun_path, path_.c_str(), sizeof sun.sun_path - 1);
        EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&sun), sizeof sun), 0);
        EXPECT_EQ(::listen(fd_, 1), 0);
    }
    ~FakeAgent() {
        if (thread_.joinable()) thread_.join();
        ::close(fd_);
    }
    // Serves one client: hello, the request (kept), then `reply` bytes.
    void serve(std::string reply) {
        thread_ = std::thread([this, reply] {
            int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0) return;
            (void)queue::attr::writeAll(c, delivery::encodeAgentHello());
            std::string pending;
            auto group = queue::attr::readGroup(c, pending);
            if (group) {
                auto decoded = delivery::decodeDeliverRequest(*group);
                if (decoded) request_ = *decoded;
            }
            (void)queue::attr::writeAll(c, reply);
            ::close(c);
        });
    }
    const delivery::DeliverRequest& request() {
        if (thread_.joinable()) thread_.join();
        return request_;
    }

private:
    std::string path_;
    int fd_ = -1;
    std::thread thread_;
    delivery::DeliverRequest request_;
};

class LocalPassTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/local_passXXXXXX";
        dir_ = ::mkdtemp(tmpl);
        request_.queueName = "active";
        request_.queueId = "4ABC";
        request_.sender = "a@example.net";
        request_.nexthop = "unix:private/dovecot-lmtp";
        delivery::DeliverRecipient r;
        r.address = "bob@example.org";
        r.original = "bob@example.org";
        r.offset = -1;
        request_.recipients = {r};
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string dir_;
    delivery::DeliverRequest request_;
};

TEST_F(LocalPassTest, AgentGetsTheRequestAndItsReplyCounts) {
    FakeAgent agent(dir_ + "/lmtp");
    delivery::DeliverReply reply;
    reply.status = delivery::kStatusFinal;
    agent.serve(delivery::encodeDeliverReply(reply));
    PassResult r = passToAgent(dir_ + "/lmtp", request_);
    EXPECT_EQ(r.stage, PassResult::Stage::Replied);
    EXPECT_EQ(r.status, delivery::kStatusFinal);
    const auto& got = agent.request();
    EXPECT_EQ(got.queueId, "4ABC");
    EXPECT_EQ(got.nexthop, "unix:private/dovecot-lmtp");
    ASSERT_EQ(got.recipients.size(), 1u);
    EXPECT_EQ(got.recipients[0].address, "bob@example.org");
}

TEST_F(LocalPassTest, DeferredRequestIsReplied) {
    FakeAgent agent(dir_ + "/lmtp");
    delivery::DeliverReply reply;
    reply.status = delivery::kStatusDefer;
    reply.hopStatus.status = "4.4.1";
    reply.hopStatus.reason = "connect failed";
    agent.serve(delivery::encodeDeliverReply(reply));
    PassResult r = passToAgent(dir_ + "/lmtp", request_);
    EXPECT_EQ(r.stage, PassResult::Stage::Replied);
    EXPECT_EQ(r.status, delivery::kStatusDefer);
}

TEST_F(LocalPassTest, NoAgentAndGarbledReply) {
    PassResult r = passToAgent(dir_ + "/none", request_);
    EXPECT_EQ(r.stage, PassResult::Stage::Unavailable);
    EXPECT_EQ(r.problem, "connect to " + dir_ + "/none: No such file or directory");

    FakeAgent agent(dir_ + "/lmtp");
    std::string garbage;
    queue::attr::append(garbage, "something", "else");
    queue::attr::appendEnd(garbage);
    agent.serve(garbage);
    r = passToAgent(dir_ + "/lmtp", request_);
    EXPECT_EQ(r.stage, PassResult::Stage::Malformed);
    EXPECT_EQ(r.problem, dir_ + "/lmtp: malformed response");
}

}  // namespace
}  // namespace postline::local
