// postsuper's queue operations after Postfix 3.7's postsuper/postsuper.c (delete_one,
// requeue_one, hold_one, release_one, expire_one, fix_queue_id, super()), with
// global/mail_open_ok.c's checks of a named message file and util/scan_dir.c's
// directory walk. The walk lives here rather than in a shared scanner because it
// renames and removes files while it reads their directory, as Postfix's does.
#include "postline/queue/superintendent.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/queue/maildrop_file.h"
#include "postline/queue/queue_state.h"

namespace postline::queue {
namespace {

constexpr mode_t kStatReady = S_IRUSR | S_IWUSR | S_IXUSR;  // MAIL_QUEUE_STAT_READY
constexpr mode_t kStatExpire = S_IXGRP;                     // MAIL_QUEUE_STAT_EXPIRE
constexpr time_t kMaxTempAge = 7 * 60 * 60 * 24;            // temporary files older are purged
constexpr std::string_view kFixSuffix = "#FIX";             // never a valid queue id
constexpr size_t kShortUsecPad = 5;
constexpr size_t kLongTimePad = 10;
constexpr size_t kLongUsecPad = 4;
constexpr std::string_view kSafeChars = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";

// Ends an operation the way msg_fatal() ends Postfix's postsuper; caught at the
// public functions and returned as an Error.
struct Fatal {
    base::Error error;
};

[[noreturn]] void fatal(std::string text) { throw Fatal{base::Error{std::move(text), 0}}; }

// queue_info[]: whether a directory holds message files (ready = mode 0700) and
// whether postsuper steps into its subdirectories (never maildrop's: its writers are
// not trusted).
struct QueueInfo {
    std::string_view name;
    bool messages;
    bool recurse;
};
constexpr QueueInfo kQueueInfo[] = {
    {kMaildrop, true, false}, {kIncoming, true, true}, {kActive, true, true},
    {kDeferred, true, true},  {kHold, true, true},     {"trace", false, true},
    {"defer", false, true},   {"bounce", false, true}, {"flush", false, true},
};
constexpr std::string_view kLogQueues[] = {"bounce", "defer", "trace"};

const QueueInfo& findQueueInfo(std::string_view name) {
    for (const auto& info : kQueueInfo)
        if (info.name == name) return info;
    fatal(base::cat("invalid directory name: ", name));
}

bool readyMessage(const struct stat& st) { return (st.st_mode & S_IRWXU) == kStatReady; }

std::string errnoText() { return std::strerror(errno); }

// postremove(): a file that is already gone is not an error.
int removeFile(const std::string& path) {
    if (::remove(path.c_str()) < 0) {
        if (errno != ENOENT) fatal(base::cat("remove file ", path, ": ", errnoText()));
        return -1;
    }
    if (base::verbose()) base::msgInfo(base::cat("removed file ", path));
    return 0;
}

// make_dirs(dir, 0700) for the directory part of a path; errno tells why it failed.
int makeParents(const std::string& path) {
    if (auto made = makeQueueDirectories(path); !made) {
        errno = made.error().errnum;
        return -1;
    }
    return 0;
}

// postrename(): a missing hashed subdirectory is created; a file that vanished
// meanwhile is not an error.
int renameFile(const std::string& from, const std::string& to) {
    int ret = ::rename(from.c_str(), to.c_str());
    if (ret < 0) {
        if (errno != ENOENT || makeParents(to) < 0 || (ret = ::rename(from.c_str(), to.c_str())) < 0)
            if (errno != ENOENT) fatal(base::cat("rename file ", from, " as ", to, ": ", errnoText()));
    } else if (base::verbose()) {
        base::msgInfo(base::cat("renamed file ", from, " as ", to));
    }
    return ret;
}

int removeDirectory(const std::string& path) {
    int ret = ::rmdir(path.c_str());
    if (ret < 0) {
        if (errno != ENOENT) fatal(base::cat("remove directory ", path, ": ", errnoText()));
    } else if (base::verbose()) {
        base::msgInfo(base::cat("remove directory ", path));
    }
    return ret;
}

// postexpire(): the group-execute bit marks a message for expiration. Opened without
// following a symbolic link, so that no file outside the queue is changed.
int expireFile(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) {
        if (errno != ENOENT) base::msgWarn(base::cat("expire file ", path, ": cannot open file: ", errnoText()));
        return -1;
    }
    struct stat st;
    int ret = -1;
    if (::fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
        base::msgWarn(base::cat("expire file ", path, ": file status changed unexpectedly"));
    } else if (readyMessage(st) && (st.st_mode & kStatExpire) == 0) {
        if (::fchmod(fd, (st.st_mode | kStatExpire) & ~S_IFMT) < 0)
            base::msgWarn(base::cat("expire file ", path, ": cannot set permission: ", errnoText()));
        else
            ret = 0;
    }
    ::close(fd);
    return ret;
}

// safe_strtoul(): digits of the safe alphabet in `base`; *end past the last one.
unsigned long safeStrToUl(const char* start, const char** end, unsigned base) {
    unsigned long sum = 0;
    unsigned long divLimit = ULONG_MAX / base;
    unsigned long modLimit = ULONG_MAX % base;
    *end = start;
    errno = 0;
    const char* cp = start;
    auto value = [&](char c) -> unsigned {
        auto at = kSafeChars.find(c);
        return c == '\0' || at == std::string_view::npos ? 1000u : static_cast<unsigned>(at);
    };
    for (unsigned v; (v = value(*cp)) < base; ++cp) {
        if (sum > divLimit || (sum == divLimit && v > modLimit)) {
            sum = ULONG_MAX;
            errno = ERANGE;
            while (value(*++cp) < base) {
            }
            break;
        }
        sum = sum * base + v;
    }
    if (cp == start)
        errno = EINVAL;
    else
        *end = cp;
    return sum;
}

// Where a long id's inode part starts (past its 'z'), or npos for a short id.
size_t longInumSeparator(const std::string& id) {
    auto z = id.rfind('z');
    return z != std::string::npos && z >= kLongTimePad ? z : std::string::npos;
}

// MQID_GET_INUM(): the inode number a queue id names; false when it names none.
bool idInode(const std::string& id, unsigned long& inum, bool& longName) {
    auto z = longInumSeparator(id);
    longName = z != std::string::npos;
    const char* end;
    if (longName) {
        inum = safeStrToUl(id.c_str() + z + 1, &end, 51);
    } else {
        if (id.size() <= kShortUsecPad) return false;
        errno = 0;
        char* hexEnd;
        inum = std::strtoul(id.c_str() + kShortUsecPad, &hexEnd, 16);
        end = hexEnd;
    }
    return !(*end != '\0' || (inum == ULONG_MAX && errno == ERANGE));
}

// One level of util/scan_dir.c: the entries of a directory but "." and "..".
class DirStack {
public:
    ~DirStack() {
        while (!levels_.empty()) pop();
    }
    void push(const std::string& name) {
        std::string path = levels_.empty() ? name : levels_.back().path + "/" + name;
        DIR* dir = ::opendir(path.c_str());
        if (!dir) fatal(base::cat("scan_dir_push: open directory ", path, ": ", errnoText()));
        if (base::verbose() > 1) base::msgInfo(base::cat("scan_dir_push: open ", path));
        levels_.push_back({std::move(path), dir});
    }
    void pop() {
        if (base::verbose() > 1) base::msgInfo(base::cat("scan_dir_pop: close ", levels_.back().path));
        ::closedir(levels_.back().dir);
        levels_.pop_back();
    }
    bool next(std::string& name) {
        if (levels_.empty()) return false;
        while (struct dirent* entry = ::readdir(levels_.back().dir)) {
            std::string_view found(entry->d_name);
            if (found == "." || found == "..") {
                if (base::verbose() > 1) base::msgInfo(base::cat("scan_dir_next: skip ", found));
                continue;
            }
            if (base::verbose() > 1) base::msgInfo(base::cat("scan_dir_next: found ", found));
            name = found;
            return true;
        }
        return false;
    }
    const std::string& path() const { return levels_.back().path; }

private:
    struct Level {
        std::string path;
        DIR* dir;
    };
    std::vector<Level> levels_;
};

template <class F>
base::Status guarded(F&& body) {
    try {
        body();
    } catch (Fatal& failure) {
        return base::Status(std::move(failure.error));
    }
    return base::Status::success();
}

}  // namespace

