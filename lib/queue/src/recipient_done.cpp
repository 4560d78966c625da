// A delivered recipient's record marked done in place (Postfix's deliver_completed.c
// and rec_put_type): one byte written at the record's offset.
#include "postline/queue/recipient_done.h"

#include <unistd.h>

#include <cerrno>
#include <string>

#include "postline/queue/record_type.h"

namespace postline::queue {

base::Status markRecipientDone(int fd, off_t offset) {
    if (offset == -1) return base::Status::success();
    if (offset <= 0) return base::Error{"bad recipient offset " + std::to_string(offset)};
    unsigned char type = 0;
    ssize_t got;
    do got = pread(fd, &type, 1, offset);
    while (got < 0 && errno == EINTR);
    if (got < 0) return base::errnoError("update queue file");
    if (got == 0 || (type != rec::kRcpt && type != rec::kDone))
        return base::Error{"no recipient record at offset " + std::to_string(offset)};
    if (type == rec::kDone) return base::Status::success();
    const unsigned char done = rec::kDone;
    ssize_t put;
    do put = pwrite(fd, &done, 1, offset);
    while (put < 0 && errno == EINTR);
    if (put != 1) return base::errnoError("update queue file", put < 0 ? errno : EIO);
    return base::Status::success();
}

}  // namespace postline::queue
