// Queue file locks as Postfix 3.7's daemons take them (util/myflock.c with INTERNAL_LOCK,
// flock(2) on Linux): the queue manager takes an exclusive lock before it works on a
// message (qmgr/qmgr_message.c: "skipped, still being delivered" when it cannot), a
// delivery agent or bounce a shared one while it reads the file
// (global/deliver_request.c). Neither waits. Other programs (cleanup, pickup, the queue
// tools) take none, as in Postfix; flock locks are shared with Postfix's own daemons.
#pragma once

#include "postline/base/result.h"

namespace postline::queue {

enum class QueueLock {
    Manager,   // QMGR_LOCK_MODE: exclusive, non-blocking
    Delivery,  // DELIVER_LOCK_MODE: shared, non-blocking
};

// Locks the open queue file `fd`: true when locked, false when another process holds a
// lock that conflicts (the message is busy). Other failures are an Error
// ("lock FILE: REASON" is the caller's to word; the text here is strerror's).
base::Result<bool> tryLockQueueFile(int fd, QueueLock kind);
// Releases the lock (closing the descriptor does too).
base::Status unlockQueueFile(int fd);

}  // namespace postline::queue