const std::vector<std::string>& defaultSuperQueues() {
    static const std::vector<std::string> queues{"defer",  "bounce",   "maildrop", "incoming",
                                                 "active", "deferred", "hold",     "flush"};
    return queues;
}

Superintendent::Superintendent(std::string_view hashQueueNames, int hashDepth, bool longIds)
    : layout_(queueLayout(hashQueueNames, hashDepth)),
      hashNames_(layout_.hashedQueues),
      hashDepth_(hashDepth),
      longIds_(longIds) {}

namespace {

// mail_open_ok(): the path of a complete message file QUEUE/ID, or empty.
std::string openOk(const QueueLayout& layout, const std::string& queue, std::string_view id) {
    if (!queueNameOk(queue)) {
        base::msgWarn(base::cat("bad mail queue name: ", queue));
        return {};
    }
    if (!queueIdOk(id)) return {};
    std::string path = queuePath(layout, queue, id);
    struct stat st;
    if (::lstat(path.c_str(), &st) < 0) {
        if (errno != ENOENT) base::msgWarn(base::cat(path, ": ", errnoText()));
        return {};
    }
    if (!S_ISREG(st.st_mode)) {
        base::msgWarn(base::cat(path, ": uid ", std::to_string(st.st_uid), ": not a regular file"));
        return {};
    }
    if (!readyMessage(st)) return {};
    // A second link is normal for a moment while a daemon renames the file; it is
    // reported only once it looks persistent.
    if (st.st_nlink > 1) {
        std::string text =
            base::cat(path, ": uid ", std::to_string(st.st_uid), ": file has ", std::to_string(st.st_nlink), " links");
        if (base::verbose())
            base::msgInfo(text);
        else if (st.st_ctime < ::time(nullptr) - 60)
            base::msgWarn(text);
    }
    return path;
}

bool validId(std::string_view id) {
    if (queueIdOk(id)) return true;
    base::msgWarn(base::cat("invalid mail queue id: ", id));
    return false;
}

}  // namespace

