// Reading and resolving an active message (qmgr_message.c: qmgr_message_open,
// qmgr_message_read, qmgr_message_resolve, qmgr_message_assign).
#include "active_message.h"

#include <fcntl.h>
#include <unistd.h>

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

LoadResult loadActiveMessage(const std::string& queueId, const QmgrSettings& settings,
                             address::RoutingContext& routing, double now, ActiveMessage& message) {
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
    auto read = queue::readQueueFile(in);
    ::close(fd);
    if (!read) return {LoadOutcome::Corrupt, read.error().message};
    queue::QueueFile& file = *read;
    if (!file.complete || !file.size || !file.sender) return {LoadOutcome::Incomplete, "incomplete queue file"};

    message.queueId = queueId;
    delivery::DeliverRequest& r = message.request;
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
    if (file.warnTime) {
        message.warnTime = *file.warnTime;
        message.warnOffset = long(file.warnOffset);
    }

    base::msgInfo(base::cat(queueId, ": from=<", address::quoteLocalPart(r.sender), ">, size=", r.dataSize,
                            ", nrcpt=", file.size->recipientCount, " (queue active)"));

    // Destination queues of this message, in the order their first recipient came.
    std::map<std::string, size_t> open;  // destination key -> batch index being filled
    for (const queue::Recipient& rcpt : file.recipients) {
        if (rcpt.state != queue::Recipient::State::Todo) continue;
        ++message.recipientCount;
        delivery::DeliverRecipient dr;
        dr.original = rcpt.original;
        dr.address = rcpt.address;
        dr.dsnOrcpt = rcpt.dsnOrcpt;
        dr.dsnNotify = rcpt.dsnNotify;
        dr.offset = long(rcpt.offset);
        address::Resolution res = address::resolveAddress(routing, r.sender, rcpt.address);
        if (res.fail) {
            message.settled.push_back({dr, {"4.3.0", "delayed", "address resolver failure", "", "", "", ""}});
            continue;
        }
        if (res.error) {
            message.settled.push_back({dr, {"5.1.3", "failed", "bad address syntax", "", "", "", ""}});
            continue;
        }
        if (settings.deferTransports.count(res.transport)) {
            message.settled.push_back({dr, {"4.3.2", "delayed", "deferred transport", "", "", "", ""}});
            continue;
        }
        const auto& services = routing.deliveryServices();
        if (services && !services->count(res.transport)) {
            message.settled.push_back(
                {dr, {"4.3.0", "delayed", "mail transport unavailable", "", "", "", ""}});
            continue;
        }
        // The agent delivers to the resolved address (qmgr_message_resolve updates it).
        dr.address = res.recipient;
        long limit = settings.recipientLimit(res.transport);
        std::string key = res.transport + ":" + lower(res.nexthop);
        if (limit == 1) key += "/" + lower(res.recipient);
        auto it = open.find(key);
        if (it == open.end() || (limit > 0 && long(message.batches[it->second].recipients.size()) >= limit)) {
            message.batches.push_back({res.transport, res.nexthop, key, {}});
            it = open.insert_or_assign(key, message.batches.size() - 1).first;
        }
        message.batches[it->second].recipients.push_back(std::move(dr));
    }
    return {LoadOutcome::Loaded, ""};
}

}  // namespace postline::qmgr
