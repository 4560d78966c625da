// One delivery request served to completion, as every Postfix delivery agent's service
// routine does it (global/deliver_request.c's deliver_request_read and
// deliver_request_done around the agent's own work): the hello, the request, the queue
// file opened under its shared lock, the agent's per-recipient work, the reply.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "postline/base/result.h"
#include "postline/delivery/agent_delivery.h"
#include "postline/delivery/deliver_request.h"

namespace postline::delivery {

// Where the queue is and how outcomes are recorded: queue_directory,
// hash_queue_names, hash_queue_depth, and ReportSettings' parameters
// (delay_logging_resolution_limit, info_log_address_format,
// backwards_bounce_logfile_compatibility). quoteLocal is the agent's to fill in.
struct AgentQueue {
    std::string directory;
    std::string hashQueueNames = "deferred, defer";
    int hashQueueDepth = 1;
    ReportSettings report;
};
// Reads them through `get` (a parameter's expanded value).
AgentQueue readAgentQueue(const std::function<std::string(std::string_view)>& get);

// The agent's work on an opened request: reports every recipient through `delivery`
// and returns the reply (kStatusFinal when each was delivered or bounced, kStatusDefer
// when any was deferred or the whole request is, with the hop status then).
using DeliverFunction = std::function<DeliverReply(AgentDelivery& delivery)>;

// Serves one client on `inFd`/`outFd`: sends the hello, reads one request, and calls
// `deliver`. A client that goes away before sending is no error. A request that
// cannot be decoded, or whose queue file no longer exists, is answered kStatusDefer
// after a warning ("deliver_request_get: REASON", "open QUEUE ID: REASON"), as
// deliver_request_read does. Errors (Postfix's agents end with a fatal error for them,
// so that master restarts them): a write error, a queue file that cannot be opened for
// another reason, or locked ("queue file ID is locked").
base::Status serveDeliveryRequest(int inFd, int outFd, const AgentQueue& queue, const DeliverFunction& deliver);

}  // namespace postline::delivery
