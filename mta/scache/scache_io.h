// The socket side of one scache(8) client (the I/O that Postfix's multi_server and
// unix_recv_fd/unix_send_fd do for scache.c): non-blocking reads with recvmsg(), so
// that a descriptor the client passes is received rather than dropped, and an output
// queue of bytes and descriptors that a client which stops reading cannot block.
#pragma once

#include <ctime>
#include <deque>

#include "scache_core.h"

namespace postline::scache {

class ClientConnection {
public:
    // Takes `socketFd` (a connected, non-blocking UNIX-domain stream socket) and queues
    // the hello group.
    ClientConnection(int socketFd, CacheService& service);

    int fd() const { return socket_.get(); }

    // One recvmsg() of what the client sent (bytes and at most one descriptor; extra
    // descriptors are closed), fed to the session. False: the client went away or broke
    // the protocol, and is to be disconnected.
    bool onReadable(time_t now);
    // Sends as much of the queue as the socket takes. False: a send failed.
    bool flush();
    // Output is pending: main.cpp waits for POLLOUT and reads nothing more until it is
    // gone, so a client that sends without reading fills its own socket, not our memory.
    bool wantsWrite() const { return !queue_.empty(); }
    // In the middle of a request since `busySince()` (see ClientSession::busy()).
    bool busy() const { return session_.busy(); }
    time_t busySince() const { return busySince_; }

private:
    OwnedFd socket_;
    ClientSession session_;
    std::deque<Outgoing> queue_;
    size_t sent_ = 0;  // bytes of queue_.front() already sent
    time_t busySince_ = 0;
};

}  // namespace postline::scache
