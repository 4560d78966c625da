// Where smtpd's accepted mail goes: the records Postfix's smtpd writes to the cleanup
// service (smtpd/smtpd.c mail_open_stream, rcpt_cmd, common_pre_message_handling,
// receive_data_message, common_post_message_handling). The session calls these in
// that order; mta/smtpd implements them with the cleanup protocol client, tests with a
// recording fake. lib/smtp does not know queue file record types: each call names one.
#pragma once

#include <string>
#include <string_view>

#include "postline/base/result.h"

namespace postline::smtp {

// cleanup's verdict on a finished message, as smtpd tells it apart
// (common_post_message_handling): `status` is cleanup's CLEANUP_STAT_* mask (0:
// queued); `why` is cleanup's reason text. The sink fills `smtp`, `dsn` and `text` with
// cleanup_stat_detail() of the most important bit of `status`, which smtpd replies
// with unless `why` is an SMTP reply of its own.
struct SinkResult {
    int status = 0;
    std::string why;
    int smtp = 0;      // 451, 552, 554, ...
    std::string dsn;   // "4.3.0"
    std::string text;  // "queue file write error"
    // The bits smtpd distinguishes (values of Postfix's cleanup_user.h).
    // CLEANUP_FLAG_HOLD and CLEANUP_FLAG_DISCARD, for processingFlags().
    static constexpr int kFlagHold = 1 << 2, kFlagDiscard = 1 << 3;
    static constexpr int kBad = 1 << 0, kWrite = 1 << 1, kSize = 1 << 2, kCont = 1 << 3, kHops = 1 << 4,
                         kProxy = 1 << 7, kDefer = 1 << 8, kBareLf = 1 << 16;
};

class MessageSink {
public:
    virtual ~MessageSink() = default;
    // Starts a message (mail_stream_service: connect, read the queue id, send the
    // request flags). `smtputf8`: MAIL FROM had SMTPUTF8. The value is the queue id; an
    // error is the text smtpd logs before it gives up on the session ("connect to
    // public/cleanup: ..."), as Postfix's msg_fatal does.
    virtual base::Result<std::string> open(bool smtputf8) = 0;
    // REC_TYPE_TIME "SECONDS MICROSECONDS".
    virtual void arrivalTime(long seconds, long microseconds) = 0;
    // REC_TYPE_ATTR "NAME=VALUE".
    virtual void attribute(std::string_view name, std::string_view value) = 0;
    // REC_TYPE_FROM: the envelope sender, internal form ("" for the null sender).
    virtual void sender(std::string_view address) = 0;
    // REC_TYPE_RCPT: one recipient, internal form (its dsn_notify and dsn_orcpt come
    // as attributes before it).
    virtual void recipient(std::string_view address) = 0;
    // REC_TYPE_FLGS: cleanup flags an access action asked for (kHold, kDiscard).
    virtual void processingFlags(int flags) = 0;
    // REC_TYPE_MESG: the message content starts.
    virtual void messageStart() = 0;
    // REC_TYPE_NORM (complete) or REC_TYPE_CONT (a line continued in the next call).
    virtual void contentLine(std::string_view line, bool complete) = 0;
    // REC_TYPE_XTRA: the content ended; what follows is extracted information.
    virtual void extractedStart() = 0;
    // REC_TYPE_FILT (an access FILTER action's transport:destination) and REC_TYPE_RDR
    // (a REDIRECT action's address).
    virtual void contentFilter(std::string_view filter) = 0;
    virtual void redirect(std::string_view address) = 0;
    // REC_TYPE_END, then cleanup's status and reason. A broken connection is status
    // kWrite with its detail.
    virtual SinkResult finish() = 0;
    // Gives up on the message (mail_stream_cleanup): cleanup removes its file.
    virtual void abandon() = 0;
};

}  // namespace postline::smtp
