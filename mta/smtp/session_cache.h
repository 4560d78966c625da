// What smtp(8) keeps in the connection cache and under which names (Postfix 3.7's
// smtp/smtp_key.c, smtp_session.c smtp_session_passivate/activate, smtp_reuse.c): the
// destination label (service, the request's nexthop, TLS level, SMTPUTF8) binds a
// nexthop to an endpoint; the endpoint label (service, server address, port, TLS level,
// SMTPUTF8) holds the connection with its properties — the server's features, how often
// it was used, and until when it may be used. The cache itself is scache(8), reached
// through the ConnectionCache interface so that tests can keep it in memory.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "postline/smtp/client_session.h"

namespace postline::smtp_agent {

// scache(8)'s four requests. findDestination/findEndpoint hand over the descriptor
// (then out of the cache); saveEndpoint takes it (and closes the caller's copy).
class ConnectionCache {
public:
    virtual ~ConnectionCache() = default;
    struct Found {
        int fd = -1;
        std::string destinationProperty;  // "" when found by endpoint
        std::string endpointProperty;
    };
    virtual std::optional<Found> findDestination(std::string_view label) = 0;
    virtual std::optional<Found> findEndpoint(std::string_view label) = 0;
    virtual void saveDestination(long ttl, std::string_view label, std::string_view property,
                                 std::string_view endpointLabel) = 0;
    virtual void saveEndpoint(long ttl, std::string_view label, std::string_view property, int fd) = 0;
};

// smtp_key_prefix() with "\n" between fields and "*" for a field that does not apply;
// a field holding either character is written in base64.
std::string destinationLabel(std::string_view service, std::string_view requestNexthop, bool smtputf8Required);
std::string endpointLabel(std::string_view service, std::string_view address, unsigned port, bool smtputf8Required);

// A passivated session (the plain attribute flavour, Postfix's attribute names, the
// port in network byte order and the feature bits of smtp.h, so that the properties
// read the same in Postfix's smtp).
struct CachedSession {
    std::string destination;  // the nexthop site the session was made for
    std::string host, address;
    unsigned port = 0;
    bool bestMx = false;
    smtp::ServerFeatures features;
    int reuseCount = 0;   // times reused so far
    long expireTime = 0;  // seconds since the epoch: not reused after this
};
std::string destinationProperty(const CachedSession& session);
std::string endpointProperty(const CachedSession& session);
// smtp_session_activate(): the endpoint properties and, when not empty, the
// destination properties; nothing when they do not parse ("bad cached ... properties").
std::optional<CachedSession> parseCachedSession(std::string_view destinationProperty,
                                                std::string_view endpointProperty);

}  // namespace postline::smtp_agent
