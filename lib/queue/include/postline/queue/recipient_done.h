// Marking a recipient delivered in its queue file, as Postfix's delivery agents do
// (global/deliver_completed.c over record.c's rec_put_type): the recipient record's type
// byte at its offset becomes REC_TYPE_DONE ('D'), in place; the queue manager skips
// done recipients when it reads the file again.
#pragma once

#include <sys/types.h>

#include "postline/base/result.h"

namespace postline::queue {

// Rewrites the type byte at `offset` of the open queue file `fd` (opened read-write)
// to 'D'. An offset of -1 means "no record" and does nothing, as in deliver_completed.
// Unlike Postfix, the byte there must be a recipient record's ('R', or 'D' already),
// so that a bad offset in a request cannot damage another record. Errors: "bad
// recipient offset N", "no recipient record at offset N", "update queue file: REASON".
base::Status markRecipientDone(int fd, off_t offset);

}  // namespace postline::queue
