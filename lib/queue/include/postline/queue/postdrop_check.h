// postdrop's check of the records a caller submits, as Postfix 3.7's postdrop/postdrop.c
// applies it: the record types each segment allows (REC_TYPE_POST_*), the named
// attributes a user may set, the sender and recipient counts; and the completion
// statuses of global/cleanup_user.h with cleanup_strerror()'s texts.
#pragma once

#include <string>
#include <string_view>

namespace postline::queue {

// CLEANUP_STAT_* (postdrop exits with these; sendmail maps them to its exit codes).
namespace cleanup_stat {
inline constexpr int kOk = 0;
inline constexpr int kBad = 1 << 0;
inline constexpr int kWrite = 1 << 1;
inline constexpr int kSize = 1 << 2;
inline constexpr int kCont = 1 << 3;
inline constexpr int kHops = 1 << 4;
inline constexpr int kRcpt = 1 << 6;
inline constexpr int kProxy = 1 << 7;
inline constexpr int kDefer = 1 << 8;
inline constexpr int kNoPerm = 1 << 9;
}  // namespace cleanup_stat
// cleanup_strerror(): "internal protocol error", "queue file write error", ...
std::string_view cleanupStrerror(int status);

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
