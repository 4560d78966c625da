// Step records (step.h): status names as trace's JSON spells them, and the plain step.
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

Step makeStep(std::string stage, std::string key, std::string result, StepStatus status) {
    Step s;
    s.stage = std::move(stage);
    s.key = std::move(key);
    s.result = std::move(result);
    s.status = status;
    return s;
}

}  // namespace postline::address
