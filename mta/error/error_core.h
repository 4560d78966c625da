// error(8)'s work on one request (Postfix's error/error.c deliver_message): every
// recipient bounced (service "error") or deferred (service "retry") with the nexthop
// as the reason, a status at its front ("5.1.1 no such user") taking the default's
// place (dsn_split).
#pragma once

#include "postline/delivery/agent_delivery.h"
#include "postline/delivery/deliver_request.h"

namespace postline::error {

// Reports each recipient of `delivery`'s request with relay=none: bounce() with the
// nexthop's status or 5.0.0 (a status of another class becomes 5.0.0 with bounce.c's
// warning), or, when `retry`, defer() with it or 4.0.0. The request's nexthop must not
// be empty (the daemon ends with "empty nexthop hostname" first, as error.c does).
// Returns kStatusFinal when every recipient was bounced and recorded, else kStatusDefer
// (always for retry: a deferred recipient is not final), with an empty hop status.
delivery::DeliverReply deliverError(delivery::AgentDelivery& delivery, bool retry);

}  // namespace postline::error
