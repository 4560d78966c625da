// The queue manager's scheduler and event loop (qmgr.c, qmgr_active.c, qmgr_queue.c,
// qmgr_entry.c, qmgr_defer.c, qmgr_deliver.c's completion side).
#include "scheduler.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstring>

#include "postline/address/routing_context.h"
#include "postline/address/tokens.h"
#include "postline/artifact/generation.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/delivery/agent_delivery.h"
#include "postline/delivery/bounce_request.h"
#include "postline/queue/attr_stream.h"
#include "postline/queue/queue_path.h"
#include "postline/queue/queue_state.h"
#include "postline/queue/record.h"
#include "postline/queue/record_type.h"
#include "postline/server/daemon.h"
#include "queue_scan.h"

namespace postline::qmgr {

namespace {

// info_log_addr_form_sender: the null sender as "" (from=<>), others quoted.
std::string senderForLog(const std::string& sender) {
    return sender.empty() ? std::string() : address::quoteLocalPart(sender);
}

double wallClock() {
    timeval tv{};
    ::gettimeofday(&tv, nullptr);
    return double(tv.tv_sec) + double(tv.tv_usec) / 1e6;
}

}  // namespace

Scheduler::Scheduler(const QmgrSettings* settings, address::RoutingContext* routing)
    : settings_(settings), routing_(routing) {}

Scheduler::~Scheduler() = default;

void Scheduler::reconfigure(const QmgrSettings* settings, address::RoutingContext* routing) {
    settings_ = settings;
    routing_ = routing;
}

void Scheduler::recoverActive() {
    int moved = moveAll(settings_->layout, queue::kActive, queue::kIncoming);
    if (moved > 0 && base::verbose()) base::msgInfo(base::cat("moved ", moved, " active messages to incoming"));
}

void Scheduler::trigger(std::string_view request) {
    for (char c : request) {
        switch (c) {
            case 'W':
            case 'I':
                incomingWanted_ = true;
                break;
            case 'D':
                deferredWanted_ = true;
                break;
            case 'F':
                // QMGR_FLUSH_ONCE | QMGR_FLUSH_DFXP: dead destinations revive now, and
                // the next scans deliver through defer_transports too.
                for (auto& [name, dest] : destinations_) dest.deadUntil = 0;
                incomingWanted_ = deferredWanted_ = flushWanted_ = true;
                break;
            case 'A':
                incomingWanted_ = deferredWanted_ = deferredAll_ = true;
                break;
            default:
                if (base::verbose()) base::msgInfo("request ignored");
                break;
        }
    }
}

bool Scheduler::idle() const { return messages_.empty() && calls_.empty(); }

void Scheduler::work(double now) {
    if (now >= nextDeferredScan_) deferredWanted_ = true;
    if (incomingWanted_) {
        incomingWanted_ = false;
        incomingScan_.request(false, flushWanted_);
    }
    if (deferredWanted_) {
        deferredScan_.request(deferredAll_, flushWanted_);
        deferredWanted_ = deferredAll_ = false;
        nextDeferredScan_ = now + double(std::max(1L, settings_->queueRunDelay));
    }
    flushWanted_ = false;
    feed(now);
    dispatch(now);
}

bool Scheduler::activeQueueFull() const {
    return long(messages_.size()) >= settings_->messageActiveLimit ||
           activeRecipients_ >= settings_->messageRecipientLimit;
}

// qmgr_loop(): while the active queue has room, the next file of the incoming scan and
// the next of the deferred scan, alternately, go into it. A bounded number per round,
// so that deliveries already possible start while a large queue is read.
void Scheduler::feed(double now) {
    constexpr int kPerRound = 200;
    feedPending_ = false;
    int fed = 0;
    bool exhausted = false;
    while (!activeQueueFull() && !exhausted) {
        if (fed >= kPerRound) {
            feedPending_ = true;
            return;
        }
        exhausted = true;
        for (int turn = 0; turn < 2 && !activeQueueFull(); ++turn) {
            bool incoming = (turn == 0) == incomingFirst_;
            QueueScan& scan = incoming ? incomingScan_ : deferredScan_;
            auto id = scan.next();
            if (!id) continue;
            exhausted = false;
            if (feedFile(incoming ? queue::kIncoming : queue::kDeferred, *id, scan.all(), scan.flush(), now)) ++fed;
        }
        incomingFirst_ = !incomingFirst_;
    }
    // A full active queue gives incoming the first turn once there is room again.
    if (activeQueueFull()) incomingFirst_ = true;
}

// qmgr_active_feed(): a complete file of `queue` that is due moves to active and is
// read. Incoming files wait while their time is in the future (one an agent still had
// was put back for a minute); deferred ones until their next attempt, unless the scan
// takes all.
bool Scheduler::feedFile(std::string_view queue, const std::string& id, bool all, bool flush, double now) {
    struct stat st {};
    std::string path = queue::queuePath(settings_->layout, queue, id);
    if (::stat(path.c_str(), &st) < 0 || !queue::queueFileReady(st)) return false;
    bool due = queue == queue::kIncoming ? st.st_mtime <= time_t(now) + 1 : all || queue::attemptDue(st, time_t(now));
    if (!due || messages_.count(id)) return false;
    auto moved = queue::moveQueueFile(settings_->layout, queue, queue::kActive, id);
    if (!moved) {
        if (moved.error().errnum != ENOENT) base::msgWarn(moved.error().message);
        return false;
    }
    activate(id, flush, now);
    return true;
}

// qmgr_active_feed and qmgr_message_alloc: read the message, settle what needs no
// agent, and queue its batches at their destinations.
void Scheduler::activate(const std::string& id, bool flush, double now) {
    // The flush service's request to revive this message's destinations
    // (MAIL_QUEUE_STAT_UNTHROTTLE, set by `postqueue -i`): honoured once, then cleared;
    // like a flush it lifts defer_transports (QMGR_FLUSH_EACH | QMGR_FLUSH_DFXP).
    bool unthrottle = false;
    std::string activePath = queue::queuePath(settings_->layout, queue::kActive, id);
    struct stat activeStat {};
    if (::stat(activePath.c_str(), &activeStat) == 0 && (activeStat.st_mode & S_IRGRP)) unthrottle = true;
    auto message = std::make_unique<ActiveMessage>();
    LoadResult loaded = loadActiveMessage(id, *settings_, *routing_, now, *message, flush || unthrottle);
    switch (loaded.outcome) {
        case LoadOutcome::Loaded:
            break;
        case LoadOutcome::Gone:
            return;
        case LoadOutcome::Busy: {
            // An agent still has it: back to incoming, tried again in a minute.
            std::string path = queue::queuePath(settings_->layout, queue::kActive, id);
            (void)queue::setNextAttempt(path, time_t(now) + 60, time_t(now) + 60);
            (void)queue::moveQueueFile(settings_->layout, queue::kActive, queue::kIncoming, id);
            return;
        }
        case LoadOutcome::Corrupt:
        case LoadOutcome::Incomplete: {
            if (!loaded.why.empty()) base::msgWarn(base::cat(id, ": ", loaded.why));
            auto moved = queue::moveQueueFile(settings_->layout, queue::kActive, queue::kCorrupt, id);
            if (moved)
                base::msgWarn(base::cat("saving corrupt file \"", id, "\" from queue \"active\" to queue \"corrupt\""));
            return;
        }
    }
    // The defer log of an earlier attempt goes: this attempt writes its own.
    std::string deferLog = queue::queuePath(settings_->layout, "defer", id);
    if (::unlink(deferLog.c_str()) < 0 && errno != ENOENT)
        base::msgFatal(base::cat("remove defer ", id, ": ", std::strerror(errno)));
    if (unthrottle) ::chmod(activePath.c_str(), activeStat.st_mode & 07777 & ~mode_t(S_IRGRP));
    ActiveMessage& m = *message;
    messages_[id] = std::move(message);
    activeRecipients_ += m.recipientCount;
    if (unthrottle)
        for (const DeliveryBatch& batch : m.batches) destinations_[batch.destination].deadUntil = 0;
    if (!m.settled.empty()) settle(m, m.settled);
    for (size_t i = 0; i < m.batches.size(); ++i) {
        const DeliveryBatch& batch = m.batches[i];
        Destination& dest = destinations_[batch.destination];
        if (dest.window == 0) dest.window = initialWindow(batch.transport);
        if (dest.deadUntil > now) {
            deferBatch(m, batch, dest.deadStatus);
            continue;
        }
        dest.todo.emplace_back(id, i);
        ++m.inFlight;  // counted until its call ends
    }
    maybeFinish(id, now);
}

// Recipients the queue manager reports itself (qmgr_defer_recipient, qmgr_bounce_recipient):
// through the same reporting the agents use, with relay=none.
void Scheduler::settle(ActiveMessage& message, const std::vector<SettledRecipient>& settled) {
    delivery::DeliverRequest request = message.request.unpack();
    request.handoffTime = wallClock();
    auto open = delivery::AgentDelivery::open(".", settings_->reporting.hashQueueNames,
                                              settings_->reporting.hashQueueDepth, request);
    if (!open) {
        base::msgWarn(base::cat(message.queueId, ": ", open.error().message));
        message.deferred = true;
        return;
    }
    (*open)->setReportSettings(settings_->reporting.report);
    for (const SettledRecipient& s : settled) {
        if (s.dsn.isSuccess()) {
            if (base::Status done = (*open)->sent(s.recipient, "none", s.dsn); !done) {
                base::msgWarn(done.error().message);
                message.deferred = true;
            }
            continue;
        }
        // (bounce() defers under soft_bounce, as the agents' bounces do.)
        base::Status done = s.dsn.isTemporary() ? (*open)->defer(s.recipient, "none", s.dsn)
                                                : (*open)->bounce(s.recipient, "none", s.dsn);
        if (!done || (*open)->deferredAny()) message.deferred = true;
        if (!done) base::msgWarn(done.error().message);
    }
}

void Scheduler::deferBatch(ActiveMessage& message, const DeliveryBatch& batch, const delivery::Dsn& dsn) {
    std::vector<SettledRecipient> settled;
    for (const auto& r : batch.recipients) settled.push_back({r, dsn});
    settle(message, settled);
    message.deferred = true;
}

// qmgr_transport_create(): a destination starts at initial_destination_concurrency,
// or at the transport's limit when that is lower (a limit of 1 is a limit from the
// first delivery on).
long Scheduler::initialWindow(const std::string& transport) const {
    long limit = settings_->concurrencyLimit(transport);
    long initial = settings_->initialConcurrency;
    return limit > 0 && limit < initial ? limit : initial;
}

// qmgr_queue_throttle(): the destination could not be reached. Each such failure counts
// 1/window of a failed cohort and lowers the window by the negative feedback; at
// TRANSPORT_destination_concurrency_failed_cohort_limit failed cohorts (1: as many
// failures in a row as the window was wide) the destination is dead until
// minimal_backoff_time, and what waits for it is deferred with the status, "delivery
// temporarily suspended: " before the reason (qmgr_defer_todo).
void Scheduler::throttle(Destination& dest, const std::string& transport, const delivery::Dsn& dsn, double now) {
    if (dest.deadUntil > now) return;  // already dead (a delivery that started before)
    long window = std::max(1L, dest.window);
    dest.failCohorts += 1.0 / double(window);
    double cohortLimit = settings_->failedCohortLimit(transport);
    if (cohortLimit > 0 && dest.failCohorts >= cohortLimit) {
        dest.deadUntil = now + double(settings_->minimalBackoff);
        dest.deadStatus = dsn;
        dest.deadStatus.action = "delayed";
        dest.deadStatus.reason = "delivery temporarily suspended: " + dsn.reason;
        dest.window = initialWindow(transport);
        dest.success = dest.failure = dest.failCohorts = 0;
        dest.dflags = 0;
        return;
    }
    double feedback = settings_->negativeFeedback(transport).at(window);
    dest.failure -= feedback;
    while (dest.failure - feedback / 2 < 0) {
        dest.window -= 1;
        dest.success = 0;
        dest.failure += 1;
    }
    if (dest.window < 1) dest.window = 1;
}

// qmgr_queue_unthrottle(): a delivery that did not fail for the destination as a whole.
// A dead destination comes back (with the window of what is in flight, at least the
// initial one); otherwise the positive feedback widens the window — while it is below
// the deliveries in flight plus initial_destination_concurrency — up to the limit.
void Scheduler::unthrottle(Destination& dest, const std::string& transport, double now) {
    dest.failCohorts = 0;
    if (dest.deadUntil > now) {
        dest.deadUntil = 0;
        dest.window = dest.busy > 0 ? dest.busy : initialWindow(transport);
        dest.success = dest.failure = 0;
        return;
    }
    long limit = settings_->concurrencyLimit(transport);
    // busy no longer counts this delivery; Postfix's busy list still holds it here.
    if ((limit <= 0 || limit > dest.window) && dest.window < dest.busy + 1 + settings_->initialConcurrency) {
        double feedback = settings_->positiveFeedback(transport).at(dest.window);
        dest.success += feedback;
        while (dest.success + feedback / 2 >= 1) {
            dest.window += 1;
            dest.success -= 1;
            dest.failure = 0;
        }
        if (limit > 0 && dest.window > limit) dest.window = limit;
    }
}

// qmgr_entry_select(): caching turns on once deliveries to a destination run back to
// back (one ended within the last second), and the agent is then asked to save its
// connections and to look for saved ones; it turns off — look, but save no more — when
// neither concurrent nor back-to-back deliveries remain, so that connections already
// cached get used before new ones are made. `busy` already counts this delivery.
void Scheduler::selectCaching(Destination& dest, long now) {
    bool backToBack = dest.lastDone + 1 >= now;
    if (!(dest.dflags & delivery::kFlagConnStore)) {
        if (backToBack) dest.dflags |= delivery::kFlagConnMask;
    } else if (!(dest.busy > 1 || backToBack)) {
        dest.dflags &= ~delivery::kFlagConnStore;
    }
}

// qmgr_queue_done's condition: nothing to deliver, nothing in flight, neither dead nor
// waiting out a rate delay. Such a destination is forgotten; its window starts afresh
// when mail for it comes again, as Postfix's in-core queue does.
bool Scheduler::finished(const Destination& dest, double now) {
    return dest.todo.empty() && dest.busy == 0 && dest.deadUntil <= now && dest.nextStart <= now;
}

void Scheduler::forgetIfFinished(const std::string& key, double now) {
    auto it = destinations_.find(key);
    if (it != destinations_.end() && finished(it->second, now)) destinations_.erase(it);
}

void Scheduler::dispatch(double now) {
    // Round robin (oqmgr's qmgr_queue_select, and qmgr_peer_select within a message):
    // each pass begins after the destination that got the last delivery, so that when
    // a transport's processes are all busy, the one that frees up goes to the
    // destinations with work in turn, not to the first in name order again.
    const size_t count = destinations_.size();
    auto next = destinations_.upper_bound(lastServed_);
    for (size_t visited = 0; visited < count; ++visited) {
        if (next == destinations_.end()) next = destinations_.begin();
        auto current = next++;
        const std::string& key = current->first;
        Destination& dest = current->second;
        while (!dest.todo.empty()) {
            auto [id, index] = dest.todo.front();
            auto it = messages_.find(id);
            if (it == messages_.end()) {
                dest.todo.pop_front();
                continue;
            }
            ActiveMessage& m = *it->second;
            const DeliveryBatch& batch = m.batches[index];
            if (dest.deadUntil > now) {
                dest.todo.pop_front();
                deferBatch(m, batch, dest.deadStatus);
                --m.inFlight;
                maybeFinish(id, now);
                continue;
            }
            if (dest.busy >= dest.window) break;
            long rateDelay = settings_->rateDelay(batch.transport);
            if (rateDelay > 0 && (dest.busy > 0 || now < dest.nextStart)) break;  // one at a time, spaced
            if (rateDelay > 0) dest.nextStart = now + double(rateDelay);
            if (transportBusy_[batch.transport] >= settings_->processLimit) break;
            dest.todo.pop_front();
            ++dest.busy;
            lastServed_ = key;
            selectCaching(dest, long(now));
            delivery::DeliverRequest request = m.request.unpack();
            request.flags |= dest.dflags;
            request.nexthop = batch.nexthop;
            request.recipients = batch.recipients;
            request.handoffTime = wallClock();
            Call call;
            call.messageId = id;
            call.batch = index;
            call.destination = key;
            call.call = std::make_unique<AgentCall>(batch.transport, request, now + double(settings_->ipcTimeout));
            ++transportBusy_[batch.transport];
            call.call->advance(0, now);
            calls_.push_back(std::move(call));
        }
        if (finished(dest, now)) destinations_.erase(current);
    }
    // Calls that finished at once (a refused connection) end here.
    for (size_t i = 0; i < calls_.size();) {
        if (calls_[i].call->finished()) {
            Call done = std::move(calls_[i]);
            calls_.erase(calls_.begin() + long(i));
            finishCall(done, now);
        } else {
            ++i;
        }
    }
}

void Scheduler::pollSet(std::vector<pollfd>& fds) const {
    for (const Call& c : calls_) fds.push_back(c.call->pollRequest());
}

int Scheduler::timeoutMs(double now) const {
    double next = nextDeferredScan_;
    for (const Call& c : calls_) {
        if (c.call->pollRequest().fd < 0) next = std::min(next, now + 0.05);  // a connect to retry
        if (c.call->deadline() > 0) next = std::min(next, c.call->deadline());
    }
    for (const auto& [key, dest] : destinations_) {
        if (!dest.todo.empty() && dest.deadUntil > now) next = std::min(next, dest.deadUntil);
        if (!dest.todo.empty() && dest.nextStart > now) next = std::min(next, dest.nextStart);
    }
    if (feedPending_) next = now;  // more files to feed at once
    double ms = std::ceil((next - now) * 1000);
    return int(std::clamp(ms, 0.0, 60000.0));
}

void Scheduler::handle(const std::vector<pollfd>& fds, size_t first, double now) {
    // The descriptors line up with calls_ as pollSet() gave them; calls started since
    // (none are: handle() runs right after poll) would have no entry.
    std::vector<bool> finished(calls_.size(), false);
    for (size_t i = 0; i < calls_.size(); ++i) {
        short revents = first + i < fds.size() ? fds[first + i].revents : 0;
        finished[i] = calls_[i].call->advance(revents, now);
    }
    std::vector<Call> done;
    for (size_t i = calls_.size(); i-- > 0;) {
        if (!finished[i]) continue;
        done.push_back(std::move(calls_[i]));
        calls_.erase(calls_.begin() + long(i));
    }
    for (Call& call : done) finishCall(call, now);
}

// qmgr_deliver_update: the agent's answer for one batch.
void Scheduler::finishCall(Call& call, double now) {
    auto it = messages_.find(call.messageId);
    Destination& dest = destinations_[call.destination];
    --dest.busy;
    dest.lastDone = long(now);
    ActiveMessage* message = it == messages_.end() ? nullptr : it->second.get();
    const DeliveryBatch* batch = message ? &message->batches[call.batch] : nullptr;
    if (batch) --transportBusy_[batch->transport];
    if (!message) return;
    if (!call.call->answered()) {
        // The agent could not be reached or died: its recipients wait, and so does the
        // destination for a while (qmgr_transport_throttle).
        base::msgWarn(call.call->failure());
        delivery::Dsn dsn{"4.3.0", "delayed", "unknown mail transport error", "", "", "", ""};
        deferBatch(*message, *batch, dsn);
        dest.deadUntil = now + double(settings_->minimalBackoff);
        dest.deadStatus = dsn;
        dest.deadStatus.reason = "delivery temporarily suspended: " + dsn.reason;
        dest.window = initialWindow(batch->transport);
        dest.dflags = 0;
    } else {
        const delivery::DeliverReply& reply = call.call->reply();
        if (reply.status != delivery::kStatusFinal) message->deferred = true;
        if (!reply.hopStatus.status.empty() && reply.status != delivery::kStatusFinal)
            throttle(dest, batch->transport, reply.hopStatus, now);
        else
            unthrottle(dest, batch->transport, now);
    }
    --message->inFlight;
    maybeFinish(call.messageId, now);
    forgetIfFinished(call.destination, now);
}

void Scheduler::maybeFinish(const std::string& id, double now) {
    auto it = messages_.find(id);
    if (it == messages_.end() || it->second->inFlight > 0) return;
    std::unique_ptr<ActiveMessage> message = std::move(it->second);
    messages_.erase(it);
    activeRecipients_ -= message->recipientCount;
    finishMessage(*message, now);
}

// Asks a bounce service (bounce for the bounce log, defer for an expired message's defer
// log or a delay warning) to send its notification; true when it did.
bool Scheduler::askBounce(ActiveMessage& message, const std::string& service, int command) {
    delivery::BounceRequest request;
    request.command = delivery::BounceCommand(command);
    // The trace flush carries the trace flags: the verify report for sendmail -bv.
    if (request.command == delivery::BounceCommand::Trace)
        request.flags = message.request.flags() & (delivery::kFlagUserVerify | delivery::kFlagRecord);
    request.queueName = std::string(queue::kActive);
    request.queueId = message.queueId;
    delivery::DeliverRequest attributes = message.request.unpack();
    request.encoding = attributes.encoding;
    request.sendopts = attributes.sendopts;
    request.sender = attributes.sender;
    request.dsnEnvid = attributes.dsnEnvid;
    request.dsnRet = attributes.dsnRet;
    auto status = delivery::sendBounceRequest("private/" + service, request, settings_->ipcTimeout);
    return status && *status == 0;
}

// adefer_warn and qmgr_message_update_warn: the sender learns that the message is
// delayed, once: the 'W' record becomes -1 when the warning went out.
void Scheduler::sendDelayWarning(ActiveMessage& message, double) {
    if (!askBounce(message, "defer", int(delivery::BounceCommand::Warn))) return;
    std::string path = queue::queuePath(settings_->layout, queue::kActive, message.queueId);
    char value[32];
    std::snprintf(value, sizeof value, "%15ld", -1L);
    std::string record;
    queue::appendRecord(record, queue::rec::kWarn, value);
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0 || ::pwrite(fd, record.data(), record.size(), off_t(message.warnOffset)) != ssize_t(record.size()) ||
        ::fsync(fd) < 0)
        base::msgFatal(base::cat("update queue file ", path, ": ", std::strerror(errno)));
    ::close(fd);
}

