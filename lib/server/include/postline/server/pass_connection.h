// A connection handed over on a "pass" service's socket (Postfix 3.7's
// util/pass_accept.c, unix_recv_fd.c and recv_pass_attr.c): the sender (postscreen, or
// any program that speaks the same) connects to the service's UNIX-domain socket,
// passes the client's descriptor (SCM_RIGHTS, with one byte of data), then writes one
// attribute group describing the client (client_address, client_port, server_address,
// server_port). The receiving daemon serves that descriptor as its client.
#pragma once

#include "postline/base/result.h"
#include "postline/queue/attr_stream.h"

namespace postline::server {

struct PassedConnection {
    int fd = -1;  // the client's descriptor (the caller closes it)
    queue::attr::Attributes attributes;
};

// Receives the descriptor and the attributes from an accepted connection on a pass
// socket, waiting at most `timeoutSeconds` for each. Errors: "cannot receive file
// descriptor: REASON", "cannot receive connection attributes: REASON".
base::Result<PassedConnection> receivePassedConnection(int acceptedFd, int timeoutSeconds);

// The sending side (for tests and tools): passes `clientFd` and `attributes` over `fd`.
base::Status sendPassedConnection(int fd, int clientFd, const queue::attr::Attributes& attributes);

}  // namespace postline::server
