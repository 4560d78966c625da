// Generation directories, the current symlink and the compile lock (layout.h).
#include "layout.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <filesystem>

#include "postline/base/strings.h"

namespace postline::artifact::layout {

std::string generationName(int number) { return base::cat("gen-", number); }

int generationNumber(std::string_view name) {
    if (!name.starts_with("gen-") || name.size() == 4) return -1;
    int number = 0;
    auto [end, ec] = std::from_chars(name.data() + 4, name.data() + name.size(), number);
    if (ec != std::errc() || end != name.data() + name.size() || number < 1) return -1;
    return number;
}

base::Result<std::string> currentTarget(const std::string& outDir) {
    std::string link = base::cat(outDir, "/", kCurrent);
    char buf[4096];
    ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
    if (n < 0) return base::errnoError("readlink " + link);
    return std::string(buf, size_t(n));
}

base::Result<std::vector<int>> generations(const std::string& outDir) {
    DIR* dir = ::opendir(outDir.c_str());
    if (!dir) return base::errnoError("open directory " + outDir);
    std::vector<int> out;
    while (const dirent* entry = ::readdir(dir)) {
        int number = generationNumber(entry->d_name);
        if (number > 0) out.push_back(number);
    }
    ::closedir(dir);
    std::sort(out.begin(), out.end());
    return out;
}

base::Status syncDirectory(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return base::errnoError("open " + path);
    int rc = ::fsync(fd);
    int saved = errno;
    ::close(fd);
    if (rc != 0) return base::errnoError("fsync " + path, saved);
    return {};
}

base::Status switchCurrent(const std::string& outDir, const std::string& target) {
    std::string temporary = base::cat(outDir, "/.", kCurrent, ".", ::getpid(), ".tmp");
    std::string link = base::cat(outDir, "/", kCurrent);
    ::unlink(temporary.c_str());
    if (::symlink(target.c_str(), temporary.c_str()) != 0) return base::errnoError("symlink " + temporary);
    if (::rename(temporary.c_str(), link.c_str()) != 0) {
        base::Error error = base::errnoError(base::cat("rename ", temporary, " to ", link));
        ::unlink(temporary.c_str());
        return error;
    }
    return syncDirectory(outDir);
}

void removeTree(const std::string& path) {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
}

base::Result<int> lockGenerationInUse(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return base::errnoError("open " + path);
    while (::flock(fd, LOCK_SH) != 0) {
        if (errno == EINTR) continue;
        int saved = errno;
        ::close(fd);
        return base::errnoError("lock " + path, saved);
    }
    // A compile may have removed it between our open() and the lock: a removed
    // directory has no links left.
    struct stat st {};
    if (::fstat(fd, &st) != 0 || st.st_nlink == 0) {
        ::close(fd);
        return base::Error{path + ": removed while being opened", ENOENT};
    }
    return fd;
}

bool removeUnusedGeneration(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0 && ::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        return false;  // EWOULDBLOCK: a reader holds it
    }
    removeTree(path);  // under our lock, so no reader starts using it meanwhile
    if (fd >= 0) ::close(fd);
    return true;
}

base::Status makeDirectories(const std::string& path) {
    std::error_code error;
    std::filesystem::create_directories(path, error);
    if (error) return base::Error{base::cat("mkdir ", path, ": ", error.message()), error.value()};
    return {};
}

base::Result<CompileLock> CompileLock::acquire(const std::string& outDir) {
    std::string path = outDir + "/.lock";
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return base::errnoError("open " + path);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int saved = errno;
        ::close(fd);
        if (saved == EWOULDBLOCK) return base::Error{outDir + " is being compiled by another process", saved};
        return base::errnoError("lock " + path, saved);
    }
    return CompileLock(fd);
}

CompileLock::~CompileLock() {
    if (fd_ >= 0) ::close(fd_);
}

}  // namespace postline::artifact::layout
