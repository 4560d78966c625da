// The connection cache of scache(8) (Postfix 3.7's scache/scache.c over
// global/scache_multi.c): open SMTP connections saved under an endpoint label,
// destination-to-endpoint bindings, time limits, the per-client request protocol as a
// byte-fed state machine (no sockets here: main.cpp and scache_io.h do the I/O), and
// the "statistics:" log lines.
#pragma once

#include <ctime>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "postline/queue/attr_stream.h"

namespace postline::scache {

// Numbers of global/scache.h that go over the wire as "status".
inline constexpr int kStatusOk = 0;    // SCACHE_STAT_OK
inline constexpr int kStatusBad = 1;   // SCACHE_STAT_BAD: malformed request
inline constexpr int kStatusFail = 2;  // SCACHE_STAT_FAIL: nothing cached, or no descriptor came

// One open descriptor with exactly one owner: it is closed when the owner goes away,
// so that no path (an error, a client that disappears) can leak a cached connection.
class OwnedFd {
public:
    OwnedFd() = default;
    explicit OwnedFd(int fd) : fd_(fd) {}
    OwnedFd(OwnedFd&& other) noexcept : fd_(other.release()) {}
    OwnedFd& operator=(OwnedFd&& other) noexcept;
    OwnedFd(const OwnedFd&) = delete;
    OwnedFd& operator=(const OwnedFd&) = delete;
    ~OwnedFd() { reset(); }

    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }
    int release();
    void reset();

private:
    int fd_ = -1;
};

// scache_multi.c: endpoint label -> cached connections, destination label -> endpoint
// labels. Both lists are kept in the order of saving and searched oldest first, as
// Postfix's rings are (ring_prepend() adds at the tail, ring_succ() starts at the
// head): the oldest connection is the one nearest its time limit. Entries expire at
// save time + ttl; an expired connection is closed.
class ConnectionCache {
public:
    ConnectionCache() = default;
    ConnectionCache(const ConnectionCache&) = delete;
    ConnectionCache& operator=(const ConnectionCache&) = delete;
    ~ConnectionCache() = default;  // the OwnedFds close every cached connection

    // Caches `fd` under `endpoint` until now + ttl (ttl > 0, already limited).
    void saveEndpoint(time_t now, int ttl, const std::string& endpoint, const std::string& property, OwnedFd fd);
    // Takes the oldest connection cached under `endpoint` out of the cache (the caller
    // owns it now) and sets `property` to its property; an invalid OwnedFd when there
    // is none.
    OwnedFd findEndpoint(time_t now, const std::string& endpoint, std::string& property);
    // Binds `destination` to `endpoint` with `property` until now + ttl; an existing
    // binding with the same endpoint and property gets the new time limit instead.
    void saveDestination(time_t now, int ttl, const std::string& destination, const std::string& property,
                         const std::string& endpoint);
    // Walks the destination's bindings, oldest first, and takes the first connection
    // one of their endpoints has cached; the bindings stay until their time limit.
    OwnedFd findDestination(time_t now, const std::string& destination, std::string& destProperty,
                            std::string& endpProperty);
    // Drops what is due at `now` (expiry time <= now), closing the connections.
    void expire(time_t now);

    struct Size {
        int destinations = 0;  // destination labels with a binding
        int endpoints = 0;     // endpoint labels with a cached connection
        int connections = 0;   // cached connections
    };
    Size size() const;

private:
    struct Connection {
        OwnedFd fd;
        std::string property;
        time_t expires = 0;
    };
    struct Binding {
        std::string endpoint;
        std::string property;
        time_t expires = 0;
    };
    std::map<std::string, std::deque<Connection>> endpoints_;
    std::map<std::string, std::vector<Binding>> destinations_;
    int connections_ = 0;
};

// What the server holds for all clients: the cache, connection_cache_ttl_limit and the
// counters behind the statistics lines (scache.c's globals).
class CacheService {
public:
    CacheService(int ttlLimit, time_t start) : ttlLimit_(ttlLimit), start_(start) {}

