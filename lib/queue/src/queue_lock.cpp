// Queue file locks (queue_lock.h): flock(2), non-blocking, as Postfix's myflock() takes
// them with INTERNAL_LOCK on Linux.
#include "postline/queue/queue_lock.h"

#include <sys/file.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace postline::queue {

base::Result<bool> tryLockQueueFile(int fd, QueueLock kind) {
    int op = (kind == QueueLock::Manager ? LOCK_EX : LOCK_SH) | LOCK_NB;
    for (;;) {
        if (::flock(fd, op) == 0) return true;
        if (errno == EINTR) continue;
        if (errno == EWOULDBLOCK) return false;
        return base::Error{std::strerror(errno), errno};
    }
}

base::Status unlockQueueFile(int fd) {
    while (::flock(fd, LOCK_UN) != 0) {
        if (errno == EINTR) continue;
        return base::Error{std::strerror(errno), errno};
    }
    return base::Status::success();
}

}  // namespace postline::queue
