// The client's name as smtpd finds it (smtpd/smtpd_peer.c smtpd_peer_sockaddr_to_hostname
// over util/myaddrinfo.c): the reverse (PTR) name of the address, and the verified name
// when a forward lookup of that name gives the address back.
#pragma once

#include <string>

namespace postline::smtpd {

struct PeerName {
    std::string name = "unknown";         // verified name, or "unknown"
    std::string reverseName = "unknown";  // the address's PTR name, or "unknown"
};

// Looks up `address` (printable IPv4 or IPv6) with getnameinfo() and getaddrinfo().
// A name that looks like a numeric address is not a name.
PeerName lookupPeerName(const std::string& address);

}  // namespace postline::smtpd
