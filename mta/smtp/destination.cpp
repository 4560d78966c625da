// The nexthop's sites and their addresses (Postfix's smtp_connect.c
// smtp_parse_destination, util/host_port.c, smtp_addr.c smtp_domain_addr and
// smtp_host_addr).
#include "destination.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <random>

namespace postline::smtp_agent {

namespace {

bool allDigits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

bool numericAddress(const std::string& host) {
    unsigned char buf[16];
    return ::inet_pton(AF_INET, host.c_str(), buf) == 1 || ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// filter_known_tcp_port(): "smtp=25, submission=587" names to numbers.
std::string knownPort(std::string_view service, std::string_view known) {
    std::string text(known);
    for (char& c : text)
        if (c == ',') c = ' ';
    size_t pos = 0;
    while (pos < text.size()) {
        size_t start = text.find_first_not_of(" \t", pos);
        if (start == std::string::npos) break;
        size_t end = text.find_first_of(" \t", start);
        if (end == std::string::npos) end = text.size();
        std::string entry = text.substr(start, end - start);
        pos = end;
        // "a=b=465": every name before the last '=' maps to the number after it.
        size_t last = entry.rfind('=');
        if (last == std::string::npos) continue;
        std::string number = entry.substr(last + 1);
        size_t p = 0;
        while (p < last) {
            size_t eq = entry.find('=', p);
            if (entry.compare(p, eq - p, service) == 0) return number;
            p = eq + 1;
        }
    }
    return std::string(service);
}

}  // namespace

std::vector<std::string> splitSites(std::string_view nexthop) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos < nexthop.size()) {
        size_t start = nexthop.find_first_not_of(", \t\r\n", pos);
        if (start == std::string_view::npos) break;
        size_t end = nexthop.find_first_of(", \t\r\n", start);
        if (end == std::string_view::npos) end = nexthop.size();
        out.emplace_back(nexthop.substr(start, end - start));
        pos = end;
    }
    return out;
}

SiteResult parseSite(std::string_view destination, std::string_view defaultService, bool lmtp,
                     std::string_view knownTcpPorts) {
    SiteResult result;
    Site& site = result.site;
    site.text = std::string(destination);
    std::string_view rest = destination;
    if (lmtp && rest.substr(0, 5) == "unix:") {
        site.unixPath = std::string(rest.substr(5));
        return result;
    }
    if (lmtp && rest.substr(0, 5) == "inet:") rest.remove_prefix(5);
    std::string service;
    if (!rest.empty() && rest.front() == '[') {
        size_t close = rest.find(']');
        if (close == std::string_view::npos) {
            result.error = "missing \"]\" in server description: " + site.text;
            return result;
        }
        site.literal = true;
        site.host = std::string(rest.substr(1, close - 1));
        std::string_view after = rest.substr(close + 1);
        if (!after.empty() && after.front() == ':') service = std::string(after.substr(1));
    } else {
        size_t colon = rest.find(':');
        if (colon != std::string_view::npos && rest.find(':', colon + 1) == std::string_view::npos) {
            site.host = std::string(rest.substr(0, colon));
            service = std::string(rest.substr(colon + 1));
        } else {
            site.host = std::string(rest);
        }
    }
    if (site.host.size() > 5 && site.host.compare(0, 5, "ipv6:") == 0) site.host.erase(0, 5);
    if (service.empty()) service = std::string(defaultService);
    service = knownPort(service, knownTcpPorts);
    if (allDigits(service)) {
        unsigned long port = service.size() > 6 ? 0 : std::stoul(service);
        if (port == 0 || port >= 65536) {
            result.error = "bad network port: " + service + " for destination: " + site.text;
            return result;
        }
        site.port = static_cast<unsigned>(port);
    } else {
        servent* sp = ::getservbyname(service.c_str(), "tcp");
        if (!sp) {
            result.error = "unknown service: " + service + "/tcp";
            return result;
        }
        site.port = ntohs(static_cast<uint16_t>(sp->s_port));
    }
    return result;
}

