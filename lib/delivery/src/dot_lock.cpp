// Mailbox locks: the ".lock" file and the kernel locks, taken without waiting and
// retried with a randomised pause as Postfix's dot_lockfile.c and deliver_flock.c do.
#include "postline/delivery/dot_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <random>
#include <thread>

#include "postline/base/strings.h"

namespace postline::delivery {

namespace {

// rand_sleep(delay, delay / 2): a pause of `delay` give or take a quarter of it, so
// that writers waiting for the same mailbox do not retry in step.
void pause(int delaySeconds) {
    if (delaySeconds <= 0) return;
    static std::minstd_rand rng(static_cast<unsigned>(::getpid() ^ ::time(nullptr)));
    long micros = delaySeconds * 1000000L;
    long jitter = micros / 2;
    long wait = micros - jitter / 2 + static_cast<long>(rng() % static_cast<unsigned long>(jitter ? jitter : 1));
    std::this_thread::sleep_for(std::chrono::microseconds(wait));
}

}  // namespace

base::Result<MailboxLock> parseMailboxLock(std::string_view value) {
    MailboxLock lock;
    for (auto name : base::splitAny(value, ", \t\r\n")) {
        if (name.empty()) continue;
        std::string lower;
        for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower == "flock")
            lock.flock = true;
        else if (lower == "fcntl")
            lock.fcntl = true;
        else if (lower == "dotlock")
            lock.dotlock = true;
        else
            return base::Error{"unknown mailbox lock method: " + std::string(name)};
    }
    if (!lock.any())
        return base::Error{"parameter mailbox_delivery_lock specifies no applicable mailbox locking method"};
    return lock;
}

base::Status dotLock(const std::string& path, const LockRetry& retry) {
    std::string lockFile = path + ".lock";
    int err = 0;
    for (int count = 1;; ++count) {
        int fd = ::open(lockFile.c_str(), O_WRONLY | O_EXCL | O_CREAT | O_CLOEXEC, 0);
        if (fd >= 0) {
            ::close(fd);
            return base::Status::success();
        }
        err = errno;
        if (count >= retry.tries || err != EEXIST) break;
        // A lock file that outlived stale_lock_time was left by a crashed writer.
        struct stat st {};
        if (::stat(lockFile.c_str(), &st) == 0 && ::time(nullptr) > st.st_ctime + retry.staleSeconds)
            if (::unlink(lockFile.c_str()) < 0 && errno != ENOENT) {
                err = errno;
                break;
            }
        pause(retry.delaySeconds);
    }
    return base::Error{"unable to create lock file " + lockFile + ": " + std::strerror(err), err};
}

void dotUnlock(const std::string& path) {
    int saved = errno;
    ::unlink((path + ".lock").c_str());
    errno = saved;
}

base::Status kernelLock(int fd, KernelLock style, const LockRetry& retry) {
    int err = 0;
    for (int count = 1;; ++count) {
        int rc;
        if (style == KernelLock::Flock) {
            rc = ::flock(fd, LOCK_EX | LOCK_NB);
        } else {
            struct flock fl {};
            fl.l_type = F_WRLCK;
            fl.l_whence = SEEK_SET;
            rc = ::fcntl(fd, F_SETLK, &fl);
        }
        if (rc == 0) return base::Status::success();
        err = errno;
        if (err == EINTR) continue;
        if (count >= retry.tries) break;
        pause(retry.delaySeconds);
    }
    return base::Error{std::string("unable to lock for exclusive access: ") + std::strerror(err), err};
}

}  // namespace postline::delivery
