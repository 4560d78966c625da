// A delivery agent's service routine (Postfix's deliver_request_read/_done with the
// agent's deliver_message in between): hello, request, queue file, work, reply.
#include "postline/delivery/agent_service.h"

#include <cerrno>
#include <cstring>

#include "postline/base/msg.h"
#include "postline/queue/attr_stream.h"

namespace postline::delivery {
namespace {

bool isYes(std::string_view v) { return v == "yes" || v == "true" || v == "1" || v == "on"; }

long number(const std::string& text, long fallback) {
    try {
        size_t used = 0;
        long v = std::stol(text, &used);
        return used == text.size() ? v : fallback;
    } catch (...) {
        return fallback;
    }
}

base::Status reply(int outFd, const DeliverReply& answer) {
    auto written = queue::attr::writeAll(outFd, encodeDeliverReply(answer));
    if (!written) return base::Error{"write delivery reply: " + written.error().message, written.error().errnum};
    return base::Status::success();
}

DeliverReply deferAll() {
    DeliverReply r;
    r.status = kStatusDefer;
    return r;
}

}  // namespace

AgentQueue readAgentQueue(const std::function<std::string(std::string_view)>& get) {
    AgentQueue q;
    q.directory = get("queue_directory");
    q.hashQueueNames = get("hash_queue_names");
    q.hashQueueDepth = static_cast<int>(number(get("hash_queue_depth"), 1));
    q.report.delayResolution = static_cast<int>(number(get("delay_logging_resolution_limit"), 2));
    if (q.report.delayResolution < 0) q.report.delayResolution = 0;
    if (q.report.delayResolution > 6) q.report.delayResolution = 6;
    q.report.logInternalForm = get("info_log_address_format") == "internal";
    q.report.oldStyleBounceLog = isYes(get("backwards_bounce_logfile_compatibility"));
    q.report.softBounce = isYes(get("soft_bounce"));
    return q;
}

base::Status serveDeliveryRequest(int inFd, int outFd, const AgentQueue& queue, const DeliverFunction& deliver) {
    if (auto hello = queue::attr::writeAll(outFd, encodeAgentHello()); !hello)
        return base::Error{"write delivery hello: " + hello.error().message, hello.error().errnum};
    std::string pending;
    auto group = queue::attr::readGroup(inFd, pending);
    if (!group) {
        // The queue manager connected and went away without a request (deliver_request
        // _read's peekfd): nothing to answer.
        if (group.error().message == "unexpected EOF") return base::Status::success();
        base::msgWarn("deliver_request_get: " + group.error().message);
        return reply(outFd, deferAll());
    }
    auto request = decodeDeliverRequest(*group);
    if (!request) {
        base::msgWarn("deliver_request_get: " + request.error().message);
        return reply(outFd, deferAll());
    }
    std::string queueName = request->queueName, queueId = request->queueId;
    auto delivery =
        AgentDelivery::open(queue.directory, queue.hashQueueNames, queue.hashQueueDepth, std::move(*request));
    if (!delivery) {
        // A message that is gone (deleted by postsuper meanwhile) is deferred with a
        // warning; any other failure is the agent's to end on.
        if (delivery.error().errnum != ENOENT) return delivery.error();
        base::msgWarn("open " + queueName + " " + queueId + ": " + std::strerror(ENOENT));
        return reply(outFd, deferAll());
    }
    (*delivery)->setReportSettings(queue.report);
    DeliverReply answer = deliver(**delivery);
    if ((*delivery)->deferredAny() && answer.status == kStatusFinal) answer.status = kStatusDefer;
    return reply(outFd, answer);
}

}  // namespace postline::delivery
