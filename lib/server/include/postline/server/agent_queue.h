// What every delivery agent (and the queue manager, which reports some recipients
// itself) needs to record outcomes as Postfix does: lib/delivery's AgentQueue filled
// from the service's configuration, with the pieces lib/delivery cannot make itself —
// quote_822_local for addresses in logs, and the fast flush client (flush_add: a
// deferred recipient's domain in fast_flush_domains is sent to public/flush).
#pragma once

#include "postline/delivery/agent_service.h"

namespace postline::server {

class DaemonConfig;

delivery::AgentQueue agentQueueOf(const DaemonConfig& config);

}  // namespace postline::server
