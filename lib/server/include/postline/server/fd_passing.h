// Passing an open descriptor over a UNIX-domain socket (Postfix 3.7's
// util/unix_send_fd.c and unix_recv_fd.c): one byte of data with the descriptor as
// SCM_RIGHTS ancillary data. "pass" services and the connection cache (scache) use it.
#pragma once

#include "postline/base/result.h"

namespace postline::server {

// Sends `descriptor` over `socketFd` (the caller still owns and closes its copy).
base::Status sendDescriptor(int socketFd, int descriptor);

// Receives one descriptor from `socketFd`, waiting at most `timeoutSeconds` (0: no
// limit). The descriptor is close-on-exec. Errors carry errno (ETIMEDOUT after the
// wait; EINVAL when the byte came without a descriptor).
base::Result<int> receiveDescriptor(int socketFd, int timeoutSeconds);

}  // namespace postline::server
