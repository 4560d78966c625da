// Step records (step.h): status names as trace's JSON spells them, the text form of a
// step, and the plain step.
#include "postline/address/step.h"

namespace postline::address {

const char* stepStatusName(StepStatus status) {
    switch (status) {
        case StepStatus::Found:
            return "found";
        case StepStatus::NotFound:
            return "not_found";
        case StepStatus::Changed:
            return "changed";
        case StepStatus::Decided:
            return "decided";
        case StepStatus::Error:
            return "error";
        case StepStatus::Reject:
            return "reject";
    }
    return "decided";
}

std::string formatStep(const Step& s) {
    std::string out = s.stage + ": ";
    switch (s.status) {
        case StepStatus::Found:
            out += "key \"" + s.key + "\" -> " + s.result;
            break;
        case StepStatus::NotFound:
            if (s.tried.empty())
                out += s.key + " -> " + (s.result.empty() ? "no match" : s.result);
            else {
                out += "not found (keys:";
                for (auto& k : s.tried) out += " \"" + k + "\"";
                out += ")";
            }
            break;
        case StepStatus::Changed:
            out += s.key + " -> " + s.result;
            break;
        case StepStatus::Decided:
            out += s.result;
            break;
        case StepStatus::Error:
            out += "ERROR " + (s.key.empty() ? "" : "\"" + s.key + "\": ") + s.result;
            break;
        case StepStatus::Reject:
            out += "REJECT " + s.result;
            break;
    }
    if (!s.table.empty()) out += "  [" + s.table + "]";
    return out;
}

Step makeStep(std::string stage, std::string key, std::string result, StepStatus status) {
    Step s;
    s.stage = std::move(stage);
    s.key = std::move(key);
    s.result = std::move(result);
    s.status = status;
    return s;
}

}  // namespace postline::address
