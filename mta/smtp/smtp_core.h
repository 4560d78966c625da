// smtp(8) and lmtp(8)'s work on one delivery request (Postfix's smtp/smtp.c
// deliver_message, smtp_connect.c's site and address loops, smtp_trouble.c's skip,
// defer or bounce, smtp_rcpt.c): the recipients delivered over one SMTP or LMTP
// session per server tried, each outcome reported through AgentDelivery, and the hop
// status that makes the queue manager throttle a destination that cannot be reached.
#pragma once

#include <functional>
#include <string>

#include "destination.h"
#include "postline/delivery/agent_delivery.h"
#include "postline/delivery/deliver_request.h"
#include "postline/smtp/client_session.h"
#include "session_cache.h"

namespace postline::smtp_agent {

// The agent's parameters (smtp_* or, for lmtp, lmtp_*).
struct AgentSettings {
    bool lmtp = false;
    smtp::ClientOptions client;           // heloName, myHostname, the handshake switches, limits
    std::string defaultService = "smtp";  // smtp_tcp_port / lmtp_tcp_port
    std::string knownTcpPorts = "lmtp=24, smtp=25, smtps=submissions=465, submission=587";
    std::string fallbackRelay;  // smtp_fallback_relay
    std::string relayhost;      // for "relayhost configuration problem"
    int mxAddressLimit = 5;     // smtp_mx_address_limit (0: none)
    int mxSessionLimit = 2;     // smtp_mx_session_limit (0: none)
    AddressOptions addresses;
    // Seconds (0: no limit): smtp_connect_timeout, smtp_helo_timeout, ...
    long connectTimeout = 30, heloTimeout = 300, mailTimeout = 300, rcptTimeout = 300, dataInitTimeout = 120,
         dataXferTimeout = 180, dataDoneTimeout = 600, rsetTimeout = 20, quitTimeout = 300;
    // The connection cache: master.cf's service name (part of every cache label),
    // smtp_connection_cache_destinations (a string list of nexthop domains; unset: none),
    // smtp_connection_cache_on_demand, smtp_connection_cache_time_limit (the ttl asked
    // of scache), smtp_connection_reuse_time_limit and smtp_connection_reuse_count_limit.
    std::string serviceName = "smtp";
    std::function<bool(const std::string& domain)> cacheDestinations;
    bool cacheOnDemand = true;
    long cacheTimeLimit = 2, reuseTimeLimit = 300;
    int reuseCountLimit = 0;
};

// Reads them through `get` (a parameter's expanded value): for lmtp the lmtp_ names
// (lmtp_lhlo_name, lmtp_lhlo_timeout, lmtp_discard_lhlo_keywords, lmtp_tcp_port, ...).
AgentSettings readAgentSettings(bool lmtp, const std::function<std::string(std::string_view)>& get);

// Delivers `delivery`'s request to its nexthop. Every recipient is reported (sent,
// bounced or deferred) unless a soft error on a server that is not the last one keeps
// it for the next; the reply is kStatusFinal when none was deferred, else kStatusDefer
// with, when the destination could not be reached or refused to talk, its hop status.
// With `cache`, connections are taken from and saved to the connection cache as
// smtp_connect.c does: for a destination in smtp_connection_cache_destinations, or on
// the queue manager's request (kFlagConnLoad, kFlagConnStore); the first good session
// is saved under the request's nexthop, every good one under its endpoint.
// Not done yet: TLS, SASL, XFORWARD, MIME downgrading, smtp_generic_maps and smtp
// header/body checks, the local host among the MX hosts.
delivery::DeliverReply deliverSmtp(delivery::AgentDelivery& delivery, const AgentSettings& settings,
                                   const Lookup& lookup, ConnectionCache* cache = nullptr);

}  // namespace postline::smtp_agent
