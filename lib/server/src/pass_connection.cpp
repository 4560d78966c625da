// Descriptor passing for "pass" services (pass_accept.c, unix_recv_fd.c,
// unix_send_fd.c, recv_pass_attr.c).
#include "postline/server/pass_connection.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "postline/base/strings.h"

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
    if (!waitReadable(acceptedFd, timeoutSeconds))
        return base::Error{base::cat("cannot receive file descriptor: ", std::strerror(errno)), errno};
    char byte = 0;
    iovec iov{&byte, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    do {
        n = ::recvmsg(acceptedFd, &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    cmsghdr* cmsg = n > 0 ? CMSG_FIRSTHDR(&msg) : nullptr;
    if (!cmsg || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS ||
        cmsg->cmsg_len != CMSG_LEN(sizeof(int))) {
        int e = n < 0 ? errno : EINVAL;
        return base::Error{base::cat("cannot receive file descriptor: ", std::strerror(e)), e};
    }
    PassedConnection out;
    std::memcpy(&out.fd, CMSG_DATA(cmsg), sizeof(int));
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
    char byte = 0;
    iovec iov{&byte, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))]{};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(cmsg), &clientFd, sizeof(int));
    if (::sendmsg(fd, &msg, MSG_NOSIGNAL) < 0) return base::errnoError("cannot pass file descriptor");
    std::string group;
    for (const auto& [name, value] : attributes) queue::attr::append(group, name, value);
    queue::attr::appendEnd(group);
    return queue::attr::writeAll(fd, group);
}

}  // namespace postline::server
