// The network facts smtpd's restrictions ask, answered live: DNS through lib/dns
// (smtpd_check.c's reject_unknown_* lookups, smtpd_peer.c's client name lookup) and
// policy servers over the policy delegation protocol (smtpd_check.c's
// check_policy_service over util/attr_clnt.c: name=value lines, an empty line, action=).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "postline/base/result.h"
#include "postline/dns/resolver.h"
#include "postline/policy/smtpd_session.h"

namespace postline::config {
class Config;
}

namespace postline::server {

// smtpd_policy_service_* (main.cf, or per service inside { }).
struct PolicySettings {
    std::chrono::milliseconds timeout{100'000};   // connect, each write and each read
    std::chrono::milliseconds maxIdle{300'000};   // a connection unused this long is closed
    std::chrono::milliseconds maxTtl{1'000'000};  // a connection this old is closed
    std::chrono::milliseconds retryDelay{1'000};  // the pause between tries
    int requestLimit = 0;                         // requests per connection (0: no limit)
    int tryLimit = 2;                             // tries per request
    std::string defaultAction = "451 4.3.5 Server configuration problem";
    std::string policyContext;  // sent as policy_context
};

// The smtpd_policy_service_* parameters of `config`.
PolicySettings policySettings(const config::Config& config);

// A check_policy_service argument: "inet:host:port", "unix:path" (relative paths are
// under the base directory, as Postfix's smtpd resolves them from the queue
// directory), or Postfix 3.0's "{ endpoint, name = value, ... }" with per-service
// settings (timeout, max_idle, max_ttl, retry_delay, request_limit, try_limit,
// default_action, policy_context). Errors: an empty or malformed argument, an unknown
// setting, a bad value.
struct PolicyService {
    std::string endpoint;  // "inet:127.0.0.1:10023", "unix:private/policy"
    PolicySettings settings;
};
base::Result<PolicyService> parsePolicyService(std::string_view spec, const PolicySettings& defaults);

// One policy server endpoint with its connection kept between requests (Postfix's
// attr_clnt over auto_clnt). Warnings go through base::msgWarn with Postfix's texts
// ("problem talking to server ENDPOINT: REASON", "missing attribute action in input
// from ENDPOINT").
class PolicyClient {
public:
    PolicyClient(PolicyService service, std::string baseDirectory);
    ~PolicyClient();
    PolicyClient(const PolicyClient&) = delete;
    PolicyClient& operator=(const PolicyClient&) = delete;

    // Sends `request` (policy_context filled from the settings) and returns the reply's
    // action, trying up to try_limit times with retry_delay between tries; nullopt when
    // every try failed (no connection, timeout, a reply without action, EOF).
    std::optional<std::string> query(const policy::PolicyRequest& request);
    const PolicyService& service() const { return service_; }
    bool connected() const { return fd_ >= 0; }

private:
    base::Status connect();
    base::Result<std::string> exchange(const std::string& text);
    void disconnect();

    PolicyService service_;
    std::string baseDirectory_;
    int fd_ = -1;
    std::chrono::steady_clock::time_point connectedAt_, lastUsed_;
    int requests_ = 0;
};

// The client's names as smtpd_peer.c finds them: the reverse name of the address (PTR),
// kept as the client name only when that name's forward lookup (A or AAAA, by the
// address's family) lists the address again.
struct ClientNames {
    std::string name = "unknown";         // the verified name (policy::SmtpdSession::clientName)
    std::string reverseName = "unknown";  // the unverified PTR name (reverseName)
    // How each lookup ended: Found, NotFound (permanent, including "forged": the
    // forward lookup does not list the address), or TempFail.
    policy::DnsAnswer nameStatus = policy::DnsAnswer::NotFound;
    policy::DnsAnswer reverseNameStatus = policy::DnsAnswer::NotFound;
};

struct LiveNetworkOptions {
    dns::ResolverOptions resolver;    // empty nameservers: /etc/resolv.conf
    PolicySettings policy;            // defaults for every check_policy_service endpoint
    std::string policyBaseDirectory;  // relative unix: endpoints are under it
    bool peernameLookup = true;       // smtpd_peername_lookup
};

// policySettings(), queue_directory as the base directory and smtpd_peername_lookup of
// `config`; the resolver's defaults.
LiveNetworkOptions liveNetworkOptions(const config::Config& config);

// The live answers for one smtpd process (not thread-safe). DNS answers are remembered
// for the facts' lifetime (make one per SMTP session); policy clients keep their
// connections across sessions, as Postfix's do.
class LiveNetworkFacts final : public policy::NetworkFacts {
public:
    // Errors: the resolver cannot be created (a bad nameserver).
    static base::Result<std::unique_ptr<LiveNetworkFacts>> create(LiveNetworkOptions options);

    // smtpd_peer.c's client lookup for a printable address (unknown names when
    // smtpd_peername_lookup is off); remembered for dnsLookup(address, Client).
    ClientNames lookupClient(std::string_view address) const;
    // Forgets the remembered DNS answers (a new SMTP session on the same facts).
    void forgetDns();

    // A host name (Host), a mail domain (MailHost), or a client address (Client: the name
    // status lookupClient() found, looked up now if it has not run).
    std::optional<policy::DnsAnswer> dnsLookup(std::string_view name, policy::DnsQuery kind) const override;
    // MailHost for a name, Client for an address.
    std::optional<policy::DnsAnswer> dnsAnswer(std::string_view name) const override;
    // The server's action, or the endpoint's default_action when it cannot be asked
    // (a malformed endpoint is warned about and answers the global default action).
    std::optional<std::string> policyQuery(std::string_view service,
                                           const policy::PolicyRequest& request) const override;
    // rbl_pagein(): the A records of `query` and, when there are some, its TXT records
    // joined with " / " (at most 500 bytes); a failure other than not found is TempFail
    // with Postfix's warning "QUERY: RBL lookup error: ...". Remembered like dnsLookup().
    std::optional<policy::DnsListAnswer> dnsListLookup(std::string_view query) const override;
    // check_server_access()'s lookups: MX hosts (the domain itself when it has no MX
    // records, NullMx for a null MX) or NS hosts (else those of the nearest parent that
    // has some), and a host's A and AAAA addresses. Remembered like dnsLookup().
    std::optional<policy::DnsServerList> dnsServers(std::string_view domain, policy::DnsServerType type) const override;
    std::optional<policy::HostAddresses> hostAddresses(std::string_view host) const override;
    // policyQuery() with only request=smtpd_access_policy.
    std::optional<std::string> policyAction(std::string_view service) const override;

    dns::Resolver& resolver() { return *resolver_; }

private:
    LiveNetworkFacts(LiveNetworkOptions options, std::unique_ptr<dns::Resolver> resolver);
    PolicyClient* policyClient(std::string_view service) const;

    LiveNetworkOptions options_;
    std::unique_ptr<dns::Resolver> resolver_;
    mutable std::map<std::string, policy::DnsAnswer> hostCache_, mailhostCache_;
    mutable std::map<std::string, ClientNames> clientCache_;
    mutable std::map<std::string, policy::DnsListAnswer> listCache_;
    mutable std::map<std::string, policy::DnsServerList> serverCache_;
    mutable std::map<std::string, policy::HostAddresses> addressCache_;
    mutable std::map<std::string, std::unique_ptr<PolicyClient>> policyClients_;
};

// smtpd_check.c's lookups over `resolver` (no caching): Host asks A, AAAA, then MX
// and stops at the first found; MailHost asks MX, then A, AAAA, and stops at a found
// answer, a null MX or a malformed reply; otherwise the most telling failure wins
// (tempfail over malformed over not found, as dns_lookup_rv ranks them). Names that
// are numeric addresses or not valid host names are NotFound without a query.
policy::DnsAnswer lookupHost(dns::Resolver& resolver, std::string_view name, policy::DnsQuery kind);
// check_server_access()'s lookups over `resolver` (see LiveNetworkFacts::dnsServers and
// hostAddresses).
policy::DnsServerList lookupServers(dns::Resolver& resolver, std::string_view domain, policy::DnsServerType type);
policy::HostAddresses lookupAddresses(dns::Resolver& resolver, std::string_view host);
// smtpd_peer.c's client lookup over `resolver` (see ClientNames).
ClientNames lookupClientNames(dns::Resolver& resolver, std::string_view address);

}  // namespace postline::server
