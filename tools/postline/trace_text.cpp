// The text form of `postline trace`: one block per address, one line per step.
#include <ostream>

#include "trace_command.h"

namespace postline::tools {

namespace {

using address::Step;
using address::StepStatus;

std::string shown(const std::string& a) { return "<" + a + ">"; }

void printStep(std::ostream& out, const Step& s, const char* indent) {
    out << indent << s.stage << ": ";
    switch (s.status) {
        case StepStatus::Found:
            out << "key \"" << s.key << "\" -> " << s.result;
            break;
        case StepStatus::NotFound:
            if (s.tried.empty())
                out << s.key << " -> " << (s.result.empty() ? "no match" : s.result);
            else {
                out << "not found (keys:";
                for (auto& k : s.tried) out << " \"" << k << "\"";
                out << ")";
            }
            break;
        case StepStatus::Changed:
            out << s.key << " -> " << s.result;
            break;
        case StepStatus::Decided:
            out << s.result;
            break;
        case StepStatus::Error:
            out << "ERROR " << (s.key.empty() ? "" : "\"" + s.key + "\": ") << s.result;
            break;
        case StepStatus::Reject:
            out << "REJECT " << s.result;
            break;
    }
    if (!s.table.empty()) out << "  [" << s.table << "]";
    out << "\n";
    for (auto& w : s.warnings) out << indent << "  warning: " << w << "\n";
}

}  // namespace

void printTraceText(std::ostream& out, const std::vector<address::RouteReport>& reports) {
    bool first = true;
    for (auto& r : reports) {
        if (!first) out << "\n";
        first = false;
        out << "recipient " << shown(r.input) << " sender " << shown(r.sender) << "\n";
        for (auto& s : r.senderSteps) printStep(out, s, "  sender ");
        for (auto& s : r.smtpd.steps) printStep(out, s, "  smtpd ");
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
                case address::Verdict::Deliver:
                    out << "    => deliver to " << shown(f.resolution.recipient) << " via " << f.resolution.transport
                        << ":" << f.resolution.nexthop << " (" << address::addressClassName(f.resolution.addressClass)
                        << " class)\n";
                    break;
                case address::Verdict::Reject:
                    out << "    => bounce: " << f.reason << "\n";
                    break;
                case address::Verdict::Defer:
                    out << "    => defer: " << f.reason << "\n";
                    break;
            }
        }
        out << "  result: " << address::verdictName(r.verdict);
        if (!r.reason.empty()) out << ": " << r.reason;
        out << "\n";
    }
}

}  // namespace postline::tools
