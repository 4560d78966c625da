// scache(8)'s client (global/scache_clnt.c). On Linux the exchange around a descriptor
// has extra steps that Postfix's client and server both expect: before the server
// sends a descriptor the client writes a {dummy} group (a socket must not carry
// ordinary writes ahead of a passed descriptor), and after it the client writes one
// more; before the client sends one, the server writes a {dummy} group.
#include "postline/server/scache_client.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "postline/base/msg.h"
#include "postline/server/fd_passing.h"
#include "postline/server/local_socket.h"

namespace postline::server {

namespace {

constexpr int kMaxTries = 2;  // SCACHE_MAX_TRIES

const std::string* attribute(const queue::attr::Attributes& group, std::string_view name, size_t nth = 0) {
    for (const auto& [n, v] : group)
        if (n == name && nth-- == 0) return &v;
    return nullptr;
}

std::string dummyGroup() {
    std::string bytes;
    queue::attr::append(bytes, "dummy", "");
    queue::attr::appendEnd(bytes);
    return bytes;
}

}  // namespace

ScacheClient::ScacheClient(std::string socketPath, long timeoutSeconds)
    : socketPath_(std::move(socketPath)), timeout_(timeoutSeconds) {}

ScacheClient::~ScacheClient() { close(); }

void ScacheClient::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    pending_.clear();
}

bool ScacheClient::open() {
    if (fd_ >= 0) return true;
    fd_ = connectLocalSocket(socketPath_, timeout_);
    if (fd_ < 0) return false;
    auto hello = readGroup();
    const std::string* protocol = hello ? attribute(*hello, "protocol") : nullptr;
    if (!protocol || *protocol != "connection_cache_protocol") {
        close();
        errno = EPROTO;
        return false;
    }
    return true;
}

base::Result<queue::attr::Attributes> ScacheClient::readGroup() {
    errno = 0;
    auto group = queue::attr::readGroup(fd_, pending_);
    // A server that went away (reload, idle exit) is like a broken pipe: no warning.
    if (!group && errno == 0) errno = group.error().message == "unexpected EOF" ? EPIPE : EPROTO;
    return group;
}

bool ScacheClient::writeGroup(const std::string& bytes) { return static_cast<bool>(queue::attr::writeAll(fd_, bytes)); }

bool ScacheClient::withRetry(const std::function<bool()>& exchange) {
    for (int tries = 0; !disabled_; ++tries) {
        errno = 0;
        if (open() && exchange()) return true;
        int e = errno;
        // A missing or restarted server is no news; anything else is (scache_clnt.c).
        if (e != 0 && e != EPIPE && e != ENOENT)
            base::msgWarn("problem talking to service " + socketPath_ + ": " + std::strerror(e));
        close();
        if (tries >= kMaxTries - 1) {
            base::msgWarn("disabling connection caching");
            disabled_ = true;
            break;
        }
        ::sleep(1);
    }
    return false;
}

// find_dest (two properties in the reply) and find_endp (one): on a hit, the descriptor
// is handed over between the client's two {dummy} groups.
std::optional<ScacheClient::Found> ScacheClient::find(std::string_view request, std::string_view label,
                                                      bool byDestination) {
    std::optional<Found> found;
    withRetry([&] {
        std::string bytes;
        queue::attr::append(bytes, "request", request);
        queue::attr::append(bytes, "label", label);
        queue::attr::appendEnd(bytes);
        if (!writeGroup(bytes)) return false;
        auto reply = readGroup();
        if (!reply) return false;
        const std::string* status = attribute(*reply, "status");
        const std::string* destProp = byDestination ? attribute(*reply, "property", 0) : nullptr;
        const std::string* endpProp = attribute(*reply, "property", byDestination ? 1 : 0);
        if (!status || !endpProp || (byDestination && !destProp)) return (errno = EPROTO, false);
        if (*status != "0") return true;  // not cached
        if (!writeGroup(dummyGroup())) return false;
        auto fd = receiveDescriptor(fd_, int(timeout_));
        if (!fd) return (errno = fd.error().errnum ? fd.error().errnum : EPROTO, false);
        (void)writeGroup(dummyGroup());
        found = Found{*fd, destProp ? *destProp : "", *endpProp};
        return true;
    });
    return found;
}

std::optional<ScacheClient::Found> ScacheClient::findDestination(std::string_view label) {
    return find("find_dest", label, true);
}

std::optional<ScacheClient::Found> ScacheClient::findEndpoint(std::string_view label) {
    return find("find_endp", label, false);
}

void ScacheClient::saveDestination(long ttl, std::string_view label, std::string_view property,
                                   std::string_view endpointLabel) {
    withRetry([&] {
        std::string request;
        queue::attr::append(request, "request", "save_dest");
        queue::attr::appendNumber(request, "ttl", static_cast<unsigned long>(ttl));
        queue::attr::append(request, "label", label);
        queue::attr::append(request, "property", property);
        queue::attr::append(request, "label", endpointLabel);
        queue::attr::appendEnd(request);
        if (!writeGroup(request)) return false;
        auto reply = readGroup();
        return reply && attribute(*reply, "status") != nullptr;
    });
}

void ScacheClient::saveEndpoint(long ttl, std::string_view label, std::string_view property, int fd) {
    withRetry([&] {
        std::string request;
        queue::attr::append(request, "request", "save_endp");
        queue::attr::appendNumber(request, "ttl", static_cast<unsigned long>(ttl));
        queue::attr::append(request, "label", label);
        queue::attr::append(request, "property", property);
        queue::attr::appendEnd(request);
        if (!writeGroup(request)) return false;
        // The server is ready for the descriptor when it says {dummy}; a status instead
        // is its refusal (a bad request), and then nothing is to be sent.
        auto dummy = readGroup();
        if (!dummy) return false;
        if (!attribute(*dummy, "dummy")) return attribute(*dummy, "status") != nullptr || (errno = EPROTO, false);
        if (!sendDescriptor(fd_, fd)) return false;
        auto reply = readGroup();
        return reply && attribute(*reply, "status") != nullptr;
    });
    ::close(fd);
}

}  // namespace postline::server
