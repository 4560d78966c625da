// mail_copy()'s format and the mailbox append of Postfix's local(8): mbox_open.c's
// order (dot lock, safe open, kernel locks, link check), mail_copy.c's write, fsync
// and truncate-on-failure, mbox_dsn()'s status codes.
#include "postline/delivery/mbox.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace postline::delivery {

std::string mboxDsn(int errnum, std::string_view fallback) {
    if (errnum == EAGAIN || errnum == ESTALE) return "4.2.0";
    if (errnum == ENOSPC) return "4.3.0";
    if (errnum == EDQUOT || errnum == EFBIG) return "5.2.2";
    return std::string(fallback);
}

std::string formatCopy(const CopyEnvelope& envelope, const std::vector<std::string>& lines, int flags) {
    std::string out;
    size_t total = 256;
    for (const std::string& line : lines) total += line.size() + 2;
    out.reserve(total);
    if (flags & copy_flag::kFrom) {
        time_t now = envelope.now ? envelope.now : ::time(nullptr);
        struct tm tm {};
        ::localtime_r(&now, &tm);
        char date[64];
        ::asctime_r(&tm, date);  // "Mon Dec  7 01:02:03 2026\n": the first 24 characters
        out += "From ";
        out += envelope.sender.empty() ? "MAILER-DAEMON" : envelope.sender;
        out += "  ";
        out.append(date, ::strnlen(date, 24));
        out += '\n';
    }
    if (flags & copy_flag::kReturnPath) out += "Return-Path: <" + envelope.sender + ">\n";
    if ((flags & copy_flag::kOrigRcpt) && !envelope.originalRecipient.empty())
        out += "X-Original-To: " + envelope.originalRecipient + "\n";
    if (flags & copy_flag::kDelivered) out += "Delivered-To: " + envelope.deliveredTo + "\n";
    for (const std::string& line : lines) {
        if ((flags & copy_flag::kQuote) && line.compare(0, 5, "From ") == 0) out += '>';
        if ((flags & copy_flag::kDot) && !line.empty() && line[0] == '.') out += '.';
        out += line;
        out += '\n';
    }
    if (flags & copy_flag::kBlank) out += '\n';
    return out;
}

namespace {

std::string errnoText(int err) { return std::strerror(err); }

// safe_open(): an existing file is opened without following a symbolic link and must
// have one link; a missing one is created exclusively and given its owner.
int openMailbox(const MboxTarget& t, std::string& reason, int& err) {
    int fd = ::open(t.path.c_str(), O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) return fd;
    err = errno;
    if (err == ELOOP) {
        reason = "file is a symbolic link";
        return -1;
    }
    if (err != ENOENT) {
        reason = "cannot open file: " + errnoText(err);
        return -1;
    }
    fd = ::open(t.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, t.mode);
    if (fd < 0) {
        err = errno;
        reason = "cannot create file exclusively: " + errnoText(err);
        return -1;
    }
    if ((t.chownUid != static_cast<uid_t>(-1) || t.chownGid != static_cast<gid_t>(-1)) &&
        ::fchown(fd, t.chownUid, t.chownGid) < 0) {
        err = errno;
        reason = "cannot change file ownership: " + errnoText(err);
        ::close(fd);
        ::unlink(t.path.c_str());
        return -1;
    }
    return fd;
}

bool writeAllBytes(int fd, std::string_view data, int& err) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) {  // opened O_NONBLOCK: a device that is not ready
                struct timespec ts {
                    0, 10 * 1000 * 1000
                };
                ::nanosleep(&ts, nullptr);
                continue;
            }
            err = errno;
            return false;
        }
        data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

}  // namespace

std::optional<CopyFailure> appendMessage(const MboxTarget& t, std::string_view data) {
    bool dotLocked = false;
    struct stat st {};
    if (t.lock.dotlock && (::stat(t.path.c_str(), &st) < 0 || S_ISREG(st.st_mode))) {
        auto locked = dotLock(t.path, t.retry);
        if (locked) {
            dotLocked = true;
        } else if (locked.error().errnum == EEXIST) {
            return CopyFailure{mboxDsn(EAGAIN, "5.2.0"), locked.error().message};
        } else if (!t.dotLockMayFail) {
            return CopyFailure{mboxDsn(locked.error().errnum, "5.2.0"), locked.error().message};
        }
    }
    struct Unlock {
        const std::string& path;
        bool& on;
        ~Unlock() {
            if (on) dotUnlock(path);
        }
    } unlock{t.path, dotLocked};

    std::string reason;
    int err = 0;
    int fd = openMailbox(t, reason, err);
    if (fd < 0) return CopyFailure{mboxDsn(err, "5.2.0"), reason};
    struct Close {
        int& fd;
        ~Close() {
            if (fd >= 0) ::close(fd);
        }
    } closer{fd};

    if (::fstat(fd, &st) < 0) return CopyFailure{mboxDsn(errno, "5.2.0"), "cannot fstat file: " + errnoText(errno)};
    bool regular = S_ISREG(st.st_mode);
    if (regular) {
        for (auto [wanted, style] : {std::pair{t.lock.flock, KernelLock::Flock}, {t.lock.fcntl, KernelLock::Fcntl}}) {
            if (!wanted) continue;
            auto locked = kernelLock(fd, style, t.retry);
            if (!locked) return CopyFailure{mboxDsn(locked.error().errnum, "5.2.0"), locked.error().message};
        }
        if (st.st_nlink != 1) return CopyFailure{mboxDsn(EAGAIN, "5.2.0"), "target file status changed unexpectedly"};
    } else if (!t.allowNonRegular) {
        return CopyFailure{"5.2.0", "destination " + t.path + " is not a regular file"};
    }
    if (t.requiredOwner && st.st_uid != *t.requiredOwner)
        return CopyFailure{"4.2.0", "destination " + t.path + " is not owned by recipient"};
    if (t.refuseExecutable && regular && (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)))
        return CopyFailure{"5.7.1", "file is executable"};

    off_t origLength = regular ? ::lseek(fd, 0, SEEK_END) : 0;
    if (origLength < 0) return CopyFailure{"5.2.0", "seek mailbox file " + t.path + ": " + errnoText(errno)};
    bool ok = writeAllBytes(fd, data, err);
    if (ok && regular && ::fsync(fd) < 0) {
        ok = false;
        err = errno;
    }
    // mail_copy(): nothing half-written stays behind (truncated while still locked).
    if (!ok && regular) (void)::ftruncate(fd, origLength);
    int closeFd = fd;
    fd = -1;
    if (::close(closeFd) < 0 && ok) {
        ok = false;
        err = errno;
    }
    if (!ok) return CopyFailure{mboxDsn(err, "5.3.0"), "error writing message: " + errnoText(err)};
    return std::nullopt;
}

}  // namespace postline::delivery
