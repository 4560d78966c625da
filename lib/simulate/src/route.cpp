// routeRecipient(): smtpd check, cleanup, resolve, and the verdict qmgr and the
// delivery agents would reach (qmgr_message.c: resolver failure defers, a malformed
// address bounces, defer_transports and a transport master.cf does not offer defer;
// error(8) bounces and retry(8) defers with the nexthop's text; bounce.c: soft_bounce
// turns every bounce after acceptance into a deferral).
#include "postline/simulate/route.h"

#include <strings.h>

#include "postline/address/address_parts.h"
#include "postline/address/cleanup_address.h"
#include "postline/address/external_tables.h"
#include "postline/address/routing_context.h"
#include "postline/base/strings.h"
#include "postline/config/config.h"
#include "postline/policy/smtpd_restrictions.h"

namespace postline::simulate {

const char* verdictName(Verdict v) {
    switch (v) {
        case Verdict::Deliver:
            return "deliver";
        case Verdict::Reject:
            return "reject";
        case Verdict::Defer:
            return "defer";
        case Verdict::Discard:
            return "discard";
    }
    return "defer";
}

namespace {

void worsen(RouteReport& report, Verdict v, const std::string& reason) {
    if (v == Verdict::Deliver || v == Verdict::Discard) return;
    // A temporary problem makes the outcome undecidable, so it outranks a reject.
    if (report.verdict == Verdict::Deliver || (report.verdict == Verdict::Reject && v == Verdict::Defer)) {
        report.verdict = v;
        report.reason = reason;
    }
}

// smtpd's extract_addr() drops a source route ("@a,@b:user@domain" -> "user@domain")
// before anything looks at the address, so its replies name the address without it.
std::string withoutSourceRoute(std::string_view address) {
    if (address.empty() || address[0] != '@') return std::string(address);
    auto colon = address.find(':');
    if (colon == std::string_view::npos || colon + 1 == address.size()) return std::string(address);
    return std::string(address.substr(colon + 1));
}

// dsn_valid(): "D.D{1,3}.D{1,3}" with D 2, 4 or 5, followed by the end or a space.
size_t dsnLength(std::string_view text) {
    if (text.size() < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.') return 0;
    size_t i = 2;
    for (int part = 0; part < 2; ++part) {
        size_t digits = 0;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && digits < 4) ++i, ++digits;
        if (digits == 0 || digits > 3) return 0;
        if (part == 0) {
            if (i >= text.size() || text[i] != '.') return 0;
            ++i;
        }
    }
    if (i < text.size() && text[i] != ' ' && text[i] != '\t') return 0;
    return i;
}

// dsn_split() as error(8) applies it to the nexthop: the text's own status code, else
// `defaultDsn` ("5.0.0" for error, "4.0.0" for retry).
std::string dsnText(std::string_view nexthop, std::string_view defaultDsn) {
    std::string_view text = base::trimLeft(nexthop);
    size_t len = dsnLength(text);
    std::string dsn(len ? text.substr(0, len) : defaultDsn);
    text = base::trimLeft(text.substr(len));
    return dsn + " " + std::string(text);
}

// bounce_append() with soft_bounce = yes: the status becomes 4.X.Y and the recipient
// is deferred.
std::string softened(std::string reason) {
    if (!reason.empty() && reason[0] == '5') reason[0] = '4';
    return reason;
}

bool listed(std::string_view list, std::string_view name) {
    for (auto& item : maps::splitMapSpecs(list))
        if (item == name) return true;
    return false;
}

// The lookups in external tables that had no answer since the last call, as a reason.
std::string undecidedReason() {
    auto undecided = address::externalLookups().takeUndecided();
    if (undecided.empty()) return {};
    return "undecidable offline: " + undecided.front() + " (give the answer with --lookup)";
}

// What qmgr and the delivery agent make of a resolved recipient (qmgr_message_resolve,
// error(8), the transport connection).
void queueVerdict(address::RoutingContext& context, FinalRecipient& f) {
    const auto& res = f.resolution;
    std::string transport = res.transport;
    if (res.fail) {
        f.verdict = Verdict::Defer;
        f.reason = "4.3.0 address resolver failure";
        transport = "retry";
    } else if (res.error) {
        f.verdict = Verdict::Reject;
        f.reason = "5.1.3 bad address syntax";
        transport = "error";
    } else if (res.addressClass == address::AddressClass::Local &&
               strcasecmp(address::splitAddress(res.recipient).local.c_str(),
                          context.get("double_bounce_sender").c_str()) == 0) {
        // qmgr_message_resolve(): mail for the local double-bounce address is dropped
        // before any delivery agent sees it.
        f.verdict = Verdict::Discard;
        f.reason = "2.0.0 undeliverable postmaster notification discarded";
        f.resolution.steps.push_back(address::makeStep("qmgr", res.recipient, f.reason, address::StepStatus::Decided));
        return;
    } else if (listed(context.get("defer_transports"), res.transport)) {
        f.verdict = Verdict::Defer;
        f.reason = "4.3.2 deferred transport";
        f.resolution.steps.push_back(
            address::makeStep("defer_transports", res.transport, f.reason, address::StepStatus::Error));
        transport = "retry";
    } else if (res.transport == "error") {
        f.verdict = Verdict::Reject;
        f.reason = dsnText(res.nexthop, "5.0.0");
    } else if (res.transport == "retry") {
        f.verdict = Verdict::Defer;
        f.reason = dsnText(res.nexthop, "4.0.0");
    }
    // qmgr connects to private/TRANSPORT; without such a master.cf service the
    // transport is throttled and its mail deferred.
    const auto& services = context.deliveryServices();
    if (services && !services->count(transport)) {
        f.verdict = Verdict::Defer;
        f.reason = "4.3.0 mail transport unavailable";
        address::Step s =
            address::makeStep("qmgr", transport, "master.cf has no private unix service " + transport + ": " + f.reason,
                              address::StepStatus::Error);
        s.warnings.push_back("connect to transport private/" + transport + ": No such file or directory");
        f.resolution.steps.push_back(std::move(s));
    }
}

}  // namespace

RouteReport routeRecipient(address::RoutingContext& context, std::string_view sender, std::string_view recipient,
                           policy::SmtpdRestrictions* smtpd) {
    RouteReport report;
    report.input = std::string(recipient);
    // Every Postfix daemon reads myorigin's file at start-up and stops when it cannot.
    if (auto origin = address::myoriginValue(context.config()); !origin) {
        report.cleanupSteps.push_back(address::makeStep("myorigin", context.config().get("myorigin"),
                                                        "fatal: " + origin.error().message,
                                                        address::StepStatus::Error));
        worsen(report, Verdict::Defer, "fatal: " + origin.error().message);
        return report;
    }
    address::externalLookups().takeUndecided();
    auto s = address::cleanupSender(context, sender);
    report.sender = s.address;
    report.senderSteps = std::move(s.steps);
    if (s.defer) {
        auto why = undecidedReason();
        worsen(report, Verdict::Defer, why.empty() ? s.reason : why);
    }
    address::externalLookups().takeUndecided();

    // smtpd sees the envelope as the client sent it, before cleanup's rewriting.
    std::string smtpdSender = withoutSourceRoute(sender), smtpdRecipient = withoutSourceRoute(recipient);
    report.smtpd = smtpd ? smtpd->check(smtpdSender, smtpdRecipient)
                         : policy::checkRecipient(context, report.sender, smtpdRecipient);
    if (auto why = undecidedReason(); !why.empty() && report.smtpd.verdict == policy::RecipientCheck::Verdict::Defer) {
        report.smtpd.undecidable = true;
        report.smtpd.reply = why;
    }
    if (report.smtpd.verdict != policy::RecipientCheck::Verdict::Accept) {
        worsen(report,
               report.smtpd.verdict == policy::RecipientCheck::Verdict::Reject ? Verdict::Reject : Verdict::Defer,
               report.smtpd.reply);
        return report;
    }
    if (report.smtpd.discard) {
        report.reason = "accepted and discarded by smtpd (DISCARD action)";
        return report;
    }
    auto c = address::cleanupRecipient(context, recipient);
    report.cleanupSteps = std::move(c.steps);
    if (c.defer) {
        auto why = undecidedReason();
        worsen(report, Verdict::Defer, why.empty() ? c.reason : why);
        return report;
    }
    address::externalLookups().takeUndecided();
    for (auto& address : c.recipients) {
        FinalRecipient f;
        f.address = address;
        f.resolution = address::resolveAddress(context, report.sender, address);
        queueVerdict(context, f);
        const auto& res = f.resolution;
        if (f.verdict == Verdict::Deliver && res.addressClass == address::AddressClass::Local &&
            res.transport == "local") {
            auto local = address::deliverLocal(context, res.recipient);
            f.localDeliveries = std::move(local.deliveries);
            f.localSteps = std::move(local.steps);
            for (auto& d : f.localDeliveries) {
                if (d.kind == address::LocalDelivery::Kind::Bounce && f.verdict == Verdict::Deliver) {
                    f.verdict = Verdict::Reject;
                    f.reason = d.target;
                } else if (d.kind == address::LocalDelivery::Kind::Defer && f.verdict != Verdict::Defer) {
                    f.verdict = Verdict::Defer;
                    f.reason = d.target;
                }
            }
        }
        if (context.getBool("soft_bounce")) {
            if (f.verdict == Verdict::Reject) {
                f.verdict = Verdict::Defer;
                f.reason = softened(f.reason);
            }
            for (auto& d : f.localDeliveries)
                if (d.kind == address::LocalDelivery::Kind::Bounce) {
                    d.kind = address::LocalDelivery::Kind::Defer;
                    d.target = softened(d.target);
                }
        }
        if (auto why = undecidedReason(); !why.empty() && f.verdict == Verdict::Defer) f.reason = why;
        worsen(report, f.verdict, f.reason);
        report.recipients.push_back(std::move(f));
    }
    return report;
}

}  // namespace postline::simulate
