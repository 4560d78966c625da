// The policy delegation client: Postfix's util/attr_clnt.c and auto_clnt.c as
// check_policy_service uses them. One request is name=value lines and an empty line;
// the reply is name=value lines up to an empty line, of which "action" is read. The
// connection stays open between requests until max_idle, max_ttl or request_limit.
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "postline/base/msg.h"
#include "postline/server/live_network_facts.h"

namespace postline::server {

namespace {

constexpr size_t kMaxReply = 64 * 1024;  // a reply longer than this is a broken server

// Waits until `fd` is ready for `events` or the timeout passes (ETIMEDOUT).
bool waitFor(int fd, short events, std::chrono::milliseconds timeout) {
    pollfd p{fd, events, 0};
    for (;;) {
        int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
        if (n > 0) return true;
        if (n == 0) {
            errno = ETIMEDOUT;
            return false;
        }
        if (errno != EINTR) return false;
    }
}

// Non-blocking connect with the timeout, then back to blocking mode.
bool connectWithin(int fd, const sockaddr* sa, socklen_t len, std::chrono::milliseconds timeout) {
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    if (::connect(fd, sa, len) < 0) {
        if (errno != EINPROGRESS) return false;
        if (!waitFor(fd, POLLOUT, timeout)) return false;
        int err = 0;
        socklen_t errlen = sizeof err;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen);
        if (err) {
            errno = err;
            return false;
        }
    }
    fcntl(fd, F_SETFL, flags);
    return true;
}

// auto_clnt's readable() test before a request: data or EOF on an idle connection means
// the server went away (or is out of step).
bool readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
}

base::Error errnoText(int err) { return base::Error{std::strerror(err), err}; }

}  // namespace

PolicyClient::PolicyClient(PolicyService service, std::string baseDirectory)
    : service_(std::move(service)), baseDirectory_(std::move(baseDirectory)) {}

PolicyClient::~PolicyClient() { disconnect(); }

void PolicyClient::disconnect() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    requests_ = 0;
}

base::Status PolicyClient::connect() {
    const std::string& ep = service_.endpoint;
    auto colon = ep.find(':');
    std::string transport = ep.substr(0, colon), where = colon == std::string::npos ? "" : ep.substr(colon + 1);
    auto timeout = service_.settings.timeout;
    if (transport == "unix" || transport == "local") {
        std::string path = where;
        if (!path.empty() && path[0] != '/' && !baseDirectory_.empty()) path = baseDirectory_ + "/" + path;
        sockaddr_un sun{};
        sun.sun_family = AF_UNIX;
        if (path.empty() || path.size() >= sizeof sun.sun_path)
            return base::Error{"unix-domain name too long: " + path, ENAMETOOLONG};
        std::memcpy(sun.sun_path, path.c_str(), path.size() + 1);
        int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return errnoText(errno);
        if (!connectWithin(fd, reinterpret_cast<sockaddr*>(&sun), sizeof sun, timeout)) {
            int err = errno;
            ::close(fd);
            return errnoText(err);
        }
        fd_ = fd;
    } else if (transport == "inet") {
        auto sep = where.rfind(':');
        if (sep == std::string::npos || sep == 0 || sep + 1 == where.size())
            return base::Error{"missing host or port in \"" + where + "\"", EINVAL};
        std::string host = where.substr(0, sep), port = where.substr(sep + 1);
        if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* res = nullptr;
        if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0)
            return base::Error{"host/service " + host + "/" + port + " not found: " + gai_strerror(rc), EHOSTUNREACH};
        int err = ECONNREFUSED;
        for (addrinfo* ai = res; ai && fd_ < 0; ai = ai->ai_next) {
            int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
            if (fd < 0) {
                err = errno;
                continue;
            }
            if (connectWithin(fd, ai->ai_addr, ai->ai_addrlen, timeout)) {
                fd_ = fd;
            } else {
                err = errno;
                ::close(fd);
            }
        }
        freeaddrinfo(res);
        if (fd_ < 0) return errnoText(err);
    } else {
        return base::Error{"unsupported transport type: " + transport, EINVAL};
    }
    connectedAt_ = lastUsed_ = std::chrono::steady_clock::now();
    requests_ = 0;
    return {};
}

base::Result<std::string> PolicyClient::exchange(const std::string& text) {
    auto now = std::chrono::steady_clock::now();
    const auto& s = service_.settings;
    // auto_clnt: an idle or old connection is closed and a new one made; so is one the
    // server closed (readable before we said anything).
    if (fd_ >= 0 && (now - lastUsed_ >= s.maxIdle || now - connectedAt_ >= s.maxTtl || readable(fd_))) disconnect();
    if (fd_ < 0)
        if (auto st = connect(); !st) return st.error();
    lastUsed_ = now;
    for (size_t done = 0; done < text.size();) {
        if (!waitFor(fd_, POLLOUT, s.timeout)) return errnoText(errno);
        ssize_t n = ::send(fd_, text.data() + done, text.size() - done, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errnoText(errno);
        }
        done += static_cast<size_t>(n);
    }
    // The reply: lines up to an empty one; the first "action" is the answer.
    std::string buf;
    std::optional<std::string> action;
    size_t start = 0;
    for (;;) {
        auto nl = buf.find('\n', start);
        if (nl == std::string::npos) {
            if (buf.size() > kMaxReply) return base::Error{"reply too long", EMSGSIZE};
            if (!waitFor(fd_, POLLIN, s.timeout)) return errnoText(errno);
            char chunk[4096];
            ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return errnoText(errno);
            if (n == 0) return base::Error{"unexpected EOF", EPIPE};
            buf.append(chunk, static_cast<size_t>(n));
            continue;
        }
        std::string line = buf.substr(start, nl - start);
        start = nl + 1;
        if (line.empty()) break;
        auto eq = line.find('=');
        if (!action && eq != std::string::npos && line.compare(0, eq, "action") == 0) action = line.substr(eq + 1);
    }
    lastUsed_ = std::chrono::steady_clock::now();
    if (start != buf.size()) {  // more than one reply: out of step from now on
        disconnect();
    }
    if (!action) {
        base::msgWarn("missing attribute action in input from " + service_.endpoint);
        return base::Error{"missing attribute action", 0};
    }
    return *action;
}

std::optional<std::string> PolicyClient::query(const policy::PolicyRequest& request) {
    std::string text;
    for (const auto& [name, value] : request)
        text += name + "=" + (name == "policy_context" ? service_.settings.policyContext : value) + "\n";
    text += "\n";
    const auto& s = service_.settings;
    for (int count = 1;; ++count) {
        auto reply = exchange(text);
        if (reply.ok()) {
            if (s.requestLimit > 0 && ++requests_ >= s.requestLimit) disconnect();
            return std::move(reply.value());
        }
        int err = reply.error().errnum;
        bool last = s.tryLimit > 0 && count >= s.tryLimit;
        if (last || (err && err != EPIPE && err != ENOENT && err != ECONNRESET))
            base::msgWarn("problem talking to server " + service_.endpoint + ": " + reply.error().message);
        disconnect();
        if (last) return std::nullopt;
        std::this_thread::sleep_for(s.retryDelay);
    }
}

}  // namespace postline::server
