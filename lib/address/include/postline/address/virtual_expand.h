// Virtual alias expansion (cleanup/cleanup_map1n.c): each address is looked up again
// until it no longer matches; an address may expand to itself once; limits
// virtual_alias_recursion_limit, virtual_alias_expansion_limit and
// virtual_alias_address_length_limit; any problem defers the whole message with
// "4.6.0 Alias expansion error".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "postline/address/step.h"

namespace postline::address {

class RoutingContext;

struct VirtualExpansion {
    std::vector<std::string> recipients;  // the result (the input alone when unchanged or on error)
    bool defer = false;
    std::string reason;  // "4.6.0 Alias expansion error" when deferred
    // A table lookup failed (cleanup: CLEANUP_STAT_WRITE) rather than a limit being
    // reached (CLEANUP_STAT_DEFER, whose reason the client sees).
    bool lookupFailed = false;
};

VirtualExpansion expandVirtual(RoutingContext& context, std::string_view address, Steps& steps);

}  // namespace postline::address
