// transport_maps lookups (trivial-rewrite/transport.c): full address, address without
// extension, domain and parent domains (".parent" unless transport_maps is listed in
// parent_domain_matches_subdomains), then the "*" wildcard entry.
#include <strings.h>

#include "postline/address/addr_find.h"
#include "postline/address/match_list.h"
#include "postline/address/resolve.h"
#include "postline/address/routing_context.h"

namespace postline::address {

namespace {

// update_entry: ":" keeps everything, ":nexthop" keeps the transport, "transport:" resets
// the nexthop to the recipient domain (or a bounce text for error/retry).
void updateEntry(std::string_view value, std::string_view rcptDomain, std::string& transport, std::string& nexthop) {
    auto colon = value.find(':');
    std::string newTransport(value.substr(0, colon));
    std::string newNexthop = colon == std::string_view::npos ? "" : std::string(value.substr(colon + 1));
    if (newTransport.empty()) {
        if (!newNexthop.empty()) nexthop = newNexthop;
        return;
    }
    transport = newTransport;
    if (!newNexthop.empty())
        nexthop = newNexthop;
    else if (transport != "error" && transport != "retry")
        nexthop = std::string(rcptDomain);
    else
        nexthop = "Address is undeliverable";
}

// The table's answer, and what it made of transport and nexthop when that differs.
std::string effective(const std::string& value, const std::string& transport, const std::string& nexthop) {
    std::string now = transport + ":" + nexthop;
    return value == now ? value : value + " -> " + now;
}

}  // namespace

Step lookupTransport(RoutingContext& context, std::string_view recipient, std::string_view rcptDomain,
                     std::string& transport, std::string& nexthop) {
    auto& tables = context.maps("transport_maps", maps::flag::kNoRegsub);
    AddrFindOptions o;
    o.strategy = strategy::kFull | strategy::kNoExt | strategy::kDomain |
                 (matchesParentStyle(context.config(), "transport_maps") ? strategy::kPdms : strategy::kPddmds);
    auto found = findAddress(context, tables, recipient, o, "transport_maps");
    if (found.isFound()) {
        updateEntry(found.value, rcptDomain, transport, nexthop);
        found.step.result = effective(found.value, transport, nexthop);
        return found.step;
    }
    if (found.isError()) return found.step;
    // The wildcard entry, looked up as a full key.
    o.strategy = strategy::kFull;
    auto wild = findAddress(context, tables, "*", o, "transport_maps");
    for (auto& k : wild.step.tried) found.step.tried.push_back(k);
    if (wild.isFound()) {
        updateEntry(wild.value, rcptDomain, transport, nexthop);
        wild.step.tried = found.step.tried;
        wild.step.result = effective(wild.value, transport, nexthop);
        return wild.step;
    }
    if (wild.isError()) {
        wild.step.tried = found.step.tried;
        return wild.step;
    }
    return found.step;
}

}  // namespace postline::address
