// What the queue manager's tests share: queue files as cleanup writes them, services
// on UNIX sockets played by a thread (a delivery agent, or a bounce-protocol service),
// and a fixture with a spool in a temporary directory that runs a Scheduler until it
// is idle.
#pragma once

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "postline/address/routing_context.h"
#include "postline/config/config.h"
#include "postline/delivery/bounce_request.h"
#include "postline/delivery/deliver_request.h"
#include "postline/queue/attr_stream.h"
#include "postline/queue/queue_file_writer.h"
#include "postline/queue/record.h"
#include "postline/queue/record_type.h"
#include "scheduler.h"

namespace postline::qmgr::testing {

// A complete queue file: arrival and create time, sender alice@example.org, then
// `envelope` (records as type and data), a recipient record each, a three-line message.
inline std::string queueFileBytes(const std::vector<std::string>& recipients,
                                  const std::vector<std::pair<int, std::string>>& envelope = {}) {
    namespace rec = queue::rec;
    std::string env;
    queue::appendRecord(env, rec::kTime, "1700000000 0");
    queue::appendRecord(env, rec::kCreateTime, std::to_string(std::time(nullptr)));
    queue::appendRecord(env, rec::kFrom, "alice@example.org");
    for (const auto& [type, data] : envelope) queue::appendRecord(env, type, data);
    for (const auto& r : recipients) queue::appendRecord(env, rec::kRcpt, r);
    std::string mesg, content, tail;
    queue::appendRecord(mesg, rec::kMesg, "");
    queue::appendRecord(content, rec::kNorm, "Subject: test");
    queue::appendRecord(content, rec::kNorm, "");
    queue::appendRecord(content, rec::kNorm, "hello");
    queue::appendRecord(tail, rec::kXtra, "");
    queue::appendRecord(tail, rec::kEnd, "");
    queue::SizeFields f;
    std::string probe;
    queue::appendRecord(probe, rec::kSize, queue::formatSizeFields(f));
    f.contentOffset = long(probe.size() + env.size() + mesg.size());
    f.extractedOffsetDelta = long(content.size());
    f.contentLength = long(content.size());
    f.recipients = long(recipients.size());
    std::string out;
    queue::appendRecord(out, rec::kSize, queue::formatSizeFields(f));
    return out + env + mesg + content + tail;
}

// A service on the UNIX socket PATH answering `connections` clients: a delivery agent
// (its reply's status is `status`) or, with `bounce`, a bounce-protocol service
// (answers `status`). It remembers what it was asked.
struct FakeService {
    int listener = -1;
    std::thread thread;
    std::atomic<int> served{0};
    delivery::DeliverRequest lastRequest;           // the agent's last request
    std::vector<int> flags;                         // each request's flags, in order
    std::vector<std::string> firstRecipients;       // each request's first recipient, in order
    delivery::Dsn hop;                              // the hop status of a deferral (none when empty)
    std::vector<delivery::BounceRequest> requests;  // the bounce service's requests

    void start(const char* path, bool bounce, int status, int connections) {
        listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strcpy(addr.sun_path, path);
        ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
        ASSERT_EQ(::listen(listener, 10), 0);
        thread = std::thread([this, bounce, status, connections] {
            for (int i = 0; i < connections; ++i) {
                int fd = ::accept(listener, nullptr, nullptr);
                if (fd < 0) return;
                std::string pending;
                (void)queue::attr::writeAll(fd, bounce ? delivery::encodeBounceHello() : delivery::encodeAgentHello());
                if (auto group = queue::attr::readGroup(fd, pending)) {
                    if (bounce) {
                        if (auto request = delivery::decodeBounceRequest(*group)) requests.push_back(*request);
                        (void)queue::attr::writeAll(fd, delivery::encodeBounceReply(status));
                    } else {
                        if (auto request = delivery::decodeDeliverRequest(*group)) {
                            lastRequest = *request;
                            flags.push_back(request->flags);
                            if (!request->recipients.empty()) firstRecipients.push_back(request->recipients[0].address);
                        }
                        delivery::DeliverReply reply;
                        reply.status = status;
                        if (status != delivery::kStatusFinal) reply.hopStatus = hop;
                        (void)queue::attr::writeAll(fd, delivery::encodeDeliverReply(reply));
                    }
                }
                ::close(fd);
                ++served;
            }
        });
    }
    void join() {
        if (thread.joinable()) thread.join();
    }
    ~FakeService() {
        join();
        if (listener >= 0) ::close(listener);
    }
};

// A spool under a temporary directory (the current directory while a test runs), a
// configuration whose mydestination is example.org, and the scheduler's loop.
class SpoolTest : public ::testing::Test {
protected:
    void SetUp() override {
        char pattern[] = "/tmp/qmgr_test.XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        root_ = pattern;
        cwd_ = std::filesystem::current_path();
        for (const char* d : {"incoming", "active", "deferred", "defer", "bounce", "trace", "corrupt", "private"})
            std::filesystem::create_directory(root_ + "/" + d);
        std::filesystem::current_path(root_);
        config_.set("myhostname", "mail.example.org");
        config_.set("mydomain", "example.org");
        config_.set("mydestination", "example.org");
        routing_ = std::make_unique<address::RoutingContext>(config_);
        routing_->setDeliveryServices({"local", "smtp", "error", "discard"});
        settings_.minimalBackoff = 300;
        settings_.maximalBackoff = 4000;
        settings_.ipcTimeout = 2;
    }
    void TearDown() override {
        std::filesystem::current_path(cwd_);
        std::filesystem::remove_all(root_);
    }
    // Puts a complete queue file into incoming/; returns its id.
    std::string queueMessage(const std::string& bytes) {
        std::string id = "4ABC" + std::to_string(++serial_);
        std::string path = "incoming/" + id;
        std::ofstream(path, std::ios::binary) << bytes;
        ::chmod(path.c_str(), 0700);
        return id;
    }
    // Runs the loop until the scheduler is idle (bounded).
    void runUntilIdle(Scheduler& scheduler) {
        scheduler.trigger("I");
        for (int turn = 0; turn < 400; ++turn) {
            timeval tv{};
            ::gettimeofday(&tv, nullptr);
            double now = double(tv.tv_sec) + double(tv.tv_usec) / 1e6;
            scheduler.work(now);
            if (scheduler.idle()) return;
            std::vector<pollfd> fds;
            scheduler.pollSet(fds);
            ::poll(fds.data(), nfds_t(fds.size()), std::min(scheduler.timeoutMs(now), 50));
            scheduler.handle(fds, 0, now);
        }
        FAIL() << "the scheduler did not become idle";
    }
    static std::string deferredPath(const std::string& id) { return "deferred/" + id.substr(0, 1) + "/" + id; }

    std::string root_, cwd_;
    int serial_ = 0;
    config::Config config_ = config::Config::defaults("/nonexistent");
    std::unique_ptr<address::RoutingContext> routing_;
    QmgrSettings settings_;
};

}  // namespace postline::qmgr::testing
