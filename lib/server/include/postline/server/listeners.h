// The sockets master listens on for its services and the triggers it writes to them
// (Postfix's master/master_listen.c with util/inet_listen.c, unix_listen.c,
// fifo_listen.c, and master_wakeup.c with inet_trigger.c, unix_trigger.c,
// fifo_trigger.c).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "postline/base/result.h"

namespace postline::server {

struct InetEndpoint {
    std::string host;  // numeric address to bind ("0.0.0.0", "::", "127.0.0.1")
    std::string port;  // numeric port
    int family = 0;    // AF_INET or AF_INET6
    bool operator==(const InetEndpoint&) const = default;
};

// The addresses an inet service listens on (master_ent.c): NAME is "port",
// "host:port" or "[ipv6]:port" (the port a number or a services(5) name). A bare port
// listens on every inet_interfaces address ("all": the wildcard address of each
// protocol; "loopback-only": 127.0.0.1 and ::1; else the listed addresses or host
// names), filtered by inet_protocols (all, ipv4, ipv6; comma or blank separated).
// Errors: "unknown inet_protocols value: X", "host/service NAME not found: REASON",
// "no addresses for NAME".
base::Result<std::vector<InetEndpoint>> inetEndpoints(std::string_view serviceName, std::string_view inetInterfaces,
                                                      std::string_view inetProtocols);

// A listening TCP socket with SO_REUSEADDR (IPV6_V6ONLY for IPv6), close-on-exec and
// non-blocking. Errors as Postfix's: "bind HOST port PORT: Address already in use".
base::Result<int> listenInet(const InetEndpoint& endpoint, int backlog);
// A listening UNIX-domain stream socket at `path` (an old socket there is removed),
// mode 0666 as Postfix's unix_listen(): the directory's mode decides who may connect.
base::Result<int> listenUnix(const std::string& path, int backlog);
// A UNIX-domain datagram socket bound at `path`, mode 0666.
base::Result<int> listenUnixDgram(const std::string& path);
// A FIFO at `path` (made with mode 0622 when missing, as fifo_listen()), opened
// read-write and non-blocking so that it never reads end-of-file.
base::Result<int> listenFifo(const std::string& path);

// Writes `request` to a service the way master's wakeup timer and Postfix's trigger
// clients do, without waiting more than `timeoutSeconds`: a UNIX-domain or TCP
// connection that is written to and closed, a FIFO opened for writing without blocking.
// `type` is master.cf's (unix, inet, fifo); `endpoint` the socket's path, or for inet
// "host:port". Errors carry the failing call and errno.
base::Status sendTrigger(std::string_view type, const std::string& endpoint, std::string_view request,
                         int timeoutSeconds = 1);

}  // namespace postline::server
