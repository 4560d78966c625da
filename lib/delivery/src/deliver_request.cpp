// The delivery request protocol between the queue manager and a delivery agent, as
// Postfix's global/deliver_request.c (deliver_request_get, deliver_request_final) and
// qmgr/qmgr_deliver.c (qmgr_deliver_send_request, qmgr_deliver_final_reply) speak it,
// in one attribute group per direction, read strictly in order.
#include "postline/delivery/deliver_request.h"

#include <cmath>
#include <cstdio>

#include "attr_reader.h"

namespace postline::delivery {
namespace {

namespace attr = queue::attr;
using detail::appendInt;
using detail::AttrReader;

constexpr std::string_view kProtocol = "delivery_request_protocol";

void appendLong(std::string& out, std::string_view name, long value) {
    attr::appendNumber(out, name, static_cast<unsigned long>(value));
}

// A time as "SECONDS.MICROSECONDS" (six digits), exact for gettimeofday's values.
void appendTime(std::string& out, std::string_view name, double when) {
    if (!(when >= 0)) when = 0;
    long long sec = static_cast<long long>(std::floor(when));
    long long usec = std::llround((when - static_cast<double>(sec)) * 1e6);
    if (usec >= 1000000) {
        sec += 1;
        usec -= 1000000;
    }
    char buf[48];
    std::snprintf(buf, sizeof buf, "%lld.%06lld", sec, usec);
    attr::append(out, name, buf);
}

base::Result<double> readTime(AttrReader& in, std::string_view name) {
    auto text = in.string(name);
    if (!text) return text.error();
    const std::string& s = *text;
    size_t dot = s.find('.');
    std::string_view secPart = std::string_view(s).substr(0, dot);
    std::string_view usecPart = dot == std::string::npos ? std::string_view() : std::string_view(s).substr(dot + 1);
    auto digits = [](std::string_view d) {
        if (d.empty()) return false;
        for (char c : d)
            if (c < '0' || c > '9') return false;
        return true;
    };
    if (!digits(secPart) || secPart.size() > 18 ||
        (dot != std::string::npos && (!digits(usecPart) || usecPart.size() > 6)))
        return base::Error{"malformed time data for attribute " + std::string(name)};
    double sec = static_cast<double>(std::stoll(std::string(secPart)));
    double usec = 0;
    if (!usecPart.empty()) {
        std::string padded(usecPart);
        padded.resize(6, '0');
        usec = static_cast<double>(std::stol(padded));
    }
    return sec + usec / 1e6;
}

}  // namespace

std::string encodeAgentHello() { return detail::encodeHello(kProtocol); }

base::Status checkAgentHello(const attr::Attributes& group) { return detail::checkHello(group, kProtocol); }

std::string encodeDeliverRequest(const DeliverRequest& r) {
    std::string out;
    appendInt(out, "flags", r.flags);
    attr::append(out, "queue_name", r.queueName);
    attr::append(out, "queue_id", r.queueId);
    appendLong(out, "offset", r.dataOffset);
    appendLong(out, "size", r.dataSize);
    attr::append(out, "nexthop", r.nexthop);
    attr::append(out, "encoding", r.encoding);
    appendInt(out, "smtputf8", r.sendopts);
    attr::append(out, "sender", r.sender);
    attr::append(out, "envelope_id", r.dsnEnvid);
    appendInt(out, "ret_flags", r.dsnRet);
    appendTime(out, kAttrArrivalTime, r.arrivalTime);
    appendTime(out, kAttrActiveTime, r.activeTime);
    appendTime(out, kAttrHandoffTime, r.handoffTime);
    attr::append(out, "log_client_name", r.clientName);
    attr::append(out, "log_client_address", r.clientAddress);
    attr::append(out, "log_client_port", r.clientPort);
    attr::append(out, "log_protocol_name", r.protocolName);
    attr::append(out, "log_helo_name", r.heloName);
    attr::append(out, "sasl_method", r.saslMethod);
    attr::append(out, "sasl_username", r.saslUsername);
    attr::append(out, "sasl_sender", r.saslSender);
    attr::append(out, "log_ident", r.logIdent);
    attr::append(out, "rewrite_context", r.rewriteContext);
    appendInt(out, "recipient_count", static_cast<int>(r.recipients.size()));
    for (const DeliverRecipient& rcpt : r.recipients) {
        attr::append(out, "original_recipient", rcpt.original);
        attr::append(out, "recipient", rcpt.address);
        appendLong(out, "offset", rcpt.offset);
        attr::append(out, "dsn_orig_rcpt", rcpt.dsnOrcpt);
        appendInt(out, "notify_flags", rcpt.dsnNotify);
    }
    attr::appendEnd(out);
    return out;
}

base::Result<DeliverRequest> decodeDeliverRequest(const attr::Attributes& group) {
    AttrReader in(group);
    DeliverRequest r;
    PL_READ(r.flags, in.integer("flags"));
    PL_READ(r.queueName, in.string("queue_name"));
    PL_READ(r.queueId, in.string("queue_id"));
    PL_READ(r.dataOffset, in.longInteger("offset"));
    PL_READ(r.dataSize, in.longInteger("size"));
    PL_READ(r.nexthop, in.string("nexthop"));
    PL_READ(r.encoding, in.string("encoding"));
    PL_READ(r.sendopts, in.integer("smtputf8"));
    PL_READ(r.sender, in.string("sender"));
    PL_READ(r.dsnEnvid, in.string("envelope_id"));
    PL_READ(r.dsnRet, in.integer("ret_flags"));
    PL_READ(r.arrivalTime, readTime(in, kAttrArrivalTime));
    PL_READ(r.activeTime, readTime(in, kAttrActiveTime));
    PL_READ(r.handoffTime, readTime(in, kAttrHandoffTime));
    PL_READ(r.clientName, in.string("log_client_name"));
    PL_READ(r.clientAddress, in.string("log_client_address"));
    PL_READ(r.clientPort, in.string("log_client_port"));
    PL_READ(r.protocolName, in.string("log_protocol_name"));
    PL_READ(r.heloName, in.string("log_helo_name"));
    PL_READ(r.saslMethod, in.string("sasl_method"));
    PL_READ(r.saslUsername, in.string("sasl_username"));
    PL_READ(r.saslSender, in.string("sasl_sender"));
    PL_READ(r.logIdent, in.string("log_ident"));
    PL_READ(r.rewriteContext, in.string("rewrite_context"));
    int count = 0;
    PL_READ(count, in.integer("recipient_count"));
    if (count < 0) return base::Error{"malformed numerical data for attribute recipient_count"};
    // Each recipient is five attributes; a count that does not match what was sent is
    // a broken request, not a short one.
    if (in.remaining() != static_cast<size_t>(count) * 5)
        return base::Error{"recipient count " + std::to_string(count) + " does not match the " +
                           std::to_string(in.remaining() / 5) + " recipients sent"};
    for (int i = 0; i < count; ++i) {
        DeliverRecipient rcpt;
        PL_READ(rcpt.original, in.string("original_recipient"));
        PL_READ(rcpt.address, in.string("recipient"));
        PL_READ(rcpt.offset, in.longInteger("offset"));
        PL_READ(rcpt.dsnOrcpt, in.string("dsn_orig_rcpt"));
        PL_READ(rcpt.dsnNotify, in.integer("notify_flags"));
        r.recipients.push_back(std::move(rcpt));
    }
    if (r.recipients.empty())
        return base::Error{r.queueId + ": no recipients in delivery request for destination " + r.nexthop};
    if (auto done = in.end(); !done) return done.error();
    return r;
}

std::string encodeDeliverReply(const DeliverReply& reply) {
    std::string out;
    const Dsn& d = reply.hopStatus;
    attr::append(out, "status", d.status);
    attr::append(out, "diag_type", d.dtype);
    attr::append(out, "diag_text", d.dtext);
    attr::append(out, "mta_type", d.mtype);
    attr::append(out, "mta_mname", d.mname);
    attr::append(out, "action", d.action);
    attr::append(out, "reason", d.reason);
    appendInt(out, "status", reply.status);
    attr::appendEnd(out);
    return out;
}

base::Result<DeliverReply> decodeDeliverReply(const attr::Attributes& group) {
    // Two attributes are called "status" (dsn_print's, then the request's); they are
    // told apart by position, as attr_scan0 does.
    AttrReader in(group);
    DeliverReply reply;
    Dsn& d = reply.hopStatus;
    PL_READ(d.status, in.string("status"));
    PL_READ(d.dtype, in.string("diag_type"));
    PL_READ(d.dtext, in.string("diag_text"));
    PL_READ(d.mtype, in.string("mta_type"));
    PL_READ(d.mname, in.string("mta_mname"));
    PL_READ(d.action, in.string("action"));
    PL_READ(d.reason, in.string("reason"));
    PL_READ(reply.status, in.integer("status"));
    if (auto done = in.end(); !done) return done.error();
    return reply;
}

}  // namespace postline::delivery
