// resolve_local() and own_inet_addr() without the network: interface addresses come
// from getifaddrs for "all", host names other than localhost are not resolved.
#include "postline/address/local_domains.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <strings.h>

#include "postline/address/address_parts.h"
#include "postline/config/config.h"
#include "postline/maps/map_list.h"

namespace postline::address {

std::string canonicalIp(std::string_view text) {
    std::string s(text);
    char buf[INET6_ADDRSTRLEN];
    in_addr a4{};
    in6_addr a6{};
    if (inet_pton(AF_INET, s.c_str(), &a4) == 1) return inet_ntop(AF_INET, &a4, buf, sizeof buf);
    if (inet_pton(AF_INET6, s.c_str(), &a6) == 1) return inet_ntop(AF_INET6, &a6, buf, sizeof buf);
    return "";
}

namespace {

void addInterfaces(std::string_view list, std::set<std::string>& out) {
    for (auto& item : maps::splitMapSpecs(list)) {
        std::string name = lowercase(item);
        if (name == "all") {
            ifaddrs* ifs = nullptr;
            if (getifaddrs(&ifs) == 0) {
                char buf[INET6_ADDRSTRLEN];
                for (ifaddrs* i = ifs; i; i = i->ifa_next) {
                    if (!i->ifa_addr) continue;
                    if (i->ifa_addr->sa_family == AF_INET)
                        out.insert(inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, buf,
                                             sizeof buf));
                    else if (i->ifa_addr->sa_family == AF_INET6)
                        out.insert(inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(i->ifa_addr)->sin6_addr, buf,
                                             sizeof buf));
                }
                freeifaddrs(ifs);
            }
        } else if (name == "loopback-only" || name == "localhost") {
            out.insert("127.0.0.1");
            out.insert("::1");
        } else {
            if (name.size() > 2 && name.front() == '[' && name.back() == ']') name = name.substr(1, name.size() - 2);
            auto ip = canonicalIp(name);
            if (!ip.empty()) out.insert(ip);
        }
    }
}

}  // namespace

LocalDomains::LocalDomains(const config::Config& config)
    : mydestination_(MatchList::fromParameter(config, "mydestination", MatchKind::String)) {
    addInterfaces(config.get("inet_interfaces"), inet_);
    addInterfaces(config.get("proxy_interfaces"), proxy_);
}

LocalityResult LocalDomains::check(std::string_view domain) {
    LocalityResult r;
    std::string d(domain);
    if (d.empty()) return r;
    if (d.back() == '.') d.pop_back();
    if (d.empty() || d.back() == '.') return r;
    auto m = mydestination_.match(d);
    if (m.matched) {
        r.locality = Locality::Local;
        r.reason = "mydestination: " + m.pattern;
        return r;
    }
    if (m.error) {
        r.locality = Locality::Error;
        r.reason = "mydestination: " + m.errorText;
        return r;
    }
    if (d.size() > 2 && d.front() == '[' && d.back() == ']') {
        std::string inner = d.substr(1, d.size() - 2);
        if (inner.size() > 5 && strncasecmp(inner.c_str(), "ipv6:", 5) == 0)
            inner = inner.substr(5);
        else if (inner.find(':') != std::string::npos)
            return r;  // valid_mailhost_addr: IPv6 needs the IPv6: prefix
        auto ip = canonicalIp(inner);
        if (!ip.empty() && inet_.count(ip)) {
            r.locality = Locality::Local;
            r.reason = "inet_interfaces: " + ip;
        } else if (!ip.empty() && proxy_.count(ip)) {
            r.locality = Locality::Local;
            r.reason = "proxy_interfaces: " + ip;
        }
    }
    return r;
}

}  // namespace postline::address
