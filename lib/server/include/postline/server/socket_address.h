// Printable socket addresses as Postfix's daemons log and use them (util/myaddrinfo.c's
// sockaddr_to_hostaddr, smtpd_peer.c's IPv4-in-IPv6 unwrapping).
#pragma once

#include <sys/socket.h>

#include <string>

namespace postline::server {

struct PrintableAddress {
    std::string address;  // "192.0.2.1", "2001:db8::1"; "" for a UNIX-domain socket
    std::string port;     // "25"; "" for a UNIX-domain socket
    bool unixDomain = false;
    bool valid = false;  // false for a family that is neither inet, inet6 nor unix
};

// An IPv4-mapped IPv6 address (::ffff:192.0.2.1) is given as the IPv4 address.
PrintableAddress printableAddress(const sockaddr* address, socklen_t length);
// The peer and the local end of a connected socket (getpeername, getsockname);
// invalid ones when the descriptor is not a socket.
PrintableAddress peerAddress(int fd);
PrintableAddress localAddress(int fd);

}  // namespace postline::server
