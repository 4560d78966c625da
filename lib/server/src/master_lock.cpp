// acquireMasterLock and runningMaster (master.c's lock files, master -t).
#include "postline/server/master_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "postline/base/files.h"

namespace postline::server {

base::Result<int> acquireMasterLock(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return base::Error{"open lock file " + path + ": cannot open file: " + std::strerror(errno), errno};
    if (::flock(fd, LOCK_EX | LOCK_NB) < 0) {
        int err = errno;
        ::close(fd);
        return base::Error{"open lock file " + path + ": unable to set exclusive lock: " + std::strerror(err), err};
    }
    char text[64];
    int length = std::snprintf(text, sizeof text, "%32lu\n", static_cast<unsigned long>(::getpid()));
    if (::ftruncate(fd, 0) < 0 || ::pwrite(fd, text, size_t(length), 0) != length) {
        int err = errno;
        ::close(fd);
        return base::Error{"cannot update lock file " + path + ": " + std::strerror(err), err};
    }
    return fd;
}

std::optional<long> runningMaster(const std::string& queueDirectory) {
    std::string path = queueDirectory + "/pid/master.pid";
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    bool held = ::flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
    ::close(fd);
    if (!held) return std::nullopt;
    auto text = base::readFile(path);
    if (!text) return std::nullopt;
    long pid = std::strtol(text->c_str(), nullptr, 10);
    return pid > 0 ? std::optional<long>(pid) : std::nullopt;
}

}  // namespace postline::server
