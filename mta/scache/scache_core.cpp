// scache(8)'s cache and request protocol (scache/scache.c, global/scache_multi.c).
#include "scache_core.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <optional>

#include "postline/base/msg.h"
#include "postline/base/strings.h"

namespace postline::scache {

namespace attr = queue::attr;

// ---- OwnedFd ----

OwnedFd& OwnedFd::operator=(OwnedFd&& other) noexcept {
    if (this != &other) {
        reset();
        fd_ = other.release();
    }
    return *this;
}

int OwnedFd::release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
}

void OwnedFd::reset() {
    if (fd_ < 0) return;
    // A failing close() still releases the descriptor on Linux; retrying could close a
    // number another thread reused, so the warning is all there is to do.
    if (::close(fd_) != 0) base::msgWarn(base::cat("close(", std::to_string(fd_), "): ", std::strerror(errno)));
    fd_ = -1;
}

// ---- ConnectionCache ----

void ConnectionCache::saveEndpoint(time_t now, int ttl, const std::string& endpoint, const std::string& property,
                                   OwnedFd fd) {
    // Each saved connection is its own descriptor, so there is never a duplicate to
    // replace: the list only grows at its tail.
    endpoints_[endpoint].push_back(Connection{std::move(fd), property, now + ttl});
    ++connections_;
}

OwnedFd ConnectionCache::findEndpoint(time_t now, const std::string& endpoint, std::string& property) {
    expire(now);
    auto it = endpoints_.find(endpoint);
    if (it == endpoints_.end() || it->second.empty()) return OwnedFd();
    // The connection leaves the cache: it is being given to a client.
    Connection found = std::move(it->second.front());
    it->second.pop_front();
    --connections_;
    if (it->second.empty()) endpoints_.erase(it);
    property = std::move(found.property);
    return std::move(found.fd);
}

void ConnectionCache::saveDestination(time_t now, int ttl, const std::string& destination, const std::string& property,
                                      const std::string& endpoint) {
    std::vector<Binding>& bindings = destinations_[destination];
    for (Binding& binding : bindings) {
        if (binding.endpoint == endpoint && binding.property == property) {
            binding.expires = now + ttl;  // refreshed, in its place
            return;
        }
    }
    bindings.push_back(Binding{endpoint, property, now + ttl});
}

OwnedFd ConnectionCache::findDestination(time_t now, const std::string& destination, std::string& destProperty,
                                         std::string& endpProperty) {
    expire(now);
    auto it = destinations_.find(destination);
    if (it == destinations_.end()) return OwnedFd();
    for (const Binding& binding : it->second) {
        OwnedFd fd = findEndpoint(now, binding.endpoint, endpProperty);
        if (fd.valid()) {
            destProperty = binding.property;
            return fd;
        }
    }
    return OwnedFd();
}

void ConnectionCache::expire(time_t now) {
    for (auto it = endpoints_.begin(); it != endpoints_.end();) {
        std::deque<Connection>& list = it->second;
        size_t before = list.size();
        // Saved with different time limits, an older entry may outlive a newer one:
        // every entry is checked, not just the head.
        list.erase(std::remove_if(list.begin(), list.end(), [now](const Connection& c) { return c.expires <= now; }),
                   list.end());
        connections_ -= int(before - list.size());
        it = list.empty() ? endpoints_.erase(it) : std::next(it);
    }
    for (auto it = destinations_.begin(); it != destinations_.end();) {
        std::vector<Binding>& list = it->second;
        list.erase(std::remove_if(list.begin(), list.end(), [now](const Binding& b) { return b.expires <= now; }),
                   list.end());
        it = list.empty() ? destinations_.erase(it) : std::next(it);
    }
}

ConnectionCache::Size ConnectionCache::size() const {
    return Size{int(destinations_.size()), int(endpoints_.size()), connections_};
}

// ---- CacheService ----

namespace {

std::string when(time_t t) {
    char buffer[32];
    ::ctime_r(&t, buffer);
    return std::string(buffer + 4, 15);  // "Dec  7 00:16:46", as ctime() + 4 with "%.15s"
}

int percent(int hits, int miss) { return int(static_cast<long long>(hits) * 100 / (hits + miss)); }

}  // namespace

