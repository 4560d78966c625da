// Mailbox locks as Postfix's delivery agents take them (global/dot_lockfile.c,
// global/deliver_flock.c, util/myflock.c, global/mbox_conf.c): the "PATH.lock" file
// made with O_EXCL, and the kernel locks (fcntl, flock) tried without waiting, each a
// few times with a pause in between. mailbox_delivery_lock names which of them to take.
#pragma once

#include <string>
#include <string_view>

#include "postline/base/result.h"

namespace postline::delivery {

// How often and how long to try (deliver_lock_attempts, deliver_lock_delay,
// stale_lock_time).
struct LockRetry {
    int tries = 20;
    int delaySeconds = 1;
    int staleSeconds = 500;
};

// mailbox_delivery_lock / mbox_lock_mask(): the methods to use.
struct MailboxLock {
    bool flock = false;
    bool fcntl = false;
    bool dotlock = false;
    bool any() const { return flock || fcntl || dotlock; }
};
// Parses "fcntl, dotlock" (names separated by commas or blanks, any case). Errors:
// "unknown mailbox lock method: NAME", and for a list naming none, "parameter
// mailbox_delivery_lock specifies no applicable mailbox locking method".
base::Result<MailboxLock> parseMailboxLock(std::string_view value);

// dot_lockfile(): creates PATH.lock exclusively (mode 0), removing a lock file older
// than staleSeconds on the way. Error: "unable to create lock file PATH.lock: REASON",
// errnum EEXIST when another holder kept it through every try.
base::Status dotLock(const std::string& path, const LockRetry& retry);
// dot_unlockfile(): removes PATH.lock (errno preserved).
void dotUnlock(const std::string& path);

enum class KernelLock { Flock, Fcntl };
// deliver_flock(): an exclusive lock on `fd` without waiting, tried retry.tries times.
// Error: "unable to lock for exclusive access: REASON" (errnum EAGAIN/EWOULDBLOCK when
// someone else holds it).
base::Status kernelLock(int fd, KernelLock style, const LockRetry& retry);

}  // namespace postline::delivery
