// Queue state changes (queue_state.h): renames between queue directories, the
// completion mark and the deferred file's next-attempt time.
#include "postline/queue/queue_state.h"

#include <sys/stat.h>
#include <utime.h>

#include <cerrno>
#include <cstdio>

#include "postline/base/strings.h"

namespace postline::queue {

base::Status makeQueueDirectories(const std::string& path) {
    // Every directory above the last component, one level at a time ("deferred",
    // "deferred/A", "deferred/A/B").
    for (size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1)) {
        std::string dir = path.substr(0, slash);
        if (dir.empty()) continue;  // an absolute path's root
        if (::mkdir(dir.c_str(), 0700) < 0 && errno != EEXIST) return base::errnoError("mkdir " + dir);
    }
    return {};
}

base::Status moveQueueFile(const QueueLayout& layout, std::string_view from, std::string_view to, std::string_view id) {
    const std::string oldPath = queuePath(layout, from, id);
    const std::string newPath = queuePath(layout, to, id);
    if (::rename(oldPath.c_str(), newPath.c_str()) == 0) return {};
    int saved = errno;
    // ENOENT is either side: a missing hashed subdirectory of the destination (created,
    // then one more try) or a source that is gone (the second rename says so again).
    if (saved == ENOENT) {
        if (auto made = makeQueueDirectories(newPath); !made) return made;
        if (::rename(oldPath.c_str(), newPath.c_str()) == 0) return {};
        saved = errno;
    }
    return base::errnoError(base::cat("rename ", oldPath, " to ", newPath), saved);
}

bool queueFileReady(const struct stat& st) { return S_ISREG(st.st_mode) && (st.st_mode & S_IRWXU) == S_IRWXU; }

base::Status setNextAttempt(const std::string& path, time_t now, time_t nextAttempt) {
    struct utimbuf times {};
    times.actime = now;
    times.modtime = nextAttempt;
    if (::utime(path.c_str(), &times) < 0) return base::errnoError("set next attempt time of " + path);
    return {};
}

bool attemptDue(const struct stat& st, time_t now) { return st.st_mtime <= now; }

}  // namespace postline::queue