int CacheService::limitTtl(long requested) const { return int(std::min<long>(requested, ttlLimit_)); }

void CacheService::notePeaks(bool destinations, bool endpoints, bool connections) {
    ConnectionCache::Size size = cache_.size();
    if (destinations) maxDestinations_ = std::max(maxDestinations_, size.destinations);
    if (endpoints) maxEndpoints_ = std::max(maxEndpoints_, size.endpoints);
    if (connections) maxConnections_ = std::max(maxConnections_, size.connections);
}

std::vector<std::string> CacheService::report(time_t now) {
    std::vector<std::string> lines;
    if (destHits_ || destMiss_ || endpHits_ || endpMiss_ || maxDestinations_ || maxEndpoints_ || maxConnections_)
        lines.push_back("statistics: start interval " + when(start_));
    if (destHits_ || destMiss_) {
        lines.push_back(base::cat("statistics: domain lookup hits=", std::to_string(destHits_),
                                  " miss=", std::to_string(destMiss_),
                                  " success=", std::to_string(percent(destHits_, destMiss_)), "%"));
        destHits_ = destMiss_ = 0;
    }
    if (endpHits_ || endpMiss_) {
        lines.push_back(base::cat("statistics: address lookup hits=", std::to_string(endpHits_),
                                  " miss=", std::to_string(endpMiss_),
                                  " success=", std::to_string(percent(endpHits_, endpMiss_)), "%"));
        endpHits_ = endpMiss_ = 0;
    }
    if (maxDestinations_ || maxEndpoints_ || maxConnections_) {
        lines.push_back(base::cat("statistics: max simultaneous domains=", std::to_string(maxDestinations_),
                                  " addresses=", std::to_string(maxEndpoints_),
                                  " connection=", std::to_string(maxConnections_)));
        maxDestinations_ = maxEndpoints_ = maxConnections_ = 0;
    }
    // A new interval starts whether or not there was anything to say.
    start_ = now;
    return lines;
}

// ---- ClientSession ----

namespace {

std::string makeGroup(std::initializer_list<std::pair<std::string_view, std::string_view>> attributes) {
    std::string out;
    for (const auto& [name, value] : attributes) attr::append(out, name, value);
    attr::appendEnd(out);
    return out;
}

std::string status(int value) {
    std::string out;
    attr::appendNumber(out, "status", unsigned(value));
    attr::appendEnd(out);
    return out;
}

std::string statusAndProperties(int value, std::initializer_list<std::string_view> properties) {
    std::string out;
    attr::appendNumber(out, "status", unsigned(value));
    for (std::string_view property : properties) attr::append(out, "property", property);
    attr::appendEnd(out);
    return out;
}

void reply(std::vector<Outgoing>& out, std::string bytes) { out.push_back(Outgoing{std::move(bytes), OwnedFd()}); }

// attr_scan0's RECV_ATTR_INT reads "%u" with nothing after it; a value that does not
// fit an int would wrap in C, and is refused here instead. nullopt: malformed.
std::optional<long> parseInt(const std::string& text) {
    size_t i = (!text.empty() && (text[0] == '-' || text[0] == '+')) ? 1 : 0;
    if (i == text.size() || text.size() - i > 10) return std::nullopt;
    long long value = 0;
    for (; i < text.size(); ++i) {
        if (text[i] < '0' || text[i] > '9') return std::nullopt;
        value = value * 10 + (text[i] - '0');
    }
    if (text[0] == '-') value = -value;
    if (value > INT_MAX || value < INT_MIN) return std::nullopt;
    return long(value);
}

// attr_scan0's warnings name the stream they read: "unexpected attribute NAME from
// scache socket (expecting: WANTED)", "missing attribute NAME in input from scache
// socket", as Postfix's scache logs them.
void attributeWarning(const std::string& message) {
    constexpr std::string_view kFrom = "scache socket";
    size_t expecting = message.find(" (expecting: ");
    if (message.rfind("unexpected attribute ", 0) == 0 && expecting != std::string::npos)
        base::msgWarn(base::cat(message.substr(0, expecting), " from ", kFrom, message.substr(expecting)));
    else if (message.rfind("missing attribute ", 0) == 0)
        base::msgWarn(base::cat(message, " in input from ", kFrom));
    else
        base::msgWarn(message);
}

// The request's attributes after "request", exactly these and in this order
// (ATTR_FLAG_STRICT), and a positive ttl where there is one.
bool wellFormed(const attr::Attributes& request, const std::vector<std::string_view>& names, long* ttl) {
    if (auto st = attr::expectExactly(request, names); !st) {
        attributeWarning(st.error().message);
        return false;
    }
    if (ttl) {
        std::optional<long> value = parseInt(request[1].second);
        if (!value) {
            base::msgWarn("malformed numerical data in attribute ttl");
            return false;
        }
        *ttl = *value;
        if (*ttl <= 0) return false;
    }
    return true;
}

}  // namespace

