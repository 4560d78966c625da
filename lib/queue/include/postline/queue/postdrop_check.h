// postdrop's check of the records a caller submits, as Postfix 3.7's postdrop/postdrop.c
// applies it: the record types each segment allows (REC_TYPE_POST_*), the named
// attributes a user may set, the sender and recipient counts; and the completion
// statuses of global/cleanup_user.h with cleanup_strerror()'s texts.
#pragma once

#include <string>
#include <string_view>

#include "postline/queue/cleanup_status.h"

namespace postline::queue {

// CLEANUP_STAT_* and cleanupStrerror() (postdrop exits with these; sendmail maps them
// to its exit codes) are in cleanup_status.h.

class PostdropCheck {
public:
    struct Verdict {
        enum class Kind {
            Copy,   // write the record as it came
            Write,  // write `text` as a named attribute record instead
            Skip,   // drop it (with `text` as a warning when not empty)
            Fatal,  // give up: `text` is the fatal message
        };
        Kind kind = Kind::Copy;
        std::string text;
    };
    explicit PostdropCheck(long uid) : uid_(uid) {}
    // One record from the caller (type byte and data). Updates the segment, the counts
    // and, for a sender with a NUL byte, the status (CLEANUP_STAT_BAD).
    Verdict check(int type, std::string_view data);

    int status() const { return status_; }
    // Why the status is not OK ("NUL in FROM record"), "" when there is no text.
    const std::string& reason() const { return reason_; }
    int senders() const { return fromCount_; }
    int recipients() const { return rcptCount_; }

private:
    long uid_;
    int segment_ = 0;  // envelope, content, extracted, done
    int status_ = 0;
    std::string reason_;
    int fromCount_ = 0;
    int rcptCount_ = 0;
};

}  // namespace postline::queue