namespace {

// smtp_addr_one(): a numeric host, else its A/AAAA records.
bool hostAddresses(const std::string& host, int preference, const AddressOptions& options, const Lookup& lookup,
                   std::vector<HostAddress>& out, Why& why) {
    if (numericAddress(host)) {
        bool v6 = host.find(':') != std::string::npos;
        if ((v6 && options.ipv6) || (!v6 && options.ipv4)) {
            out.push_back({host, host, preference});
            return true;
        }
    }
    if (options.dnsHosts) {
        HostAnswer answer = lookup.host(host, options.ipv4, options.ipv6);
        std::string type = options.ipv4 ? "A" : "AAAA";
        if (answer.status == HostAnswer::Found && !answer.addresses.empty()) {
            for (auto& a : answer.addresses) out.push_back({host, a, preference});
            return true;
        }
        why.reason = "Host or domain name not found. Name service error for name=" + host + " type=" + type + ": " +
                     answer.error;
        switch (answer.status) {
            case HostAnswer::Found:
            case HostAnswer::NotFound:
                why.status = why.soft() ? "4.4.4" : "5.4.4";
                break;
            case HostAnswer::Failed:
                why.status = why.soft() ? "4.4.3" : "5.4.3";
                return false;
            case HostAnswer::TempFail:
                why.status = "4.4.3";
                return false;
        }
        // Not found in the DNS: the native naming service may know it.
    }
    if (options.nativeHosts && lookup.native) {
        HostAnswer answer = lookup.native(host, options.ipv4, options.ipv6);
        if (answer.status == HostAnswer::Found && !answer.addresses.empty()) {
            for (auto& a : answer.addresses) out.push_back({host, a, preference});
            return true;
        }
        if (answer.status == HostAnswer::Found) {
            why = {why.soft() ? "4.4.4" : "5.4.4", host + ": host not found"};
            return false;
        }
        // smtp_addr_one(): EAI_AGAIN, EAI_NONAME and EAI_NODATA are "no such host" (4.4.4
        // or 5.4.4), other errors 4.3.0 or 5.3.0; a retryable error is never final.
        bool soft = why.soft() || answer.status == HostAnswer::TempFail;
        bool noHost = answer.status != HostAnswer::Failed;
        why = {soft ? (noHost ? "4.4.4" : "4.3.0") : (noHost ? "5.4.4" : "5.3.0"),
               "unable to look up host " + host + ": " + answer.error};
    }
    return false;
}

void shuffleEqualPreferences(std::vector<HostAddress>& list) {
    static std::mt19937 rng{std::random_device{}()};
    size_t start = 0;
    while (start < list.size()) {
        size_t end = start;
        while (end < list.size() && list[end].preference == list[start].preference) ++end;
        std::shuffle(list.begin() + static_cast<long>(start), list.begin() + static_cast<long>(end), rng);
        start = end;
    }
}

}  // namespace

std::vector<HostAddress> resolveSite(const Site& site, const AddressOptions& options, const Lookup& lookup, Why& why) {
    std::vector<HostAddress> out;
    if (!options.lookupMx || site.literal || numericAddress(site.host)) {
        hostAddresses(site.host, 0, options, lookup, out, why);
        if (options.randomize) shuffleEqualPreferences(out);
        return out;
    }
    MxAnswer mx = lookup.mx(site.host);
    switch (mx.status) {
        case MxAnswer::NotFound:
            // No MX record: the domain's own addresses.
            hostAddresses(site.host, 0, options, lookup, out, why);
            break;
        case MxAnswer::NullMx:
            why = {"5.1.0", "Domain " + site.host + " does not accept mail (nullMX)"};
            break;
        case MxAnswer::TempFail:
        case MxAnswer::Failed:
            why.reason =
                "Host or domain name not found. Name service error for name=" + site.host + " type=MX: " + mx.error;
            why.status = mx.status == MxAnswer::TempFail ? "4.4.3" : "5.4.3";
            break;
        case MxAnswer::Found: {
            auto exchanges = mx.exchanges;
            std::stable_sort(exchanges.begin(), exchanges.end(),
                             [](const auto& a, const auto& b) { return a.first < b.first; });
            for (auto& [preference, host] : exchanges) hostAddresses(host, preference, options, lookup, out, why);
            if (out.empty()) {
                // smtp_domain_addr(): the last error's text stays.
                if (why.status.empty()) why = {"4.4.4", "no MX host for " + site.host + " has a valid address record"};
            }
            break;
        }
    }
    if (options.randomize) shuffleEqualPreferences(out);
    return out;
}

}  // namespace postline::smtp_agent
