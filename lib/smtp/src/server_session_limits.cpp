// smtpd's client limits through anvil(8) (Postfix 3.7's smtpd.c: smtpd_proto's
// connection count and rate check, mail_cmd's message rate, rcpt_cmd's recipient rate):
// not for a stand-alone session, a client allowed to use XCLIENT, or one in
// smtpd_client_event_limit_exceptions.
#include "postline/address/host_address_list.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/smtp/server_session.h"

namespace postline::smtp {

bool SmtpServerSession::connectionLimits() {
    const policy::SmtpdSession& who = restrictions_.session();
    eventsCounted_ = !options_.standAlone && !xclientAllowed_ && options_.events != nullptr;
    if (eventsCounted_ && params_->eventLimitExceptions)
        eventsCounted_ = !params_->eventLimitExceptions->match(who.clientName, who.clientAddress).matched;
    if (!eventsCounted_) return true;
    // Connect and disconnect are sent even without a limit on them, so that anvil keeps
    // the message and recipient rates for the right time.
    anvilAddress_ = who.clientAddress;
    auto counts = options_.events->connect(options_.service, anvilAddress_);
    if (!counts) return true;
    anvilConnected_ = true;
    if (params_->connectionCountLimit > 0 && counts->count > params_->connectionCountLimit) {
        base::msgWarn(base::cat("Connection concurrency limit exceeded: ", counts->count, " from ", who.namaddr(),
                                " for service ", options_.service));
        reply("421 4.7.0 " + myhostname_ + " Error: too many connections from " + who.clientAddress);
        hangup();
        return false;
    }
    if (params_->connectionRateLimit > 0 && counts->rate > params_->connectionRateLimit) {
        base::msgWarn(base::cat("Connection rate limit exceeded: ", counts->rate, " from ", who.namaddr(),
                                " for service ", options_.service));
        reply("421 4.7.0 " + myhostname_ + " Error: too many connections from " + who.clientAddress);
        hangup();
        return false;
    }
    return true;
}

bool SmtpServerSession::messageRateExceeded() {
    if (!eventsCounted_ || params_->messageRateLimit <= 0) return false;
    auto rate = options_.events->message(options_.service, anvilAddress_);
    if (!rate || *rate <= params_->messageRateLimit) return false;
    reply("450 4.7.1 Error: too much mail from " + restrictions_.session().clientAddress);
    base::msgWarn(base::cat("Message delivery request rate limit exceeded: ", *rate, " from ",
                            restrictions_.session().namaddr(), " for service ", options_.service));
    return true;
}

bool SmtpServerSession::recipientRateExceeded() {
    if (!eventsCounted_ || params_->recipientRateLimit <= 0) return false;
    auto rate = options_.events->recipient(options_.service, anvilAddress_);
    if (!rate || *rate <= params_->recipientRateLimit) return false;
    base::msgWarn(base::cat("Recipient address rate limit exceeded: ", *rate, " from ",
                            restrictions_.session().namaddr(), " for service ", options_.service));
    reply("450 4.7.1 Error: too many recipients from " + restrictions_.session().clientAddress);
    return true;
}

}  // namespace postline::smtp
