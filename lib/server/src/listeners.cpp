// Listening sockets and trigger clients for master (Postfix's inet_listen.c,
// unix_listen.c, fifo_listen.c, inet_trigger.c, unix_trigger.c, fifo_trigger.c).
#include "postline/server/listeners.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "postline/base/strings.h"
#include "postline/server/socket_address.h"

namespace postline::server {

namespace {

struct Protocols {
    bool v4 = false;
    bool v6 = false;
};

base::Result<Protocols> protocolsOf(std::string_view text) {
    Protocols out;
    for (std::string_view word : base::splitAny(text, ", \t\r\n")) {
        if (word.empty()) continue;
        std::string lower = base::lowercase(word);
        if (lower == "all") {
            out.v4 = out.v6 = true;
        } else if (lower == "ipv4") {
            out.v4 = true;
        } else if (lower == "ipv6") {
            out.v6 = true;
        } else {
            return base::Error{base::cat("unknown inet_protocols value: ", word)};
        }
    }
    return out;
}

base::Status resolve(const std::string& host, const std::string& port, const Protocols& protocols,
                     std::vector<InetEndpoint>& out) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    hints.ai_family = protocols.v4 && protocols.v6 ? AF_UNSPEC : protocols.v4 ? AF_INET : AF_INET6;
    addrinfo* result = nullptr;
    int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &result);
    if (rc != 0)
        return base::Error{
            base::cat("host/service ", host.empty() ? "" : host + "/", port, " not found: ", ::gai_strerror(rc))};
    for (addrinfo* ai = result; ai; ai = ai->ai_next) {
        if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
        PrintableAddress printable = printableAddress(ai->ai_addr, ai->ai_addrlen);
        InetEndpoint endpoint{printable.address, printable.port, ai->ai_family};
        bool seen = false;
        for (const InetEndpoint& e : out) seen = seen || e == endpoint;
        if (!seen) out.push_back(endpoint);
    }
    ::freeaddrinfo(result);
    return {};
}

std::string stripBrackets(std::string_view host) {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    return std::string(host);
}

base::Result<sockaddr_un> unixAddress(const std::string& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path) return base::Error{"unix-domain name too long: " + path};
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    return address;
}

void setNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

base::Status writeAll(int fd, std::string_view data, int timeoutSeconds) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n > 0) {
            data.remove_prefix(size_t(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            pollfd p{fd, POLLOUT, 0};
            if (::poll(&p, 1, timeoutSeconds * 1000) <= 0) return base::Error{"write: timeout", ETIMEDOUT};
            continue;
        }
        return base::errnoError("write");
    }
    return {};
}

}  // namespace

base::Result<std::vector<InetEndpoint>> inetEndpoints(std::string_view serviceName, std::string_view inetInterfaces,
                                                      std::string_view inetProtocols) {
    auto protocols = protocolsOf(inetProtocols);
    if (!protocols) return protocols.error();
    std::vector<InetEndpoint> out;
    std::string host, port;
    if (!serviceName.empty() && serviceName.front() == '[') {
        auto close = serviceName.find("]:");
        if (close == std::string_view::npos) return base::Error{base::cat("bad inet service name: ", serviceName)};
        host = std::string(serviceName.substr(1, close - 1));
        port = std::string(serviceName.substr(close + 2));
    } else if (auto colon = serviceName.rfind(':'); colon != std::string_view::npos) {
        host = std::string(serviceName.substr(0, colon));
        port = std::string(serviceName.substr(colon + 1));
    } else {
        port = std::string(serviceName);
    }
    if (port.empty()) return base::Error{base::cat("bad inet service name: ", serviceName)};
    if (!host.empty()) {
        if (auto st = resolve(host, port, *protocols, out); !st) return st.error();
    } else {
        std::string interfaces = base::lowercase(base::trim(inetInterfaces));
        if (interfaces == "all" || interfaces.empty()) {
            if (protocols->v4) {
                if (auto st = resolve("0.0.0.0", port, Protocols{true, false}, out); !st) return st.error();
            }
            if (protocols->v6) {
                if (auto st = resolve("::", port, Protocols{false, true}, out); !st) return st.error();
            }
        } else if (interfaces == "loopback-only") {
            if (protocols->v4) {
                if (auto st = resolve("127.0.0.1", port, Protocols{true, false}, out); !st) return st.error();
            }
            if (protocols->v6) {
                if (auto st = resolve("::1", port, Protocols{false, true}, out); !st) return st.error();
            }
        } else {
            for (std::string_view item : base::splitAny(inetInterfaces, ", \t\r\n")) {
                if (item.empty()) continue;
                if (auto st = resolve(stripBrackets(item), port, *protocols, out); !st) return st.error();
            }
        }
    }
    if (out.empty()) return base::Error{base::cat("no addresses for ", serviceName)};
    return out;
}

