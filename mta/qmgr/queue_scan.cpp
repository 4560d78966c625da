// Queue scans and whole-queue moves (qmgr_scan.c, mail_scan_dir.c, qmgr_move.c).
#include "queue_scan.h"

#include <dirent.h>

#include <cerrno>
#include <memory>

#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/queue/queue_state.h"

namespace postline::qmgr {

namespace {

void scanDirectory(const std::string& dir, int depth, std::vector<std::string>& ids) {
    std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
    if (!d) return;
    while (dirent* entry = ::readdir(d.get())) {
        std::string name = entry->d_name;
        if (name == "." || name == "..") continue;
        // A hashed queue's subdirectories are one character each (dir_forest.c).
        if (name.size() == 1 && depth < 16 && (entry->d_type == DT_DIR || entry->d_type == DT_UNKNOWN)) {
            std::string sub = dir + "/" + name;
            std::unique_ptr<DIR, int (*)(DIR*)> probe(::opendir(sub.c_str()), ::closedir);
            if (probe) {
                probe.reset();
                scanDirectory(sub, depth + 1, ids);
                continue;
            }
        }
        if (queue::queueIdOk(name)) ids.push_back(std::move(name));
    }
}

}  // namespace

std::vector<std::string> scanQueue(std::string_view queue) {
    std::vector<std::string> ids;
    scanDirectory(std::string(queue), 0, ids);
    return ids;
}

void QueueScan::request(bool all, bool flush) {
    if (!dirs_.empty()) {
        // A pass is under way: what the request asks applies to it from now on too,
        // and another pass follows it.
        all_ = all_ || all;
        flush_ = flush_ || flush;
        again_ = true;
        againAll_ = againAll_ || all;
        againFlush_ = againFlush_ || flush;
        return;
    }
    all_ = all;
    flush_ = flush;
    start();
}

void QueueScan::start() {
    closeAll();
    if (DIR* d = ::opendir(queue_.c_str())) dirs_.emplace_back(queue_, d);
}

void QueueScan::closeAll() {
    for (auto& [path, dir] : dirs_) ::closedir(dir);
    dirs_.clear();
}

std::optional<std::string> QueueScan::next() {
    for (;;) {
        if (dirs_.empty()) {
            if (!again_) return std::nullopt;
            // A request came during the pass that just ended: the next pass begins.
            all_ = againAll_;
            flush_ = againFlush_;
            again_ = againAll_ = againFlush_ = false;
            start();
            if (dirs_.empty()) return std::nullopt;
        }
        auto& [path, dir] = dirs_.back();
        dirent* entry = ::readdir(dir);
        if (!entry) {
            ::closedir(dir);
            dirs_.pop_back();
            continue;
        }
        std::string name = entry->d_name;
        if (name == "." || name == "..") continue;
        // A hashed queue's subdirectories are one character each (dir_forest.c).
        if (name.size() == 1 && dirs_.size() < 16 && (entry->d_type == DT_DIR || entry->d_type == DT_UNKNOWN)) {
            std::string sub = path + "/" + name;
            if (DIR* d = ::opendir(sub.c_str())) {
                dirs_.emplace_back(std::move(sub), d);
                continue;
            }
        }
        if (queue::queueIdOk(name)) return name;
    }
}

int moveAll(const queue::QueueLayout& layout, std::string_view from, std::string_view to) {
    int moved = 0;
    for (const std::string& id : scanQueue(from)) {
        auto st = queue::moveQueueFile(layout, from, to, id);
        if (st) {
            ++moved;
        } else if (st.error().errnum != ENOENT) {
            base::msgWarn(base::cat("qmgr_move: ", st.error().message));
        }
    }
    return moved;
}

}  // namespace postline::qmgr
