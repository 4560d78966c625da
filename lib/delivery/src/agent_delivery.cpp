// A delivery agent's view of one request (Postfix's deliver_request.c for the queue
// file and its lock, deliver_completed.c, sent.c, bounce.c, defer.c for the outcomes
// and log_adhoc.c with util/format_tv.c for the status log line; trace.c for the
// trace log of NOTIFY=SUCCESS deliveries).
#include "postline/delivery/agent_delivery.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <strings.h>
#include <cerrno>
#include <cmath>

#include "postline/base/msg.h"
#include "postline/queue/bounce_log.h"
#include "postline/queue/input_stream.h"
#include "postline/queue/queue_lock.h"
#include "postline/queue/queue_path.h"
#include "postline/queue/recipient_done.h"
#include "postline/queue/record.h"
#include "postline/queue/record_type.h"

namespace postline::delivery {
namespace {

constexpr long kMillion = 1000000;

double wallClock() {
    struct timeval tv;
    gettimeofday(&tv, nullptr);
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

long long toMicros(double t) { return std::llround(t * 1e6); }

// log_adhoc.c's DELTA: a negative difference counts as zero.
long long delta(long long later, long long earlier) { return later > earlier ? later - earlier : 0; }

// util/format_tv.c with two significant digits: large values rounded to whole seconds,
// small ones shown with two significant digits but never finer than `maxDigits`
// decimals; trailing zeros and digits below the resolution dropped.
void formatTv(std::string& out, long long micros, int maxDigits) {
    static const long kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
    constexpr int kSigDigits = 2;
    if (maxDigits < 0) maxDigits = 0;
    if (maxDigits > 6) maxDigits = 6;
    long long sec = micros / kMillion;
    long usec = static_cast<long>(micros % kMillion);
    long ures = kMillion / kPow10[maxDigits];
    const long wid = kPow10[kSigDigits];
    if (ures < kMillion) {
        if (sec > 0) {
            long n = 1;
            while (sec >= n && n <= wid / 10) n *= 10;
            ures = (kMillion / wid) * n;
        } else {
            while (usec >= wid * ures) ures *= 10;
        }
    }
    if (ures > 1) {
        usec += ures / 2;
        if (usec >= kMillion) {
            sec += 1;
            usec -= kMillion;
        }
    }
    out += std::to_string(sec);
    if (usec >= ures) {
        out.push_back('.');
        long rem = usec;
        for (long n = kMillion / 10; rem >= ures && n > 0; n /= 10) {
            out.push_back(static_cast<char>('0' + rem / n));
            rem %= n;
        }
    }
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    return strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// The sanity checks of sent.c, bounce.c and defer.c: a status of another class is
// replaced, with their warning.
Dsn checkedDsn(const Dsn& in, char wanted, std::string_view who, const char* fallback) {
    Dsn dsn = in;
    if (dsn.status.empty() || dsn.status[0] != wanted || !dsnValid(dsn.status)) {
        base::msgWarn(std::string(who) + ": ignoring dsn code \"" + dsn.status + "\"");
        dsn.status = fallback;
    }
    return dsn;
}

}  // namespace

std::string formatDelays(double arrival, double active, double handoff, double setupDone, double now,
                         int resolutionDigits) {
    // log_adhoc.c: without an active-queue time, everything is "before the queue
    // manager"; without a hand-off, the rest is the queue manager's; without a
    // connection set-up time, the transmission starts at the hand-off.
    long long tNow = toMicros(now), tArrival = toMicros(arrival);
    long long pdelay = 0, adelay = 0, sdelay = 0, xdelay = 0;
    long long total = delta(tNow, tArrival);
    if (active > 0) {
        long long tActive = toMicros(active);
        pdelay = delta(tActive, tArrival);
        if (handoff > 0) {
            long long tHandoff = toMicros(handoff);
            adelay = delta(tHandoff, tActive);
            if (setupDone > 0) {
                long long tSetup = toMicros(setupDone);
                sdelay = delta(tSetup, tHandoff);
                xdelay = delta(tNow, tSetup);
            } else {
                xdelay = delta(tNow, tHandoff);
            }
        } else {
            adelay = delta(tNow, tActive);
        }
    } else {
        pdelay = delta(tNow, tArrival);
    }
    std::string out = "delay=";
    formatTv(out, total, resolutionDigits);
    out += ", delays=";
    formatTv(out, pdelay, resolutionDigits);
    out += '/';
    formatTv(out, adelay, resolutionDigits);
    out += '/';
    formatTv(out, sdelay, resolutionDigits);
    out += '/';
    formatTv(out, xdelay, resolutionDigits);
    return out;
}

base::Result<std::unique_ptr<AgentDelivery>> AgentDelivery::open(const std::string& queueDirectory,
                                                                 const std::string& hashQueueNames, int hashQueueDepth,
                                                                 DeliverRequest request) {
    const std::string& id = request.queueId;
    // mail_open_ok(): names that could lead outside the queue are refused.
    if (!queue::queueNameOk(request.queueName) || !queue::queueIdOk(id))
        return base::Error{"open queue file " + id + ": bad queue name or id"};
    std::string path = queueDirectory + "/" +
                       queue::queuePath(queue::queueLayout(hashQueueNames, hashQueueDepth), request.queueName, id);
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return base::errnoError("open queue file " + id);
    // deliver_request.c: the shared lock keeps the queue manager (exclusive) away while
    // this delivery runs, and a file the queue manager still holds is not delivered.
    auto locked = queue::tryLockQueueFile(fd, queue::QueueLock::Delivery);
    if (!locked) {
        int err = locked.error().errnum;
        ::close(fd);
        return base::Error{"lock queue file " + id + ": " + locked.error().message, err};
    }
    if (!*locked) {
        ::close(fd);
        return base::Error{"queue file " + id + " is locked"};
    }
    std::unique_ptr<AgentDelivery> delivery(new AgentDelivery());
    delivery->request_ = std::move(request);
    delivery->queueDirectory_ = queueDirectory;
    delivery->layout_ = queue::queueLayout(hashQueueNames, hashQueueDepth);
    delivery->fd_ = fd;
    return delivery;
}

AgentDelivery::~AgentDelivery() {
    if (fd_ >= 0) ::close(fd_);
}

base::Result<std::vector<std::string>> AgentDelivery::contentLines() {
    queue::InputStream in = queue::InputStream::fromDescriptor(fd_, request_.queueId);
    if (!in.seek(request_.dataOffset)) return base::errnoError("seek queue file " + request_.queueId);
    queue::RecordReader reader(in);
    std::vector<std::string> lines;
    std::string line;
    bool partial = false;
    for (;;) {
        auto record = reader.next(queue::read_flag::kFollowPointers | queue::read_flag::kSkipPadding);
        if (!record) return record.error();
        int type = record->type;
        if (type == queue::rec::kCont) {
            line += record->data;
            partial = true;
        } else if (type == queue::rec::kNorm) {
            line += record->data;
            lines.push_back(std::move(line));
            line.clear();
            partial = false;
        } else if (type == queue::rec::kXtra) {
            break;
        } else if (type == queue::rec::kEof) {
            return base::Error{request_.queueId + ": unexpected EOF in message content"};
        } else {
            return base::Error{request_.queueId + ": unexpected record type " + std::to_string(type) +
                               " in message content"};
        }
    }
    // A last line without its 'N' (cleanup always ends one) is kept as it is.
    if (partial) lines.push_back(std::move(line));
    return lines;
}

void AgentDelivery::connectionSetupDone(int reuseCount) {
    setupDone_ = wallClock();
    reuseCount_ = reuseCount;
}

std::string AgentDelivery::quoted(std::string_view address) const {
    if (!settings_.quoteLocal || address.empty()) return std::string(address);
    return settings_.quoteLocal(address);
}

std::string AgentDelivery::logAddress(std::string_view address) const {
    return settings_.logInternalForm ? std::string(address) : quoted(address);
}

void AgentDelivery::logStatus(const DeliverRecipient& rcpt, std::string_view relay, const Dsn& dsn,
                              std::string_view status) const {
    std::string line = request_.queueId + ": to=<" + logAddress(rcpt.address) + ">";
    if (!rcpt.original.empty() && !equalsIgnoreCase(rcpt.address, rcpt.original))
        line += ", orig_to=<" + logAddress(rcpt.original) + ">";
    line += ", relay=";
    line += relay;
    if (reuseCount_ > 0) line += ", conn_use=" + std::to_string(reuseCount_ + 1);
    line += ", ";
    line += formatDelays(request_.arrivalTime, request_.activeTime, request_.handoffTime, setupDone_, wallClock(),
                         settings_.delayResolution);
    line += ", dsn=" + dsn.status + ", status=";
    line += status;
    line += " (" + dsn.reason + ")";
    base::msgInfo(line);
}

base::Status AgentDelivery::appendLog(std::string_view service, const DeliverRecipient& rcpt, const Dsn& dsn) const {
    queue::BounceLogEntry entry;
    entry.recipient = quoted(rcpt.address);
    if (!rcpt.original.empty() && !equalsIgnoreCase(rcpt.address, rcpt.original))
        entry.original = quoted(rcpt.original);
    entry.offset = rcpt.offset > 0 ? rcpt.offset : 0;
    entry.dsnOrcpt = rcpt.dsnOrcpt;
    entry.dsnNotify = rcpt.dsnNotify;
    entry.status = dsn.status;
    entry.action = dsn.action;
    entry.diagType = dsn.dtype;
    entry.diagText = dsn.dtext;
    entry.mtaType = dsn.mtype;
    entry.mtaName = dsn.mname;
    entry.reason = dsn.reason;
    // bounce/ and defer/ are hashed when hash_queue_names lists them (Postfix's default
    // does for defer); as mail_queue_open() does, a missing subdirectory is made.
    std::string path = queueDirectory_ + "/" + queue::queuePath(layout_, service, request_.queueId);
    base::Status appended = queue::appendBounceLog(path, entry, settings_.oldStyleBounceLog);
    if (appended || appended.error().errnum != ENOENT) return appended;
    std::string dir = queue::queueDirectory(layout_, service, request_.queueId);
    for (size_t slash = dir.find('/'); slash != std::string::npos; slash = dir.find('/', slash + 1))
        (void)::mkdir((queueDirectory_ + "/" + dir.substr(0, slash)).c_str(), 0700);
    return queue::appendBounceLog(path, entry, settings_.oldStyleBounceLog);
}

base::Status AgentDelivery::markDone(const DeliverRecipient& rcpt) const {
    auto done = queue::markRecipientDone(fd_, rcpt.offset);
    if (!done) return base::Error{"update queue file " + request_.queueId + ": " + done.error().message};
    return base::Status::success();
}

base::Status AgentDelivery::trace(const DeliverRecipient& rcpt, std::string_view relay, const Dsn& in) {
    Dsn dsn = in;
    if (dsn.action.empty()) dsn.action = "delivered";
    // trace.c: the report says which agent did it, unless none did.
    if (relay != "none") dsn.reason = "delivery via " + std::string(relay) + ": " + dsn.reason;
    base::Status logged = appendLog("trace", rcpt, dsn);
    if (!logged) base::msgWarn(request_.queueId + ": trace service failure");
    return logged;
}

// sent.c, bounce.c, defer.c under DEL_REQ_FLAG_USR_VRFY: the would-be outcome in the
// trace log for the sender's report, logged with the action as the status.
base::Status AgentDelivery::verified(const DeliverRecipient& rcpt, std::string_view relay, Dsn dsn,
                                     const char* action) {
    dsn.action = action;
    if (base::Status traced = trace(rcpt, relay, dsn); !traced) {
        deferredAny_ = true;
        return base::Error{request_.queueId + ": trace log: " + traced.error().message, traced.error().errnum};
    }
    logStatus(rcpt, relay, dsn, action);
    if (request_.flags & kFlagSuccess) return markDone(rcpt);
    return base::Status::success();
}

base::Status AgentDelivery::sent(const DeliverRecipient& rcpt, std::string_view relay, const Dsn& in) {
    Dsn dsn = checkedDsn(in, '2', "sent", "2.0.0");
    if (verifyOnly()) return verified(rcpt, relay, dsn, "deliverable");
    if (dsn.action.empty()) dsn.action = "delivered";
    // sent.c: NOTIFY=SUCCESS asks for a record of this delivery; one that cannot be
    // written defers the recipient, so that the sender is not left without the notice.
    if (rcpt.dsnNotify & kNotifySuccess) {
        if (base::Status traced = trace(rcpt, relay, dsn); !traced) {
            Dsn failure = dsn;
            failure.status = "4.3.0";
            failure.reason = request_.queueId + ": trace service failed";
            (void)defer(rcpt, relay, failure);
            return base::Error{request_.queueId + ": trace log: " + traced.error().message, traced.error().errnum};
        }
    }
    logStatus(rcpt, relay, dsn, "sent");
    if (request_.flags & kFlagSuccess) return markDone(rcpt);
    return base::Status::success();
}

base::Status AgentDelivery::bounce(const DeliverRecipient& rcpt, std::string_view relay, const Dsn& in) {
    Dsn dsn = checkedDsn(in, '5', "bounce_append", "5.0.0");
    if (verifyOnly()) return verified(rcpt, relay, dsn, "undeliverable");
    if (settings_.softBounce) {
        // soft_bounce: the bounce becomes a deferral in the defer log, logged as
        // SOFTBOUNCE, and the recipient stays to be tried again (bounce.c).
        dsn.status[0] = '4';
        dsn.action = "delayed";
        deferredAny_ = true;
        base::Status logged = appendLog("defer", rcpt, dsn);
        if (!logged) base::msgWarn(request_.queueId + ": defer service failure: " + logged.error().message);
        logStatus(rcpt, relay, dsn, "SOFTBOUNCE");
        if (!logged)
            return base::Error{request_.queueId + ": defer log: " + logged.error().message, logged.error().errnum};
        return base::Status::success();
    }
    dsn.action = "failed";
    if (auto logged = appendLog("bounce", rcpt, dsn); !logged) {
        // bounce.c: a recipient whose bounce cannot be recorded is deferred instead.
        base::msgWarn(request_.queueId + ": bounce log: " + logged.error().message);
        Dsn failure = dsn;
        failure.status = "4.3.0";
        failure.reason = "bounce or trace service failure";
        (void)defer(rcpt, relay, failure);
        return base::Error{request_.queueId + ": bounce log: " + logged.error().message, logged.error().errnum};
    }
    logStatus(rcpt, relay, dsn, "bounced");
    if (request_.flags & kFlagBounce) return markDone(rcpt);
    return base::Status::success();
}

base::Status AgentDelivery::defer(const DeliverRecipient& rcpt, std::string_view relay, const Dsn& in) {
    Dsn dsn = checkedDsn(in, '4', "defer_append", "4.0.0");
    if (verifyOnly()) return verified(rcpt, relay, dsn, "undeliverable");
    dsn.action = "delayed";
    deferredAny_ = true;
    base::Status logged = appendLog("defer", rcpt, dsn);
    if (!logged) base::msgWarn(request_.queueId + ": defer service failure: " + logged.error().message);
    logStatus(rcpt, relay, dsn, "deferred");
    // The fast flush service learns which destination waits for this message
    // (defer.c's flush_add: "doing it here is more robust").
    if (size_t at = rcpt.address.rfind('@');
        settings_.fastFlush && at != std::string::npos && at + 1 < rcpt.address.size())
        settings_.fastFlush(std::string_view(rcpt.address).substr(at + 1), request_.queueId);
    if (!logged) return base::Error{request_.queueId + ": defer log: " + logged.error().message, logged.error().errnum};
    return base::Status::success();
}

}  // namespace postline::delivery
