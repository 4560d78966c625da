// The showq service's stream (Postfix 3.7's showq/showq.c writes it, postqueue's
// showq_compat.c and showq_json.c read it), in the "0" attribute flavour:
//
//   protocol=mail_queue_list_protocol, end of group
//   per queue file: queue_name, queue_id, time, size, forced_expire, sender, then one
//     (recipient, reason) pair per recipient, then the end of group
//   the end of group once more after the last file
//
// The per-file attributes and pairs are written with ATTR_FLAG_MORE (no end of group
// between them), so on the wire each file is one group whose names repeat.
#pragma once

#include <string>

#include "postline/base/result.h"
#include "postline/queue/showq.h"

namespace postline::queue {

// What the showq service writes: first, for each queue file, at the end.
std::string showqHello();
std::string showqFileReport(const ShowqEntry& entry);
std::string showqEndOfListing();

// Reads a showq stream from a blocking descriptor, as Postfix's postqueue does
// (attr_scan with ATTR_FLAG_STRICT | ATTR_FLAG_PRINTABLE: every value goes through
// printable(), `utf8` as smtputf8_enable). Every error is postqueue's "malformed showq
// server response": a wrong or missing protocol name, an attribute missing, out of
// order or unexpected, a number that is not one, end of file before the end.
class ShowqReader {
public:
    ShowqReader(int fd, bool utf8) : fd_(fd), utf8_(utf8) {}
    // The protocol identification; call once, first.
    base::Status readHello();
    // The next queue file into `entry`: true, or false at the end of the listing.
    base::Result<bool> next(ShowqEntry& entry);

private:
    int fd_;
    bool utf8_;
    std::string pending_;
};

}  // namespace postline::queue
