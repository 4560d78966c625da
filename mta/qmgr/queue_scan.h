// The queue manager's queue scans (Postfix 3.7's qmgr/qmgr_scan.c over
// global/mail_scan_dir.c, and qmgr_move.c): the message files of a queue directory,
// hashed subdirectories included, in directory order; and moving every file of one
// queue into another (active back to incoming at start-up).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "postline/queue/queue_path.h"

namespace postline::qmgr {

// The queue ids of the message files under QUEUE (relative to the current directory,
// the queue directory), descending into hashed subdirectories (single characters).
// Names that are not queue ids are skipped; an unreadable directory gives none.
std::vector<std::string> scanQueue(std::string_view queue);

// Moves every message of `from` to `to` (qmgr_move): at start-up, what was active when
// the previous queue manager stopped goes back to incoming, to be read again. Returns
// how many were moved.
int moveAll(const queue::QueueLayout& layout, std::string_view from, std::string_view to);

}  // namespace postline::qmgr
