// Descriptor passing for "pass" services (pass_accept.c, unix_recv_fd.c,
// unix_send_fd.c, recv_pass_attr.c).
#include "postline/server/pass_connection.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "postline/base/strings.h"
#include "postline/server/fd_passing.h"

namespace postline::server {

namespace {

bool waitReadable(int fd, int timeoutSeconds) {
    pollfd p{fd, POLLIN, 0};
    int n;
    do {
        n = ::poll(&p, 1, timeoutSeconds * 1000);
    } while (n < 0 && errno == EINTR);
    if (n == 0) errno = ETIMEDOUT;
    return n > 0;
}

}  // namespace

base::Result<PassedConnection> receivePassedConnection(int acceptedFd, int timeoutSeconds) {
    auto fd = receiveDescriptor(acceptedFd, timeoutSeconds);
    if (!fd) return fd.error();
    PassedConnection out;
    out.fd = *fd;
    std::string pending;
    if (!waitReadable(acceptedFd, timeoutSeconds)) {
        int e = errno;
        ::close(out.fd);
        return base::Error{base::cat("cannot receive connection attributes: ", std::strerror(e)), e};
    }
    auto group = queue::attr::readGroup(acceptedFd, pending);
    if (!group) {
        ::close(out.fd);
        return base::Error{"cannot receive connection attributes: " + group.error().message, 0};
    }
    out.attributes = std::move(*group);
    return out;
}

base::Status sendPassedConnection(int fd, int clientFd, const queue::attr::Attributes& attributes) {
    if (auto sent = sendDescriptor(fd, clientFd); !sent) return sent;
    std::string group;
    for (const auto& [name, value] : attributes) queue::attr::append(group, name, value);
    queue::attr::appendEnd(group);
    return queue::attr::writeAll(fd, group);
}

}  // namespace postline::server