base::Status Superintendent::deleteOne(const std::vector<std::string>& queues, std::string_view id) {
    return guarded([&] {
        if (!validId(id)) return;
        // The logs go before the message file, and only when it exists, so that a
        // reused id costs as little as possible. Twice over the queues: the file may
        // move from one to the next meanwhile.
        int found = 0;
        for (int tries = 0; found == 0 && tries < 2; ++tries) {
            for (const auto& queue : queues) {
                if (!findQueueInfo(queue).messages) continue;
                std::string path = openOk(layout_, queue, id);
                if (path.empty()) continue;
                for (auto log : kLogQueues) removeFile(queuePath(layout_, log, id));
                if (removeFile(path) == 0) {
                    found = 1;
                    base::msgInfo(base::cat(id, ": removed"));
                    break;
                }
            }
        }
        counts_.deleted += found;
    });
}

base::Status Superintendent::requeueOne(const std::vector<std::string>& queues, std::string_view id) {
    return guarded([&] {
        if (!validId(id)) return;
        // The logs stay: the queue manager may be about to bounce the message after
        // all, and pickup's copy gets new ones anyway.
        int found = 0;
        for (int tries = 0; found == 0 && tries < 2; ++tries) {
            for (const auto& queue : queues) {
                if (queue == kMaildrop) continue;
                if (!findQueueInfo(queue).messages) continue;
                std::string path = openOk(layout_, queue, id);
                if (path.empty()) continue;
                std::string target = queuePath(layout_, kMaildrop, id);
                if (renameFile(path, target) == 0) {
                    // pickup takes maildrop files in any order; a fresh time keeps the
                    // requeued file from looking stale.
                    struct utimbuf times;
                    times.actime = times.modtime = ::time(nullptr);
                    if (::utime(target.c_str(), &times) < 0)
                        base::msgWarn(base::cat(target, ": reset time stamps: ", errnoText()));
                    base::msgInfo(base::cat(id, ": requeued"));
                    found = 1;
                    break;
                }
            }
        }
        counts_.requeued += found;
    });
}

base::Status Superintendent::holdOne(const std::vector<std::string>& queues, std::string_view id) {
    return guarded([&] {
        if (!validId(id)) return;
        // Never from maildrop: its files are not yet sanitized by cleanup and must
        // not mix with those that are.
        int found = 0;
        for (int tries = 0; found == 0 && tries < 2; ++tries) {
            for (const auto& queue : queues) {
                if (queue == kMaildrop || queue == kHold) continue;
                if (!findQueueInfo(queue).messages) continue;
                std::string path = openOk(layout_, queue, id);
                if (path.empty()) continue;
                if (renameFile(path, queuePath(layout_, kHold, id)) == 0) {
                    base::msgInfo(base::cat(id, ": placed on hold"));
                    found = 1;
                    break;
                }
            }
        }
        counts_.held += found;
    });
}

