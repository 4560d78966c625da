// Run-time defaults: host name and mynetworks (mirrors util/get_hostname.c,
// global/mynetworks.c and util/inet_addr_local.c's getifaddrs() path).
#include "postline/config/computed.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "postline/base/strings.h"

namespace postline::config {

std::string systemHostname() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "localhost";
    return buf;
}

namespace {

int prefixLength(const unsigned char* mask, size_t len) {
    int bits = 0;
    for (size_t i = 0; i < len; ++i)
        for (int b = 7; b >= 0; --b)
            if (mask[i] & (1u << b)) ++bits;
    return bits;
}

void applyPrefix(unsigned char* addr, size_t len, int bits) {
    for (size_t i = 0; i < len; ++i) {
        int keep = bits - int(i) * 8;
        unsigned char m = keep >= 8 ? 0xff : keep <= 0 ? 0 : static_cast<unsigned char>(0xff << (8 - keep));
        addr[i] &= m;
    }
}

}  // namespace

base::Status checkMynetworksInputs(std::string_view style, std::string_view protocols) {
    bool any = false;
    for (auto p : base::splitAny(protocols, ", \t\r\n")) {
        if (p != "all" && p != "ipv4" && p != "ipv6")
            return base::Error{base::cat("unknown inet_protocols value \"", p, "\" in \"", protocols, "\"")};
        any = true;
    }
    if (!any) return {};  // no protocols: mynetworks is empty, the style is not read
    bool host = false, subnet = false, klass = false;
    for (auto s : base::splitAny(style, ", \t\r\n")) {
        if (s == "host") {
            host = true;
        } else if (s == "subnet") {
            subnet = true;
        } else if (s == "class") {
            klass = true;
        } else {
            return base::Error{base::cat("unknown mynetworks mask style value \"", s, "\" in \"", style, "\"")};
        }
    }
    if (int(host) + int(subnet) + int(klass) != 1)
        return base::Error{base::cat("bad mynetworks_style value: ", style, "; specify exactly one value")};
    return {};
}

std::string computeMynetworks(std::string_view style, std::string_view protocols) {
    bool v4 = false, v6 = false;
    for (auto p : base::splitAny(protocols, ", \t\r\n")) {
        if (base::equalsIgnoreCase(p, "all")) v4 = v6 = true;
        if (base::equalsIgnoreCase(p, "ipv4")) v4 = true;
        if (base::equalsIgnoreCase(p, "ipv6")) v6 = true;
    }
    std::string s = base::lowercase(style);
    struct ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return "127.0.0.0/8";
    std::string out4, out6;
    for (auto* ifa = list; ifa; ifa = ifa->ifa_next) {
        if (!ifa->ifa_addr || !(ifa->ifa_flags & IFF_UP) || !ifa->ifa_netmask) continue;
        char text[INET6_ADDRSTRLEN] = {};
        if (ifa->ifa_addr->sa_family == AF_INET && v4) {
            in_addr addr = reinterpret_cast<sockaddr_in*>(ifa->ifa_addr)->sin_addr;
            auto* mask =
                reinterpret_cast<const unsigned char*>(&reinterpret_cast<sockaddr_in*>(ifa->ifa_netmask)->sin_addr);
            int bits = 32;
            if (s == "subnet") {
                bits = prefixLength(mask, 4);
            } else if (s == "class") {
                unsigned first = reinterpret_cast<unsigned char*>(&addr)[0];
                bits = first < 128 ? 8 : first < 192 ? 16 : first < 224 ? 24 : 32;
            }
            applyPrefix(reinterpret_cast<unsigned char*>(&addr), 4, bits);
            ::inet_ntop(AF_INET, &addr, text, sizeof text);
            out4 += base::cat(out4.empty() ? "" : " ", text, "/", bits);
        } else if (ifa->ifa_addr->sa_family == AF_INET6 && v6) {
            in6_addr addr = reinterpret_cast<sockaddr_in6*>(ifa->ifa_addr)->sin6_addr;
            auto* mask =
                reinterpret_cast<const unsigned char*>(&reinterpret_cast<sockaddr_in6*>(ifa->ifa_netmask)->sin6_addr);
            int bits = s == "host" ? 128 : prefixLength(mask, 16);
            applyPrefix(reinterpret_cast<unsigned char*>(&addr), 16, bits);
            ::inet_ntop(AF_INET6, &addr, text, sizeof text);
            out6 += base::cat(out6.empty() ? "" : " ", "[", text, "]/", bits);
        }
    }
    ::freeifaddrs(list);
    if (!out4.empty() && !out6.empty()) return out4 + " " + out6;
    return out4 + out6;
}

}  // namespace postline::config
