// error(8)'s per-recipient loop (Postfix's error/error.c deliver_message).
#include "error_core.h"

#include "postline/base/msg.h"
#include "postline/delivery/dsn.h"

namespace postline::error {

delivery::DeliverReply deliverError(delivery::AgentDelivery& delivery, bool retry) {
    const delivery::DeliverRequest& request = delivery.request();
    delivery::DsnSplit split = delivery::splitDsn(retry ? "4.0.0" : "5.0.0", request.nexthop);
    delivery::Dsn dsn;
    dsn.status = split.status;
    dsn.reason = split.text;
    delivery::DeliverReply reply;
    for (const delivery::DeliverRecipient& rcpt : request.recipients) {
        if (retry) {
            // defer_append() is never final: the recipient stays queued.
            (void)delivery.defer(rcpt, "none", dsn);
            reply.status = delivery::kStatusDefer;
        } else if (auto bounced = delivery.bounce(rcpt, "none", dsn); !bounced) {
            reply.status = delivery::kStatusDefer;
        }
    }
    return reply;
}

}  // namespace postline::error
