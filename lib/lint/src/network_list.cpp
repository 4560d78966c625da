// parseNetwork(): the address/mask items of Postfix's addr_match_list (mynetworks).
#include "network_list.h"

#include <arpa/inet.h>

#include <cstdlib>
#include <span>
#include <string>

namespace postline::lint {

std::optional<Network> parseNetwork(std::string_view item) {
    if (!item.empty() && item[0] == '!') item.remove_prefix(1);
    std::string text(item);
    size_t slash = text.find('/');
    std::string host = text.substr(0, slash);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    Network net;
    net.ipv6 = host.find(':') != std::string::npos;
    if (::inet_pton(net.ipv6 ? AF_INET6 : AF_INET, host.c_str(), net.address) != 1) return std::nullopt;
    int max = net.ipv6 ? 128 : 32;
    net.bits = max;
    if (slash != std::string::npos) {
        std::string len = text.substr(slash + 1);
        if (len.empty() || len.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
        net.bits = std::atoi(len.c_str());
        if (net.bits > max) return std::nullopt;
    }
    return net;
}

namespace {

// Whether the first `bits` bits of `a` and `b` agree.
bool samePrefix(const unsigned char* a, const unsigned char* b, int bits) {
    for (int i = 0; i < bits; ++i) {
        int mask = 0x80 >> (i % 8);
        if ((a[i / 8] & mask) != (b[i / 8] & mask)) return false;
    }
    return true;
}

struct Range {
    const char* address;
    int bits;
};

}  // namespace

bool isNonRoutable(const Network& net) {
    static constexpr Range kIpv4[] = {{"10.0.0.0", 8},  {"172.16.0.0", 12},  {"192.168.0.0", 16},
                                      {"127.0.0.0", 8}, {"169.254.0.0", 16}, {"100.64.0.0", 10}};
    static constexpr Range kIpv6[] = {{"::1", 128}, {"fc00::", 7}, {"fe80::", 10}};
    for (const Range& r : net.ipv6 ? std::span<const Range>(kIpv6) : std::span<const Range>(kIpv4)) {
        unsigned char range[16];
        if (::inet_pton(net.ipv6 ? AF_INET6 : AF_INET, r.address, range) != 1) continue;
        if (net.bits >= r.bits && samePrefix(net.address, range, r.bits)) return true;
    }
    return false;
}

}  // namespace postline::lint
