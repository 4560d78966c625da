// RouteOutcome (route_outcome.h): the verdict, reason and final routes of a report.
#include "postline/simulate/route_outcome.h"

#include <algorithm>

namespace postline::simulate {

RouteOutcome routeOutcome(const RouteReport& report) {
    RouteOutcome o;
    switch (report.verdict) {
        case Verdict::Deliver:
        case Verdict::Discard:  // only ever a final recipient's verdict
            o.verdict = "deliver";
            break;
        case Verdict::Reject:
            // smtpd's refusal happens in the SMTP session; anything later is a bounce.
            o.verdict = report.smtpd.verdict == policy::RecipientCheck::Verdict::Reject ? "reject" : "bounce";
            break;
        case Verdict::Defer:
            o.verdict = "defer";
            break;
    }
    o.reason = report.reason;
    for (auto& f : report.recipients) {
        RouteOutcome::Recipient r;
        r.address = f.address;
        r.transport = f.resolution.transport;
        r.nexthop = f.resolution.nexthop;
        for (auto& d : f.localDeliveries)
            r.local.push_back(std::string(address::localDeliveryKindName(d.kind)) + " " + d.target);
        o.recipients.push_back(std::move(r));
    }
    std::stable_sort(o.recipients.begin(), o.recipients.end(), [](auto& a, auto& b) { return a.address < b.address; });
    return o;
}

std::string routeText(const RouteOutcome::Recipient& recipient) {
    return recipient.transport + ":" + recipient.nexthop;
}

std::string formatOutcome(const RouteOutcome& outcome) {
    std::string out = outcome.verdict;
    if (!outcome.reason.empty()) out += ": " + outcome.reason;
    if (outcome.verdict == "reject" || outcome.recipients.empty()) return out;
    out += outcome.reason.empty() ? ": " : "; ";
    bool first = true;
    for (auto& r : outcome.recipients) {
        if (!first) out += ", ";
        first = false;
        out += r.address + " via " + routeText(r);
        if (!r.local.empty()) {
            out += " (";
            for (size_t i = 0; i < r.local.size(); ++i) out += (i ? ", " : "") + r.local[i];
            out += ")";
        }
    }
    return out;
}

}  // namespace postline::simulate
