// discard(8)'s per-recipient loop (Postfix's discard/discard.c deliver_message).
#include "discard_core.h"

#include "postline/base/msg.h"
#include "postline/delivery/dsn.h"

namespace postline::discard {

delivery::DeliverReply deliverDiscard(delivery::AgentDelivery& delivery) {
    const delivery::DeliverRequest& request = delivery.request();
    delivery::DsnSplit split = delivery::splitDsn("2.0.0", request.nexthop);
    delivery::Dsn dsn;
    dsn.status = split.status;
    dsn.reason = split.text;
    delivery::DeliverReply reply;
    for (const delivery::DeliverRecipient& rcpt : request.recipients) {
        if (auto sent = delivery.sent(rcpt, "none", dsn); !sent) {
            // Postfix's deliver_completed() ends the agent here; the recipient stays
            // queued either way.
            base::msgWarn(sent.error().message);
            reply.status = delivery::kStatusDefer;
        }
    }
    return reply;
}

}  // namespace postline::discard
