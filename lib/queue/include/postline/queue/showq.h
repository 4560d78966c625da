// The mail queue listing: a scan of the queue directories in showq's order that reports,
// per queue file, its queue, id, arrival time, size, sender and recipients with the
// reasons from its defer log; and the two ways postqueue prints it (mailq's table and
// JSON lines). Mirrors Postfix 3.7's showq/showq.c, global/mail_scan_dir.c,
// global/mail_open_ok.c, global/bounce_log.c (reading) and postqueue/showq_compat.c,
// postqueue/showq_json.c.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "postline/base/result.h"
#include "postline/queue/queue_path.h"

namespace postline::queue {

struct ShowqRecipient {
    std::string address;  // printable, local part quoted (external form)
    std::string reason;   // from the defer log; empty when the file has none for it
};

// One queue file as showq reports it. Every text is already printable().
struct ShowqEntry {
    std::string queue;  // maildrop, active, incoming, deferred or hold
    std::string id;
    long arrivalTime = 0;       // the 'T' record's seconds, else the file's mtime
    long size = 0;              // the size record's content size, else the file size
    bool forcedExpire = false;  // the file's group-execute bit (postsuper -e)
    std::string sender;         // "" becomes empty_address_recipient
    // Recipients from the defer log first (with their reasons), then the 'R' records
    // not already listed from the log.
    std::vector<ShowqRecipient> recipients;
};

struct ShowqOptions {
    QueueLayout layout;
    std::string emptyAddress = "MAILER-DAEMON";  // empty_address_recipient
    bool utf8 = false;                           // smtputf8_enable: printable() keeps UTF-8
    long dupFilterLimit = 1000;                  // duplicate_filter_limit (0: no limit)
    // Turns an address into its external form (quote_822_local). lib/queue sits below
    // lib/address, so the caller supplies it; when empty, addresses are used as they are.
    std::function<std::string(std::string_view)> quoteLocal;
    // Receives the warnings showq would log (a file that is not regular, a malformed
    // size record, a missing or duplicate sender, ...); may be empty.
    std::function<void(std::string_view)> warn;
};

// Walks maildrop (flat), active, incoming, deferred and hold (with their hashed
// subdirectories, one-character names), in that order and in directory order, relative
// to the current directory, which must be the queue directory. Only complete queue files
// (owner rwx) with a valid id are read; files that vanish meanwhile are skipped. Calls
// `entry` for each file that has a sender. Error: a queue directory that cannot be
// opened ("open directory NAME: REASON").
base::Status scanShowq(const ShowqOptions& options, const std::function<void(const ShowqEntry&)>& entry);

// postqueue -p (mailq) layout; `longIds` is enable_long_queue_ids.
std::string showqCompatHeading(bool longIds);
// One message: the id with its marks ('*' active, '!' hold, '#' forced to expire), size,
// arrival time and sender, then "(reason)" lines where the reason changes and one line
// per recipient. Without the blank line that separates messages.
std::string showqCompatEntry(const ShowqEntry& entry, bool longIds);
// "Mail queue is empty" or "\n-- N Kbytes in M Request(s).", each with its newline.
std::string showqCompatSummary(unsigned long count, unsigned long totalSize);

// postqueue -j: one JSON object and a newline. `utf8` as in ShowqOptions.
std::string showqJsonLine(const ShowqEntry& entry, bool utf8);

}  // namespace postline::queue
