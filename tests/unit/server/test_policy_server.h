// A policy server for tests (SMTPD_POLICY_README's protocol) on 127.0.0.1 and a free
// port, or on a UNIX-domain socket: a thread that serves one connection at a time,
// records each request, and answers what the test's handler says (raw reply text, or
// nothing: the connection is closed). Stopped and joined by the destructor.
#pragma once

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace postline::testing {

class TestPolicyServer {
public:
    using Request = std::vector<std::pair<std::string, std::string>>;
    // The reply's raw text ("action=DUNNO\n\n"), or nullopt to close the connection.
    using Handler = std::function<std::optional<std::string>(const Request&)>;

    // `unixPath` empty: TCP on 127.0.0.1; otherwise a UNIX-domain socket at that path.
    explicit TestPolicyServer(Handler handler, std::string unixPath = "")
        : handler_(std::move(handler)), unixPath_(std::move(unixPath)) {
        if (::pipe(stop_) != 0) return;
        if (unixPath_.empty()) {
            fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
            sockaddr_in sin{};
            sin.sin_family = AF_INET;
            sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            socklen_t len = sizeof sin;
            if (::bind(fd_, reinterpret_cast<sockaddr*>(&sin), len) != 0) return;
            getsockname(fd_, reinterpret_cast<sockaddr*>(&sin), &len);
            port_ = ntohs(sin.sin_port);
        } else {
            fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
            sockaddr_un sun{};
            sun.sun_family = AF_UNIX;
            std::strncpy(sun.sun_path, unixPath_.c_str(), sizeof sun.sun_path - 1);
            ::unlink(unixPath_.c_str());
            if (::bind(fd_, reinterpret_cast<sockaddr*>(&sun), sizeof sun) != 0) return;
        }
        if (::listen(fd_, 8) != 0) return;
        thread_ = std::thread([this] { run(); });
    }
    ~TestPolicyServer() {
        if (thread_.joinable()) {
            (void)!::write(stop_[1], "x", 1);
            thread_.join();
        }
        if (fd_ >= 0) ::close(fd_);
        for (int fd : stop_)
            if (fd >= 0) ::close(fd);
        if (!unixPath_.empty()) ::unlink(unixPath_.c_str());
    }
    TestPolicyServer(const TestPolicyServer&) = delete;
    TestPolicyServer& operator=(const TestPolicyServer&) = delete;

    std::string endpoint() const {
        return unixPath_.empty() ? "inet:127.0.0.1:" + std::to_string(port_) : "unix:" + unixPath_;
    }
    int connections() const { return connections_; }
    std::vector<Request> requests() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return requests_;
    }

private:
    // Waits for `fd` or the stop pipe; false when stopping.
    bool wait(int fd) {
        pollfd p[2] = {{fd, POLLIN, 0}, {stop_[0], POLLIN, 0}};
        while (::poll(p, 2, -1) < 0) {
        }
        return !(p[1].revents & POLLIN);
    }
    void run() {
        while (wait(fd_)) {
            int conn = ::accept(fd_, nullptr, nullptr);
            if (conn < 0) continue;
            ++connections_;
            serve(conn);
            ::close(conn);
        }
    }
    void serve(int conn) {
        std::string buf;
        Request request;
        for (;;) {
            auto nl = buf.find('\n');
            if (nl == std::string::npos) {
                if (!wait(conn)) return;
                char chunk[4096];
                ssize_t n = ::recv(conn, chunk, sizeof chunk, 0);
                if (n <= 0) return;
                buf.append(chunk, static_cast<size_t>(n));
                continue;
            }
            std::string line = buf.substr(0, nl);
            buf.erase(0, nl + 1);
            if (!line.empty()) {
                auto eq = line.find('=');
                request.emplace_back(line.substr(0, eq), eq == std::string::npos ? "" : line.substr(eq + 1));
                continue;
            }
            {
                std::lock_guard<std::mutex> lock(mutex_);
                requests_.push_back(request);
            }
            auto reply = handler_(request);
            request.clear();
            if (!reply) return;
            if (::send(conn, reply->data(), reply->size(), MSG_NOSIGNAL) < 0) return;
        }
    }

    Handler handler_;
    std::string unixPath_;
    int fd_ = -1;
    int stop_[2] = {-1, -1};
    int port_ = 0;
    std::thread thread_;
    std::atomic<int> connections_{0};
    mutable std::mutex mutex_;
    std::vector<Request> requests_;
};

}  // namespace postline::testing
