// discard(8)'s work on one request (Postfix's discard/discard.c deliver_message):
// every recipient reported delivered with relay=none, dsn 2.0.0 (or a status at the
// front of the nexthop text) and the nexthop text as the reason, and marked done.
#pragma once

#include "postline/delivery/agent_delivery.h"
#include "postline/delivery/deliver_request.h"

namespace postline::discard {

// Reports each recipient through sent() with relay=none and the nexthop split as
// dsn_split does ("2.0.0" by default; a status of another class becomes 2.0.0 with
// sent.c's warning). The nexthop must not be empty (the daemon ends with "empty
// nexthop hostname" first, as discard.c does). Returns kStatusFinal, or kStatusDefer
// when a recipient could not be marked done (after a warning).
delivery::DeliverReply deliverDiscard(delivery::AgentDelivery& delivery);

}  // namespace postline::discard
