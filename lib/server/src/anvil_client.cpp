// anvil(8)'s client (global/anvil_clnt.c).
#include "postline/server/anvil_client.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "postline/base/strings.h"

namespace postline::server {

AnvilClient::AnvilClient(std::string socketPath, long timeoutSeconds)
    : socketPath_(std::move(socketPath)), timeout_(timeoutSeconds) {}

AnvilClient::~AnvilClient() { close(); }

void AnvilClient::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    pending_.clear();
}

std::string AnvilClient::identity(std::string_view service, std::string_view address) {
    std::string ident = base::cat(service, ":", address);
    for (char& c : ident)
        if (!std::isprint(static_cast<unsigned char>(c))) c = '?';
    return ident;
}

base::Result<queue::attr::Attributes> AnvilClient::callOnce(const std::string& bytes) {
    if (fd_ < 0) {
        fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0) return base::errnoError("anvil: socket");
        timeval tv{timeout_, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, socketPath_.c_str(), sizeof addr.sun_path - 1);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
            auto error = base::errnoError("anvil: connect to " + socketPath_);
            close();
            return error;
        }
        auto hello = queue::attr::plain::readGroup(fd_, pending_);
        const std::string* protocol = nullptr;
        if (hello)
            for (const auto& [n, v] : *hello)
                if (n == "protocol") protocol = &v;
        if (!protocol || *protocol != "anvil_protocol") {
            close();
            return base::Error{"anvil: no anvil_protocol announcement from " + socketPath_};
        }
    }
    if (auto st = queue::attr::writeAll(fd_, bytes); !st) {
        close();
        return base::Error{"anvil: " + st.error().message};
    }
    auto reply = queue::attr::plain::readGroup(fd_, pending_);
    if (!reply) {
        close();
        return base::Error{"anvil: " + reply.error().message};
    }
    return reply;
}

base::Result<queue::attr::Attributes> AnvilClient::call(std::string_view request, std::string_view ident) {
    std::string bytes;
    queue::attr::plain::append(bytes, "request", request);
    queue::attr::plain::append(bytes, "ident", ident);
    queue::attr::plain::appendEnd(bytes);
    auto reply = callOnce(bytes);
    if (!reply) reply = callOnce(bytes);  // anvil may have been restarted: once more
    if (!reply) return reply;
    const auto& group = *reply;
    if (group.empty() || group[0].first != "status" || group[0].second != "0")
        return base::Error{base::cat("anvil: request ", request, " for ", ident, " failed")};
    return reply;
}

namespace {

base::Result<int> number(const queue::attr::Attributes& group, std::string_view name) {
    for (const auto& [n, v] : group) {
        if (n != name) continue;
        char* end = nullptr;
        long value = std::strtol(v.c_str(), &end, 10);
        if (end && *end == 0 && !v.empty()) return int(value);
    }
    return base::Error{base::cat("anvil: malformed reply: no ", name)};
}

}  // namespace

base::Result<AnvilClient::Connection> AnvilClient::connect(std::string_view service, std::string_view address) {
    auto reply = call("connect", identity(service, address));
    if (!reply) return reply.error();
    auto count = number(*reply, "count");
    auto rate = number(*reply, "rate");
    if (!count) return count.error();
    if (!rate) return rate.error();
    return Connection{*count, *rate};
}

base::Status AnvilClient::disconnect(std::string_view service, std::string_view address) {
    auto reply = call("disconnect", identity(service, address));
    if (!reply) return reply.error();
    return {};
}

base::Result<int> AnvilClient::message(std::string_view service, std::string_view address) {
    auto reply = call("message", identity(service, address));
    if (!reply) return reply.error();
    return number(*reply, "rate");
}

base::Result<int> AnvilClient::recipient(std::string_view service, std::string_view address) {
    auto reply = call("recipient", identity(service, address));
    if (!reply) return reply.error();
    return number(*reply, "rate");
}

}  // namespace postline::server
