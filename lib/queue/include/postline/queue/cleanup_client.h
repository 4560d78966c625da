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

// CLEANUP_STAT_*: cleanup's verdict, a bit mask (0: queued).
namespace cleanup_stat {
inline constexpr int kOk = 0;
inline constexpr int kBad = 1 << 0;     // internal protocol error
inline constexpr int kWrite = 1 << 1;   // error writing the message file
inline constexpr int kSize = 1 << 2;    // message file too big
inline constexpr int kCont = 1 << 3;    // message content rejected
inline constexpr int kHops = 1 << 4;    // too many hops
inline constexpr int kRcpt = 1 << 6;    // no recipients found
inline constexpr int kProxy = 1 << 7;   // proxy reject
inline constexpr int kDefer = 1 << 8;   // temporary reject
inline constexpr int kNoPerm = 1 << 9;  // denied by non-content policy
inline constexpr int kBareLf = 1 << 16; // bare <LF> received
}  // namespace cleanup_stat

// cleanup_stat_detail(): how a client reports a status, e.g. kWrite -> 451 "4.3.0",
// "Error: queue file write error".
struct CleanupStatDetail {
    int status = 0;
    int smtp = 0;       // the SMTP reply code smtpd gives
    std::string dsn;    // the enhanced status code
    std::string text;   // the reply text
};
CleanupStatDetail cleanupStatDetail(int status);
// cleanup_strerror(): the detail's text for the mask's most important bit.
std::string cleanupStrerror(int status);

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
    // One line of message content: N, or L records for a line longer than
    // `lineLimit` (line_length_limit); `complete` = false continues the line in the next call.
    void contentLine(std::string_view line, bool complete = true);
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
    bool failed_ = false;
};

}  // namespace postline::queue
