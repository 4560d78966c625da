// The queue manager's queue scans (Postfix 3.7's qmgr/qmgr_scan.c over
// global/mail_scan_dir.c, and qmgr_move.c): the message files of a queue directory,
// hashed subdirectories included, in directory order, read all at once or a file at a
// time; and moving every file of one queue into another (active back to incoming at
// start-up).
#pragma once

#include <dirent.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "postline/queue/queue_path.h"

namespace postline::qmgr {

// The queue ids of the message files under QUEUE (relative to the current directory,
// the queue directory), descending into hashed subdirectories (single characters).
// Names that are not queue ids are skipped; an unreadable directory gives none.
std::vector<std::string> scanQueue(std::string_view queue);

// A scan of one queue that the queue manager feeds the active queue from, one file at
// a time, over as many event loop rounds as the active queue limits make it take
// (qmgr_scan.c over mail_scan_dir.c): the directory stays open between files, so that a
// queue of a million messages is read once per pass, not once per free place.
class QueueScan {
public:
    explicit QueueScan(std::string queue) : queue_(std::move(queue)) {}
    ~QueueScan() { closeAll(); }
    QueueScan(const QueueScan&) = delete;
    QueueScan& operator=(const QueueScan&) = delete;

    // qmgr_scan_request(): a pass starts now when none is under way; otherwise another
    // pass starts when this one ends. `all` (ignore the files' time stamps) and `flush`
    // (lift defer_transports: QMGR_FLUSH_DFXP) are for the next pass and the one under
    // way.
    void request(bool all = false, bool flush = false);
    // qmgr_scan_next(): the next queue id of the pass, nothing once no pass is under way.
    std::optional<std::string> next();
    // Whether the pass under way ignores time stamps, and lifts defer_transports.
    bool all() const { return all_; }
    bool flush() const { return flush_; }

private:
    void start();
    void closeAll();

    std::string queue_;
    std::vector<std::pair<std::string, DIR*>> dirs_;  // the queue and the hashed subdirectories being read
    bool again_ = false, againAll_ = false, all_ = false;
    bool againFlush_ = false, flush_ = false;
};

// Moves every message of `from` to `to` (qmgr_move): at start-up, what was active when
// the previous queue manager stopped goes back to incoming, to be read again. Returns
// how many were moved.
int moveAll(const queue::QueueLayout& layout, std::string_view from, std::string_view to);

}  // namespace postline::qmgr