    ConnectionCache& cache() { return cache_; }
    int limitTtl(long requested) const;
    // After a save: the peaks of scache_save_endp_service/scache_save_dest_service.
    void notePeaks(bool destinations, bool endpoints, bool connections);
    void countDestLookup(bool hit) { ++(hit ? destHits_ : destMiss_); }
    void countEndpLookup(bool hit) { ++(hit ? endpHits_ : endpMiss_); }

    // scache_status_dump(): the lines to log (only those with something to say), after
    // which the reported counters start again from zero and a new interval begins.
    std::vector<std::string> report(time_t now);

private:
    ConnectionCache cache_;
    int ttlLimit_;
    time_t start_;
    int destHits_ = 0, destMiss_ = 0, endpHits_ = 0, endpMiss_ = 0;
    int maxDestinations_ = 0, maxEndpoints_ = 0, maxConnections_ = 0;
};

// What the server sends a client, in order: bytes, or one descriptor (sent as one NUL
// data byte with SCM_RIGHTS). The receiver of an Outgoing owns its descriptor: the
// sender closes it after sendmsg() (the kernel keeps an in-flight descriptor alive).
struct Outgoing {
    std::string bytes;
    OwnedFd fd;
};

// One client connection's side of the protocol (scache_service() and the four
// scache_*_service() functions), fed with what arrives on the socket.
//
// Requests are one attribute group each, whose first attribute is "request". The
// descriptor hand-overs follow Postfix on Linux (CANT_WRITE_BEFORE_SENDING_FD,
// MUST_READ_AFTER_SENDING_FD):
//   save_endp: request -> {dummy=""}; the client's descriptor -> {status}
//   find_*, on a hit: request -> {status=0, property...}; client's {dummy} ->
//     descriptor; client's {dummy} -> back to reading requests
class ClientSession {
public:
    explicit ClientSession(CacheService& service) : service_(service) {}

    // The group the server sends first ({protocol=connection_cache_protocol}).
    static std::string hello();

    // Bytes read from the socket at `now`, with the descriptor that came with them (a
    // recvmsg() that returns SCM_RIGHTS also returns the byte that carried it, the last
    // one of `bytes`; that byte is no protocol data). What to send goes to `out`.
    // Returns false when the client is to be disconnected (an attribute too long, a
    // group with too many attributes); a descriptor nobody asked for is closed.
    bool receive(std::string_view bytes, OwnedFd fd, time_t now, std::vector<Outgoing>& out);

    // True in the middle of a request: a partial group, or a hand-over in progress.
    // main.cpp disconnects a client that stays so for longer than ipc_timeout.
    bool busy() const { return state_ != State::Request || partial_; }

    // More attributes than any request has: the client is not speaking this protocol.
    static constexpr size_t kMaxAttributes = 16;

private:
    enum class State {
        Request,             // reading request groups
        AwaitFd,             // save_endp: {dummy} sent, the descriptor comes next
        AwaitDummyBeforeFd,  // find_*: the reply sent, the client's {dummy} comes next
        AwaitDummyAfterFd,   // find_*: the descriptor sent, the client's {dummy} comes next
    };
    bool consume(std::string_view data, time_t now, std::vector<Outgoing>& out);
    void onGroup(const queue::attr::Attributes& group, time_t now, std::vector<Outgoing>& out);
    void onRequest(const queue::attr::Attributes& group, time_t now, std::vector<Outgoing>& out);
    void saveEndpoint(const queue::attr::Attributes& group, std::vector<Outgoing>& out);
    void findEndpoint(const queue::attr::Attributes& group, time_t now, std::vector<Outgoing>& out);
    void saveDestination(const queue::attr::Attributes& group, time_t now, std::vector<Outgoing>& out);
    void findDestination(const queue::attr::Attributes& group, time_t now, std::vector<Outgoing>& out);
    void descriptorArrived(OwnedFd fd, time_t now, std::vector<Outgoing>& out);

    CacheService& service_;
    queue::attr::GroupScanner scanner_;
    State state_ = State::Request;
    bool partial_ = false;
    // save_endp between its request and the descriptor.
    int pendingTtl_ = 0;
    std::string pendingLabel_, pendingProperty_;
    // find_*: the connection to hand over, and whose request it was (for warnings).
    OwnedFd handOver_;
    const char* handOverFrom_ = "";
};

}  // namespace postline::scache
