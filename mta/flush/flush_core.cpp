// The fast flush logs and flushes (flush/flush.c).
#include "flush_core.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <utime.h>

#include <dirent.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <set>
#include <vector>

#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/queue/queue_state.h"

namespace postline::flush {

namespace {

constexpr size_t kDuplicateFilterSize = 10000;  // FLUSH_DUP_FILTER_SIZE

enum How { kRefreshOnly = 0, kUnthrottleBefore = 1, kUnthrottleAfter = 2 };

std::string logPath(const FlushEnvironment& env, const std::string& site) {
    return queue::queuePath(env.layout, "flush", site);
}

// flush_one_file: the message's time stamps to now and from deferred to incoming
// (where it may already be); 1 when it was found.
int flushOneFile(const FlushEnvironment& env, const std::string& id, time_t now, int how) {
    utimbuf times{now, now};
    std::string_view queueName = queue::kDeferred;
    std::string path = queue::queuePath(env.layout, queueName, id);
    if (::utime(path.c_str(), &times) < 0) {
        if (errno != ENOENT)
            base::msgWarn(base::cat("flush_one_file: update ", path, " time stamps: ", std::strerror(errno)));
        queueName = queue::kIncoming;
        path = queue::queuePath(env.layout, queueName, id);
        if (::utime(path.c_str(), &times) < 0) {
            if (errno != ENOENT)
                base::msgWarn(base::cat("flush_one_file: update ", path, " time stamps: ", std::strerror(errno)));
            return 0;
        }
    }
    if (how & kUnthrottleAfter) {
        // The group-read bit asks the queue manager to revive this message's
        // destinations when it reads it (MAIL_QUEUE_STAT_UNTHROTTLE).
        int fd = ::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
            struct stat st {};
            if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && queue::queueFileReady(st))
                if (::fchmod(fd, (st.st_mode & 07777) | S_IRGRP) < 0)
                    base::msgWarn(base::cat("flush_one_file: fchmod ", path, ": ", std::strerror(errno)));
            ::close(fd);
        }
    }
    if (queueName != queue::kIncoming) {
        auto moved = queue::moveQueueFile(env.layout, queueName, queue::kIncoming, id);
        if (!moved && moved.error().errnum != ENOENT)
            base::msgWarn(base::cat(path, ": rename from ", queueName, " to incoming: ", moved.error().message));
    }
    return 1;
}

// flush_send_path.
int sendPath(const FlushEnvironment& env, const std::string& site, int how) {
    if (!queue::queueIdOk(site)) return kStatusBad;
    std::string path = logPath(env, site);
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        if (errno != ENOENT)
            base::msgFatal(base::cat("flush_send_path: open fast flush logfile ", site, ": ", std::strerror(errno)));
        return kStatusOk;  // no mail queued for it
    }
    if (::flock(fd, LOCK_EX) < 0)
        base::msgFatal(base::cat("flush_send_path: lock fast flush logfile ", site, ": ", std::strerror(errno)));
    if (how & kUnthrottleBefore) env.triggerQmgr("F");
    std::string text;
    char buffer[8192];
    for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) text.append(buffer, size_t(n));
    time_t now = env.now();
    std::set<std::string> seen;
    int count = 0;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string id = text.substr(start, end - start);
        start = end + 1;
        ++count;
        if (!queue::queueIdOk(id)) {
            base::msgWarn(base::cat("bad queue id \"", id.substr(0, 30), "...\" in fast flush logfile ", site));
            continue;
        }
        if (seen.size() >= kDuplicateFilterSize || seen.insert(id).second) count += flushOneFile(env, id, now, how);
    }
    if (count > 0 && ::ftruncate(fd, 0) < 0)
        base::msgFatal(base::cat("flush_send_path: truncate fast flush logfile ", site, ": ", std::strerror(errno)));
    ::futimes(fd, nullptr);  // read now, also on noatime mounts
    ::flock(fd, LOCK_UN);
    ::close(fd);
    if (count > 0) env.triggerQmgr("I");
    return kStatusOk;
}

}  // namespace

