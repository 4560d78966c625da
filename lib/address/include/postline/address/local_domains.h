// Is a domain local? Postfix's global/resolve_local.c: a name in $mydestination, or an
// address literal [ip] / [IPv6:ip] of $inet_interfaces or $proxy_interfaces
// (global/own_inet_addr.c). One trailing dot is ignored.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "postline/address/match_list.h"

namespace postline::config {
class Config;
}

namespace postline::address {

enum class Locality { NotLocal, Local, Error };

struct LocalityResult {
    Locality locality = Locality::NotLocal;
    std::string reason;  // "mydestination: localhost", "inet_interfaces: 127.0.0.1", an error text
};

class LocalDomains {
public:
    // inet_interfaces "all" uses the host's interface addresses (getifaddrs);
    // "loopback-only" is 127.0.0.1 and ::1; other entries must be numeric addresses
    // or "localhost" (no DNS is consulted).
    explicit LocalDomains(const config::Config& config);
    LocalityResult check(std::string_view domain);

private:
    MatchList mydestination_;
    std::set<std::string> inet_;  // canonical numeric forms
    std::set<std::string> proxy_;
};

// The canonical text of a numeric IPv4/IPv6 address, or "" when it is not one.
std::string canonicalIp(std::string_view text);

}  // namespace postline::address
