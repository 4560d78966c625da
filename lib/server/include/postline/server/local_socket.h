// Connecting to a service's UNIX-domain socket as Postfix's clients of the private
// services do (util/unix_connect.c, auto_clnt.c): a blocking stream socket with the
// protocol timeout on every read and write.
#pragma once

#include <string>

namespace postline::server {

// Connects to `path` (relative to the current directory: the queue directory); reads
// and writes on the descriptor time out after `timeoutSeconds`. Returns the descriptor
// (close-on-exec), or -1 with errno set.
int connectLocalSocket(const std::string& path, long timeoutSeconds);

// Postfix's timed_ipc_setup() for a socket: each later read and write on `fd` fails with
// EAGAIN after `timeoutSeconds` without progress. A descriptor that is no socket (a
// pipe, a terminal) is left as it is.
void setStreamTimeout(int fd, long timeoutSeconds);

}  // namespace postline::server
