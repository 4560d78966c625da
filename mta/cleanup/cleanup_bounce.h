// cleanup_bounce() of Postfix 3.7's cleanup/cleanup_bounce.c, the part that talks to the
// rest of the mail system: every recipient of the rejected message's queue file is
// recorded as bounced (the status line, bounce/ID) as a delivery agent would record it,
// then the bounce service is asked (private/$bounce_service_name) for the sender's
// non-delivery report; the file itself is cleanup's to remove afterwards.
#pragma once

#include "cleanup_message.h"
#include "postline/delivery/agent_service.h"

namespace postline::cleanup {

// True when the report was queued. `queue` says how outcomes are recorded (the queue
// directory is the current directory); `bounceService` is bounce_service_name.
bool bounceRejectedMessage(const BounceOrder& order, const delivery::AgentQueue& queue,
                           const std::string& bounceService, long ipcTimeout);

}  // namespace postline::cleanup