std::string ClientSession::hello() { return makeGroup({{"protocol", "connection_cache_protocol"}}); }

bool ClientSession::receive(std::string_view bytes, OwnedFd fd, time_t now, std::vector<Outgoing>& out) {
    // The kernel may return data that was queued before the descriptor's own byte in the
    // same recvmsg(), never data after it: the carrier is the last byte.
    bool carrier = fd.valid() && !bytes.empty();
    if (carrier) bytes.remove_suffix(1);
    if (!consume(bytes, now, out)) return false;  // fd, if any, is closed on return
    if (fd.valid()) descriptorArrived(std::move(fd), now, out);
    return true;
}

bool ClientSession::consume(std::string_view data, time_t now, std::vector<Outgoing>& out) {
    while (!data.empty()) {
        if (state_ == State::AwaitFd) {
            // Data where the descriptor should be: unix_recv_fd() reads this one byte,
            // finds no descriptor, and the request fails.
            data.remove_prefix(1);
            base::msgWarn("scache_save_endp_service: unable to receive file descriptor: Invalid argument");
            reply(out, status(kStatusFail));
            state_ = State::Request;
            continue;
        }
        auto used = scanner_.feed(data);
        if (!used) {
            base::msgWarn(base::cat("scache: ", used.error().message));
            return false;
        }
        data.remove_prefix(*used);
        if (scanner_.attributes().size() > kMaxAttributes) {
            base::msgWarn("scache: too many attributes in request");
            return false;
        }
        if (!scanner_.complete()) {
            partial_ = true;
            break;
        }
        attr::Attributes group = scanner_.attributes();
        scanner_.reset();
        partial_ = false;
        onGroup(group, now, out);
    }
    return true;
}

void ClientSession::onGroup(const attr::Attributes& group, time_t now, std::vector<Outgoing>& out) {
    switch (state_) {
        case State::Request:
            onRequest(group, now, out);
            return;
        case State::AwaitFd:  // consume() never scans in this state
            return;
        case State::AwaitDummyBeforeFd:
            if (auto st = attr::expectExactly(group, {"dummy"}); !st) {
                // The client did not ask for the descriptor: it is not sent, and the
                // connection is closed with our copy (as Postfix's server does).
                attributeWarning(st.error().message);
                base::msgWarn(base::cat(handOverFrom_, ": cannot send file descriptor: protocol error"));
                handOver_.reset();
                state_ = State::Request;
                return;
            }
            out.push_back(Outgoing{std::string(), std::move(handOver_)});
            state_ = State::AwaitDummyAfterFd;
            return;
        case State::AwaitDummyAfterFd:
            // Whatever the group is, it ends the hand-over; a request in its place is
            // consumed, as Postfix's strict read of the dummy consumes it.
            if (auto st = attr::expectExactly(group, {"dummy"}); !st) {
                attributeWarning(st.error().message);
                base::msgWarn(base::cat(handOverFrom_, ": cannot send file descriptor: protocol error"));
            }
            state_ = State::Request;
            return;
    }
}

