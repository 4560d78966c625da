// pipe(8)'s per-request delivery (Postfix's pipe/pipe.c deliver_message and
// eval_command_status, global/delivered_hdr.c).
#include "pipe_core.h"

#include <strings.h>

#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/delivery/mbox.h"

namespace postline::pipe {

namespace {

PipeOutcome configError() {
    return {CommandStatus::Defer, {"4.3.5", "", "mail system configuration error", "", "", "", ""}};
}

std::string trimRight(std::string s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.pop_back();
    return s;
}

// mail_copy() with the eol= line ending.
std::string formatInput(const PipeEnvironment& env, const delivery::DeliverRequest& request,
                        const std::vector<std::string>& lines, const std::string& sender) {
    const PipeAttributes& attr = env.attributes;
    auto quote = [&](std::string_view a) { return env.quoteLocal ? env.quoteLocal(a) : std::string(a); };
    delivery::CopyEnvelope e;
    e.sender = sender.empty() ? "" : quote(sender);
    const delivery::DeliverRecipient& first = request.recipients.front();
    if (env.enableOriginalRecipient && !first.original.empty()) e.originalRecipient = quote(first.original);
    e.deliveredTo = quote(first.address);
    e.now = env.now;
    int copyFlags = attr.flags & 0xffff;
    std::string text = delivery::formatCopy(e, lines, copyFlags);
    if (attr.eol == "\n") return text;
    std::string out;
    out.reserve(text.size() + text.size() / 16);
    for (char c : text) {
        if (c == '\n')
            out += attr.eol;
        else
            out += c;
    }
    return out;
}

}  // namespace

bool deliveredToSeen(const std::vector<std::string>& lines, std::string_view address) {
    std::string wanted = foldAddress(address, true, true);
    for (const std::string& line : lines) {
        if (line.empty()) break;
        if (line[0] == ' ' || line[0] == '\t') continue;
        size_t colon = line.find(':');
        if (colon == std::string::npos) break;
        if (colon != 12 || ::strncasecmp(line.c_str(), "Delivered-To", 12) != 0) continue;
        size_t start = colon + 1;
        while (start < line.size() && (line[start] == ' ' || line[start] == '\t')) ++start;
        if (foldAddress(std::string_view(line).substr(start), true, true) == wanted) return true;
    }
    return false;
}

PipeOutcome decidePipe(const PipeEnvironment& env, const delivery::DeliverRequest& request,
                       const std::vector<std::string>& lines) {
    using namespace delivery::copy_flag;
    const PipeAttributes& attr = env.attributes;
    const size_t count = request.recipients.size();

    // D and O name one recipient: they need single-recipient deliveries.
    if ((attr.flags & kDelivered) && count > 1) {
        env.warn("pipe flag `D' requires " + env.service + "_destination_recipient_limit = 1");
        return configError();
    }
    if ((attr.flags & kOrigRcpt) && count > 1) {
        env.warn("pipe flag `O' requires " + env.service + "_destination_recipient_limit = 1");
        return configError();
    }
    if (attr.sizeLimit != 0 && request.dataSize > attr.sizeLimit)
        return {CommandStatus::Bounce, {"5.2.3", "", "message too large", "", "", "", ""}};
    if ((attr.flags & kDelivered) && deliveredToSeen(lines, request.recipients.front().address))
        return {CommandStatus::Bounce,
                {"5.4.6", "", "mail forwarding loop for " + request.recipients.front().address, "", "", "", ""}};

    // The macros' values; a non-empty null sender replacement is subject to 'q'.
    std::string sender = request.sender.empty() ? attr.nullSender : request.sender;
    ExpandContext ctx;
    ctx.service = env.service;
    ctx.configDirectory = env.configDirectory;
    ctx.recipientDelimiter = env.recipientDelimiter;
    ctx.sender = !sender.empty() && (attr.flags & kQuoteLocal) && env.quoteLocal ? env.quoteLocal(sender) : sender;
    ctx.nexthop = (attr.flags & kFoldHost) ? base::lowercase(request.nexthop) : request.nexthop;
    ctx.size = std::to_string(request.dataSize);
    ctx.clientAddress = request.clientAddress;
    ctx.clientHelo = request.heloName;
    ctx.clientHostname = request.clientName;
    ctx.clientPort = request.clientPort;
    ctx.clientProtocol = request.protocolName;
    ctx.saslMethod = request.saslMethod;
    ctx.saslUsername = request.saslUsername;
    ctx.saslSender = request.saslSender;
    ctx.queueId = request.queueId;
    ctx.envid = request.dsnEnvid;
    ctx.quoteLocal = env.quoteLocal;
    ctx.warn = env.warn;
    std::vector<ExpandRecipient> recipients;
    for (const delivery::DeliverRecipient& r : request.recipients) recipients.push_back({r.address, r.original});
    auto argv = expandCommand(attr.command, attr.flags, recipients, ctx);
    if (!argv || argv->empty()) return configError();

    CommandSpec spec;
    spec.argv = std::move(*argv);
    spec.switchUser = env.switchUser;
    spec.uid = attr.uid;
    spec.gid = attr.gid;
    spec.directory = attr.directory.empty() ? env.defaultDirectory : attr.directory;
    spec.chroot = attr.chroot;
    spec.exportEnvironment = env.exportEnvironment;
    spec.timeLimit = env.timeLimit;
    spec.input = formatInput(env, request, lines, sender);
    CommandResult run = env.run(spec);
    if (run.status != CommandStatus::Ok) return {run.status, run.dsn};

    // eval_command_status(): the output, trimmed, in the reason.
    std::string output = trimRight(run.output);
    std::string reason = "delivered via " + env.service + " service";
    if (!output.empty()) reason += " (" + output.substr(0, 100) + ")";
    return {CommandStatus::Ok,
            {"2.0.0", (attr.flags & kFinalDelivery) ? "delivered" : "relayed", reason, "", "", "", ""}};
}

delivery::DeliverReply deliverPipe(const PipeEnvironment& env, delivery::AgentDelivery& delivery) {
    delivery::DeliverReply reply;
    const delivery::DeliverRequest& request = delivery.request();
    auto lines = delivery.contentLines();
    if (!lines) {
        base::msgWarn(request.queueId + ": " + lines.error().message);
        reply.status = delivery::kStatusDefer;
        reply.hopStatus = {"4.3.0", "delayed", "error reading message", "", "", "", ""};
        return reply;
    }
    // DEL_REQ_TRACE_ONLY (sendmail -bv): the command is named, not run (pipe.c).
    if (delivery.verifyOnly()) {
        const std::vector<std::string>& command = env.attributes.command;
        delivery::Dsn dsn{
            "2.0.0", "", "delivers to command: " + (command.empty() ? std::string() : command.front()), "", "", "", ""};
        for (const delivery::DeliverRecipient& rcpt : request.recipients)
            if (auto recorded = delivery.sent(rcpt, env.service, dsn); !recorded) {
                base::msgWarn(recorded.error().message);
                reply.status = delivery::kStatusDefer;
            }
        return reply;
    }
    PipeOutcome outcome = decidePipe(env, request, *lines);
    for (const delivery::DeliverRecipient& rcpt : request.recipients) {
        base::Status recorded = base::Status::success();
        if (outcome.status == CommandStatus::Ok) {
            recorded = delivery.sent(rcpt, env.service, outcome.dsn);
        } else if (outcome.dsn.status.empty() || outcome.dsn.status[0] != '4') {
            recorded = delivery.bounce(rcpt, env.service, outcome.dsn);
        } else {
            recorded = delivery.defer(rcpt, env.service, outcome.dsn);
            reply.status = delivery::kStatusDefer;
        }
        if (!recorded) {
            base::msgWarn(recorded.error().message);
            reply.status = delivery::kStatusDefer;
        }
    }
    return reply;
}

}  // namespace postline::pipe
