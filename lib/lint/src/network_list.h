// Network blocks in mynetworks-style lists: "10.0.0.0/8", "[2001:db8::]/32", "::1",
// "192.168.1.5". Tables, /file includes and host names are not networks.
#pragma once

#include <optional>
#include <string_view>

namespace postline::lint {

struct Network {
    bool ipv6 = false;
    int bits = 0;  // prefix length (32 or 128 for a single address)
};

std::optional<Network> parseNetwork(std::string_view item);

}  // namespace postline::lint