base::Status Superintendent::releaseOne(const std::vector<std::string>& queues, std::string_view id) {
    return guarded([&] {
        if (!validId(id)) return;
        // The file keeps its time: an old deferred file is due at once.
        for (const auto& queue : queues) {
            if (queue != kHold) continue;
            std::string path = openOk(layout_, queue, id);
            if (path.empty()) continue;
            if (renameFile(path, queuePath(layout_, kDeferred, id)) == 0) {
                base::msgInfo(base::cat(id, ": released from hold"));
                counts_.released += 1;
                break;
            }
        }
    });
}

base::Status Superintendent::expireOne(const std::vector<std::string>& queues, std::string_view id) {
    return guarded([&] {
        if (!validId(id)) return;
        int found = 0;
        for (int tries = 0; found == 0 && tries < 2; ++tries) {
            for (const auto& queue : queues) {
                if (!findQueueInfo(queue).messages) continue;
                if (queue == kMaildrop) continue;
                std::string path = openOk(layout_, queue, id);
                if (path.empty()) continue;
                if (expireFile(path) == 0) {
                    found = 1;
                    base::msgInfo(base::cat(id, ": expired"));
                    break;
                }
            }
        }
        counts_.expired += found;
    });
}

base::Status Superintendent::scan(const std::vector<std::string>& queues, int action) {
    return guarded([&] {
        for (const auto& queueName : queues) {
            if (base::verbose()) base::msgInfo(base::cat("queue: ", queueName));
            const QueueInfo& info = findQueueInfo(queueName);
            int wantedDepth = 0;
            for (const auto& hashed : hashNames_)
                if (hashed == queueName) {
                    wantedDepth = hashDepth_;
                    break;
                }
            if (wantedDepth > 0 && !info.recurse) fatal(base::cat(queueName, " queue must not be hashed"));

            DirStack dirs;
            dirs.push(queueName);
            int actualDepth = 0;
            std::string name;
            for (;;) {
                // At the end of a subdirectory, back to its parent; a level that the
                // hashing no longer wants goes (if it is empty by now).
                if (!dirs.next(name)) {
                    if (actualDepth == 0) break;
                    if (actualDepth > wantedDepth) removeDirectory(dirs.path());
                    dirs.pop();
                    --actualDepth;
                    continue;
                }
                if (name.size() == 1 && info.recurse) {
                    ++actualDepth;
                    dirs.push(name);
                    continue;
                }
                std::string actualPath = dirs.path() + "/" + name;
                struct stat st;
                if (::lstat(actualPath.c_str(), &st) < 0) continue;

                // Any other directory is alien; maildrop's writers may have put it
                // there, so failing to remove it is only a warning.
                if (S_ISDIR(st.st_mode)) {
                    if (::rmdir(actualPath.c_str()) < 0) {
                        if (errno != ENOENT)
                            base::msgWarn(base::cat("remove subdirectory ", actualPath, ": ", errnoText()));
                    } else if (base::verbose()) {
                        base::msgInfo(base::cat("remove subdirectory ", actualPath));
                    }
                    continue;
                }

                // Everything goes; only complete messages count.
                if (action & super::kDeleteAll) {
                    if (removeFile(actualPath) == 0 && info.messages && readyMessage(st)) ++counts_.deleted;
                    continue;
                }

                // Non-files, and incomplete message files older than a week.
                if (!S_ISREG(st.st_mode) || ((action & super::kPurge) && info.messages && !readyMessage(st) &&
                                             ::time(nullptr) > st.st_mtime + kMaxTempAge)) {
                    removeFile(actualPath);
                    continue;
                }

                // A "NEWID#FIX" left by the name repair below (this run's first pass
                // or an interrupted run): the suffix goes once the name matches the
                // inode, and the file moves to its hashed place.
                if ((action & super::kStruct) && name.size() > kFixSuffix.size() &&
                    std::string_view(name).substr(name.size() - kFixSuffix.size()) == kFixSuffix) {
                    name.resize(name.size() - kFixSuffix.size());
                    if (!queueIdOk(name)) {
                        base::msgWarn(base::cat("bogus file name: ", actualPath));
                        continue;
                    }
                    if (info.messages) {
                        unsigned long inum;
                        bool longName;
                        if (!idInode(name, inum, longName)) {
                            base::msgWarn(base::cat("bogus file name: ", actualPath));
                            continue;
                        }
                        if (inum != static_cast<unsigned long>(st.st_ino)) {
                            base::msgWarn(base::cat("name/inode mismatch: ", actualPath));
                            continue;
                        }
                    }
                    std::string wanted = queuePath(layout_, queueName, name);
                    if (renameFile(actualPath, wanted) < 0) continue;
                    if (info.messages) ++counts_.inodeFixed;
                    actualPath = wanted;
                }

                if (!queueIdOk(name)) {
                    base::msgWarn(base::cat("bogus file name: ", actualPath));
                    continue;
                }

                // A short name must match the file's inode (a spool restored from
                // elsewhere), a long one only with -S or when long ids are off. The
                // file and its logs become "NEWID#FIX", finished on the next pass.
                if ((action & super::kStruct) && info.messages) {
                    unsigned long inum;
                    bool longName;
                    if (!idInode(name, inum, longName)) {
                        base::msgWarn(base::cat("bogus file name: ", actualPath));
                        continue;
                    }
                    if ((longName && !longIds_) || (inum != static_cast<unsigned long>(st.st_ino) &&
                                                    (!longName || (action & super::kStructRedundant)))) {
                        ++counts_.inodeMismatch;
                        action &= ~super::kByWildcard;
                        fixQueueId(actualPath, queueName, name, st);
                        continue;
                    }
                }

                // Mass requeue; the logs stay, as with requeueOne().
                if ((action & super::kRequeueAll) && info.messages && queueName != kMaildrop) {
                    if (renameFile(actualPath, queuePath(layout_, kMaildrop, name)) == 0) ++counts_.requeued;
                    continue;
                }

                if ((action & (super::kExpireAll | super::kExpRelAll)) && info.messages && readyMessage(st) &&
                    queueName != kMaildrop && expireFile(actualPath) == 0)
                    ++counts_.expired;

                if ((action & super::kHoldAll) && info.messages && queueName != kMaildrop && queueName != kHold) {
                    if (renameFile(actualPath, queuePath(layout_, kHold, name)) == 0) ++counts_.held;
                    continue;
                }

                if ((action & (super::kReleaseAll | super::kExpRelAll)) && queueName == kHold) {
                    if (renameFile(actualPath, queuePath(layout_, kDeferred, name)) == 0) ++counts_.released;
                    continue;
                }

                // The hashed place after a change of hash_queue_names or
                // hash_queue_depth (log directories come first, so that the logs are
                // in place when a message file is renamed).
                if (action & super::kStruct) {
                    std::string wanted = queuePath(layout_, queueName, name);
                    if (actualPath != wanted) {
                        ++counts_.positionMismatch;
                        renameFile(actualPath, wanted);
                        continue;
                    }
                }
            }
        }
    });
}

void Superintendent::fixQueueId(const std::string& actualPath, const std::string& queue, const std::string& id,
                                const struct stat& st) {
    // The new name keeps the time digits and takes the inode: deterministic, so that
    // an interrupted run can be completed.
    auto inode = static_cast<unsigned long>(st.st_ino);
    std::string newId;
    auto z = longInumSeparator(id);
    if (z == std::string::npos) {
        newId = id.substr(0, kShortUsecPad) + shortQueueId(0, inode).substr(kShortUsecPad);
    } else if (longIds_) {
        std::string encoded = longQueueId(0, 0, inode);
        newId = id.substr(0, z + 1) + encoded.substr(encoded.rfind('z') + 1);
    } else {
        newId = longIdHexUsec(std::string_view(id).substr(z - kLongUsecPad, kLongUsecPad)) +
                shortQueueId(0, inode).substr(kShortUsecPad);
    }
    // The logs first, the message file last: once it is renamed, all is.
    for (auto log : kLogQueues)
        renameFile(queuePath(layout_, log, id), queuePath(layout_, log, newId) + std::string(kFixSuffix));
    renameFile(actualPath, queuePath(layout_, queue, newId) + std::string(kFixSuffix));
}

}  // namespace postline::queue
