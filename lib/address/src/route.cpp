// routeRecipient(): smtpd check, cleanup, resolve, and the verdict qmgr would reach
// (qmgr_resolve.c: resolver failure defers, a malformed address or the error
// transport bounces, the retry transport defers).
#include "postline/address/route.h"

#include <strings.h>

#include "postline/address/address_parts.h"
#include "postline/address/cleanup_address.h"
#include "postline/address/routing_context.h"
#include "postline/address/smtpd_restrictions.h"

namespace postline::address {

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

}  // namespace

RouteReport routeRecipient(RoutingContext& context, std::string_view sender, std::string_view recipient,
                           SmtpdRestrictions* smtpd) {
    RouteReport report;
    report.input = std::string(recipient);
    auto s = cleanupSender(context, sender);
    report.sender = s.address;
    report.senderSteps = std::move(s.steps);
    if (s.defer) worsen(report, Verdict::Defer, s.reason);

    // smtpd sees the envelope as the client sent it, before cleanup's rewriting.
    std::string smtpdSender = withoutSourceRoute(sender), smtpdRecipient = withoutSourceRoute(recipient);
    report.smtpd =
        smtpd ? smtpd->check(smtpdSender, smtpdRecipient) : checkRecipient(context, report.sender, smtpdRecipient);
    if (report.smtpd.verdict != RecipientCheck::Verdict::Accept) {
        worsen(report, report.smtpd.verdict == RecipientCheck::Verdict::Reject ? Verdict::Reject : Verdict::Defer,
               report.smtpd.reply);
        return report;
    }
    if (report.smtpd.discard) {
        report.reason = "accepted and discarded by smtpd (DISCARD action)";
        return report;
    }
    auto c = cleanupRecipient(context, recipient);
    report.cleanupSteps = std::move(c.steps);
    if (c.defer) {
        worsen(report, Verdict::Defer, c.reason);
        return report;
    }
    for (auto& address : c.recipients) {
        FinalRecipient f;
        f.address = address;
        f.resolution = resolveAddress(context, report.sender, address);
        const auto& res = f.resolution;
        if (res.fail) {
            f.verdict = Verdict::Defer;
            f.reason = "4.3.0 address resolver failure";
        } else if (res.error) {
            f.verdict = Verdict::Reject;
            f.reason = "5.1.3 bad address syntax";
        } else if (res.transport == "error") {
            f.verdict = Verdict::Reject;
            f.reason = res.nexthop;
        } else if (res.transport == "retry") {
            f.verdict = Verdict::Defer;
            f.reason = res.nexthop;
        } else if (res.addressClass == AddressClass::Local &&
                   strcasecmp(splitAddress(res.recipient).local.c_str(), context.get("double_bounce_sender").c_str()) ==
                       0) {
            // qmgr_message_resolve(): mail for the local double-bounce address is
            // dropped before any delivery agent sees it.
            f.verdict = Verdict::Discard;
            f.reason = "2.0.0 undeliverable postmaster notification discarded";
            f.resolution.steps.push_back(makeStep("qmgr", res.recipient, f.reason, StepStatus::Decided));
        }
        if (f.verdict == Verdict::Deliver && res.addressClass == AddressClass::Local && res.transport == "local") {
            auto local = deliverLocal(context, res.recipient);
            f.localDeliveries = std::move(local.deliveries);
            f.localSteps = std::move(local.steps);
            for (auto& d : f.localDeliveries) {
                if (d.kind == LocalDelivery::Kind::Bounce && f.verdict == Verdict::Deliver) {
                    f.verdict = Verdict::Reject;
                    f.reason = d.target;
                } else if (d.kind == LocalDelivery::Kind::Defer && f.verdict != Verdict::Defer) {
                    f.verdict = Verdict::Defer;
                    f.reason = d.target;
                }
            }
        }
        worsen(report, f.verdict, f.reason);
        report.recipients.push_back(std::move(f));
    }
    return report;
}

}  // namespace postline::address
