// cleanup_bounce()'s bounce logging and bounce_flush (cleanup/cleanup_bounce.c).
#include "cleanup_bounce.h"

#include "postline/base/msg.h"
#include "postline/delivery/agent_delivery.h"
#include "postline/delivery/bounce_request.h"
#include "postline/queue/input_stream.h"
#include "postline/queue/queue_file.h"

namespace postline::cleanup {

bool bounceRejectedMessage(const BounceOrder& order, const delivery::AgentQueue& queue,
                           const std::string& bounceService, long ipcTimeout) {
    auto in = queue::InputStream::open(order.path);
    if (!in) {
        base::msgWarn(order.queueId + ": " + in.error().message);
        return false;
    }
    auto file = queue::readQueueFile(*in, false);
    if (!file) {
        base::msgWarn(order.queueId + ": " + file.error().message);
        return false;
    }
    // The recipients as a delivery request would hand them over; the request only
    // serves to record their outcomes through the agents' own reporting.
    delivery::DeliverRequest request;
    request.flags = 0;  // nothing is marked: the file goes anyway
    request.queueName = "incoming";
    request.queueId = order.queueId;
    request.sender = order.sender;
    request.arrivalTime = request.activeTime = double(order.arrivalSec);
    request.logIdent = order.queueId;
    for (const queue::Recipient& r : file->recipients) {
        if (r.state != queue::Recipient::State::Todo) continue;
        request.recipients.push_back({r.original, r.address, r.dsnOrcpt, r.dsnNotify, long(r.offset)});
    }
    // A message that ended before its first recipient is reported for "unknown".
    if (request.recipients.empty()) request.recipients.push_back({"", "unknown", "", 0, 0});
    auto agent = delivery::AgentDelivery::open(queue.directory, queue.hashQueueNames, queue.hashQueueDepth, request);
    if (!agent) {
        base::msgWarn(agent.error().message);
        return false;
    }
    delivery::ReportSettings settings = queue.report;
    settings.softBounce = false;  // cleanup bounces what it rejects, soft_bounce or not
    (*agent)->setReportSettings(settings);
    delivery::Dsn dsn{order.status, "failed", order.text, "", "", "", ""};
    for (const delivery::DeliverRecipient& r : (*agent)->request().recipients)
        if (auto st = (*agent)->bounce(r, "none", dsn); !st) return false;
    agent->reset();  // the bounce service takes its own lock on the file
    delivery::BounceRequest flush;
    flush.command = delivery::BounceCommand::Flush;
    flush.flags = 1;  // BOUNCE_FLAG_CLEAN: a failed attempt leaves no log behind
    flush.queueName = "incoming";
    flush.queueId = order.queueId;
    flush.encoding = order.encoding;
    flush.sendopts = int(order.sendopts);
    flush.sender = order.sender;
    flush.dsnEnvid = order.dsnEnvid;
    flush.dsnRet = order.dsnRet;
    auto status = delivery::sendBounceRequest("private/" + bounceService, flush, ipcTimeout);
    if (!status) base::msgWarn(order.queueId + ": " + status.error().message);
    return status && *status == 0;
}

}  // namespace postline::cleanup
