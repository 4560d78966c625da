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

}  // namespace postline::server
