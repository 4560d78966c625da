// The queue manager proper (Postfix 3.7's qmgr/qmgr.c, qmgr_active.c, qmgr_queue.c,
// qmgr_entry.c, qmgr_defer.c): queue scans that feed the active queue, destinations
// (transport and nexthop) with a concurrency window that starts at
// initial_destination_concurrency and grows with each success up to the transport's
// limit, dead destinations after a failed hop, delivery requests to the agents, and
// each message's end — removed, bounced through the bounce service, or deferred with
// exponential backoff.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "active_message.h"
#include "agent_call.h"
#include "qmgr_settings.h"
#include "queue_scan.h"

namespace postline::server {
class EventContext;
}

namespace postline::qmgr {

class Scheduler {
public:
    // `settings` and `routing` must outlive the scheduler or be replaced through
    // reconfigure() before they go.
    Scheduler(const QmgrSettings* settings, address::RoutingContext* routing);
    ~Scheduler();

    void reconfigure(const QmgrSettings* settings, address::RoutingContext* routing);

    // Start-up: what was active goes back to incoming (qmgr_move).
    void recoverActive();
    // A trigger request's bytes (qmgr_trigger_event): I/W incoming, D deferred,
    // A all (ignoring deferred time stamps), F revive dead destinations.
    void trigger(std::string_view request);
    // Runs the due scans and starts what the windows allow.
    void work(double now);
    // The agent connections to poll, and how long the loop may sleep (ms).
    void pollSet(std::vector<pollfd>& fds) const;
    int timeoutMs(double now) const;
    // Readiness of the descriptors pollSet() gave (same order), and timers.
    void handle(const std::vector<pollfd>& fds, size_t first, double now);

    size_t activeMessages() const { return messages_.size(); }
    // Destinations held in memory: those with mail to deliver or in flight, dead ones,
    // and ones waiting out a rate delay.
    size_t destinations() const { return destinations_.size(); }
    bool idle() const;

private:
    struct Destination {
        long window = 0;
        int busy = 0;
        double deadUntil = 0;
        double nextStart = 0;  // with a rate delay: no delivery before this
        delivery::Dsn deadStatus;
        // On-demand connection caching (qmgr_entry.c): the kFlagConn* bits sent with
        // each request, and when (whole seconds) a delivery here last ended.
        int dflags = 0;
        long lastDone = 0;
        // Concurrency feedback (qmgr_queue.c): success and failure credit towards the
        // next window step, and the failed cohorts that make the destination dead.
        double success = 0, failure = 0, failCohorts = 0;
        std::deque<std::pair<std::string, size_t>> todo;  // message id, batch index
    };
    struct Call {
        std::string messageId;
        size_t batch = 0;
        std::string destination;
        std::unique_ptr<AgentCall> call;
    };

    void feed(double now);
    bool feedFile(std::string_view queue, const std::string& id, bool all, bool flush, double now);
    bool activeQueueFull() const;
    void activate(const std::string& id, bool flush, double now);
    void settle(ActiveMessage& message, const std::vector<SettledRecipient>& settled);
    void deferBatch(ActiveMessage& message, const DeliveryBatch& batch, const delivery::Dsn& dsn);
    void dispatch(double now);
    static bool finished(const Destination& dest, double now);
    void forgetIfFinished(const std::string& key, double now);
    void selectCaching(Destination& dest, long now);
    long initialWindow(const std::string& transport) const;
    void throttle(Destination& dest, const std::string& transport, const delivery::Dsn& dsn, double now);
    void unthrottle(Destination& dest, const std::string& transport, double now);
    void finishCall(Call& call, double now);
    void maybeFinish(const std::string& id, double now);
    void finishMessage(ActiveMessage& message, double now);
    bool askBounce(ActiveMessage& message, const std::string& service, int command);
    void sendDelayWarning(ActiveMessage& message, double now);

    const QmgrSettings* settings_;
    address::RoutingContext* routing_;
    std::map<std::string, std::unique_ptr<ActiveMessage>> messages_;
    std::map<std::string, Destination> destinations_;
    std::map<std::string, int> transportBusy_;
    std::vector<Call> calls_;
    bool incomingWanted_ = true;
    bool deferredWanted_ = true;
    bool deferredAll_ = false;
    bool flushWanted_ = false;  // 'F': the next scans lift defer_transports
    double nextDeferredScan_ = 0;
    QueueScan incomingScan_{std::string(queue::kIncoming)};
    QueueScan deferredScan_{std::string(queue::kDeferred)};
    bool incomingFirst_ = true;  // which scan the next feed starts with (they alternate)
    bool feedPending_ = false;   // the last feed stopped at its batch size, not for lack of files
    long activeRecipients_ = 0;  // recipients of the messages in the active queue
    std::string lastServed_;     // the destination that got the last delivery (round robin)
};

// Runs the queue manager under master: triggers from the listening sockets, deferred
// scans every queue_run_delay, until master goes away. Returns the exit status.
int runQmgr(server::EventContext& context);

}  // namespace postline::qmgr
