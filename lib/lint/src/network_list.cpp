// parseNetwork(): the address/mask items of Postfix's addr_match_list (mynetworks).
#include "network_list.h"

#include <arpa/inet.h>

#include <cstdlib>
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
    unsigned char addr[16];
    if (::inet_pton(net.ipv6 ? AF_INET6 : AF_INET, host.c_str(), addr) != 1) return std::nullopt;
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

}  // namespace postline::lint
