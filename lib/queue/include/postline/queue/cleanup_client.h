// The client side of Postfix's cleanup protocol (cleanup/cleanup.c, global/mail_stream.c
// mail_stream_service(), global/cleanup_user.h, global/cleanup_strerror.c): smtpd,
// pickup and (later) bounce connect to the cleanup service, receive the queue id, send
// the request flags, then the message as queue file records ending with the end record,
// and read cleanup's status and reason. The stream speaks Postfix's attribute protocol
// (attr_stream.h), so our clients also talk to Postfix's cleanup and Postfix's to ours.
#pragma once

#include <string>
#include <string_view>

#include "postline/base/result.h"
#include "postline/queue/cleanup_status.h"

namespace postline::queue {

// CLEANUP_FLAG_*: what the client asks of cleanup.
namespace cleanup_flag {
inline constexpr int kNone = 0;
inline constexpr int kBounce = 1 << 0;     // bounce bad messages instead of rejecting them
inline constexpr int kFilter = 1 << 1;     // header/body checks
inline constexpr int kHold = 1 << 2;       // place the message on hold
inline constexpr int kDiscard = 1 << 3;    // discard the message silently
inline constexpr int kBccOk = 1 << 4;      // always_bcc and the bcc maps may add recipients
inline constexpr int kMapOk = 1 << 5;      // canonical and virtual mapping
inline constexpr int kMilter = 1 << 6;     // milters
inline constexpr int kSmtpReply = 1 << 7;  // the reason is an SMTP reply
inline constexpr int kSmtputf8 = 1 << 8;   // SMTPUTF8 requested
inline constexpr int kAutoUtf8 = 1 << 9;   // detect SMTPUTF8
inline constexpr int kFilterAll = kFilter | kMilter;
}  // namespace cleanup_flag

// CLEANUP_STAT_*, cleanupStatDetail() and cleanupStrerror(): cleanup_status.h.

struct CleanupReply {
    int status = cleanup_stat::kOk;
    std::string reason;  // cleanup's reason ("" unless content was rejected with a text)
};

class CleanupClient {
public:
    // Connects to the UNIX-domain socket at `socketPath` (QUEUE_DIRECTORY/public/cleanup
    // or private/cleanup), reads the protocol name and queue id cleanup announces, and
    // sends `flags`. Errors: "connect to PATH: REASON", "unexpected cleanup protocol
    // reply" (the text a client logs before it gives 451).
    static base::Result<CleanupClient> open(const std::string& socketPath, int flags);
    CleanupClient(CleanupClient&& other) noexcept;
    CleanupClient& operator=(CleanupClient&& other) noexcept;
    CleanupClient(const CleanupClient&) = delete;
    ~CleanupClient();

    const std::string& queueId() const { return queueId_; }

    // One queue file record (record_type.h's types), buffered.
    void record(int type, std::string_view data);
    // One line of message content: N, or L records for a line longer than the line
    // limit (setLineLimit: line_length_limit; 0, the default, never splits);
    // `complete` = false continues the line in the next call (an L record).
    void contentLine(std::string_view line, bool complete = true);
    void setLineLimit(size_t limit) { lineLimit_ = limit; }
    // Sends the end record, flushes and reads cleanup's status and reason. A broken
    // connection is an Error (the client answers 451 4.3.0 as smtpd does).
    base::Result<CleanupReply> finish();
    // Abandons the message: closes the connection without an end record (cleanup
    // removes its incomplete file).
    void abandon();

private:
    CleanupClient() = default;
    bool flush();

    int fd_ = -1;
    std::string queueId_;
    std::string buffer_;
    size_t lineLimit_ = 0;
    bool failed_ = false;
    std::string pending_;  // bytes read past a reply (none are expected)
};

}  // namespace postline::queue
