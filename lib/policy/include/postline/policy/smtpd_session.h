// What smtpd's restrictions know about the SMTP session (smtpd/smtpd.c SMTPD_STATE):
// the client's address and name, the HELO name, the SASL login, and the facts that
// need the network (DNS lookups, policy servers) behind the NetworkFacts interface:
// trace, test and diff answer them offline, smtpd will ask the resolver and the servers.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "postline/base/result.h"

namespace postline::policy {

// A DNS answer for a name (or, for the client's reverse lookup, its address).
enum class DnsAnswer {
    Found,      // the name has address or MX records
    NotFound,   // NXDOMAIN or no data (a permanent failure)
    TempFail,   // the lookup failed temporarily
    NullMx,     // the domain publishes a null MX ("does not accept mail")
    Malformed,  // a malformed server reply
};
const char* dnsAnswerName(DnsAnswer answer);  // "found", "notfound", "tempfail", "nullmx", "malformed"

// Which lookup a DNS answer comes from (Postfix's smtpd_check.c).
enum class DnsQuery {
    Host,           // reject_unknown_helo_hostname: A, AAAA, then MX records of a host name
    MailHost,       // reject_unknown_sender/recipient_domain: MX, then A, AAAA (null MX stops)
    Client,         // the client address's reverse (and verifying forward) lookup: the name's status
    ClientReverse,  // the same lookup: the reverse name's status (forward check not needed)
};

// A check_policy_service request (SMTPD_POLICY_README): name=value attributes in order,
// starting with request=smtpd_access_policy.
using PolicyRequest = std::vector<std::pair<std::string, std::string>>;

// A DNS list lookup (reject_rbl_client, reject_rhsbl_*, permit_dnswl_client,
// permit_rhswl_client): the A records of the query name ("2.0.0.127.list.example") and
// the text of its TXT records.
struct DnsListAnswer {
    DnsAnswer status = DnsAnswer::NotFound;  // Found (listed), NotFound, or TempFail (any other failure)
    std::vector<std::string> addresses;      // the A records, when Found
    std::string text;                        // the TXT records joined with " / " (at most 500 bytes)
};

// The hosts check_*_mx_access and check_*_ns_access look at (check_server_access):
// the MX exchanges of a domain (the domain itself when it has no MX records) or the name
// servers of a domain (else of its nearest parent that has some).
enum class DnsServerType { MX, NS };
struct DnsServerList {
    DnsAnswer status = DnsAnswer::NotFound;  // Found, NullMx, or a failure (NotFound, TempFail, Malformed)
    std::vector<std::string> hosts;          // when Found
    std::string error;                       // dns_strerror()'s text for a failure ("Host not found")
};
// A host's addresses (A and AAAA), as check_server_access asks getaddrinfo for them.
struct HostAddresses {
    bool found = false;
    std::vector<std::string> addresses;
    std::string error;  // why not found ("Name or service not known")
};

// The facts of a session that need the network. An answer that is not known (nullopt)
// makes the restriction that needs it undecidable.
class NetworkFacts {
public:
    virtual ~NetworkFacts() = default;
    // The DNS answer for `name`: a host or domain name, or for the client's reverse
    // lookup its address.
    virtual std::optional<DnsAnswer> dnsAnswer(std::string_view name) const = 0;
    // The action check_policy_service's `service` (as written after it) answers.
    virtual std::optional<std::string> policyAction(std::string_view service) const = 0;
    // The DNS answer for `name` from the lookup `kind` makes; by default dnsAnswer(name),
    // for facts that do not tell the kinds apart.
    virtual std::optional<DnsAnswer> dnsLookup(std::string_view name, DnsQuery /*kind*/) const {
        return dnsAnswer(name);
    }
    // The action a policy server answers to `request`; by default policyAction(service),
    // for facts that do not look at the request.
    virtual std::optional<std::string> policyQuery(std::string_view service, const PolicyRequest& /*request*/) const {
        return policyAction(service);
    }
    // The DNS list answer for `query` (the full name, without any "=filter"); by default
    // unknown.
    virtual std::optional<DnsListAnswer> dnsListLookup(std::string_view /*query*/) const { return std::nullopt; }
    // The MX or NS hosts of `domain`; by default unknown.
    virtual std::optional<DnsServerList> dnsServers(std::string_view /*domain*/, DnsServerType /*type*/) const {
        return std::nullopt;
    }
    // The addresses of `host`; by default unknown.
    virtual std::optional<HostAddresses> hostAddresses(std::string_view /*host*/) const { return std::nullopt; }
};

// The answers given offline: `postline trace --dns/--policy`, a routing case's dns and
// policy lines.
class OfflineNetworkFacts final : public NetworkFacts {
public:
    std::map<std::string, DnsAnswer> dns;       // lower-case name or address -> answer
    std::map<std::string, std::string> policy;  // check_policy_service endpoint ("*": any) -> action

    // The answer for `name` (case-insensitive, one trailing dot ignored), if given.
    std::optional<DnsAnswer> dnsAnswer(std::string_view name) const override;
    // The endpoint's action, else the action given for "*", if any.
    std::optional<std::string> policyAction(std::string_view service) const override;
};

struct SmtpdSession {
    std::string clientAddress;            // printable IPv4 or IPv6 address
    std::string clientName = "unknown";   // the verified client name, or "unknown"
    std::string reverseName = "unknown";  // the name from the reverse lookup, or "unknown"
    std::optional<std::string> helo;      // the HELO/EHLO argument; nullopt: no HELO was sent
    std::string saslUsername;             // the SASL login; empty: not authenticated
    // The address of the socket's peer when it differs from clientAddress (smtpd's
    // sockaddr after XCLIENT replaced the client): permit_inet_interfaces looks at it.
    // Empty: clientAddress.
    std::string socketAddress;
    // The recipients smtpd accepted in the message so far (rcpt_count; a live session
    // keeps it up to date): reject_multi_recipient_bounce rejects a null sender with
    // more than one. 0 in a trace (one recipient, nothing to reject).
    int recipientCount = 0;
    // Policy request attributes smtpd knows and the checks do not (protocol_name,
    // client_port, server_address, server_port, queue_id, instance, size, stress,
    // sasl_method, sasl_sender, ccert_*, encryption_*, recipient_count): these replace
    // the request's defaults (empty, or 0 for the counts); unknown names are appended.
    PolicyRequest policyAttributes;
    OfflineNetworkFacts offline;  // the answers given offline
    // Where the network facts come from instead of `offline` (not owned; it must outlive
    // the session's checks); null: `offline` answers.
    const NetworkFacts* network = nullptr;

    const NetworkFacts& facts() const { return network ? *network : offline; }
    std::string namaddr() const { return clientName + "[" + clientAddress + "]"; }
};

// "IP" or "IP,NAME" (NAME "unknown" or absent: the client has no name). Errors name
// the bad part.
base::Result<SmtpdSession> sessionForClient(std::string_view spec);
// "NAME=found|notfound|tempfail|nullmx|malformed" into facts.dns.
base::Status addDnsAnswer(OfflineNetworkFacts& facts, std::string_view spec);
// "SERVICE=ACTION" into facts.policy (SERVICE as written after check_policy_service, or "*").
base::Status addPolicyAnswer(OfflineNetworkFacts& facts, std::string_view spec);

}  // namespace postline::policy
