// checkRouteCase (route_case_check.h): expectation by expectation, with the step of the
// trace that decided each difference, so that a failing CI run says which table (and
// which key) changed the route.
#include "postline/simulate/route_case_check.h"

#include <algorithm>

#include "postline/address/address_parts.h"
#include "postline/base/strings.h"
#include "postline/simulate/route_outcome.h"

namespace postline::simulate {

bool sameAddress(const std::string& a, const std::string& b) {
    auto pa = address::splitAddress(a), pb = address::splitAddress(b);
    return pa.hasAt == pb.hasAt && pa.local == pb.local && base::equalsIgnoreCase(pa.domain, pb.domain);
}

namespace {

using Expected = CaseExpectation::Verdict;

std::string phased(const char* phase, const address::Step& s) { return std::string(phase) + address::formatStep(s); }

std::vector<std::string> only(std::string step) {
    if (step.empty()) return {};
    return {std::move(step)};
}

// The first step that refused or failed; otherwise the smtpd step that accepted.
std::string verdictStep(const RouteReport& r) {
    auto bad = [](const address::Step& s) {
        return s.status == address::StepStatus::Reject || s.status == address::StepStatus::Error;
    };
    for (auto& s : r.senderSteps)
        if (bad(s)) return phased("sender ", s);
    for (auto& s : r.smtpd.steps)
        if (bad(s)) return phased("smtpd ", s);
    for (auto& s : r.cleanupSteps)
        if (bad(s)) return phased("cleanup ", s);
    for (auto& f : r.recipients) {
        for (auto& s : f.resolution.steps)
            if (bad(s)) return "<" + f.address + "> " + address::formatStep(s);
        for (auto& s : f.localSteps)
            if (bad(s)) return "<" + f.address + "> local " + address::formatStep(s);
        // The error transport (transport_maps, relocated_maps) bounces without a Reject step.
        if (f.verdict != Verdict::Deliver)
            for (auto it = f.resolution.steps.rbegin(); it != f.resolution.steps.rend(); ++it)
                if (it->status == address::StepStatus::Found) return "<" + f.address + "> " + address::formatStep(*it);
    }
    if (!r.smtpd.steps.empty()) return phased("smtpd ", r.smtpd.steps.back());
    return "";
}

// Every cleanup step that changed the address (canonical, masquerade, each virtual
// alias expansion), or the last lookup that found nothing.
std::vector<std::string> recipientsSteps(const RouteReport& r) {
    // Refused or deferred before cleanup: what stopped it.
    if (r.cleanupSteps.empty()) return only(verdictStep(r));
    std::vector<std::string> out;
    for (auto& s : r.cleanupSteps)
        if (s.status == address::StepStatus::Found || s.status == address::StepStatus::Changed ||
            s.status == address::StepStatus::Error)
            out.push_back(phased("cleanup ", s));
    if (out.empty()) out.push_back(phased("cleanup ", r.cleanupSteps.back()));
    return out;
}

// The step that set the transport and nexthop last: relocated_maps or transport_maps
// when they answered, else the *_transport parameter of the address class.
std::string routeStep(const FinalRecipient& f) {
    auto& steps = f.resolution.steps;
    for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
        if (it->status == address::StepStatus::NotFound || it->stage == "address_class") continue;
        return "<" + f.address + "> " + address::formatStep(*it);
    }
    return "";
}

std::string localStep(const FinalRecipient& f) {
    if (f.localSteps.empty()) return "";
    return "<" + f.address + "> local " + address::formatStep(f.localSteps.back());
}

std::string joined(const std::vector<std::string>& items) {
    return items.empty() ? std::string("(none)") : base::join(items, ", ");
}

bool sameRecipients(std::vector<std::string> expected, const RouteOutcome& actual) {
    if (expected.size() != actual.recipients.size()) return false;
    for (auto& a : actual.recipients) {
        auto it = std::find_if(expected.begin(), expected.end(), [&](auto& e) { return sameAddress(e, a.address); });
        if (it == expected.end()) return false;
        expected.erase(it);
    }
    return true;
}

std::string routeExpected(const CaseExpectation::Route& r) {
    if (r.transport.empty() && !r.nexthop) return "";
    if (r.transport.empty()) return "nexthop " + *r.nexthop;
    return r.nexthop ? r.transport + ":" + *r.nexthop : r.transport;
}

bool routeMatches(const CaseExpectation::Route& e, const RouteOutcome::Recipient& a) {
    if (!e.transport.empty() && e.transport != a.transport) return false;
    if (e.nexthop && !base::equalsIgnoreCase(*e.nexthop, a.nexthop)) return false;
    return true;
}

}  // namespace

