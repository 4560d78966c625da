// virtual(8)'s per-recipient delivery (Postfix's virtual/recipient.c, mailbox.c,
// maildir.c, unknown.c): table lookups, the owner's privileges, mbox or Maildir, and
// the reasons Postfix gives.
#include "virtual_core.h"

#include <grp.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <optional>

#include "postline/address/addr_find.h"
#include "postline/address/routing_context.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/delivery/maildir.h"
#include "postline/delivery/mbox.h"

namespace postline::virt {

namespace {

using Kind = Outcome::Kind;

std::optional<long> parseNumber(const std::string& text) {
    if (text.empty()) return std::nullopt;
    char* end = nullptr;
    errno = 0;
    long v = std::strtol(text.c_str(), &end, 10);
    if (*end != 0 || errno != 0) return std::nullopt;
    return v;
}

bool yes(const std::string& v) {
    std::string l = base::lowercase(v);
    return l == "yes" || l == "true" || l == "1" || l == "on";
}

Outcome configError() { return {Kind::Defer, {"4.3.5", "", "mail system configuration error", "", "", "", ""}}; }

// sane_strtoul() as mailbox.c uses it: all decimal digits, no sign, fits the type.
std::optional<unsigned long> parseId(const std::string& text) {
    if (text.empty() || text[0] == '-' || text[0] == '+' || text[0] == ' ') return std::nullopt;
    char* end = nullptr;
    errno = 0;
    unsigned long v = std::strtoul(text.c_str(), &end, 10);
    if (*end != 0 || errno != 0) return std::nullopt;
    return v;
}

// set_eugid(): the effective ids a write runs with, put back (to root) when done.
class Eugid {
public:
    Eugid(bool active, uid_t uid, gid_t gid) : active_(active) {
        if (!active_) return;
        savedUid_ = ::geteuid();
        savedGid_ = ::getegid();
        set(uid, gid);
    }
    ~Eugid() {
        if (active_) set(savedUid_, savedGid_);
    }
    Eugid(const Eugid&) = delete;
    Eugid& operator=(const Eugid&) = delete;

private:
    static void set(uid_t uid, gid_t gid) {
        if (::geteuid() != 0 && ::seteuid(0) < 0) base::msgFatal("seteuid(0) failed");
        if (::setegid(gid) < 0) base::msgFatal(base::cat("setegid(", gid, ") failed"));
        if (uid == 0) {
            if (::setgroups(0, nullptr) < 0) base::msgFatal("setgroups failed");
        } else {
            gid_t groups[1] = {gid};
            if (::setgroups(1, groups) < 0) base::msgFatal("setgroups failed");
        }
        if (::seteuid(uid) < 0) base::msgFatal(base::cat("seteuid(", uid, ") failed"));
    }
    bool active_;
    uid_t savedUid_ = 0;
    gid_t savedGid_ = 0;
};

// virtual.c's set_file_limit(virtual_mailbox_limit), here only around the mailbox
// write (the agent's own files, its log among them, are not the mailbox's): the soft
// limit lowered, then put back. A write past it fails with EFBIG (5.2.2).
class FileLimit {
public:
    explicit FileLimit(long limit) {
        if (limit <= 0 || ::getrlimit(RLIMIT_FSIZE, &saved_) < 0) return;
        rlimit lowered = saved_;
        if (saved_.rlim_cur != RLIM_INFINITY && saved_.rlim_cur < static_cast<rlim_t>(limit)) return;
        lowered.rlim_cur = static_cast<rlim_t>(limit);
        active_ = ::setrlimit(RLIMIT_FSIZE, &lowered) == 0;
    }
    ~FileLimit() {
        if (active_) (void)::setrlimit(RLIMIT_FSIZE, &saved_);
    }
    FileLimit(const FileLimit&) = delete;
    FileLimit& operator=(const FileLimit&) = delete;

private:
    rlimit saved_{};
    bool active_ = false;
};

std::string quoted(const VirtualEnvironment& env, std::string_view address) {
    return env.quoteLocal ? env.quoteLocal(address) : std::string(address);
}

delivery::CopyEnvelope envelopeFor(const VirtualEnvironment& env, const delivery::DeliverRequest& request,
                                   const delivery::DeliverRecipient& recipient) {
    delivery::CopyEnvelope e;
    e.sender = request.sender.empty() ? "" : quoted(env, request.sender);
    if (env.settings.enableOriginalRecipient && !recipient.original.empty())
        e.originalRecipient = quoted(env, recipient.original);
    e.deliveredTo = quoted(env, recipient.address);
    e.now = env.now;
    return e;
}

// mailbox.c deliver_mailbox_file().
Outcome deliverMbox(const VirtualEnvironment& env, const delivery::DeliverRequest& request,
                    const std::vector<std::string>& lines, const delivery::DeliverRecipient& recipient,
                    const std::string& mailbox, uid_t uid, gid_t gid) {
    // DEL_REQ_TRACE_ONLY (sendmail -bv): reported, not written (mailbox.c).
    if (request.flags & delivery::kFlagUserVerify)
        return {Kind::Sent, {"2.0.0", "", "delivers to mailbox", "", "", "", ""}};
    std::string data = delivery::formatCopy(envelopeFor(env, request, recipient), lines, delivery::copy_flag::kMbox);
    delivery::MboxTarget target;
    target.path = mailbox;
    target.lock = env.settings.mailboxLock;
    target.retry = env.settings.lockRetry;
    target.mode = 0600;
    if (env.settings.strictMailboxOwnership) target.requiredOwner = env.switchUsers ? uid : ::geteuid();
    std::optional<delivery::CopyFailure> failure;
    {
        Eugid as(env.switchUsers, uid, gid);
        FileLimit limit(env.settings.mailboxLimit);
        failure = delivery::appendMessage(target, data);
    }
    if (!failure) return {Kind::Sent, {"2.0.0", "", "delivered to mailbox", "", "", "", ""}};
    delivery::Dsn dsn;
    if (failure->reason == "destination " + mailbox + " is not a regular file") {
        env.warn("recipient " + recipient.address + ": destination " + mailbox + " is not a regular file");
        dsn.status = "5.3.5";
        dsn.reason = "mail system configuration error";
    } else {
        dsn.status = failure->status;
        dsn.reason = failure->reason;
        // virtual opens and locks with 4.2.0 where local says 5.2.0 (mbox_open's
        // def_dsn): the mailbox location is the administrator's, so try again later.
        if (dsn.status == "5.2.0" && !base::startsWith(dsn.reason, "error writing message")) dsn.status = "4.2.0";
        if (base::startsWith(dsn.reason, "destination " + mailbox + " is not owned by recipient"))
            env.warn("specify \"strict_mailbox_ownership = no\" to ignore mailbox ownership mismatch");
    }
    dsn.reason = "delivery failed to mailbox " + mailbox + ": " + dsn.reason;
    return {dsn.status[0] == '4' ? Kind::Defer : Kind::Bounce, dsn};
}

// maildir.c deliver_maildir().
Outcome deliverMaildir(const VirtualEnvironment& env, const delivery::DeliverRequest& request,
                       const std::vector<std::string>& lines, const delivery::DeliverRecipient& recipient,
                       const std::string& mailbox, uid_t uid, gid_t gid) {
    using namespace delivery::copy_flag;
    // DEL_REQ_TRACE_ONLY (sendmail -bv): reported, not written (maildir.c).
    if (request.flags & delivery::kFlagUserVerify)
        return {Kind::Sent, {"2.0.0", "", "delivers to maildir", "", "", "", ""}};
    std::string data = delivery::formatCopy(envelopeFor(env, request, recipient), lines,
                                            kToFile | kReturnPath | kDelivered | kOrigRcpt);
    delivery::MaildirTarget target;
    target.path = mailbox;
    target.hostname = env.settings.maildirHostname.empty() ? delivery::maildirHostname() : env.settings.maildirHostname;
    delivery::CopyFailure failure;
    base::Result<std::string> written = base::Error{""};
    {
        Eugid as(env.switchUsers, uid, gid);
        FileLimit limit(env.settings.mailboxLimit);
        written = delivery::deliverToMaildir(target, data, &failure);
    }
    if (written) return {Kind::Sent, {"2.0.0", "", "delivered to maildir", "", "", "", ""}};
    int err = written.error().errnum;
    delivery::Dsn dsn;
    dsn.reason = failure.reason;
    // maildir.c creates with mbox_dsn(errno, "4.2.0") where local says 5.2.0.
    dsn.status =
        base::startsWith(failure.reason, "create maildir file") ? delivery::mboxDsn(err, "4.2.0") : failure.status;
    if (err == EACCES) {
        env.warn(base::cat("maildir access problem for UID/GID=", uid, "/", gid, ": ", dsn.reason));
        env.warn("perhaps you need to create the maildirs in advance");
    }
    dsn.reason = "maildir delivery failed: " + dsn.reason;
    return {dsn.status[0] == '4' ? Kind::Defer : Kind::Bounce, dsn};
}

}  // namespace

base::Result<VirtualSettings> VirtualSettings::read(const std::function<std::string(std::string_view)>& get) {
    VirtualSettings s;
    s.mailboxBase = get("virtual_mailbox_base");
    if (s.mailboxBase.empty() || s.mailboxBase[0] != '/')
        return base::Error{"do not specify relative pathname: virtual_mailbox_base = " + s.mailboxBase};
    auto lock = delivery::parseMailboxLock(get("virtual_mailbox_lock"));
    if (!lock) {
        std::string message = lock.error().message;
        // parseMailboxLock names local's parameter.
        if (auto at = message.find("mailbox_delivery_lock"); at != std::string::npos)
            message.replace(at, 21, "virtual_mailbox_lock");
        return base::Error{message};
    }
    s.mailboxLock = *lock;
    if (auto n = parseNumber(get("deliver_lock_attempts"))) s.lockRetry.tries = static_cast<int>(*n);
    if (auto n = parseNumber(get("virtual_minimum_uid"))) s.minimumUid = *n;
    if (auto n = parseNumber(get("virtual_mailbox_limit"))) s.mailboxLimit = *n;
    s.strictMailboxOwnership = yes(get("strict_mailbox_ownership"));
    s.enableOriginalRecipient = yes(get("enable_original_recipient"));
    // virtual.c pre_init: the file size limit may not be below the message size limit,
    // or a recipient could never be marked done in the queue file.
    if (s.mailboxLimit > 0) {
        long messageLimit = parseNumber(get("message_size_limit")).value_or(10240000);
        if (messageLimit <= 0)
            return base::Error{
                "configuration error: virtual_mailbox_limit is limited but message_size_limit is unlimited"};
        if (s.mailboxLimit < messageLimit)
            return base::Error{"configuration error: virtual_mailbox_limit is smaller than message_size_limit"};
    }
    return s;
}

MailboxDecision decideMailbox(address::RoutingContext& ctx, const VirtualSettings& settings, std::string_view address) {
    MailboxDecision d;
    // recipient.c: the lookup key is the case-folded address.
    d.user = base::lowercase(address);
    auto problem = [&](std::string warning) {
        d.kind = MailboxDecision::Kind::ConfigError;
        d.warning = std::move(warning);
        return d;
    };

    // mailbox.c deliver_mailbox(): the mailbox, then its owner.
    auto mailboxRes = address::findAddress(ctx, ctx.maps("virtual_mailbox_maps"), d.user, {}, "virtual_mailbox_maps");
    if (mailboxRes.isError()) return problem("table virtual_mailbox_maps: lookup " + d.user + ": table lookup failed");
    if (!mailboxRes.isFound()) {
        d.kind = MailboxDecision::Kind::Unknown;
        return d;
    }
    const std::string& base = settings.mailboxBase;
    d.path = base + "/" + mailboxRes.value;
    if (d.path.find("/../", base.size()) != std::string::npos)
        return problem("recipient " + d.user + ": bad mailbox path " + mailboxRes.value + " in virtual_mailbox_maps");

    auto uidRes = address::findAddress(ctx, ctx.maps("virtual_uid_maps"), d.user, {}, "virtual_uid_maps");
    if (!uidRes.isFound()) return problem("recipient " + d.user + ": not found in virtual_uid_maps");
    auto uid = parseId(uidRes.value);
    if (!uid || *uid != static_cast<uid_t>(*uid) || static_cast<uid_t>(*uid) == static_cast<uid_t>(-1) ||
        static_cast<long>(*uid) < settings.minimumUid)
        return problem("recipient " + d.user + ": bad uid " + uidRes.value + " in virtual_uid_maps");
    auto gidRes = address::findAddress(ctx, ctx.maps("virtual_gid_maps"), d.user, {}, "virtual_gid_maps");
    if (!gidRes.isFound()) return problem("recipient " + d.user + ": not found in virtual_gid_maps");
    auto gid = parseId(gidRes.value);
    if (!gid || *gid != static_cast<gid_t>(*gid) || *gid == 0 || static_cast<gid_t>(*gid) == static_cast<gid_t>(-1))
        return problem("recipient " + d.user + ": bad gid " + gidRes.value + " in virtual_gid_maps");
    d.uid = static_cast<uid_t>(*uid);
    d.gid = static_cast<gid_t>(*gid);
    d.kind = d.path.back() == '/' ? MailboxDecision::Kind::Maildir : MailboxDecision::Kind::Mbox;
    return d;
}

Outcome deliverRecipient(const VirtualEnvironment& env, const delivery::DeliverRequest& request,
                         const std::vector<std::string>& lines, const delivery::DeliverRecipient& recipient) {
    MailboxDecision d = decideMailbox(*env.routing, env.settings, recipient.address);
    switch (d.kind) {
        case MailboxDecision::Kind::Unknown:
            // unknown.c deliver_unknown().
            return {Kind::Bounce, {"5.1.1", "", "unknown user: \"" + d.user + "\"", "", "", "", ""}};
        case MailboxDecision::Kind::ConfigError:
            env.warn(d.warning);
            return configError();
        case MailboxDecision::Kind::Maildir:
            return deliverMaildir(env, request, lines, recipient, d.path, d.uid, d.gid);
        case MailboxDecision::Kind::Mbox:
            break;
    }
    return deliverMbox(env, request, lines, recipient, d.path, d.uid, d.gid);
}

delivery::DeliverReply deliverVirtual(const VirtualEnvironment& env, delivery::AgentDelivery& delivery,
                                      std::string_view service) {
    delivery::DeliverReply reply;
    const delivery::DeliverRequest& request = delivery.request();
    auto lines = delivery.contentLines();
    if (!lines) {
        base::msgWarn(request.queueId + ": " + lines.error().message);
        reply.status = delivery::kStatusDefer;
        reply.hopStatus = {"4.3.0", "delayed", "error reading message", "", "", "", ""};
        return reply;
    }
    for (const delivery::DeliverRecipient& rcpt : request.recipients) {
        Outcome outcome = deliverRecipient(env, request, *lines, rcpt);
        base::Status recorded = base::Status::success();
        switch (outcome.kind) {
            case Kind::Sent:
                recorded = delivery.sent(rcpt, service, outcome.dsn);
                break;
            case Kind::Bounce:
                recorded = delivery.bounce(rcpt, service, outcome.dsn);
                break;
            case Kind::Defer:
                recorded = delivery.defer(rcpt, service, outcome.dsn);
                reply.status = delivery::kStatusDefer;
                break;
        }
        if (!recorded) {
            base::msgWarn(recorded.error().message);
            reply.status = delivery::kStatusDefer;
        }
    }
    return reply;
}

}  // namespace postline::virt
