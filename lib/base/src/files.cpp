// File helpers: whole reads, atomic replacement, Postfix-style locks (util/myflock.c).
#include "postline/base/files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace postline::base {

Result<std::string> readAll(int fd) {
    // A regular file is read straight into a buffer of its size: growing a string by
    // appends copies a large table source several times over.
    std::string data;
    size_t used = 0;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        off_t pos = ::lseek(fd, 0, SEEK_CUR);
        if (pos >= 0 && st.st_size > pos) data.resize(size_t(st.st_size - pos) + 1);
    }
    if (data.size() < 65536) data.resize(65536);
    for (;;) {
        if (used == data.size()) data.resize(data.size() * 2);
        ssize_t n = ::read(fd, data.data() + used, data.size() - used);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errnoError("read");
        }
        if (n == 0) break;
        used += size_t(n);
    }
    data.resize(used);
    return data;
}

Result<FileContents> readContents(int fd) {
    struct stat st {};
    off_t pos = -1;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (pos = ::lseek(fd, 0, SEEK_CUR)) < 0 || st.st_size <= pos) {
        auto text = readAll(fd);
        if (!text) return text.error();
        return FileContents(std::move(*text));
    }
    // One byte more than the size, so that reaching EOF needs no second buffer.
    size_t capacity = size_t(st.st_size - pos) + 1;
    auto buffer = std::make_unique_for_overwrite<char[]>(capacity);
    size_t used = 0;
    for (;;) {
        if (used == capacity) {  // the file grew while we read it
            size_t bigger = capacity * 2;
            auto grown = std::make_unique_for_overwrite<char[]>(bigger);
            std::memcpy(grown.get(), buffer.get(), used);
            buffer = std::move(grown);
            capacity = bigger;
        }
        ssize_t n = ::read(fd, buffer.get() + used, capacity - used);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errnoError("read");
        }
        if (n == 0) break;
        used += size_t(n);
    }
    FileContents contents;
    contents.buffer_ = std::move(buffer);
    contents.size_ = used;
    return contents;
}

Result<std::string> readFile(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errnoError("open " + path);
    auto data = readAll(fd);
    ::close(fd);
    if (!data) return errnoError("read " + path, data.error().errnum);
    return data;
}

std::string dirName(std::string_view path) {
    auto slash = path.rfind('/');
    if (slash == std::string_view::npos) return ".";
    if (slash == 0) return "/";
    return std::string(path.substr(0, slash));
}

std::string baseName(std::string_view path) {
    auto slash = path.rfind('/');
    return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string temporaryPathFor(const std::string& path) {
    std::string dir = dirName(path);
    return dir + "/." + baseName(path) + "." + std::to_string(::getpid()) + ".tmp";
}

Status syncParentDirectory(const std::string& path) {
    std::string dir = dirName(path);
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errnoError("open " + dir);
    int rc = ::fsync(fd);
    int saved = errno;
    ::close(fd);
    if (rc != 0) return errnoError("fsync " + dir, saved);
    return {};
}

Status writeFileAtomically(const std::string& path, std::string_view data, unsigned mode) {
    std::string tmp = temporaryPathFor(path);
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) return errnoError("create " + tmp);
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            int saved = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            return errnoError("write " + tmp, saved);
        }
        done += size_t(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        int saved = errno;
        ::unlink(tmp.c_str());
        return errnoError("write " + tmp, saved);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int saved = errno;
        ::unlink(tmp.c_str());
        return errnoError("rename " + tmp + " to " + path, saved);
    }
    return syncParentDirectory(path);
}

Status lockFile(int fd, LockStyle style, LockMode mode) {
    if (style == LockStyle::Flock) {
        int op = mode == LockMode::Shared ? LOCK_SH : mode == LockMode::Exclusive ? LOCK_EX : LOCK_UN;
        while (::flock(fd, op) != 0) {
            if (errno != EINTR) return errnoError("lock");
        }
        return {};
    }
    struct flock lock {};
    lock.l_type = mode == LockMode::Shared ? F_RDLCK : mode == LockMode::Exclusive ? F_WRLCK : F_UNLCK;
    lock.l_whence = SEEK_SET;
    while (::fcntl(fd, F_SETLKW, &lock) != 0) {
        if (errno != EINTR) return errnoError("lock");
    }
    return {};
}

}  // namespace postline::base