// qmgr_active_done and its continuations.
void Scheduler::finishMessage(ActiveMessage& message, double now) {
    const std::string& id = message.queueId;
    struct stat st {};
    std::string bounceLog = queue::queuePath(settings_->layout, "bounce", id);
    if (::stat(bounceLog.c_str(), &st) == 0) {
        if (st.st_size == 0) {
            ::unlink(bounceLog.c_str());
        } else if (settings_->softBounce ||
                   !askBounce(message, settings_->bounceService, int(delivery::BounceCommand::Flush))) {
            base::msgInfo(base::cat(id, ": status=deferred (bounce failed)"));
            message.deferred = true;
        }
    }
    // qmgr_active_done_2: the trace service reports NOTIFY=SUCCESS deliveries (its log
    // may be from an earlier attempt, or absent); when it cannot, the message stays.
    if (message.notifySuccess || (message.request.flags() & delivery::kFlagUserVerify) ||
        ::access(queue::queuePath(settings_->layout, "trace", id).c_str(), F_OK) == 0) {
        if (!askBounce(message, "trace", int(delivery::BounceCommand::Trace))) message.deferred = true;
    }
    // A defer log written during this attempt (the queue manager removed the old one
    // when it took the message) means some recipient waits, whatever an agent answered:
    // the message must not be removed.
    if (!message.deferred) {
        std::string deferLog = queue::queuePath(settings_->layout, "defer", id);
        if (::access(deferLog.c_str(), F_OK) == 0) message.deferred = true;
    }
    if (message.deferred) {
        long lifetime =
            message.request.sender().empty() ? settings_->bounceQueueLifetime : settings_->maximalQueueLifetime;
        if (message.createTime > 0 && now >= double(message.createTime + lifetime)) {
            base::msgInfo(base::cat(id, ": from=<", senderForLog(message.request.sender()),
                                    ">, status=expired, returned to sender"));
            if (askBounce(message, "defer", int(delivery::BounceCommand::Flush))) message.deferred = false;
        } else if (message.warnTime > 0 && now >= double(message.warnTime - 1)) {
            sendDelayWarning(message, now);
        }
    }
    std::string path = queue::queuePath(settings_->layout, queue::kActive, id);
    if (message.deferred) {
        long delay = message.createTime > 0 ? long(now) - message.createTime : settings_->minimalBackoff;
        delay = std::clamp(delay, settings_->minimalBackoff, settings_->maximalBackoff);
        time_t next = time_t(now) + delay;
        if (auto st2 = queue::setNextAttempt(path, next, next); !st2 && st2.error().errnum != ENOENT)
            base::msgFatal(base::cat("qmgr_active_defer: update ", path, " time stamps: ", st2.error().message));
        auto moved = queue::moveQueueFile(settings_->layout, queue::kActive, queue::kDeferred, id);
        if (!moved && moved.error().errnum != ENOENT) base::msgFatal(moved.error().message);
        return;
    }
    if (::unlink(path.c_str()) < 0) {
        if (errno != ENOENT) base::msgFatal(base::cat("remove ", id, " from active: ", std::strerror(errno)));
        base::msgWarn(base::cat("remove ", id, " from active: ", std::strerror(errno)));
        return;
    }
    base::msgInfo(base::cat(id, ": removed"));
}

