// The delivery request: what the queue manager hands a delivery agent over the agent's
// UNIX-domain socket (private/TRANSPORT) and what the agent answers, in Postfix's
// attribute protocol (global/deliver_request.c, qmgr/qmgr_deliver.c). The agent speaks
// first ({protocol=delivery_request_protocol}); the queue manager sends one request
// group (the message's attributes, then each recipient's five attributes in turn); the
// agent delivers, reports each recipient itself (agent_delivery.h) and answers one group:
// the hop status (a Dsn, meaningful when status is kStatusDefer) and `status`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "postline/base/result.h"
#include "postline/delivery/dsn.h"
#include "postline/queue/attr_stream.h"

namespace postline::delivery {

// DEL_REQ_FLAG_*: which outcomes the agent records.
inline constexpr int kFlagSuccess = 1 << 0;  // mark delivered recipients done
inline constexpr int kFlagBounce = 1 << 1;   // mark bounced recipients done
inline constexpr int kFlagDefault = kFlagSuccess | kFlagBounce;
// The queue file's trace flags, passed on by the queue manager (DEL_REQ_TRACE_FLAGS):
inline constexpr int kFlagUserVerify = 1 << 9;  // DEL_REQ_FLAG_USR_VRFY: sendmail -bv, nothing delivered
inline constexpr int kFlagRecord = 1 << 10;     // DEL_REQ_FLAG_RECORD: sendmail -v, deliveries recorded
// On-demand connection caching, set by the queue manager for a busy destination
// (qmgr_entry.c): the agent may take connections from the cache, and save them there.
inline constexpr int kFlagConnLoad = 1 << 11;   // DEL_REQ_FLAG_CONN_LOAD
inline constexpr int kFlagConnStore = 1 << 12;  // DEL_REQ_FLAG_CONN_STORE
inline constexpr int kFlagConnMask = kFlagConnLoad | kFlagConnStore;

struct DeliverRecipient {
    std::string original;  // the recipient as first received ("" when none)
    std::string address;   // the recipient to deliver to
    std::string dsnOrcpt;  // DSN ORCPT ("rfc822;user@example")
    int dsnNotify = 0;     // DSN NOTIFY bits (queue file's notify_flags)
    long offset = 0;       // its record in the queue file: the agent marks it done there
};

inline constexpr std::string_view kAttrArrivalTime = "arrival_time";
inline constexpr std::string_view kAttrActiveTime = "active_time";
inline constexpr std::string_view kAttrHandoffTime = "agent_handoff_time";

struct DeliverRequest {
    int flags = kFlagDefault;
    std::string queueName;  // "active"
    std::string queueId;
    long dataOffset = 0;   // where the message content records start
    long dataSize = 0;     // the content length as delivered (size record's 5th field)
    std::string nexthop;   // resolution's nexthop (for local: the recipient domain)
    std::string encoding;  // "7bit", "8bit" or "" (the encoding attribute)
    int sendopts = 0;      // SMTPUTF8 flags: the "smtputf8" attribute (3.7; later "sendopts")
    std::string sender;    // "" is the null sender
    std::string dsnEnvid;
    int dsnRet = 0;  // DSN RET: 1 full, 2 headers
    // Times for the log's delay= and delays= (seconds since the epoch, microseconds):
    // when the message arrived (the T record), when qmgr put it in active, and when
    // qmgr handed it to the agent. On the wire they are our own attributes (Postfix
    // sends its msg_stats structure as one binary "time" attribute instead), in that
    // place of the group, as "SECONDS.MICROSECONDS" text.
    double arrivalTime = 0;
    double activeTime = 0;
    double handoffTime = 0;
    std::string clientName, clientAddress, clientPort, protocolName, heloName;
    std::string saslMethod, saslUsername, saslSender;
    std::string logIdent;        // the queue id for log lines
    std::string rewriteContext;  // "local" or "remote"
    std::vector<DeliverRecipient> recipients;
};

// The reply's status (DEL_STAT_*): every recipient was delivered, bounced or deferred
// and reported, or none was and the whole request (its destination) is deferred with
// the reply's hop status.
inline constexpr int kStatusFinal = 0;
inline constexpr int kStatusDefer = -1;

struct DeliverReply {
    Dsn hopStatus;
    int status = kStatusFinal;
};

// The agent's first group.
std::string encodeAgentHello();
base::Status checkAgentHello(const queue::attr::Attributes& group);

// One request group (attributes in deliver_request.c's order, the three times where
// Postfix has its "time", recipients last, each as rcpt_print.c orders them:
// original_recipient, recipient, offset, dsn_orig_rcpt, notify_flags). Numbers as
// attr_print0 writes them ("%u": an int of -1 is 4294967295).
std::string encodeDeliverRequest(const DeliverRequest& request);
// Reads strictly in order, as attr_scan0 with ATTR_FLAG_STRICT. Errors: "missing
// attribute NAME", "unexpected attribute NAME (expecting: WANTED)", "malformed numerical
// data for attribute NAME", "malformed time data for attribute NAME", "recipient count N
// does not match the M recipients sent", "ID: no recipients in delivery request for
// destination NEXTHOP" (deliver_request.c refuses an empty request too).
base::Result<DeliverRequest> decodeDeliverRequest(const queue::attr::Attributes& group);

// dsn_print.c's seven attributes (status, diag_type, diag_text, mta_type, mta_mname,
// action, reason) then the int "status": the two "status" are told apart by position.
std::string encodeDeliverReply(const DeliverReply& reply);
base::Result<DeliverReply> decodeDeliverReply(const queue::attr::Attributes& group);

}  // namespace postline::delivery
