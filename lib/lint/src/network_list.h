// Network blocks in mynetworks-style lists: "10.0.0.0/8", "[2001:db8::]/32", "::1",
// "192.168.1.5". Tables, /file includes and host names are not networks.
#pragma once

#include <optional>
#include <string_view>

namespace postline::lint {

struct Network {
    bool ipv6 = false;
    int bits = 0;  // prefix length (32 or 128 for a single address)
    unsigned char address[16] = {};
};

// Whether every address of `net` is one that the Internet cannot reach: IPv4 private
// (RFC 1918), loopback, link-local and shared (RFC 6598) space; IPv6 loopback, unique
// local (fc00::/7) and link-local (fe80::/10) space. Trusting such a block trusts no
// stranger, however large it is.
bool isNonRoutable(const Network& net);

std::optional<Network> parseNetwork(std::string_view item);

}  // namespace postline::lint