std::string sitePath(std::string_view site) {
    std::string path;
    for (unsigned char c : site) path += std::isalnum(c) ? char(std::tolower(c)) : '_';
    return queue::queueIdOk(path) ? path : std::string();
}

int addToLog(const FlushEnvironment& env, std::string_view site, std::string_view queueId) {
    if (!queue::queueIdOk(queueId)) return kStatusBad;
    if (!env.eligible(site)) return kStatusDeny;
    std::string name = sitePath(site);
    if (name.empty()) return kStatusDeny;
    std::string path = logPath(env, name);
    int fd = ::open(path.c_str(), O_CREAT | O_APPEND | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0 && errno == ENOENT) {
        (void)queue::makeQueueDirectories(path);
        fd = ::open(path.c_str(), O_CREAT | O_APPEND | O_WRONLY | O_CLOEXEC, 0600);
    }
    if (fd < 0) base::msgFatal(base::cat("flush_add_path: open fast flush logfile ", name, ": ", std::strerror(errno)));
    if (::flock(fd, LOCK_EX) < 0)
        base::msgFatal(base::cat("flush_add_path: lock fast flush logfile ", name, ": ", std::strerror(errno)));
    std::string line = std::string(queueId) + "\n";
    if (::write(fd, line.data(), line.size()) != ssize_t(line.size()))
        base::msgWarn(base::cat("write fast flush logfile ", name, ": ", std::strerror(errno)));
    ::flock(fd, LOCK_UN);
    ::close(fd);
    return kStatusOk;
}

int sendSite(const FlushEnvironment& env, std::string_view site) {
    if (!env.eligible(site)) return kStatusDeny;
    std::string name = sitePath(site);
    if (name.empty()) return kStatusDeny;
    return sendPath(env, name, kUnthrottleBefore);
}

int sendFile(const FlushEnvironment& env, std::string_view queueId) {
    if (!queue::queueIdOk(queueId)) return kStatusBad;
    if (flushOneFile(env, std::string(queueId), env.now(), kUnthrottleAfter) > 0) env.triggerQmgr("I");
    return kStatusOk;
}

int refreshLogs(const FlushEnvironment& env, long maxAge, long purgeAge) {
    // The logs live in flush/ (hashed when hash_queue_names lists it): walk what is there.
    std::vector<std::string> names;
    std::function<void(const std::string&, int)> walk = [&](const std::string& d, int depth) {
        std::unique_ptr<DIR, int (*)(DIR*)> handle(::opendir(d.c_str()), ::closedir);
        if (!handle) return;
        while (dirent* e = ::readdir(handle.get())) {
            std::string n = e->d_name;
            if (n == "." || n == "..") continue;
            struct stat st {};
            std::string p = d + "/" + n;
            if (::lstat(p.c_str(), &st) < 0) continue;
            if (S_ISDIR(st.st_mode) && n.size() == 1 && depth < 16) {
                walk(p, depth + 1);
            } else if (S_ISREG(st.st_mode) && queue::queueIdOk(n)) {
                names.push_back(n);
            }
        }
    };
    walk("flush", 0);
    time_t now = env.now();
    for (const std::string& name : names) {
        std::string path = logPath(env, name);
        struct stat st {};
        if (::stat(path.c_str(), &st) < 0) {
            if (errno != ENOENT)
                base::msgWarn(base::cat("flush_refresh_service: stat ", path, ": ", std::strerror(errno)));
            continue;
        }
        if (st.st_size == 0) {
            if (st.st_mtime + purgeAge < now && ::unlink(path.c_str()) < 0)
                base::msgWarn(base::cat("remove logfile ", path, ": ", std::strerror(errno)));
        } else if (st.st_atime + maxAge < now) {
            sendPath(env, name, kRefreshOnly);
        }
    }
    return kStatusOk;
}

}  // namespace postline::flush
