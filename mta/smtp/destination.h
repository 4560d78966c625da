// Where smtp(8) and lmtp(8) connect (Postfix's smtp/smtp_connect.c destination parsing,
// smtp_addr.c's MX and host address lists, util/host_port.c): the nexthop split into
// sites, each site's host and port, and the addresses to try, best MX first.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "postline/delivery/dsn.h"

namespace postline::smtp_agent {

// One destination of the nexthop list: "[host]:port" (no MX lookup), "host:port",
// "host", "inet:host:port" (LMTP) or "unix:/path" (LMTP).
struct Site {
    std::string text;      // as given
    std::string host;      // without brackets
    unsigned port = 0;     // 0 for a UNIX-domain socket
    std::string unixPath;  // "unix:" destinations
    bool literal = false;  // "[...]": no MX lookup
};

// smtp_parse_destination(): `defaultService` is smtp_tcp_port/lmtp_tcp_port ("smtp",
// "24"); service names are known_tcp_ports' or /etc/services'. Errors (Postfix ends
// with a fatal error for them): "bad network port: P for destination: D", "unknown
// service: S/tcp".
struct SiteResult {
    Site site;
    std::string error;
};
SiteResult parseSite(std::string_view destination, std::string_view defaultService, bool lmtp,
                     std::string_view knownTcpPorts);

// The nexthop list (commas and white space) followed by the fallback relays.
std::vector<std::string> splitSites(std::string_view nexthop);

// One address to try: the host's name and printable address, its MX preference.
struct HostAddress {
    std::string host;
    std::string address;
    int preference = 0;
};

// DNS as the address lookup needs it (lib/dns's Resolver in the daemon, a table in
// tests).
struct MxAnswer {
    enum Status { Found, NotFound, NullMx, TempFail, Failed } status = NotFound;
    std::vector<std::pair<int, std::string>> exchanges;  // preference, host
    std::string error;                                   // dns_strerror()'s text
};
struct HostAnswer {
    enum Status { Found, NotFound, TempFail, Failed } status = NotFound;
    std::vector<std::string> addresses;
    std::string error;  // "Host not found", "Host not found, try again", ...
};
struct Lookup {
    std::function<MxAnswer(const std::string& domain)> mx;
    // A (ipv4) and/or AAAA (ipv6) records of a host.
    std::function<HostAnswer(const std::string& host, bool ipv4, bool ipv6)> host;
    // The system's resolver (getaddrinfo: /etc/hosts, NSS), for smtp_host_lookup =
    // native; `error` is gai_strerror's text. Unset: no native lookups.
    std::function<HostAnswer(const std::string& host, bool ipv4, bool ipv6)> native;
};

// The last error of a site or an address, as Postfix's DSN_BUF `why` holds it.
struct Why {
    std::string status;  // "" when none yet
    std::string reason;
    bool soft() const { return !status.empty() && status[0] == '4'; }
};

struct AddressOptions {
    bool ipv4 = true, ipv6 = true;  // inet_protocols
    bool lookupMx = true;           // smtp (not lmtp), DNS enabled; never for [literals]
    bool randomize = true;          // smtp_randomize_addresses (equal preference only)
    // smtp_host_lookup ("dns", "native" or both); with smtp_dns_support_level =
    // disabled only native (and no MX lookups).
    bool dnsHosts = true, nativeHosts = false;
};

// smtp_domain_addr() / smtp_host_addr(): a numeric host is its own address; MX records
// sorted by preference with each exchanger's addresses; no MX record: the host's own
// addresses. An empty list sets `why` ("Host or domain name not found. Name service
// error for name=N type=T: TEXT" 4.4.3 / 5.4.4, "Domain D does not accept mail
// (nullMX)" 5.1.0; native lookups: "unable to look up host H: TEXT" 4.4.4 / 5.4.4 /
// 4.3.0 / 5.3.0, "H: host not found"). Not done: the local host among the exchangers
// (smtp_truncate_self).
std::vector<HostAddress> resolveSite(const Site& site, const AddressOptions& options, const Lookup& lookup, Why& why);

}  // namespace postline::smtp_agent
