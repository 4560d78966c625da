// Descriptor passing (unix_send_fd.c, unix_recv_fd.c): sendmsg/recvmsg with one data
// byte, because a stream socket carries ancillary data only alongside data.
#include "postline/server/fd_passing.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace postline::server {

base::Status sendDescriptor(int socketFd, int descriptor) {
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
    std::memcpy(CMSG_DATA(cmsg), &descriptor, sizeof(int));
    ssize_t n;
    do {
        n = ::sendmsg(socketFd, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return base::errnoError("cannot pass file descriptor");
    return {};
}

base::Result<int> receiveDescriptor(int socketFd, int timeoutSeconds) {
    pollfd p{socketFd, POLLIN, 0};
    int ready;
    do {
        ready = ::poll(&p, 1, timeoutSeconds > 0 ? timeoutSeconds * 1000 : -1);
    } while (ready < 0 && errno == EINTR);
    if (ready <= 0) {
        int e = ready == 0 ? ETIMEDOUT : errno;
        return base::Error{std::string("cannot receive file descriptor: ") + std::strerror(e), e};
    }
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
        n = ::recvmsg(socketFd, &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    cmsghdr* cmsg = n > 0 ? CMSG_FIRSTHDR(&msg) : nullptr;
    if (!cmsg || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS ||
        cmsg->cmsg_len != CMSG_LEN(sizeof(int))) {
        int e = n < 0 ? errno : n == 0 ? ECONNRESET : EINVAL;
        return base::Error{std::string("cannot receive file descriptor: ") + std::strerror(e), e};
    }
    int fd = -1;
    std::memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
    return fd;
}

}  // namespace postline::server
