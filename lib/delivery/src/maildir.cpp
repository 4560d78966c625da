// Maildir delivery (Postfix's local/maildir.c): tmp/ file, fsync, link into new/,
// unlink from tmp/, with the directories made on demand as make_dirs() does.
#include "postline/delivery/maildir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace postline::delivery {

namespace {

// make_dirs(): every missing component of `path`, mode 0700.
int makeDirs(const std::string& path) {
    std::string partial;
    size_t pos = 0;
    while (pos <= path.size()) {
        size_t slash = path.find('/', pos);
        if (slash == std::string::npos) slash = path.size();
        partial = path.substr(0, slash);
        pos = slash + 1;
        if (partial.empty()) continue;
        if (::mkdir(partial.c_str(), 0700) < 0 && errno != EEXIST) return -1;
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) < 0) return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

}  // namespace

std::string maildirTmpName(const timeval& start, pid_t pid, std::string_view hostname) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%lu.P%d.", static_cast<unsigned long>(start.tv_sec), static_cast<int>(pid));
    return buf + std::string(hostname);
}

std::string maildirNewName(const timeval& start, dev_t dev, ino_t ino, std::string_view hostname) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "%lu.V%lxI%lxM%lu.", static_cast<unsigned long>(start.tv_sec),
                  static_cast<unsigned long>(dev), static_cast<unsigned long>(ino),
                  static_cast<unsigned long>(start.tv_usec));
    return buf + std::string(hostname);
}

std::string maildirHostname() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) < 0) return "localhost";
    return name;
}

base::Result<std::string> deliverToMaildir(const MaildirTarget& target, std::string_view data, CopyFailure* failure) {
    timeval start{};
    if (target.start)
        start = *target.start;
    else
        ::gettimeofday(&start, nullptr);
    pid_t pid = target.pid ? target.pid : ::getpid();
    std::string tmpDir = target.path + "tmp/";
    std::string newDir = target.path + "new/";
    std::string curDir = target.path + "cur/";
    std::string tmpFile = tmpDir + maildirTmpName(start, pid, target.hostname);
    auto fail = [&](std::string status, std::string reason, int err) -> base::Result<std::string> {
        if (failure) *failure = CopyFailure{std::move(status), reason};
        return base::Error{std::move(reason), err};
    };

    int fd = ::open(tmpFile.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == ENOENT && makeDirs(tmpDir) == 0)
        fd = ::open(tmpFile.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        int err = errno;
        return fail(mboxDsn(err, "5.2.0"), "create maildir file " + tmpFile + ": " + std::strerror(err), err);
    }
    struct stat st {};
    if (::fstat(fd, &st) < 0) {
        int err = errno;
        ::close(fd);
        ::unlink(tmpFile.c_str());
        return fail(mboxDsn(err, "5.2.0"), "fstat " + tmpFile + ": " + std::strerror(err), err);
    }
    std::string newFile = newDir + maildirNewName(start, st.st_dev, st.st_ino, target.hostname);

    int err = 0;
    std::string_view rest = data;
    while (!rest.empty()) {
        ssize_t n = ::write(fd, rest.data(), rest.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            err = errno;
            break;
        }
        rest.remove_prefix(static_cast<size_t>(n));
    }
    if (err == 0 && ::fsync(fd) < 0) err = errno;
    if (::close(fd) < 0 && err == 0) err = errno;
    if (err != 0) {
        ::unlink(tmpFile.c_str());
        return fail(mboxDsn(err, "5.3.0"), std::string("error writing message: ") + std::strerror(err), err);
    }
    // sane_link(): into new/, making cur/ and new/ when they are missing.
    int linked = ::link(tmpFile.c_str(), newFile.c_str());
    if (linked < 0 && errno == ENOENT) {
        (void)makeDirs(curDir);
        if (makeDirs(newDir) == 0) linked = ::link(tmpFile.c_str(), newFile.c_str());
    }
    if (linked < 0) {
        err = errno;
        ::unlink(tmpFile.c_str());
        return fail(mboxDsn(err, "5.2.0"), "create maildir file " + newFile + ": " + std::strerror(err), err);
    }
    ::unlink(tmpFile.c_str());
    return newFile;
}

}  // namespace postline::delivery
