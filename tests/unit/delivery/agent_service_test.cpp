// One delivery request served over a socket pair as an agent serves the queue manager
// (deliver_request_read / deliver_request_done): the hello, the agent's work on the
// opened request, the reply; a bad request or a vanished queue file answered "defer".
#include "postline/delivery/agent_service.h"

#include <sys/socket.h>
#include <unistd.h>

#include "delivery/agent_queue_fixture.h"
#include "postline/queue/attr_stream.h"

namespace postline::delivery {
namespace {

class AgentServiceTest : public testing::AgentQueueFixture {
protected:
    // Writes `requestBytes` as the queue manager would, serves, and reads the hello
    // and the reply from the queue manager's end.
    base::Status serve(const std::string& requestBytes, const DeliverFunction& deliver) {
        int fds[2];
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
        EXPECT_TRUE(queue::attr::writeAll(fds[0], requestBytes).ok());
        ::shutdown(fds[0], SHUT_WR);
        AgentQueue q;
        q.directory = root_;
        base::Status st = serveDeliveryRequest(fds[1], fds[1], q, deliver);
        ::close(fds[1]);
        std::string pending;
        auto hello = queue::attr::readGroup(fds[0], pending);
        EXPECT_TRUE(hello.ok());
        if (hello.ok()) {
            EXPECT_TRUE(checkAgentHello(*hello).ok());
        }
        auto group = queue::attr::readGroup(fds[0], pending);
        replied_ = group.ok();
        if (group.ok()) {
            auto r = decodeDeliverReply(*group);
            EXPECT_TRUE(r.ok());
            if (r.ok()) reply_ = *r;
        }
        ::close(fds[0]);
        return st;
    }
    bool replied_ = false;
    DeliverReply reply_;
};

TEST_F(AgentServiceTest, ServesOneRequest) {
    std::vector<std::string> seen;
    auto st = serve(encodeDeliverRequest(request()), [&](AgentDelivery& d) {
        for (const auto& r : d.request().recipients) seen.push_back(r.address);
        EXPECT_TRUE(d.sent(d.request().recipients[0], "none", {"2.0.0", "", "ok", "", "", "", ""}).ok());
        DeliverReply r;
        r.status = kStatusDefer;
        r.hopStatus.status = "4.4.1";
        return r;
    });
    ASSERT_TRUE(st.ok()) << st.error().message;
    EXPECT_EQ(seen, (std::vector<std::string>{"bob@example.com", "carol@example.com"}));
    ASSERT_TRUE(replied_);
    EXPECT_EQ(reply_.status, kStatusDefer);
    EXPECT_EQ(reply_.hopStatus.status, "4.4.1");
    EXPECT_EQ(states(), (std::vector<testing::State>{testing::State::Done, testing::State::Todo}));
}

TEST_F(AgentServiceTest, BadRequestOrGoneFileIsDeferred) {
    bool called = false;
    auto work = [&](AgentDelivery&) {
        called = true;
        return DeliverReply{};
    };
    std::string bad;
    queue::attr::append(bad, "flags", "x");
    queue::attr::appendEnd(bad);
    ASSERT_TRUE(serve(bad, work).ok());
    EXPECT_TRUE(replied_);
    EXPECT_EQ(reply_.status, kStatusDefer);
    ASSERT_FALSE(log_.empty());
    EXPECT_EQ(log_.back(), "warning: deliver_request_get: malformed numerical data for attribute flags");

    DeliverRequest gone = request();
    gone.queueId = "ABCDEF123";
    ASSERT_TRUE(serve(encodeDeliverRequest(gone), work).ok());
    EXPECT_EQ(reply_.status, kStatusDefer);
    EXPECT_EQ(log_.back(), "warning: open active ABCDEF123: No such file or directory");
    EXPECT_FALSE(called);
}

TEST_F(AgentServiceTest, ClientGoneBeforeTheRequestIsNoError) {
    ASSERT_TRUE(serve("", [](AgentDelivery&) { return DeliverReply{}; }).ok());
    EXPECT_FALSE(replied_);
}

TEST(ReadAgentQueue, TakesTheParameters) {
    AgentQueue q = readAgentQueue([](std::string_view n) -> std::string {
        if (n == "queue_directory") return "/var/spool/postfix";
        if (n == "hash_queue_names") return "deferred";
        if (n == "hash_queue_depth") return "2";
        if (n == "delay_logging_resolution_limit") return "9";
        if (n == "info_log_address_format") return "internal";
        if (n == "backwards_bounce_logfile_compatibility") return "no";
        return "";
    });
    EXPECT_EQ(q.directory, "/var/spool/postfix");
    EXPECT_EQ(q.hashQueueNames, "deferred");
    EXPECT_EQ(q.hashQueueDepth, 2);
    EXPECT_EQ(q.report.delayResolution, 6);
    EXPECT_TRUE(q.report.logInternalForm);
    EXPECT_FALSE(q.report.oldStyleBounceLog);
}

}  // namespace
}  // namespace postline::delivery
