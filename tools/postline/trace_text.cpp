// The text form of `postline trace`: one block per address, one line per step.
#include <ostream>

#include "trace_command.h"

namespace postline::tools {

namespace {

using address::Step;

std::string shown(const std::string& a) { return "<" + a + ">"; }

void printStep(std::ostream& out, const Step& s, const char* indent) {
    out << indent << address::formatStep(s) << "\n";
    for (auto& w : s.warnings) out << indent << "  warning: " << w << "\n";
}

}  // namespace

void printTraceText(std::ostream& out, const std::vector<simulate::RouteReport>& reports,
                    const policy::SmtpdSession* session) {
    if (session) printTraceSession(out, *session);
    bool first = true;
    for (auto& r : reports) {
        if (!first) out << "\n";
        first = false;
        printTraceTextBlock(out, r, session);
    }
}

void printTraceSession(std::ostream& out, const policy::SmtpdSession& session) {
    out << "smtpd session: client " << session.namaddr() << ", "
        << (session.helo ? "helo <" + *session.helo + ">" : std::string("no HELO")) << ", "
        << (session.saslUsername.empty() ? std::string("not authenticated") : "sasl " + session.saslUsername);
    for (auto& [name, answer] : session.offline.dns) out << ", dns " << name << "=" << policy::dnsAnswerName(answer);
    for (auto& [service, action] : session.offline.policy) out << ", policy " << service << "=" << action;
    out << "\n\n";
}

void printTraceTextBlock(std::ostream& out, const simulate::RouteReport& r, const policy::SmtpdSession* session) {
    out << "recipient " << shown(r.input) << " sender " << shown(r.sender) << "\n";
    for (auto& s : r.senderSteps) printStep(out, s, "  sender ");
    for (auto& s : r.smtpd.steps) printStep(out, s, "  smtpd ");
    for (auto& a : r.smtpd.actions) out << "  smtpd action: " << a << "\n";
    if (session) {
        const char* v = r.smtpd.undecidable                                          ? "undecidable"
                        : r.smtpd.verdict == policy::RecipientCheck::Verdict::Reject ? "reject"
                        : r.smtpd.verdict == policy::RecipientCheck::Verdict::Defer  ? "defer"
                        : r.smtpd.discard                                            ? "accept and discard"
                                                                                     : "accept";
        out << "  smtpd => " << v << " (" << r.smtpd.stage << ")\n";
    }
    for (auto& s : r.cleanupSteps) printStep(out, s, "  cleanup ");
    for (auto& f : r.recipients) {
        out << "  final recipient " << shown(f.address) << "\n";
        for (auto& s : f.resolution.steps) printStep(out, s, "    ");
        for (auto& s : f.localSteps) printStep(out, s, "    local ");
        for (auto& d : f.localDeliveries) {
            out << "    local => " << address::localDeliveryKindName(d.kind) << " " << d.target;
            if (!d.via.empty()) out << " (via " << d.via << ")";
            out << "\n";
        }
        switch (f.verdict) {
            case simulate::Verdict::Deliver:
                out << "    => deliver to " << shown(f.resolution.recipient) << " via " << f.resolution.transport << ":"
                    << f.resolution.nexthop << " (" << address::addressClassName(f.resolution.addressClass)
                    << " class)\n";
                break;
            case simulate::Verdict::Reject:
                out << "    => bounce: " << f.reason << "\n";
                break;
            case simulate::Verdict::Defer:
                out << "    => defer: " << f.reason << "\n";
                break;
            case simulate::Verdict::Discard:
                out << "    => discard: " << f.reason << "\n";
                break;
        }
    }
    out << "  result: " << simulate::verdictName(r.verdict);
    if (!r.reason.empty()) out << ": " << r.reason;
    out << "\n";
}

}  // namespace postline::tools
