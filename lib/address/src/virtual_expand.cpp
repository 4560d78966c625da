// cleanup_map1n_internal() over virtual_alias_maps.
#include "postline/address/virtual_expand.h"

#include <strings.h>

#include <set>

#include "postline/address/addr_map.h"
#include "postline/address/address_parts.h"
#include "postline/address/routing_context.h"

namespace postline::address {

VirtualExpansion expandVirtual(RoutingContext& context, std::string_view address, Steps& steps) {
    VirtualExpansion out;
    out.recipients.push_back(std::string(address));
    auto& tables = context.maps("virtual_alias_maps");
    if (tables.empty()) return out;
    bool propagate = propagatesExtension(context, "virtual");
    size_t expansionLimit = static_cast<size_t>(context.getLong("virtual_alias_expansion_limit"));
    long recursionLimit = context.getLong("virtual_alias_recursion_limit");
    size_t lengthLimit = static_cast<size_t>(context.getLong("virtual_alias_address_length_limit"));
    std::set<std::string> selfExpanded;  // case-folded
    std::set<std::string> shown;         // keys already recorded: a loop is shown once per key
    auto& argv = out.recipients;
    auto fail = [&](std::string warning) {
        Step s;
        s.stage = "virtual_alias_maps";
        s.key = std::string(address);
        s.status = StepStatus::Error;
        s.result = "4.6.0 Alias expansion error";
        s.warnings.push_back(std::move(warning));
        steps.push_back(std::move(s));
        out.defer = true;
        out.reason = "4.6.0 Alias expansion error";
        argv.assign(1, std::string(address));
        return out;
    };
    for (size_t arg = 0; arg < argv.size(); ++arg) {
        if (argv.size() > expansionLimit)
            return fail("unreasonable virtual_alias_maps map expansion size for " + std::string(address) +
                        " -- message not accepted, try again later");
        for (long count = 0;; ++count) {
            if (selfExpanded.count(lowercase(argv[arg]))) break;
            if (count >= recursionLimit)
                return fail("unreasonable virtual_alias_maps map nesting for " + std::string(address) +
                            " -- message not accepted, try again later");
            auto mapped = mapAddress(context, tables, argv[arg], propagate);
            if (mapped.isFound()) {
                std::string lhs = argv[arg];
                if (shown.insert(lhs).second) steps.push_back(mapped.step);
                for (size_t i = 0; i < mapped.addresses.size(); ++i) {
                    const std::string& result = mapped.addresses[i];
                    if (result.size() > lengthLimit)
                        return fail("unreasonable virtual_alias_maps result " + result.substr(0, 300) +
                                    "... -- message not accepted, try again later");
                    if (i == 0)
                        argv[arg] = result;
                    else
                        argv.push_back(result);
                    if (strcasecmp(lhs.c_str(), result.c_str()) == 0) selfExpanded.insert(lowercase(lhs));
                }
            } else if (mapped.isError()) {
                steps.push_back(mapped.step);
                out.lookupFailed = true;
                return fail("virtual_alias_maps map lookup problem for " + argv[arg] +
                            " -- message not accepted, try again later");
            } else {
                if (count == 0) steps.push_back(mapped.step);
                break;
            }
        }
    }
    // cleanup_out_recipient writes each recipient once (duplicates are case-folded).
    std::set<std::string> seen;
    std::vector<std::string> unique;
    for (auto& a : argv)
        if (seen.insert(lowercase(a)).second) unique.push_back(a);
    argv = std::move(unique);
    return out;
}

}  // namespace postline::address
