// cleanup_masquerade_internal().
#include "postline/address/masquerade.h"

#include "postline/address/address_parts.h"
#include "postline/address/routing_context.h"

namespace postline::address {

MasqueradeOutcome masquerade(RoutingContext& context, std::string& address, Steps& steps) {
    MasqueradeOutcome out;
    auto at = address.rfind('@');
    std::string domains = context.get("masquerade_domains");
    if (at == std::string::npos || domains.empty()) return out;
    Step step;
    step.stage = "masquerade_domains";
    step.key = address;
    if (!context.get("masquerade_exceptions").empty()) {
        auto& exceptions = context.list("masquerade_exceptions", MatchKind::String);
        auto m = exceptions.match(address.substr(0, at));
        if (m.error) {
            step.stage = "masquerade_exceptions";
            step.status = StepStatus::Error;
            step.result = m.errorText;
            step.warnings.push_back(
                "masquerade_exceptions map lookup problem -- message not accepted, try again later");
            steps.push_back(std::move(step));
            out.defer = true;
            return out;
        }
        if (m.matched) {
            step.stage = "masquerade_exceptions";
            step.table = m.pattern;
            step.status = StepStatus::Found;
            step.result = "excepted";
            steps.push_back(std::move(step));
            return out;
        }
    }
    std::string domain = lowercase(address.substr(at + 1));
    for (auto& item : maps::splitMapSpecs(domains)) {
        std::string_view masq = item;
        bool truncate = true;
        while (!masq.empty() && masq[0] == '!') {
            truncate = !truncate;
            masq.remove_prefix(1);
        }
        std::string m = lowercase(masq);
        if (m.empty()) continue;
        if (m.size() == domain.size()) {
            if (m == domain) {
                step.table = item;
                step.status = StepStatus::NotFound;
                step.result = "unchanged (domain listed as is)";
                steps.push_back(std::move(step));
                return out;
            }
        } else if (m.size() < domain.size()) {
            size_t p = domain.size() - m.size();
            if (domain[p - 1] == '.' && domain.compare(p, m.size(), m) == 0) {
                step.table = item;
                if (truncate) {
                    address = address.substr(0, at + 1) + m;
                    out.changed = true;
                    step.status = StepStatus::Changed;
                    step.result = address;
                } else {
                    step.status = StepStatus::NotFound;
                    step.result = "unchanged (exempted by " + item + ")";
                }
                steps.push_back(std::move(step));
                return out;
            }
        }
    }
    return out;
}

}  // namespace postline::address