namespace {

volatile std::sig_atomic_t stopRequested = 0;
void onTerm(int) { stopRequested = 1; }

// Reads a trigger request from a listening descriptor (accepting a stream client).
std::string readTrigger(int fd, bool stream) {
    char buffer[1024];
    if (!stream) {
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        return n > 0 ? std::string(buffer, size_t(n)) : std::string();
    }
    int client = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) return {};
    std::string request;
    pollfd p{client, POLLIN, 0};
    if (::poll(&p, 1, 1000) > 0) {
        ssize_t n = ::read(client, buffer, sizeof buffer);
        if (n > 0) request.assign(buffer, size_t(n));
    }
    ::close(client);
    return request;
}

struct Configured {
    QmgrSettings settings;
    std::unique_ptr<address::RoutingContext> routing;
};

Configured configure(const server::DaemonConfig& config) {
    Configured c;
    c.settings = readQmgrSettings(config);
    c.routing = std::make_unique<address::RoutingContext>(config.config());
    // The services master runs are the generation's master.cf, not the file beside
    // main.cf now (which may have been edited and not yet compiled).
    const auto& generation = config.generation();
    if (!generation.services().empty())
        c.routing->setDeliveryServices(address::deliveryServicesOf(generation.serviceFields()));
    return c;
}

}  // namespace

