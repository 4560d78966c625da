// The requests the queue manager sends the bounce service (global/bounce.c's
// bounce_flush and bounce_warn, over private/bounce in the attribute protocol, and
// abounce.c's atrace_flush over private/trace): the
// service speaks first ({protocol=delivery_status_protocol}), takes one request group and
// answers {status=0} when the notification was queued (flush: the bounce log is then
// removed and qmgr deletes the message) or {status=-1} when it could not (the message
// stays; qmgr tries again later).
#pragma once

#include <string>

#include "postline/base/result.h"
#include "postline/queue/attr_stream.h"

namespace postline::delivery {

enum class BounceCommand {
    Flush = 1,  // BOUNCE_CMD_FLUSH: the non-delivery report from bounce/ID, to the sender
    Warn = 2,   // BOUNCE_CMD_WARN: the delay warning from defer/ID, log kept
    Trace = 5,  // BOUNCE_CMD_TRACE: the delivery status report from trace/ID (NOTIFY=SUCCESS)
};

struct BounceRequest {
    BounceCommand command = BounceCommand::Flush;
    int flags = 0;
    std::string queueName;  // where the message is ("active")
    std::string queueId;
    std::string encoding;
    int sendopts = 0;    // the "smtputf8" attribute (Postfix 3.7; later "sendopts")
    std::string sender;  // "" (null sender): the report goes to the postmaster (double bounce)
    std::string dsnEnvid;
    int dsnRet = 0;
};

std::string encodeBounceHello();  // {protocol=delivery_status_protocol}
base::Status checkBounceHello(const queue::attr::Attributes& group);
// bounce.c's order: nrequest, flags, queue_name, queue_id, encoding, smtputf8, sender,
// envelope_id, ret_flags. Decoding reads strictly in order; errors as
// decodeDeliverRequest's, and "unknown command: N" for an nrequest other than Flush, Warn
// or Trace.
std::string encodeBounceRequest(const BounceRequest& request);
base::Result<BounceRequest> decodeBounceRequest(const queue::attr::Attributes& group);
std::string encodeBounceReply(int status);
base::Result<int> decodeBounceReply(const queue::attr::Attributes& group);

// The client side (bounce.c's bounce_flush, mail_command_client): connects to
// `socketPath` (private/bounce, private/defer, private/trace), checks the hello, sends
// the request and returns the service's status (0: the notification was queued).
// Errors: the service cannot be reached or answers nonsense within `timeoutSeconds`.
base::Result<int> sendBounceRequest(const std::string& socketPath, const BounceRequest& request, long timeoutSeconds);

}  // namespace postline::delivery
