// Maildir delivery as Postfix's local(8) does it (local/maildir.c): the message written
// to DIR/tmp/ under "SEC.PPID.HOST", fsync'd, then linked into DIR/new/ as
// "SEC.VDEVIINOMUSEC.HOST" (device and inode in hex, the start time's microseconds) and
// the tmp/ name removed; tmp/, new/ and cur/ made (0700) when missing.
#pragma once

#include <sys/time.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "postline/base/result.h"
#include "postline/delivery/mbox.h"

namespace postline::delivery {

struct MaildirTarget {
    std::string path;              // the maildir, ending in '/'
    std::string hostname;          // get_hostname(): the machine's name as gethostname() gives it
    pid_t pid = 0;                 // 0: getpid()
    std::optional<timeval> start;  // when the delivery began; none: now
};

// The file names maildir.c uses for the same inputs.
std::string maildirTmpName(const timeval& start, pid_t pid, std::string_view hostname);
std::string maildirNewName(const timeval& start, dev_t dev, ino_t ino, std::string_view hostname);

// Writes `data` (formatCopy() with kToFile | kReturnPath | kOrigRcpt | kDelivered) into the
// maildir and returns the path of the file in new/. Failure: status from mbox_dsn()
// (default 5.2.0, 5.3.0 for a write error) and the reason "create maildir file PATH:
// REASON" or "error writing message: REASON"; the caller prefixes "maildir delivery
// failed: ". Nothing is left in tmp/ either way.
base::Result<std::string> deliverToMaildir(const MaildirTarget& target, std::string_view data, CopyFailure* failure);

// The host name for maildir file names (gethostname(3)).
std::string maildirHostname();

}  // namespace postline::delivery
