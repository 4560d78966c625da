// Reading and resolving an active message (qmgr_message.c: qmgr_message_open,
// qmgr_message_read, qmgr_message_resolve, qmgr_message_assign).
#include "active_message.h"

#include <fcntl.h>
#include <unistd.h>

#include <strings.h>
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "postline/address/resolve.h"
#include "postline/address/routing_context.h"
#include "postline/address/tokens.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/queue/input_stream.h"
#include "postline/queue/queue_file.h"
#include "postline/queue/queue_lock.h"
#include "postline/queue/record_type.h"

namespace postline::qmgr {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return out;
}

long numberOr(std::optional<std::string_view> text, long fallback) {
    if (!text) return fallback;
    std::string s(*text);
    char* end = nullptr;
    long n = std::strtol(s.c_str(), &end, 10);
    return end && *end == 0 && !s.empty() ? n : fallback;
}

std::string textOf(const queue::QueueFile& file, std::string_view name) {
    auto value = file.attribute(name);
    return value ? std::string(*value) : std::string();
}

}  // namespace

LoadResult loadActiveMessage(const std::string& queueId, const QmgrSettings& settings, address::RoutingContext& routing,
                             double now, ActiveMessage& message, bool overrideDeferTransports) {
    std::string path = queue::queuePath(settings.layout, queue::kActive, queueId);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return {LoadOutcome::Gone, ""};
        return {LoadOutcome::Corrupt, base::cat("open ", path, ": ", std::strerror(errno))};
    }
    // The exclusive lock only tests that no agent still has the file (qmgr_message_open).
    auto locked = queue::tryLockQueueFile(fd, queue::QueueLock::Manager);
    if (!locked || !*locked) {
        ::close(fd);
        return {LoadOutcome::Busy, ""};
    }
    (void)queue::unlockQueueFile(fd);
    queue::InputStream in = queue::InputStream::fromDescriptor(fd, path);
    auto read = queue::readQueueFile(in, false);
    ::close(fd);
    if (!read) return {LoadOutcome::Corrupt, read.error().message};
    queue::QueueFile& file = *read;
    if (!file.complete || !file.size || !file.sender) return {LoadOutcome::Incomplete, "incomplete queue file"};

    message.queueId = queueId;
    delivery::DeliverRequest r;
    r.queueName = std::string(queue::kActive);
    r.queueId = queueId;
    r.dataOffset = file.size->dataOffset;
    r.dataSize = file.size->contentLength > 0 ? file.size->contentLength : file.size->contentSize;
    r.encoding = textOf(file, "encoding");
    r.sendopts = int(file.size->smtputf8);
    r.sender = *file.sender;
    r.dsnEnvid = textOf(file, "envelope_id");
    r.dsnRet = int(numberOr(file.attribute("ret_flags"), 0));
    r.arrivalTime = file.arrivalTime ? double(file.arrivalTime->first) + double(file.arrivalTime->second) / 1e6 : now;
    r.activeTime = now;
    r.clientName = textOf(file, "log_client_name");
    r.clientAddress = textOf(file, "log_client_address");
    r.clientPort = textOf(file, "log_client_port");
    r.protocolName = textOf(file, "log_protocol_name");
    r.heloName = textOf(file, "log_helo_name");
    r.saslMethod = textOf(file, "sasl_method");
    r.saslUsername = textOf(file, "sasl_username");
    r.saslSender = textOf(file, "sasl_sender");
    r.logIdent = queueId;
    r.rewriteContext = textOf(file, "rewrite_context");
    message.createTime = file.createTime ? *file.createTime : long(r.arrivalTime);
    // QMGR_READ_FLAG_NOTIFY_SUCCESS: cleanup's hint in the size record, or any recipient,
    // done or not (an earlier attempt may have left a trace log).
    message.notifySuccess = (file.size->qmgrFlags & (delivery::kNotifySuccess << 1)) != 0;
    // The trace flags (sendmail -bv) go to every agent with the request
    // (DEL_REQ_TRACE_FLAGS); verbose delivery records are not made yet.
    r.flags |= int(numberOr(file.attribute("trace_flags"), 0)) & delivery::kFlagUserVerify;
    for (const queue::Recipient& rcpt : file.recipients)
        if (rcpt.dsnNotify & delivery::kNotifySuccess) message.notifySuccess = true;
    if (file.warnTime) {
        message.warnTime = *file.warnTime;
        message.warnOffset = long(file.warnOffset);
    }

    message.request = PackedRequest(r);
    base::msgInfo(base::cat(queueId, ": from=<", r.sender.empty() ? std::string() : address::quoteLocalPart(r.sender),
                            ">, size=", r.dataSize, ", nrcpt=", file.size->recipientCount, " (queue active)"));

    // A content filter (the FILTER action, content_filter) or a redirect (the REDIRECT
    // action) recorded by cleanup: the last one of each counts, as the reader keeps them.
    std::string filter, redirect;
    for (const auto& [type, value] : file.others) {
        if (type == queue::rec::kFilter) filter = value;
        if (type == queue::rec::kRedirect) redirect = value;
    }
    std::string doubleBounce = routing.get("double_bounce_sender");

    // Destination queues of this message, in the order their first recipient came.
    std::map<std::string, size_t> open;  // destination key -> batch index being filled
    struct Resolved {
        std::string transport, queueName, nexthop;
        long limit;
        delivery::DeliverRecipient recipient;
    };
    std::vector<Resolved> resolved;
    for (const queue::Recipient& rcpt : file.recipients) {
        if (rcpt.state != queue::Recipient::State::Todo) continue;
        ++message.recipientCount;
        delivery::DeliverRecipient dr;
        dr.original = rcpt.original;
        dr.address = rcpt.address;
        dr.dsnOrcpt = rcpt.dsnOrcpt;
        dr.dsnNotify = rcpt.dsnNotify;
        dr.offset = long(rcpt.offset);
        address::Resolution res;
        if (!redirect.empty()) {
            // Every recipient goes to the redirect address instead (qmgr_message_resolve).
            res = address::resolveAddress(routing, r.sender, redirect);
        } else if (!filter.empty()) {
            // The filter's transport; its nexthop, else default_filter_nexthop, else the
            // recipient's domain, else myhostname. The recipient stays as it is.
            size_t colon = filter.find(':');
            res.transport = filter.substr(0, colon);
            res.nexthop = colon == std::string::npos ? std::string() : filter.substr(colon + 1);
            if (res.nexthop.empty()) res.nexthop = routing.get("default_filter_nexthop");
            if (res.nexthop.empty()) {
                size_t at = rcpt.address.rfind('@');
                res.nexthop = at != std::string::npos && at + 1 < rcpt.address.size() ? rcpt.address.substr(at + 1)
                                                                                      : routing.get("myhostname");
            }
            res.recipient = rcpt.address;
        } else {
            res = address::resolveAddress(routing, r.sender, rcpt.address);
        }
        // What cannot go where it resolved to goes to the error(8) agent's "error"
        // (bounce) or "retry" (defer) service with the reason as its nexthop
        // (QMGR_REDIRECT); without such a service the queue manager records it itself.
        const auto& services = routing.deliveryServices();
        auto redirectTo = [&](const char* service, std::string text) {
            if (!services || services->count(service)) {
                res.transport = service;
                res.nexthop = std::move(text);
                return true;
            }
            size_t space = text.find(' ');
            std::string status = text.substr(0, space);
            message.settled.push_back(
                {dr, {status, status[0] == '4' ? "delayed" : "failed", text.substr(space + 1), "", "", "", ""}});
            return false;
        };
        // Mail to the local double-bounce address is dropped here, so that a system can
        // run without a local delivery agent.
        if (!res.fail && !res.error && res.addressClass == address::AddressClass::Local && filter.empty() &&
            !rcpt.address.empty()) {
            size_t at = res.recipient.rfind('@');
            std::string_view local = std::string_view(res.recipient).substr(0, at);
            if (!doubleBounce.empty() && local.size() == doubleBounce.size() &&
                std::equal(local.begin(), local.end(), doubleBounce.begin(), [](char a, char b) {
                    return std::tolower((unsigned char)a) == std::tolower((unsigned char)b);
                })) {
                dr.address = res.recipient;
                message.settled.push_back(
                    {dr, {"2.0.0", "delivered", "undeliverable postmaster notification discarded", "", "", "", ""}});
                continue;
            }
        }
        if (res.fail) {
            if (!redirectTo("retry", "4.3.0 address resolver failure")) continue;
        } else if (res.error) {
            if (!redirectTo("error", "5.1.3 bad address syntax")) continue;
        } else if (rcpt.address.empty()) {
            if (!redirectTo("error", "5.1.3 null recipient address")) continue;
        } else if (!overrideDeferTransports && settings.deferTransports.count(res.transport)) {
            if (!redirectTo("retry", "4.3.2 deferred transport")) continue;
        } else if (services && !services->count(res.transport)) {
            if (!redirectTo("retry", "4.3.0 mail transport unavailable")) continue;
        }
        // The agent delivers to the resolved address (qmgr_message_resolve updates it).
        dr.address = res.recipient;
        long limit = settings.recipientLimit(res.transport);
        std::string queueName = lower(res.nexthop);
        if (limit == 1) queueName = lower(res.recipient) + "@" + queueName;
        resolved.push_back({res.transport, queueName, res.nexthop, limit, std::move(dr)});
    }
    // qmgr_message_sort: by transport, destination, recipient domain, then address, so
    // that a request's recipients (and the RCPT order on the wire) are Postfix's.
    std::stable_sort(resolved.begin(), resolved.end(), [](const Resolved& a, const Resolved& b) {
        if (int c = a.transport.compare(b.transport)) return c < 0;
        if (int c = a.queueName.compare(b.queueName)) return c < 0;
        size_t atA = a.recipient.address.rfind('@'), atB = b.recipient.address.rfind('@');
        if ((atA == std::string::npos) != (atB == std::string::npos)) return atA != std::string::npos;
        if (atA != std::string::npos) {
            int c = ::strcasecmp(a.recipient.address.c_str() + atA + 1, b.recipient.address.c_str() + atB + 1);
            if (c) return c < 0;
        }
        return a.recipient.address < b.recipient.address;
    });
    for (Resolved& r : resolved) {
        std::string key = r.transport + ":" + r.queueName;
        auto it = open.find(key);
        if (it == open.end() || (r.limit > 0 && long(message.batches[it->second].recipients.size()) >= r.limit)) {
            message.batches.push_back({r.transport, r.nexthop, key, {}});
            it = open.insert_or_assign(key, message.batches.size() - 1).first;
        }
        message.batches[it->second].recipients.push_back(std::move(r.recipient));
    }
    return {LoadOutcome::Loaded, ""};
}

}  // namespace postline::qmgr
