// Command-line forms of an offline SMTP session (client, DNS answers, policy answers).
#include "postline/policy/smtpd_session.h"

#include "postline/address/address_parts.h"
#include "postline/address/host_address_list.h"
#include "postline/address/resolve.h"

namespace postline::policy {

namespace {

std::string dnsKey(std::string_view name) {
    std::string key = address::lowercase(name);
    if (key.size() > 1 && key.back() == '.') key.pop_back();
    return key;
}

}  // namespace

const char* dnsAnswerName(DnsAnswer answer) {
    switch (answer) {
        case DnsAnswer::Found:
            return "found";
        case DnsAnswer::NotFound:
            return "notfound";
        case DnsAnswer::TempFail:
            return "tempfail";
        case DnsAnswer::NullMx:
            return "nullmx";
        case DnsAnswer::Malformed:
            return "malformed";
    }
    return "notfound";
}

std::optional<DnsAnswer> OfflineNetworkFacts::dnsAnswer(std::string_view name) const {
    auto it = dns.find(dnsKey(name));
    if (it == dns.end()) return std::nullopt;
    return it->second;
}

std::optional<std::string> OfflineNetworkFacts::policyAction(std::string_view service) const {
    auto it = policy.find(std::string(service));
    if (it == policy.end()) it = policy.find("*");
    if (it == policy.end()) return std::nullopt;
    return it->second;
}

base::Result<SmtpdSession> sessionForClient(std::string_view spec) {
    SmtpdSession s;
    auto comma = spec.find(',');
    std::string_view addr = spec.substr(0, comma);
    auto normal = address::normalizeHostAddress(addr);
    if (!normal) return base::Error{"bad client address: \"" + std::string(addr) + "\""};
    s.clientAddress = *normal;
    if (comma != std::string_view::npos) {
        std::string name = address::lowercase(spec.substr(comma + 1));
        if (name.size() > 1 && name.back() == '.') name.pop_back();
        if (name.empty() || (name != "unknown" && !address::validHostname(name)))
            return base::Error{"bad client name: \"" + std::string(spec.substr(comma + 1)) + "\""};
        s.clientName = s.reverseName = name;
    }
    return s;
}

base::Status addDnsAnswer(OfflineNetworkFacts& facts, std::string_view spec) {
    auto eq = spec.rfind('=');
    if (eq == std::string_view::npos || eq == 0)
        return base::Error{"bad DNS answer \"" + std::string(spec) + "\": expected NAME=ANSWER"};
    std::string_view value = spec.substr(eq + 1);
    for (auto a : {DnsAnswer::Found, DnsAnswer::NotFound, DnsAnswer::TempFail, DnsAnswer::NullMx, DnsAnswer::Malformed})
        if (value == dnsAnswerName(a)) {
            facts.dns[dnsKey(spec.substr(0, eq))] = a;
            return {};
        }
    return base::Error{"bad DNS answer \"" + std::string(spec) +
                       "\": expected found, notfound, tempfail, nullmx or malformed"};
}

base::Status addPolicyAnswer(OfflineNetworkFacts& facts, std::string_view spec) {
    // The endpoint has ':' but no '=' (inet:host:port, unix:private/policy); the action may have both.
    auto eq = spec.find('=');
    if (eq == std::string_view::npos || eq == 0 || eq + 1 == spec.size())
        return base::Error{"bad policy answer \"" + std::string(spec) + "\": expected SERVICE=ACTION"};
    facts.policy[std::string(spec.substr(0, eq))] = std::string(spec.substr(eq + 1));
    return {};
}

}  // namespace postline::policy