void ClientSession::onRequest(const attr::Attributes& group, time_t now, std::vector<Outgoing>& out) {
    if (group.empty() || group[0].first != "request") {
        // Postfix's server would leave such a client waiting; an answer lets it recover.
        attributeWarning(group.empty() ? std::string("missing attribute request")
                                       : base::cat("unexpected attribute ", group[0].first, " (expecting: request)"));
        reply(out, status(kStatusBad));
        return;
    }
    const std::string& request = group[0].second;
    if (request == "save_dest") {
        saveDestination(group, now, out);
    } else if (request == "find_dest") {
        findDestination(group, now, out);
    } else if (request == "save_endp") {
        saveEndpoint(group, out);
    } else if (request == "find_endp") {
        findEndpoint(group, now, out);
    } else {
        base::msgWarn(base::cat("unrecognized request: \"", request, "\", ignored"));
        reply(out, status(kStatusBad));
    }
}

void ClientSession::saveEndpoint(const attr::Attributes& group, std::vector<Outgoing>& out) {
    long ttl = 0;
    if (!wellFormed(group, {"request", "ttl", "label", "property"}, &ttl)) {
        base::msgWarn("scache_save_endp_service: bad or missing request parameter");
        reply(out, status(kStatusBad));
        return;
    }
    pendingTtl_ = service_.limitTtl(ttl);
    pendingLabel_ = group[2].second;
    pendingProperty_ = group[3].second;
    // Linux: no data may precede the descriptor on the socket, so the client waits for
    // this group before it sends the descriptor (CANT_WRITE_BEFORE_SENDING_FD).
    reply(out, makeGroup({{"dummy", ""}}));
    state_ = State::AwaitFd;
}

void ClientSession::descriptorArrived(OwnedFd fd, time_t now, std::vector<Outgoing>& out) {
    if (state_ != State::AwaitFd) {
        base::msgWarn(base::cat("scache: unexpected file descriptor from client, closed"));
        return;  // fd closes here
    }
    service_.cache().expire(now);
    service_.cache().saveEndpoint(now, pendingTtl_, pendingLabel_, pendingProperty_, std::move(fd));
    reply(out, status(kStatusOk));
    service_.notePeaks(false, true, true);
    state_ = State::Request;
}

void ClientSession::findEndpoint(const attr::Attributes& group, time_t now, std::vector<Outgoing>& out) {
    if (!wellFormed(group, {"request", "label"}, nullptr)) {
        base::msgWarn("scache_find_endp_service: bad or missing request parameter");
        reply(out, statusAndProperties(kStatusBad, {""}));
        return;
    }
    std::string property;
    OwnedFd fd = service_.cache().findEndpoint(now, group[1].second, property);
    service_.countEndpLookup(fd.valid());
    if (!fd.valid()) {
        reply(out, statusAndProperties(kStatusFail, {""}));
        return;
    }
    reply(out, statusAndProperties(kStatusOk, {property}));
    handOver_ = std::move(fd);
    handOverFrom_ = "scache_find_endp_service";
    state_ = State::AwaitDummyBeforeFd;
}

void ClientSession::saveDestination(const attr::Attributes& group, time_t now, std::vector<Outgoing>& out) {
    long ttl = 0;
    if (!wellFormed(group, {"request", "ttl", "label", "property", "label"}, &ttl)) {
        base::msgWarn("scache_save_dest_service: bad or missing request parameter");
        reply(out, status(kStatusBad));
        return;
    }
    service_.cache().expire(now);
    service_.cache().saveDestination(now, service_.limitTtl(ttl), group[2].second, group[3].second, group[4].second);
    reply(out, status(kStatusOk));
    service_.notePeaks(true, true, false);
}

void ClientSession::findDestination(const attr::Attributes& group, time_t now, std::vector<Outgoing>& out) {
    if (!wellFormed(group, {"request", "label"}, nullptr)) {
        base::msgWarn("scache_find_dest_service: bad or missing request parameter");
        reply(out, statusAndProperties(kStatusBad, {"", ""}));
        return;
    }
    std::string destProperty, endpProperty;
    OwnedFd fd = service_.cache().findDestination(now, group[1].second, destProperty, endpProperty);
    service_.countDestLookup(fd.valid());
    if (!fd.valid()) {
        reply(out, statusAndProperties(kStatusFail, {"", ""}));
        return;
    }
    reply(out, statusAndProperties(kStatusOk, {destProperty, endpProperty}));
    handOver_ = std::move(fd);
    handOverFrom_ = "scache_find_dest_service";
    state_ = State::AwaitDummyBeforeFd;
}

}  // namespace postline::scache
