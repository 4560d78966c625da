// What an offline smtpd check knows about the SMTP session: the client's address and
// name, the HELO name, the SASL login, and the answers that would need the network
// (DNS lookups, policy servers), given by the caller instead.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "postline/base/result.h"

namespace postline::address {

// A DNS answer for a name (or, for the client's reverse lookup, its address).
enum class DnsAnswer {
    Found,      // the name has address or MX records
    NotFound,   // NXDOMAIN or no data (a permanent failure)
    TempFail,   // the lookup failed temporarily
    NullMx,     // the domain publishes a null MX ("does not accept mail")
    Malformed,  // a malformed server reply
};
const char* dnsAnswerName(DnsAnswer answer);  // "found", "notfound", "tempfail", "nullmx", "malformed"

struct SmtpdSession {
    std::string clientAddress;                  // printable IPv4 or IPv6 address
    std::string clientName = "unknown";         // the verified client name, or "unknown"
    std::string reverseName = "unknown";        // the name from the reverse lookup, or "unknown"
    std::optional<std::string> helo;            // the HELO/EHLO argument; nullopt: no HELO was sent
    std::string saslUsername;                   // the SASL login; empty: not authenticated
    std::map<std::string, DnsAnswer> dns;       // lower-case name or address -> answer
    std::map<std::string, std::string> policy;  // check_policy_service endpoint ("*": any) -> action

    std::string namaddr() const { return clientName + "[" + clientAddress + "]"; }
    // The answer for `name` (case-insensitive, one trailing dot ignored), if given.
    std::optional<DnsAnswer> dnsAnswer(std::string_view name) const;
};

// "IP" or "IP,NAME" (NAME "unknown" or absent: the client has no name). Errors name
// the bad part.
base::Result<SmtpdSession> sessionForClient(std::string_view spec);
// "NAME=found|notfound|tempfail|nullmx|malformed" into session.dns.
base::Status addDnsAnswer(SmtpdSession& session, std::string_view spec);
// "SERVICE=ACTION" into session.policy (SERVICE as written after check_policy_service, or "*").
base::Status addPolicyAnswer(SmtpdSession& session, std::string_view spec);

}  // namespace postline::address
