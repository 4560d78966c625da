// printableAddress, peerAddress, localAddress.
#include "postline/server/socket_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace postline::server {

PrintableAddress printableAddress(const sockaddr* address, socklen_t length) {
    PrintableAddress out;
    char text[INET6_ADDRSTRLEN];
    if (address->sa_family == AF_UNIX) {
        out.unixDomain = out.valid = true;
    } else if (address->sa_family == AF_INET && length >= socklen_t(sizeof(sockaddr_in))) {
        auto* in = reinterpret_cast<const sockaddr_in*>(address);
        if (::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text)) {
            out.address = text;
            out.port = std::to_string(ntohs(in->sin_port));
            out.valid = true;
        }
    } else if (address->sa_family == AF_INET6 && length >= socklen_t(sizeof(sockaddr_in6))) {
        auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
            in_addr v4;
            std::memcpy(&v4, in6->sin6_addr.s6_addr + 12, 4);
            if (::inet_ntop(AF_INET, &v4, text, sizeof text)) out.address = text;
        } else if (::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text)) {
            out.address = text;
        }
        out.port = std::to_string(ntohs(in6->sin6_port));
        out.valid = !out.address.empty();
    }
    return out;
}

PrintableAddress peerAddress(int fd) {
    sockaddr_storage storage;
    socklen_t length = sizeof storage;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&storage), &length) < 0) return {};
    return printableAddress(reinterpret_cast<sockaddr*>(&storage), length);
}

PrintableAddress localAddress(int fd) {
    sockaddr_storage storage;
    socklen_t length = sizeof storage;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) < 0) return {};
    return printableAddress(reinterpret_cast<sockaddr*>(&storage), length);
}

}  // namespace postline::server
