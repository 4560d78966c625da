// One delivery request as an agent works on it (global/deliver_request.c's
// deliver_request_get, deliver_completed.c, sent.c, bounce.c, defer.c, log_adhoc.c):
// the queue file opened read-write under a shared lock, its content, and each
// recipient's outcome reported the way Postfix's agents report it — the log line
// ("ID: to=<...>, relay=..., delay=..., delays=..., dsn=..., status=sent (...)"), the
// bounce or defer log entry in the spool (queue/bounce_log.h), and the recipient
// marked done in the queue file when it is final. Every agent (local, virtual, smtp,
// lmtp, pipe, error, discard) runs its recipients through this.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "postline/base/result.h"
#include "postline/delivery/deliver_request.h"
#include "postline/delivery/dsn.h"

namespace postline::delivery {

class AgentDelivery {
public:
    // Opens QUEUE_DIRECTORY/<request.queueName>/<hashed path of request.queueId> (the
    // queue's hash_queue_names/hash_queue_depth layout) read-write and takes the shared
    // delivery lock. Errors: "open queue file ID: REASON", "queue file ID is locked".
    static base::Result<std::unique_ptr<AgentDelivery>> open(const std::string& queueDirectory,
                                                             const std::string& hashQueueNames, int hashQueueDepth,
                                                             DeliverRequest request);
    ~AgentDelivery();
    AgentDelivery(const AgentDelivery&) = delete;
    AgentDelivery& operator=(const AgentDelivery&) = delete;

    const DeliverRequest& request() const { return request_; }

    // The message content from the request's data offset up to the extracted segment,
    // as lines without their line ends ('L' pieces joined at 'N'). The header is the
    // lines before the first empty one. Errors: a malformed record.
    base::Result<std::vector<std::string>> contentLines();

    // When the agent's connection to the nexthop was set up (for delays=a/b/c/d's c);
    // not called, c is 0.
    void connectionSetupDone();

    // The outcomes. Each logs the recipient's status line as `program` (e.g.
    // "local", "smtp"), with relay= `relay` ("local", "none",
    // "mx.example[192.0.2.1]:25"), and returns an Error only when it could not record
    // the outcome (the agent then defers that recipient, or the whole request).
    // sent: status=sent; the recipient is marked done (with kFlagSuccess).
    base::Status sent(const DeliverRecipient& recipient, std::string_view relay, const Dsn& dsn);
    // bounce: status=bounced; a bounce log entry, then marked done (with kFlagBounce).
    base::Status bounce(const DeliverRecipient& recipient, std::string_view relay, const Dsn& dsn);
    // defer: status=deferred; a defer log entry; not marked done.
    base::Status defer(const DeliverRecipient& recipient, std::string_view relay, const Dsn& dsn);
    // The status word is Postfix's choice for the log: a discard agent's recipients are
    // "sent" with dsn 2.0.0 and the reason the discard gave, as in Postfix.

    // The reply to send: kStatusFinal when every recipient was reported, else the
    // caller's choice.
    const std::string& queueDirectory() const { return queueDirectory_; }

private:
    AgentDelivery() = default;
    DeliverRequest request_;
    std::string queueDirectory_;
    int fd_ = -1;
    double setupDone_ = 0;
};

// The log line's delay fields as log_adhoc.c formats them for the given times:
// "delay=0.12, delays=0.04/0.01/0/0.07" (delay_logging_resolution_limit digits after
// the point, trailing zeros dropped, values under the resolution printed as 0).
std::string formatDelays(double arrival, double active, double handoff, double setupDone, double now,
                         int resolutionDigits = 2);

}  // namespace postline::delivery