int runQmgr(server::EventContext& context) {
    std::signal(SIGTERM, onTerm);
    Configured current = configure(context.config());
    Scheduler scheduler(&current.settings, current.routing.get());
    scheduler.recoverActive();
    bool stream = context.streamListener();
    for (const int fd : context.listenFds())
        if (stream) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    std::vector<Configured> retired;  // kept while messages loaded under them may still refer to them
    while (!stopRequested) {
        double now = wallClock();
        if (context.refreshConfig()) {
            retired.push_back(std::move(current));
            current = configure(context.config());
            scheduler.reconfigure(&current.settings, current.routing.get());
            if (retired.size() > 4) retired.erase(retired.begin());
        }
        scheduler.work(now);
        if (context.standalone() && scheduler.idle()) return 0;
        std::vector<pollfd> fds;
        for (int fd : context.listenFds()) fds.push_back({fd, POLLIN, 0});
        if (context.masterStatusFd() >= 0) fds.push_back({context.masterStatusFd(), POLLIN, 0});
        size_t first = fds.size();
        scheduler.pollSet(fds);
        int ready = ::poll(fds.data(), nfds_t(fds.size()), scheduler.timeoutMs(now));
        if (ready < 0) {
            if (errno == EINTR) continue;
            base::msgFatal(base::cat("poll: ", std::strerror(errno)));
        }
        now = wallClock();
        size_t i = 0;
        for (int fd : context.listenFds()) {
            if (fds[i++].revents & (POLLIN | POLLERR | POLLHUP)) scheduler.trigger(readTrigger(fd, stream));
        }
        if (context.masterStatusFd() >= 0) {
            // POLLNVAL too: a status descriptor that is not open is a master that is
            // gone (the read fails), not an event to poll for again and again.
            if (fds[i].revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL)) {
                char byte;
                ssize_t n = ::read(context.masterStatusFd(), &byte, 1);
                if (n <= 0 && !(n < 0 && (errno == EINTR || errno == EAGAIN))) {
                    if (base::verbose()) base::msgInfo("master disconnect -- exiting");
                    return 0;
                }
            }
            ++i;
        }
        scheduler.handle(fds, first, now);
    }
    return 0;
}

}  // namespace postline::qmgr
