// Address masquerading (cleanup/cleanup_masq.c): masquerade_domains (with `!`
// exemptions) and masquerade_exceptions.
#pragma once

#include <string>
#include <string_view>

#include "postline/address/step.h"

namespace postline::address {

class RoutingContext;

struct MasqueradeOutcome {
    bool changed = false;
    bool defer = false;  // masquerade_exceptions lookup problem
};

// Rewrites user@host.sub.example.com to user@example.com when example.com is listed;
// the first listed name equal to or a parent of the domain decides.
MasqueradeOutcome masquerade(RoutingContext& context, std::string& address, Steps& steps);

}  // namespace postline::address
