// A message in the active queue as the queue manager holds it (Postfix 3.7's
// qmgr/qmgr_message.c): its envelope read from the queue file (taken under the
// exclusive manager lock, which only tests that no agent still works on it), its
// recipients resolved through lib/address — the same resolution `postline trace`
// prints — and grouped by destination (transport and nexthop) into delivery batches of
// at most the transport's recipient limit.
#pragma once

#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "packed_request.h"
#include "postline/base/result.h"
#include "postline/delivery/deliver_request.h"
#include "postline/delivery/dsn.h"
#include "qmgr_settings.h"

namespace postline::address {
class RoutingContext;
}

namespace postline::qmgr {

// The recipients of one message for one destination, handed to one agent in one request.
struct DeliveryBatch {
    std::string transport;
    std::string nexthop;
    std::string destination;  // the scheduler's queue key (nexthop, or the recipient when the limit is 1)
    std::vector<delivery::DeliverRecipient> recipients;
};

// A recipient the queue manager settles itself without an agent (a resolver failure, a
// deferred transport, a malformed address).
struct SettledRecipient {
    delivery::DeliverRecipient recipient;
    delivery::Dsn dsn;  // 4.x.x defers, 5.x.x bounces
};

struct ActiveMessage {
    std::string queueId;
    PackedRequest request;  // the message's attributes (no recipients)
    long createTime = 0;    // for backoff and expiry
    long warnTime = 0;      // the 'W' record: when to send a delay warning (0: none, -1: sent)
    long warnOffset = -1;   // where that record is
    std::vector<DeliveryBatch> batches;
    std::vector<SettledRecipient> settled;
    int inFlight = 0;            // batches handed to agents and not yet answered
    size_t nextBatch = 0;        // batches before it were dispatched
    bool deferred = false;       // some recipient must be tried again
    bool notifySuccess = false;  // some recipient has NOTIFY=SUCCESS: ask the trace service at the end
    int recipientCount = 0;
};

enum class LoadOutcome { Loaded, Busy, Gone, Corrupt, Incomplete };

struct LoadResult {
    LoadOutcome outcome = LoadOutcome::Loaded;
    std::string why;  // Corrupt: the reader's error
};

// Reads active/ID (the queue directory is the current directory), logs
// "ID: from=<...>, size=N, nrcpt=N (queue active)" and resolves every recipient not
// yet done. Busy: an agent holds its lock ("skipped, still being delivered" is the
// caller's to log). Gone: the file disappeared. Corrupt: a malformed file (the caller
// moves it to corrupt/).
// `overrideDeferTransports`: a flush (postqueue -f, sendmail -q, or the file's
// unthrottle mark) lifts defer_transports for this message (QMGR_FLUSH_DFXP).
LoadResult loadActiveMessage(const std::string& queueId, const QmgrSettings& settings, address::RoutingContext& routing,
                             double now, ActiveMessage& message, bool overrideDeferTransports = false);

}  // namespace postline::qmgr