std::vector<CaseMismatch> checkRouteCase(const CaseExpectation& expect, const RouteReport& report) {
    std::vector<CaseMismatch> out;
    RouteOutcome actual = routeOutcome(report);
    // Only a verdict that is written is checked: whether local(8) finds a user depends
    // on the machine's password file, which a CI machine does not share with the mail
    // server, while recipients and routes do not.
    Expected verdict = expect.verdict;
    std::string actualResult = actual.verdict + (actual.reason.empty() ? "" : " " + actual.reason);
    if (verdict != Expected::Any) {
        std::string wanted = caseVerdictName(verdict);
        if (wanted != actual.verdict) {
            out.push_back({"result", wanted + (expect.reasonPrefix.empty() ? "" : " " + expect.reasonPrefix),
                           actualResult, only(verdictStep(report))});
            // Without final recipients there is nothing more to compare.
            if (actual.recipients.empty()) return out;
        } else if (!base::startsWith(actual.reason, expect.reasonPrefix)) {
            out.push_back(
                {"result", wanted + " " + expect.reasonPrefix + "...", actualResult, only(verdictStep(report))});
        }
    }
    std::vector<std::string> actualAddresses;
    for (auto& r : actual.recipients) actualAddresses.push_back(r.address);
    if (expect.recipients && !sameRecipients(*expect.recipients, actual))
        out.push_back({"recipients", joined(*expect.recipients), joined(actualAddresses), recipientsSteps(report)});

    auto finalOf = [&](const std::string& address) -> const FinalRecipient* {
        for (auto& f : report.recipients)
            if (f.address == address) return &f;
        return nullptr;
    };
    for (auto& e : expect.routes) {
        bool any = false;
        for (auto& a : actual.recipients) {
            if (!e.recipient.empty() && !sameAddress(e.recipient, a.address)) continue;
            any = true;
            if (routeMatches(e, a)) continue;
            auto* f = finalOf(a.address);
            out.push_back({"route of <" + a.address + ">", routeExpected(e), routeText(a),
                           f ? only(routeStep(*f)) : std::vector<std::string>{}});
        }
        if (!any)
            out.push_back({e.recipient.empty() ? std::string("route") : "recipient <" + e.recipient + ">",
                           e.recipient.empty()        ? routeExpected(e)
                           : routeExpected(e).empty() ? "<" + e.recipient + "> among the final recipients"
                                                      : "<" + e.recipient + "> via " + routeExpected(e),
                           "final recipients: " + joined(actualAddresses), recipientsSteps(report)});
    }
    for (auto& e : expect.local) {
        bool found = false;
        std::vector<std::string> seen;
        const FinalRecipient* localRecipient = nullptr;
        for (auto& f : report.recipients) {
            for (auto& d : f.localDeliveries) {
                std::string kind = address::localDeliveryKindName(d.kind);
                seen.push_back(kind + " " + d.target);
                found |=
                    kind == e.kind && (e.kind == "forward" ? sameAddress(d.target, e.target) : d.target == e.target);
            }
            if (!f.localSteps.empty() && !localRecipient) localRecipient = &f;
        }
        if (!found)
            out.push_back({"local delivery", e.kind + " " + e.target, "local deliveries: " + joined(seen),
                           only(localRecipient ? localStep(*localRecipient) : "no final recipient goes to local(8)")});
    }
    return out;
}

}  // namespace postline::simulate
