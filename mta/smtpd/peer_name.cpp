// Client name lookup as smtpd_peer.c does it: sockaddr_to_hostname() (getnameinfo with
// NI_NAMEREQD, numeric results refused), then hostname_to_sockaddr() and a search for
// the client address among the name's addresses.
#include "peer_name.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

namespace postline::smtpd {

namespace {

bool sameAddress(const sockaddr* a, const sockaddr* b) {
    if (a->sa_family != b->sa_family) return false;
    if (a->sa_family == AF_INET)
        return std::memcmp(&reinterpret_cast<const sockaddr_in*>(a)->sin_addr,
                           &reinterpret_cast<const sockaddr_in*>(b)->sin_addr, sizeof(in_addr)) == 0;
    return std::memcmp(&reinterpret_cast<const sockaddr_in6*>(a)->sin6_addr,
                       &reinterpret_cast<const sockaddr_in6*>(b)->sin6_addr, sizeof(in6_addr)) == 0;
}

}  // namespace

PeerName lookupPeerName(const std::string& address) {
    PeerName out;
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (inet_pton(AF_INET, address.c_str(), &reinterpret_cast<sockaddr_in*>(&ss)->sin_addr) == 1) {
        ss.ss_family = AF_INET;
        len = sizeof(sockaddr_in);
    } else if (inet_pton(AF_INET6, address.c_str(), &reinterpret_cast<sockaddr_in6*>(&ss)->sin6_addr) == 1) {
        ss.ss_family = AF_INET6;
        len = sizeof(sockaddr_in6);
    } else {
        return out;
    }
    char host[NI_MAXHOST];
    if (getnameinfo(reinterpret_cast<sockaddr*>(&ss), len, host, sizeof host, nullptr, 0, NI_NAMEREQD) != 0) return out;
    // A name that parses as an address is a forgery (myaddrinfo.c refuses it).
    unsigned char probe[sizeof(in6_addr)];
    if (inet_pton(AF_INET, host, probe) == 1 || inet_pton(AF_INET6, host, probe) == 1) return out;
    out.reverseName = host;
    addrinfo hints{};
    hints.ai_family = ss.ss_family;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (getaddrinfo(host, nullptr, &hints, &res) != 0) return out;
    for (addrinfo* ai = res; ai; ai = ai->ai_next)
        if (sameAddress(ai->ai_addr, reinterpret_cast<sockaddr*>(&ss))) {
            out.name = host;
            break;
        }
    freeaddrinfo(res);
    return out;
}

}  // namespace postline::smtpd