base::Result<int> listenInet(const InetEndpoint& endpoint, int backlog) {
    addrinfo hints{};
    hints.ai_family = endpoint.family;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
    addrinfo* ai = nullptr;
    if (int rc = ::getaddrinfo(endpoint.host.c_str(), endpoint.port.c_str(), &hints, &ai); rc != 0)
        return base::Error{
            base::cat("host/service ", endpoint.host, "/", endpoint.port, " not found: ", ::gai_strerror(rc))};
    int fd = ::socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        ::freeaddrinfo(ai);
        return base::errnoError("socket");
    }
    int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (ai->ai_family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    int rc = ::bind(fd, ai->ai_addr, ai->ai_addrlen);
    ::freeaddrinfo(ai);
    if (rc < 0) {
        base::Error error = base::errnoError(base::cat("bind ", endpoint.host, " port ", endpoint.port));
        ::close(fd);
        return error;
    }
    if (::listen(fd, backlog) < 0) {
        base::Error error = base::errnoError("listen");
        ::close(fd);
        return error;
    }
    return fd;
}

base::Result<int> listenUnix(const std::string& path, int backlog) {
    auto address = unixAddress(path);
    if (!address) return address.error();
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return base::errnoError("socket");
    if (::unlink(path.c_str()) < 0 && errno != ENOENT) {
        base::Error error = base::errnoError("remove " + path);
        ::close(fd);
        return error;
    }
    if (::bind(fd, reinterpret_cast<sockaddr*>(&*address), sizeof *address) < 0) {
        base::Error error = base::errnoError("bind: " + path);
        ::close(fd);
        return error;
    }
    // fchmod() of a socket does not change the file bind() made on Linux.
    if (::chmod(path.c_str(), 0666) < 0) {
        base::Error error = base::errnoError("chmod socket " + path);
        ::close(fd);
        return error;
    }
    if (::listen(fd, backlog) < 0) {
        base::Error error = base::errnoError("listen: " + path);
        ::close(fd);
        return error;
    }
    return fd;
}

base::Result<int> listenUnixDgram(const std::string& path) {
    auto address = unixAddress(path);
    if (!address) return address.error();
    int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return base::errnoError("socket");
    ::unlink(path.c_str());
    if (::bind(fd, reinterpret_cast<sockaddr*>(&*address), sizeof *address) < 0) {
        base::Error error = base::errnoError("bind: " + path);
        ::close(fd);
        return error;
    }
    ::chmod(path.c_str(), 0666);
    return fd;
}

base::Result<int> listenFifo(const std::string& path) {
    struct stat st;
    if (::lstat(path.c_str(), &st) == 0 && !S_ISFIFO(st.st_mode)) ::unlink(path.c_str());
    if (::mkfifo(path.c_str(), 0622) < 0 && errno != EEXIST) return base::errnoError("create fifo " + path);
    int fd = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return base::errnoError("open fifo " + path);
    if (::fchmod(fd, 0622) < 0) {
        base::Error error = base::errnoError("fchmod fifo " + path);
        ::close(fd);
        return error;
    }
    return fd;
}

base::Status sendTrigger(std::string_view type, const std::string& endpoint, std::string_view request,
                         int timeoutSeconds) {
    int fd = -1;
    if (type == "fifo") {
        fd = ::open(endpoint.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) return base::errnoError("open " + endpoint);
    } else {
        sockaddr_storage storage{};
        socklen_t length = 0;
        int family = AF_UNIX;
        if (type == "unix") {
            auto address = unixAddress(endpoint);
            if (!address) return address.error();
            std::memcpy(&storage, &*address, sizeof *address);
            length = sizeof *address;
        } else if (type == "inet") {
            auto colon = endpoint.rfind(':');
            if (colon == std::string::npos) return base::Error{"bad inet endpoint: " + endpoint};
            addrinfo hints{};
            hints.ai_socktype = SOCK_STREAM;
            addrinfo* ai = nullptr;
            std::string host = stripBrackets(endpoint.substr(0, colon));
            if (host.empty()) host = "127.0.0.1";
            if (::getaddrinfo(host.c_str(), endpoint.substr(colon + 1).c_str(), &hints, &ai) != 0 || !ai)
                return base::Error{"host/service " + endpoint + " not found"};
            std::memcpy(&storage, ai->ai_addr, ai->ai_addrlen);
            length = ai->ai_addrlen;
            family = ai->ai_family;
            ::freeaddrinfo(ai);
        } else {
            return base::Error{base::cat("cannot trigger a ", type, " service"), EOPNOTSUPP};
        }
        fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return base::errnoError("socket");
        setNonBlocking(fd);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&storage), length) < 0) {
            if (errno != EINPROGRESS) {
                base::Error error = base::errnoError("connect to " + endpoint);
                ::close(fd);
                return error;
            }
            pollfd p{fd, POLLOUT, 0};
            int err = 0;
            socklen_t errLength = sizeof err;
            if (::poll(&p, 1, timeoutSeconds * 1000) <= 0 ||
                ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errLength) < 0 || err != 0) {
                ::close(fd);
                return base::errnoError("connect to " + endpoint, err ? err : ETIMEDOUT);
            }
        }
    }
    base::Status status = writeAll(fd, request, timeoutSeconds);
    ::close(fd);
    return status;
}

}  // namespace postline::server
