// A message's state in the queue, and how it changes: which queue directory holds its
// file, whether the file is complete, and when a deferred message is tried next. Every
// change is one rename(2) or utime(2), as in Postfix 3.7 (global/mail_queue.c's
// mail_queue_rename() and mail_queue_mkdirs(), global/mail_open_ok.c, the queue
// manager's qmgr_defer.c/qmgr_active.c). The queue manager, pickup, cleanup and the
// queue tools change states through these functions.
//
// Durability contract (what a caller may rely on after a crash, kill -9 or power loss):
// - A message file is complete only when its mode is exactly 0700 for the owner (the
//   owner-execute bit is set after the last write, before the fsync that makes the file
//   durable: NewQueueFile::finish()). Readers skip incomplete files (queueFileReady());
//   an incomplete file is a message that was never acknowledged.
// - A state change is a single rename within the queue directory's file system: after
//   a crash the file is in the old queue or in the new one, never in both and never
//   lost, and its content is untouched. The directories are not fsync'd after a rename
//   (as in Postfix): the queue manager scans every queue at start-up, so a message whose
//   rename was not yet durable is found in its old queue and handled again. So that
//   handling a message again never delivers it twice, a finished recipient is marked
//   in the file itself (and fsync'd) before the message changes state.
// - A deferred message's modification time is the time of its next delivery attempt;
//   its access time is when it was deferred. Losing that update only makes the next
//   attempt come early.
#pragma once

#include <sys/stat.h>

#include <ctime>
#include <string>
#include <string_view>

#include "postline/base/result.h"
#include "postline/queue/queue_path.h"

namespace postline::queue {

// mail_queue_mkdirs(): creates the directories of `path` (relative to the queue
// directory, e.g. "deferred/A/B/ID") that do not exist yet, mode 0700. Errors other than
// an existing directory end it: "mkdir DIR: REASON".
base::Status makeQueueDirectories(const std::string& path);

// mail_queue_rename(): moves message `id` from queue `from` to queue `to` (each hashed
// per `layout`), creating the destination's hashed subdirectories when the first
// rename finds them missing. Relative to the current directory (the queue directory).
// A missing source file is an Error with errnum ENOENT ("rename FROM to TO: No such
// file or directory"): someone else moved or removed it, which callers treat as "not
// mine any more", not as a failure of the mail system.
base::Status moveQueueFile(const QueueLayout& layout, std::string_view from, std::string_view to, std::string_view id);

// mail_open_ok()'s test of a message file's mode: a regular file whose owner bits are
// exactly rwx (complete, not being written).
bool queueFileReady(const struct stat& st);

// The queue manager's deferral: the file's modification time becomes `nextAttempt` and
// its access time `now` (utime(2)), so that a scan of the deferred queue finds the
// messages whose time has come by their mtime alone.
base::Status setNextAttempt(const std::string& path, time_t now, time_t nextAttempt);

// Whether a deferred message is due at `now` (its mtime has passed).
bool attemptDue(const struct stat& st, time_t now);

}  // namespace postline::queue
