// The bounce service's work (Postfix 3.7's bounce/bounce.c, bounce_notify_service.c,
// bounce_warn_service.c, bounce_notify_util.c's bounce_mail_alloc and global/post_mail.c):
// one request per connection from the queue manager — Flush: the non-delivery report
// from the service's log (bounce/ID, or defer/ID for mail that is too old), to the
// sender, with postmaster copies and double bounces per notify_classes, then the log
// removed; Warn: the delay warning from defer/ID, log kept; Trace (run as "trace",
// bounce_trace_service.c): the success report from trace/ID, then the log removed. The
// notification goes into the queue through a Poster (cleanup in the daemon).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "postline/base/result.h"
#include "postline/delivery/bounce_request.h"
#include "postline/message/dsn_report.h"
#include "postline/queue/queue_path.h"

namespace postline::bounce {

struct BounceSettings {
    queue::QueueLayout layout;         // hash_queue_names, hash_queue_depth
    std::string queueDirectory = ".";  // paths are below it (the daemon chdirs there)
    // The service name (master.cf's first field): its log directory. Postfix runs the
    // same program as "bounce" (bounce/ID), "defer" (defer/ID: delay warnings and
    // the report for expired mail) and "trace" (trace/ID: NOTIFY=SUCCESS reports).
    std::string serviceName = "bounce";
    std::string myhostname = "localhost";
    std::string mailName = "Postfix";
    std::string doubleBounceSender = "double-bounce";
    std::string bounceNoticeRecipient = "postmaster";        // bounce_notice_recipient
    std::string doubleBounceNoticeRecipient = "postmaster";  // 2bounce_notice_recipient
    std::string delayNoticeRecipient = "postmaster";         // delay_notice_recipient
    std::string notifyClasses = "resource, software";
    bool smtputf8Enable = true;
    bool obsoleteFrom = false;     // header_from_format = obsolete
    bool threadedBounces = false;  // enable_threaded_bounces
    long bounceSizeLimit = 50000;
    long delayWarningTime = 0;              // seconds
    long maximalQueueLifetime = 5 * 86400;  // seconds
    // bounce_template_file's templates (nullptr: the built-in ones) and the main.cf
    // parameters their text may name (nullopt: undefined).
    std::shared_ptr<const message::DsnTemplates> templates;
    std::function<std::optional<std::string>(std::string_view)> parameter;
    // mail_date() (the daemon passes smtp::mailDate) and the clock (boundary, Date:).
    std::function<std::string(long)> formatDate;
    std::function<long()> now;
    std::function<void(std::string_view)> info;  // the mail log's info and warning lines
    std::function<void(std::string_view)> warn;
};

// One notification on its way into the queue.
class Submission {
public:
    virtual ~Submission() = default;
    virtual const std::string& queueId() const = 0;
    // One line of the message (no line end).
    virtual void line(std::string_view text) = 0;
    // Ends the message: cleanup's status (0: queued; cleanup_status.h) or an Error when
    // the conversation broke.
    virtual base::Result<int> finish() = 0;
    // Cancels the message (no end record: cleanup drops it).
    virtual void abandon() = 0;
};

class Poster {
public:
    virtual ~Poster() = default;
    // post_mail_fopen_nowait(sender, recipient, MAIL_SRC_MASK_BOUNCE, ...): a new message
    // from `sender` ("" or the double-bounce address) to `recipient`. Errors: cleanup
    // cannot be reached.
    virtual base::Result<std::unique_ptr<Submission>> open(const std::string& sender, const std::string& recipient,
                                                           int sendopts) = 0;
};

// The daemon's Poster: the cleanup service at `socketPath` (public/cleanup), flags
// CLEANUP_FLAG_MASK_INTERNAL (and SMTPUTF8 when requested); the envelope as
// post_mail_init() writes it (arrival time, log_origin=local, trace_flags=0, sender,
// recipient), then "Received: by HOST (MAIL_NAME)", its "\tid ID; DATE" line and
// "Date: DATE" before the caller's lines; the extracted-segment and end records at
// finish().
std::unique_ptr<Poster> cleanupPoster(std::string socketPath, std::string myhostname, std::string mailName,
                                      std::function<std::string(long)> formatDate);

// Carries out one request; returns the status to reply: 0 when the notification was
// posted (or none was due), -1 when it could not be (the log is kept; Flush removes it
// on success). Logs as Postfix 3.7, once cleanup took the notice: "ID: sender
// non-delivery notification: NEWID", "ID: postmaster non-delivery notification: NEWID",
// "ID: sender delay notification: NEWID", "ID: postmaster delay notification: NEWID";
// warnings "ID: undeliverable postmaster notification discarded" and "ID: postmaster
// notice failed while bouncing to SENDER" (or "while warning SENDER").
// Trace: the "Successful Mail Delivery Report" ("Mail Delivery Status Report" when the
// flags carry DEL_REQ_FLAG_USR_VRFY or _RECORD) from the null sender to the sender,
// every recipient of the trace log in it (Action: delivered, relayed or expanded), the
// original's headers attached; "ID: sender delivery status notification: NEWID" once
// cleanup took it, then the log removed. No log: nothing to do (status 0). A message
// from the null sender: its report goes from the double-bounce address to
// 2bounce_notice_recipient when notify_classes has 2bounce, else the log is removed
// ("ID: not sending trace/success notification for single-bounce message"); from the
// double-bounce address: nothing ("... for double-bounce message", the log kept).
int serveBounceRequest(const delivery::BounceRequest& request, const BounceSettings& settings, Poster& poster);

// One client connection: the hello, one request group, the reply (bounce.c's
// bounce_service()). A malformed request gets status -1 ("malformed request",
// "unknown command: N", "malformed queue name: X", "malformed queue id: X").
void serveBounceConnection(int inFd, int outFd, const BounceSettings& settings, Poster& poster);

// notify_classes as a mask of the classes the bounce service looks at.
struct NotifyClasses {
    bool bounce = false;
    bool doubleBounce = false;  // "2bounce"
    bool delay = false;
};
NotifyClasses parseNotifyClasses(std::string_view value);

}  // namespace postline::bounce
