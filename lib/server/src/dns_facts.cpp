// smtpd's DNS questions over lib/dns: smtpd_check.c's reject_unknown_hostname (A,
// AAAA, MX) and reject_unknown_mailhost (MX, A, AAAA) with dns_lookup_rv()'s ranking of
// failures, and smtpd_peer.c's client name lookup (PTR, then the forward lookup that
// must list the client address again).
#include <arpa/inet.h>

#include <cstring>

#include "postline/address/resolve.h"
#include "postline/base/msg.h"
#include "postline/server/live_network_facts.h"

namespace postline::server {

namespace {

// dns_lookup.c's statuses, ranked as dns_lookup_rv() compares them.
enum Rank { kNotFound = -7, kNullMx = -5, kFail = -4, kInval = -3, kRetry = -2, kOk = 0 };

bool numericAddress(const std::string& s) {
    unsigned char buf[16];
    return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

Rank rankOf(const dns::Answer& a) {
    switch (a.status) {
        case dns::Status::Found:
            break;
        case dns::Status::NxDomain:
        case dns::Status::NoData:
            return kNotFound;
        case dns::Status::Failed:
            return kFail;
        case dns::Status::Malformed:
            return kInval;
        case dns::Status::TempFail:
            return kRetry;
    }
    if (a.type != dns::RecordType::MX) return kOk;
    if (a.nullMx()) return kNullMx;
    // dns_get_rr(): an exchange that is not a host name is never returned; a reply with
    // only such records is malformed.
    for (const auto& mx : a.mx)
        if (address::validHostname(mx.exchange) && !numericAddress(mx.exchange)) return kOk;
    return kInval;
}

policy::DnsAnswer answerOf(Rank r) {
    switch (r) {
        case kOk:
            return policy::DnsAnswer::Found;
        case kNullMx:
            return policy::DnsAnswer::NullMx;
        case kInval:
            return policy::DnsAnswer::Malformed;
        case kRetry:
            return policy::DnsAnswer::TempFail;
        default:
            return policy::DnsAnswer::NotFound;
    }
}

bool sameAddress(const std::string& a, const std::string& b) {
    unsigned char x[16], y[16];
    for (int family : {AF_INET, AF_INET6}) {
        if (inet_pton(family, a.c_str(), x) == 1 && inet_pton(family, b.c_str(), y) == 1)
            return std::memcmp(x, y, family == AF_INET ? 4 : 16) == 0;
    }
    return false;
}

// The getaddrinfo() error text Postfix's warning would carry.
const char* gaiText(dns::Status status) {
    switch (status) {
        case dns::Status::NxDomain:
            return "Name or service not known";
        case dns::Status::NoData:
            return "No address associated with hostname";
        case dns::Status::TempFail:
            return "Temporary failure in name resolution";
        default:
            return "Non-recoverable failure in name resolution";
    }
}

}  // namespace

policy::DnsAnswer lookupHost(dns::Resolver& resolver, std::string_view name, policy::DnsQuery kind) {
    std::string n(name);
    if (!n.empty() && n.back() == '.') n.pop_back();
    // dns_lookup_x(): numeric and invalid names are "not found" without a query.
    if (n.empty() || numericAddress(n) || !address::validHostname(n)) return policy::DnsAnswer::NotFound;
    using T = dns::RecordType;
    bool mailhost = kind == policy::DnsQuery::MailHost;
    const T hostTypes[] = {T::A, T::AAAA, T::MX};
    const T mailTypes[] = {T::MX, T::A, T::AAAA};
    Rank best = kNotFound;
    bool first = true;
    for (T type : mailhost ? mailTypes : hostTypes) {
        Rank r = rankOf(resolver.lookup(n, type));
        if (r == kOk) return policy::DnsAnswer::Found;
        if (mailhost && (r == kInval || r == kNullMx)) return answerOf(r);
        if (first || r > best) best = r;
        first = false;
    }
    return answerOf(best);
}

namespace {

// dns_strerror()'s texts for the h_errno behind each failure.
const char* hErrnoText(dns::Status status) {
    switch (status) {
        case dns::Status::NxDomain:
            return "Host not found";
        case dns::Status::NoData:
            return "Host found but no data record of requested type";
        case dns::Status::TempFail:
            return "Host not found, try again";
        default:
            return "Non-recoverable error";
    }
}

policy::DnsAnswer failureOf(dns::Status status) {
    return status == dns::Status::TempFail    ? policy::DnsAnswer::TempFail
           : status == dns::Status::Malformed ? policy::DnsAnswer::Malformed
                                              : policy::DnsAnswer::NotFound;
}

}  // namespace

policy::DnsServerList lookupServers(dns::Resolver& resolver, std::string_view domain, policy::DnsServerType type) {
    policy::DnsServerList out;
    std::string name(domain);
    if (!name.empty() && name.back() == '.') name.pop_back();
    if (type == policy::DnsServerType::MX) {
        dns::Answer a = resolver.lookup(name, dns::RecordType::MX);
        if (a.nullMx()) {
            out.status = policy::DnsAnswer::NullMx;
        } else if (a.found()) {
            out.status = policy::DnsAnswer::Found;
            for (const auto& mx : a.mx) out.hosts.push_back(mx.exchange);
        } else if (a.notFound()) {
            // No MX records (or, with broken servers, NXDOMAIN): the domain is its own host.
            out.status = policy::DnsAnswer::Found;
            out.hosts.push_back(name);
        } else {
            out.status = failureOf(a.status);
            out.error = hErrnoText(a.status);
        }
        return out;
    }
    // NS: the domain's, else those of the nearest parent (never the root).
    for (std::string d = name;;) {
        dns::Answer a = resolver.lookup(d, dns::RecordType::NS);
        if (a.found()) {
            out.status = policy::DnsAnswer::Found;
            out.hosts = a.names;
            return out;
        }
        auto dot = d.find('.');
        if (!a.notFound() || dot == std::string::npos || dot + 1 == d.size()) {
            out.status = failureOf(a.status);
            out.error = hErrnoText(a.status);
            return out;
        }
        d = d.substr(dot + 1);
    }
}

policy::HostAddresses lookupAddresses(dns::Resolver& resolver, std::string_view host) {
    policy::HostAddresses out;
    bool temp = false;
    for (auto type : {dns::RecordType::A, dns::RecordType::AAAA}) {
        dns::Answer a = resolver.lookup(host, type);
        if (a.found()) out.addresses.insert(out.addresses.end(), a.addresses.begin(), a.addresses.end());
        temp = temp || a.status == dns::Status::TempFail;
    }
    out.found = !out.addresses.empty();
    if (!out.found) out.error = temp ? "Temporary failure in name resolution" : "Name or service not known";
    return out;
}

ClientNames lookupClientNames(dns::Resolver& resolver, std::string_view address) {
    ClientNames out;
    std::string addr(address);
    dns::Answer ptr = resolver.lookupAddress(addr);
    // sockaddr_to_hostname(): the first name, and never a numeric or malformed one.
    std::string name = ptr.found() && !ptr.names.empty() ? ptr.names.front() : "";
    if (ptr.status == dns::Status::TempFail) {
        out.nameStatus = out.reverseNameStatus = policy::DnsAnswer::TempFail;
        return out;
    }
    if (name.empty() || numericAddress(name) || !address::validHostname(name)) return out;
    out.name = out.reverseName = name;
    out.nameStatus = out.reverseNameStatus = policy::DnsAnswer::Found;

    unsigned char v4[4];
    bool ipv4 = inet_pton(AF_INET, addr.c_str(), v4) == 1;
    dns::Answer fwd = resolver.lookup(name, ipv4 ? dns::RecordType::A : dns::RecordType::AAAA);
    if (fwd.found())
        for (const auto& a : fwd.addresses)
            if (sameAddress(a, addr)) return out;
    if (fwd.found())
        base::msgWarn("hostname " + name + " does not resolve to address " + addr);
    else
        base::msgWarn("hostname " + name + " does not resolve to address " + addr + ": " + gaiText(fwd.status));
    out.name = "unknown";
    out.nameStatus = fwd.status == dns::Status::TempFail ? policy::DnsAnswer::TempFail : policy::DnsAnswer::NotFound;
    return out;
}

}  // namespace postline::server
