// The queue manager's parameters (Postfix 3.7's qmgr/qmgr.c parameter tables and the
// per-transport lookups of qmgr_transport.c): read once per configuration from the
// generation in use.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "postline/delivery/agent_service.h"
#include "postline/queue/queue_path.h"

namespace postline::server {
class DaemonConfig;
}

namespace postline::qmgr {

struct QmgrSettings {
    long queueRunDelay = 300;               // queue_run_delay: deferred queue scans
    long minimalBackoff = 300;              // minimal_backoff_time
    long maximalBackoff = 4000;             // maximal_backoff_time
    long maximalQueueLifetime = 432000;     // maximal_queue_lifetime
    long bounceQueueLifetime = 432000;      // bounce_queue_lifetime (null sender)
    long messageActiveLimit = 20000;        // qmgr_message_active_limit
    long initialConcurrency = 5;            // initial_destination_concurrency
    long ipcTimeout = 60;                   // qmgr_ipc_timeout: agent connect and hello
    long defaultConcurrencyLimit = 20;      // default_destination_concurrency_limit
    long defaultRecipientLimit = 50;        // default_destination_recipient_limit
    long processLimit = 100;                // default_process_limit: agents per transport
    std::set<std::string> deferTransports;  // defer_transports
    std::string bounceService = "bounce";   // bounce_service_name
    queue::QueueLayout layout;
    bool softBounce = false;  // soft_bounce: no bounce is ever sent
    // How recipients the queue manager settles itself are recorded (as by an agent).
    delivery::AgentQueue reporting;

    // TRANSPORT_destination_concurrency_limit, else the default.
    long concurrencyLimit(std::string_view transport) const;
    // TRANSPORT_destination_recipient_limit, else the default.
    long recipientLimit(std::string_view transport) const;
    // TRANSPORT_destination_rate_delay, else default_destination_rate_delay (seconds
    // between two deliveries to one destination; 0: none).
    long rateDelay(std::string_view transport) const;
    long defaultRateDelay = 0;           // default_destination_rate_delay
    long messageRecipientLimit = 20000;  // qmgr_message_recipient_limit

    // Concurrency feedback (qmgr_feedback.c): "N", "N/M" or "N/concurrency" (then
    // divided by the destination's window); TRANSPORT_destination_concurrency_
    // positive_feedback / _negative_feedback, else the default_ ones.
    struct Feedback {
        double base = 1;
        bool perWindow = false;
        double at(long window) const { return perWindow && window > 0 ? base / double(window) : base; }
    };
    Feedback positiveFeedback(std::string_view transport) const;
    Feedback negativeFeedback(std::string_view transport) const;
    // TRANSPORT_destination_concurrency_failed_cohort_limit (0: never dead by feedback).
    double failedCohortLimit(std::string_view transport) const;

    const server::DaemonConfig* config = nullptr;  // for the per-transport parameters
};

QmgrSettings readQmgrSettings(const server::DaemonConfig& config);

}  // namespace postline::qmgr
