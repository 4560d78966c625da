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
// failed write the file is cut back to its old length. The fields are written as given
// (the caller quotes the addresses); an empty recipient or "<>" is the null address. Errors: "open file PATH:
// REASON", "lock file ...", "append file ...".
base::Status appendBounceLog(const std::string& path, const BounceLogEntry& entry, bool oldStyleLine = true);

// Reads every entry of a log as bounce_log.c does: lines are made printable ('?'), an
// old-style line gives the recipient and reason (later name=value lines win), unknown
// or malformed lines are ignored, a missing recipient becomes "(recipient address
// unavailable)", a missing reason "(description unavailable)", an empty address
// "(MAILER-DAEMON)"; status and action stay empty when absent (the caller supplies the
// log's defaults); an entry cut off by the end of the file is not returned.
// Errors: the file cannot be opened/read.
base::Result<std::vector<BounceLogEntry>> readBounceLog(const std::string& path);

}  // namespace postline::queue
