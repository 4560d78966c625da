// The per-message status logs in the spool's bounce/, defer/ and trace/ directories
// (bounce/bounce_append_service.c writes them, global/bounce_log.c reads them; showq
// shows a deferred message's reason from defer/): for each recipient an entry of
// "name=value" lines between empty lines, preceded by the old-style
// "<recipient>: reason" line when backwards_bounce_logfile_compatibility is on.
// Appending locks the file, fsyncs, and truncates back on failure, so that a log never
// holds half an entry.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "postline/base/result.h"

namespace postline::queue {

struct BounceLogEntry {
    std::string recipient;  // printable quoted form ("<>" for the empty address)
    std::string original;   // orig_rcpt, when it differs from the recipient
    long offset = 0;        // the recipient's record in the queue file (0: none)
    std::string dsnOrcpt;   // dsn_orig_rcpt
    int dsnNotify = 0;      // notify_flags
    std::string status;     // "5.1.1"
    std::string action;     // "failed", "delayed", "delivered", ...
    std::string diagType, diagText, mtaType, mtaName;
    std::string reason;
};

// Appends one entry to PATH (created 0600), under an exclusive flock, fsync'd; on a
// failed write the file is cut back to its old length. Errors: "open file PATH:
// REASON", "lock file ...", "append file ...".
base::Status appendBounceLog(const std::string& path, const BounceLogEntry& entry, bool oldStyleLine = true);

// Reads every entry of a log (old-style lines are skipped; an entry without a
// recipient is dropped, as bounce_log.c does). Errors: the file cannot be opened/read.
base::Result<std::vector<BounceLogEntry>> readBounceLog(const std::string& path);

}  // namespace postline::queue
