// New queue files and service triggers after Postfix 3.7's global/mail_queue.c
// (mail_queue_enter), global/mail_stream.c (mail_stream_finish_file), global/file_id.c,
// global/safe_ultostr.c, global/mail_trigger.c, util/fifo_trigger.c and
// util/unix_trigger.c.
#include "postline/queue/maildrop_file.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "postline/queue/queue_state.h"

namespace postline::queue {
namespace {

constexpr std::string_view kSafeChars = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";

// safe_ultostr(): most significant digit first, padded with '0' to `pad` digits.
std::string safeUlToStr(unsigned long value, unsigned base, size_t pad) {
    std::string out;
    while (value != 0) {
        out.push_back(kSafeChars[value % base]);
        value /= base;
    }
    while (out.size() < pad) out.push_back('0');
    std::reverse(out.begin(), out.end());
    return out;
}

std::string upperHex(unsigned long value, int width) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%0*lX", width, value);
    return buf;
}

bool writeAll(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

}  // namespace

std::string shortQueueId(long usec, unsigned long inode) {
    return upperHex(static_cast<unsigned long>(usec), 5) + upperHex(inode, 0);
}

std::string longQueueId(long sec, long usec, unsigned long inode) {
    return safeUlToStr(static_cast<unsigned long>(sec), 52, 6) + safeUlToStr(static_cast<unsigned long>(usec), 52, 4) +
           'z' + safeUlToStr(inode, 51, 0);
}

base::Result<NewQueueFile> NewQueueFile::create(std::string_view queue, const QueueLayout& layout, bool longIds,
                                                mode_t mode, void (*warn)(std::string_view)) {
    // A temporary name that does not collide even on a shared maildrop: the
    // microseconds and the process id.
    std::string temp;
    int fd = -1;
    for (;;) {
        struct timeval tv {};
        ::gettimeofday(&tv, nullptr);
        temp = std::string(queue) + "/" + std::to_string(static_cast<int>(tv.tv_usec)) + "." +
               std::to_string(static_cast<int>(::getpid()));
        fd = ::open(temp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (fd >= 0) break;
        if (errno == EEXIST || errno == EISDIR) continue;
        if (warn) warn("mail_queue_enter: create file " + temp + ": " + std::strerror(errno));
        ::sleep(10);
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        int saved = errno;
        ::close(fd);
        ::unlink(temp.c_str());
        return base::errnoError("fstat", saved);
    }
    // The id comes from the inode, which the file system keeps unique, and the time,
    // which keeps an id from repeating within a second when inodes are reused.
    for (int count = 0;; ++count) {
        struct timeval tv {};
        ::gettimeofday(&tv, nullptr);
        std::string id = longIds ? longQueueId(tv.tv_sec, tv.tv_usec, st.st_ino) : shortQueueId(tv.tv_usec, st.st_ino);
        std::string path = queuePath(layout, queue, id);
        if (::rename(temp.c_str(), path.c_str()) == 0) {
            NewQueueFile file(fd, std::move(id), std::move(path));
            file.createdSec_ = static_cast<long>(tv.tv_sec);
            return file;
        }
        int saved = errno;
        if (saved == EPERM || saved == EISDIR) continue;
        if (saved == ENOENT) {
            // A missing hashed subdirectory; a failure shows in the next rename.
            (void)makeQueueDirectories(path);
        } else if (warn) {
            warn("mail_queue_enter: rename " + temp + " to " + path + ": " + std::strerror(saved));
        }
        if (count > 1000) {
            ::close(fd);
            ::unlink(temp.c_str());
            return base::Error{"mail_queue_enter: rename " + temp + " to " + path + ": giving up"};
        }
    }
}

NewQueueFile::NewQueueFile(NewQueueFile&& other) noexcept
    : fd_(other.fd_),
      id_(std::move(other.id_)),
      path_(std::move(other.path_)),
      buffer_(std::move(other.buffer_)),
      errno_(other.errno_),
      written_(other.written_),
      createdSec_(other.createdSec_) {
    other.fd_ = -1;
}

NewQueueFile::~NewQueueFile() {
    if (fd_ >= 0) ::close(fd_);
}

bool NewQueueFile::flush() {
    if (errno_ == 0 && !buffer_.empty() && !writeAll(fd_, buffer_)) errno_ = errno;
    buffer_.clear();
    return errno_ == 0;
}

void NewQueueFile::write(std::string_view bytes) {
    written_ += static_cast<off_t>(bytes.size());
    buffer_.append(bytes);
    if (buffer_.size() >= 65536) flush();
}

void NewQueueFile::patch(off_t at, std::string_view bytes) {
    if (!flush()) return;
    while (!bytes.empty()) {
        ssize_t n = ::pwrite(fd_, bytes.data(), bytes.size(), at);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            errno_ = errno;
            return;
        }
        bytes.remove_prefix(static_cast<size_t>(n));
        at += n;
    }
}

base::Status NewQueueFile::finish(mode_t extraMode, bool* sizeError) {
    int err = 0;
    if (!flush())
        err = errno_;
    else if (::fchmod(fd_, 0700 | extraMode) != 0 || ::fsync(fd_) != 0)
        err = errno;
    if (::close(fd_) != 0 && err == 0) err = errno;
    fd_ = -1;
    if (sizeError) *sizeError = err == EFBIG;
    if (err != 0) return base::Error{std::strerror(err), err};
    return base::Status::success();
}

void NewQueueFile::abandon() {
    // What was written stays (vstream_fclose() flushes): an incomplete file is
    // recognisable by its mode, not by its size.
    if (fd_ >= 0) {
        flush();
        ::close(fd_);
    }
    fd_ = -1;
}

base::Status triggerService(const std::string& path, std::string_view request, std::string* verboseNote) {
    auto note = [&](const std::string& text) {
        if (verboseNote) *verboseNote = text + ": " + std::strerror(errno);
        return base::Status::success();
    };
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return base::errnoError("unable to look up " + path);
    if (S_ISFIFO(st.st_mode)) {
        // fifo_trigger(): a reader must be there; never block on it.
        int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) return note("fifo_trigger: open " + path);
        bool ok = writeAll(fd, request);
        int saved = errno;
        ::close(fd);
        errno = saved;
        if (!ok) return note("fifo_trigger: write " + path);
        return base::Status::success();
    }
    if (S_ISSOCK(st.st_mode)) {
        struct sockaddr_un addr {};
        addr.sun_family = AF_UNIX;
        if (path.size() >= sizeof addr.sun_path) return base::Error{"unix-domain name too long: " + path};
        std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
        int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return note("unix_trigger: socket " + path);
        if (::connect(fd, reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) != 0) {
            int saved = errno;
            ::close(fd);
            errno = saved;
            return note("unix_trigger: connect to " + path);
        }
        // unix_trigger() follows the request with a null byte.
        bool ok = writeAll(fd, request) && writeAll(fd, std::string_view("", 1));
        int saved = errno;
        ::close(fd);
        errno = saved;
        if (!ok) return note("unix_trigger: write " + path);
        return base::Status::success();
    }
    return base::Error{path + " is not a socket or a fifo"};
}

}  // namespace postline::queue
