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

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "postline/base/result.h"
#include "postline/delivery/deliver_request.h"
#include "postline/delivery/dsn.h"
#include "postline/queue/queue_path.h"

namespace postline::delivery {

// How outcomes are recorded, from the agent's parameters.
struct ReportSettings {
    int delayResolution = 2;  // delay_logging_resolution_limit (0..6)
    // quote_822_local for the bounce/defer logs and, unless logInternalForm, the log
    // line's to=<> and orig_to=<> (lib/delivery sits below lib/address, so the agent
    // supplies it; empty: addresses as they are).
    std::function<std::string(std::string_view)> quoteLocal;
    bool logInternalForm = false;   // info_log_address_format = internal
    bool oldStyleBounceLog = true;  // backwards_bounce_logfile_compatibility
    bool softBounce = false;        // soft_bounce: bounce() defers instead ("SOFTBOUNCE")
    // A deferred recipient's domain and the queue id, for the fast flush service
    // (flush_add: the agent supplies it, matching fast_flush_domains; empty: none).
    std::function<void(std::string_view site, std::string_view queueId)> fastFlush;
};

class AgentDelivery {
public:
    // Opens QUEUE_DIRECTORY/<request.queueName>/<hashed path of request.queueId> (the
    // queue's hash_queue_names/hash_queue_depth layout) read-write and takes the shared
    // delivery lock. Errors: "open queue file ID: REASON" (with its errno: ENOENT is a
    // message that is gone), "open queue file ID: bad queue name or id", "lock queue
    // file ID: REASON", "queue file ID is locked".
    static base::Result<std::unique_ptr<AgentDelivery>> open(const std::string& queueDirectory,
                                                             const std::string& hashQueueNames, int hashQueueDepth,
                                                             DeliverRequest request);
    ~AgentDelivery();
    AgentDelivery(const AgentDelivery&) = delete;
    AgentDelivery& operator=(const AgentDelivery&) = delete;

    const DeliverRequest& request() const { return request_; }
    void setReportSettings(ReportSettings settings) { settings_ = std::move(settings); }

    // The message content from the request's data offset up to the extracted segment,
    // as lines without their line ends ('L' pieces joined at 'N'). The header is the
    // lines before the first empty one. Errors: a malformed record.
    base::Result<std::vector<std::string>> contentLines();

    // When the agent's connection to the nexthop was set up (for delays=a/b/c/d's c);
    // not called, c is 0.
    // `reuseCount` > 0: the connection came from the cache and had served that many
    // deliveries before; the status lines then show "conn_use=N" (log_adhoc.c).
    void connectionSetupDone(int reuseCount = 0);

    // The outcomes. Each logs the recipient's status line through base::msgInfo (the
    // program's name is the daemon's: "postfix/local[PID]: ID: to=<...>, ..."), with
    // relay= `relay` ("local", "none", "mx.example[192.0.2.1]:25"), and returns an
    // Error only when it could not record the outcome (the agent then reports the
    // request as not final: kStatusDefer).
    // As Postfix's sent.c, bounce.c and defer.c: a status of the wrong class is
    // replaced ("sent: ignoring dsn code \"X\"" warning; 2.0.0, 5.0.0, 4.0.0), the
    // action defaults to "delivered" (sent) and is "failed" (bounce) or "delayed"
    // (defer). Not (yet) done: delivery_status_filter, MTA-requested address
    // verification and the verbose delivery record (DEL_REQ_FLAG_RECORD).
    // sent: status=sent; the recipient is marked done (with kFlagSuccess). A recipient
    // whose NOTIFY includes SUCCESS first gets its delivery recorded in the trace log
    // (trace()), for the success notice the queue manager asks the trace service for;
    // when that record cannot be written the recipient is deferred instead with 4.3.0
    // "ID: trace service failed" (sent.c) and the result is an Error ("ID: trace log:
    // REASON"); the caller reports the request as not final.
    base::Status sent(const DeliverRecipient& recipient, std::string_view relay, const Dsn& dsn);
    // trace: an entry in QUEUE_DIRECTORY/trace/ID as trace.c's trace_append makes it
    // (the reason prefixed with "delivery via RELAY: " unless relay is "none"), without
    // a log line and without marking the recipient: what sent() does for NOTIFY=SUCCESS,
    // and what local uses for an alias's "expanded" notice. The action is dsn.action
    // ("delivered" when empty). Errors: the log could not be written ("ID: trace service
    // failure" is warned, as trace.c does).
    base::Status trace(const DeliverRecipient& recipient, std::string_view relay, const Dsn& dsn);
    // bounce: an entry in QUEUE_DIRECTORY/bounce/ID, status=bounced, then marked done
    // (with kFlagBounce). When the bounce log cannot be written the recipient is
    // deferred instead with 4.3.0 "bounce or trace service failure" (bounce.c) and the
    // result is an Error ("ID: bounce log: REASON"); the caller reports the request as
    // not final.
    base::Status bounce(const DeliverRecipient& recipient, std::string_view relay, const Dsn& dsn);
    // defer: an entry in QUEUE_DIRECTORY/defer/ID, status=deferred; not marked done.
    // A defer log that cannot be written is warned about ("ID: defer service failure:
    // REASON") and returned as an Error, as defer.c warns and goes on.
    base::Status defer(const DeliverRecipient& recipient, std::string_view relay, const Dsn& dsn);
    // The status word is Postfix's choice for the log: a discard agent's recipients are
    // "sent" with dsn 2.0.0 and the reason the discard gave, as in Postfix.
    //
    // User-requested address verification (kFlagUserVerify, sendmail -bv): the agent
    // delivers nothing (verifyOnly()) and reports what it would have done; sent()
    // records the recipient as "deliverable", bounce() and defer() as "undeliverable"
    // (soft_bounce does not apply), each in the trace log only (trace()) with a status
    // line whose status is that word ("status=deliverable (delivers to mailbox)"), and
    // the recipient is marked done (with kFlagSuccess, whatever the outcome: the
    // report is all the sender gets, as in sent.c, bounce.c and defer.c). A trace log
    // that cannot be written leaves the recipient undone (an Error; deferredAny()).
    bool verifyOnly() const { return (request_.flags & kFlagUserVerify) != 0; }

    const std::string& queueDirectory() const { return queueDirectory_; }
    // Whether some recipient was deferred (defer(), or bounce() under soft_bounce): the
    // reply must then say so, whatever the agent computed.
    bool deferredAny() const { return deferredAny_; }

private:
    AgentDelivery() = default;
    std::string logAddress(std::string_view address) const;
    std::string quoted(std::string_view address) const;
    void logStatus(const DeliverRecipient& recipient, std::string_view relay, const Dsn& dsn,
                   std::string_view status) const;
    base::Status appendLog(std::string_view service, const DeliverRecipient& recipient, const Dsn& dsn) const;
    base::Status markDone(const DeliverRecipient& recipient) const;
    base::Status verified(const DeliverRecipient& recipient, std::string_view relay, Dsn dsn, const char* action);

    DeliverRequest request_;
    ReportSettings settings_;
    std::string queueDirectory_;
    queue::QueueLayout layout_;
    int fd_ = -1;
    double setupDone_ = 0;
    int reuseCount_ = 0;
    bool deferredAny_ = false;
};

// The log line's delay fields as log_adhoc.c formats them for the given times:
// "delay=0.12, delays=0.04/0.01/0/0.07" (delay_logging_resolution_limit digits after
// the point, trailing zeros dropped, values under the resolution printed as 0).
std::string formatDelays(double arrival, double active, double handoff, double setupDone, double now,
                         int resolutionDigits = 2);

}  // namespace postline::delivery
