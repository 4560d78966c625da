// cleanup_map11.c: canonical mapping with nesting, and the class gates.
#include "postline/address/canonical.h"

#include <strings.h>

#include "postline/address/addr_map.h"
#include "postline/address/address_parts.h"
#include "postline/address/routing_context.h"

namespace postline::address {

const char* addressRoleName(AddressRole role) {
    switch (role) {
        case AddressRole::EnvelopeSender:
            return "envelope_sender";
        case AddressRole::EnvelopeRecipient:
            return "envelope_recipient";
        case AddressRole::HeaderSender:
            return "header_sender";
        case AddressRole::HeaderRecipient:
            return "header_recipient";
    }
    return "";
}

bool classIncludes(const RoutingContext& context, std::string_view classParameter, AddressRole role) {
    for (auto& item : maps::splitMapSpecs(context.get(classParameter)))
        if (lowercase(item) == addressRoleName(role)) return true;
    return false;
}

MapOutcome mapOneToOne(RoutingContext& context, maps::MapList& tables, std::string& address, bool propagate,
                       Steps& steps) {
    MapOutcome out;
    constexpr int kMaxRecursion = 10;
    for (int count = 0; count < kMaxRecursion; ++count) {
        auto mapped = mapAddress(context, tables, address, propagate);
        if (mapped.isFound()) {
            if (mapped.addresses.size() > 1)
                mapped.step.warnings.push_back("multi-valued " + tables.title() + " entry for " + address);
            std::string saved = address;
            out.changed |= mapped.addresses[0] != address;
            address = mapped.addresses[0];
            steps.push_back(std::move(mapped.step));
            if (strcasecmp(saved.c_str(), address.c_str()) == 0) return out;
        } else if (mapped.isError()) {
            mapped.step.warnings.push_back(tables.title() + " map lookup problem for " + address +
                                           " -- message not accepted, try again later");
            steps.push_back(std::move(mapped.step));
            out.defer = true;
            return out;
        } else {
            if (count == 0) steps.push_back(std::move(mapped.step));
            return out;
        }
    }
    Step s;
    s.stage = tables.title();
    s.key = address;
    s.status = StepStatus::Error;
    s.result =
        "unreasonable " + tables.title() + " map nesting for " + address + " -- message not accepted, try again later";
    s.warnings.push_back(s.result);
    steps.push_back(std::move(s));
    out.defer = true;
    return out;
}

}  // namespace postline::address
