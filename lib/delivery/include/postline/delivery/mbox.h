// A message as Postfix's delivery agents copy it out of the queue (global/mail_copy.c)
// and appended to a UNIX mailbox (global/mbox_open.c, local/mailbox.c, local/file.c):
// the "From sender  date" line, Return-Path:, X-Original-To: and Delivered-To:, the
// body with ">From " quoting and a blank line at the end, under the mailbox locks,
// fsync'd, and cut back to its old length when anything failed.
#pragma once

#include <sys/types.h>

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "postline/base/result.h"
#include "postline/delivery/dot_lock.h"

namespace postline::delivery {

// MAIL_COPY_*: what mail_copy() adds to the message.
namespace copy_flag {
inline constexpr int kQuote = 1 << 0;       // ">From " for body lines starting "From "
inline constexpr int kToFile = 1 << 1;      // fsync, and truncate on error
inline constexpr int kFrom = 1 << 2;        // the "From " envelope line
inline constexpr int kDelivered = 1 << 3;   // Delivered-To:
inline constexpr int kReturnPath = 1 << 4;  // Return-Path:
inline constexpr int kDot = 1 << 5;         // "." doubled at line starts (BSMTP)
inline constexpr int kBlank = 1 << 6;       // a blank line after the message
inline constexpr int kOrigRcpt = 1 << 7;    // X-Original-To:
inline constexpr int kMbox = kFrom | kQuote | kToFile | kDelivered | kReturnPath | kBlank | kOrigRcpt;
}  // namespace copy_flag

// The envelope the prepended lines show. The addresses are in external form already
// (the caller quotes the local part as quote_822_local does).
struct CopyEnvelope {
    std::string sender;             // "" is the null sender (From MAILER-DAEMON, Return-Path: <>)
    std::string originalRecipient;  // X-Original-To:; "" writes none (enable_original_recipient off)
    std::string deliveredTo;        // Delivered-To:
    time_t now = 0;                 // the From line's date (local time); 0: the current time
};

// mail_copy()'s output for `lines` (the message content without line ends) under
// `flags`: the From line ("From SENDER  Mon Dec  7 01:02:03 2026"), then Return-Path:,
// X-Original-To:, Delivered-To:, the content with each line ended by "\n", and the
// blank line.
std::string formatCopy(const CopyEnvelope& envelope, const std::vector<std::string>& lines, int flags);

// Where and how to append (mbox_open's arguments).
struct MboxTarget {
    std::string path;
    MailboxLock lock;             // mailbox_delivery_lock
    bool dotLockMayFail = false;  // file delivery: a dotlock that cannot be made is only a warning
    LockRetry retry;
    mode_t mode = 0600;                       // for a mailbox that does not exist yet
    uid_t chownUid = static_cast<uid_t>(-1);  // a new mailbox's owner (-1: as created)
    gid_t chownGid = static_cast<gid_t>(-1);
    bool allowNonRegular = false;        // file delivery may write to a device (no locks, no fsync)
    std::optional<uid_t> requiredOwner;  // strict_mailbox_ownership: the recipient's uid
    bool refuseExecutable = false;       // file delivery: "file is executable"
};

// What went wrong, with the enhanced status code mbox_dsn() gives it: 4.2.0 for a lock
// held by someone else or a mailbox not owned by the recipient, 4.3.0 for a full file
// system, 5.2.2 for a quota or file size limit, else 5.2.0 (open, lock) or 5.3.0
// (write). `reason` is Postfix's text: "unable to create lock file PATH.lock: ...",
// "cannot open file: ...", "unable to lock for exclusive access: ...", "destination
// PATH is not a regular file", "destination PATH is not owned by recipient", "file is
// executable", "error writing message: ...".
struct CopyFailure {
    std::string status;
    std::string reason;
};

// Appends `data` to the mailbox: the dot lock (when asked for and the path is a
// regular file or absent), the file opened O_APPEND without following a symbolic link
// (created with `mode` and chowned when absent), the kernel locks, the write, fsync;
// on any write or sync error the file is truncated back to the length it had. Locks
// are released before returning. nullopt when the message was appended.
std::optional<CopyFailure> appendMessage(const MboxTarget& target, std::string_view data);

// mbox_dsn(): the status for an errno, `fallback` when it says nothing special.
std::string mboxDsn(int errnum, std::string_view fallback);

}  // namespace postline::delivery
