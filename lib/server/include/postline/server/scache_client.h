// The client side of the connection cache, scache(8) (Postfix 3.7's
// global/scache_clnt.c): one connection to private/scache per process, opened on first
// use, in the attribute protocol's "0" flavour. It saves an open SMTP connection under
// its endpoint label (the descriptor passed over the socket) and binds a destination
// label to an endpoint; it finds a connection by destination or by endpoint (the
// descriptor passed back, and out of the cache). After two failed attempts in a row,
// as Postfix's client does, it warns "disabling connection caching" and stays off for
// the life of the process. It talks to Postfix's scache as to ours.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "postline/base/result.h"
#include "postline/queue/attr_stream.h"

namespace postline::server {

class ScacheClient {
public:
    // `socketPath` relative to the queue directory (the current directory);
    // `timeoutSeconds` is connection_cache_protocol_timeout.
    explicit ScacheClient(std::string socketPath = "private/scache", long timeoutSeconds = 5);
    ~ScacheClient();
    ScacheClient(const ScacheClient&) = delete;
    ScacheClient& operator=(const ScacheClient&) = delete;

    struct Found {
        int fd = -1;                      // the connection, now the caller's
        std::string destinationProperty;  // "" when found by endpoint
        std::string endpointProperty;
    };
    // find_dest / find_endp: nothing when not cached, or when the cache cannot be asked.
    std::optional<Found> findDestination(std::string_view label);
    std::optional<Found> findEndpoint(std::string_view label);
    // save_dest / save_endp (`ttl` seconds, > 0). saveEndpoint always closes `fd`.
    void saveDestination(long ttl, std::string_view label, std::string_view property, std::string_view endpointLabel);
    void saveEndpoint(long ttl, std::string_view label, std::string_view property, int fd);

    bool disabled() const { return disabled_; }

private:
    // Runs `exchange` (false with errno set on a failure), trying twice.
    bool withRetry(const std::function<bool()>& exchange);
    bool open();
    std::optional<Found> find(std::string_view request, std::string_view label, bool byDestination);
    base::Result<queue::attr::Attributes> readGroup();
    bool writeGroup(const std::string& bytes);
    void close();

    std::string socketPath_;
    long timeout_;
    int fd_ = -1;
    std::string pending_;
    bool disabled_ = false;
};

}  // namespace postline::server
