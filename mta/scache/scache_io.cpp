// scache(8)'s client sockets: recvmsg() reads that keep passed descriptors, and the
// queued replies and hand-overs (multi_server.c's stream I/O, util/unix_*_fd.c).
#include "scache_io.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/server/fd_passing.h"

namespace postline::scache {

ClientConnection::ClientConnection(int socketFd, CacheService& service) : socket_(socketFd), session_(service) {
    queue_.push_back(Outgoing{ClientSession::hello(), OwnedFd()});
}

bool ClientConnection::onReadable(time_t now) {
    char buffer[4096];
    iovec iov{buffer, sizeof buffer};
    // Room for a few descriptors: a client that passes more than one at once gets the
    // extra ones closed here rather than left to leak (the kernel closes any that do
    // not fit, MSG_CTRUNC).
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 8)];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    do {
        n = ::recvmsg(socket_.get(), &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
    OwnedFd passed;
    std::vector<OwnedFd> extra;  // closed on return
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; ++i) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            if (!passed.valid())
                passed = OwnedFd(fd);
            else
                extra.emplace_back(fd);
        }
    }
    if (!extra.empty()) base::msgWarn("scache: more than one file descriptor from client, closed");
    if (n == 0) return false;  // end of file: the client went away
    bool wasBusy = session_.busy();
    std::vector<Outgoing> out;
    bool keep = session_.receive(std::string_view(buffer, size_t(n)), std::move(passed), now, out);
    for (Outgoing& item : out) queue_.push_back(std::move(item));
    if (session_.busy() && !wasBusy) busySince_ = now;
    return keep;
}

bool ClientConnection::flush() {
    while (!queue_.empty()) {
        Outgoing& item = queue_.front();
        while (sent_ < item.bytes.size()) {
            ssize_t n = ::send(socket_.get(), item.bytes.data() + sent_, item.bytes.size() - sent_,
                               MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
            if (n < 0) return false;
            sent_ += size_t(n);
        }
        if (item.fd.valid()) {
            base::Status status = server::sendDescriptor(socket_.get(), item.fd.get());
            if (!status) {
                int e = status.error().errnum;
                if (e == EAGAIN || e == EWOULDBLOCK) return true;
                base::msgWarn(base::cat("scache: ", status.error().message));
                return false;
            }
        }
        // Our copy closes here: Linux keeps a descriptor in flight alive until the
        // client receives it.
        queue_.pop_front();
        sent_ = 0;
    }
    return true;
}

}  // namespace postline::scache
