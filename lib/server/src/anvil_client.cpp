// anvil(8)'s client (global/anvil_clnt.c).
#include "postline/server/anvil_client.h"

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>

#include "postline/base/strings.h"
#include "postline/server/local_socket.h"

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
        fd_ = connectLocalSocket(socketPath_, timeout_);
        if (fd_ < 0) return base::errnoError("anvil: connect to " + socketPath_);
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
