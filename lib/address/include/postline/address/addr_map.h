// Table-driven address mapping of Postfix's global/mail_addr_map.c and
// mail_addr_crunch.c: look the address up with the default key order, turn a result
// "@domain" into "user@domain", split a list result into addresses, canonicalize each
// one and re-append the unmatched extension when propagation is on.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "postline/address/addr_find.h"

namespace postline::address {

class RoutingContext;

struct AddrMapResult {
    maps::DictStatus status = maps::DictStatus::NotFound;
    std::vector<std::string> addresses;  // internal form, canonicalized
    Step step;

    bool isFound() const { return status == maps::DictStatus::Found; }
    bool isError() const { return status == maps::DictStatus::Retry || status == maps::DictStatus::ConfigError; }
};

// mail_addr_map_internal: queries in external form only (as cleanup does).
AddrMapResult mapAddress(RoutingContext& context, maps::MapList& tables, std::string_view address, bool propagate);

// True when `feature` ("canonical", "virtual", "alias", "forward", "include",
// "generic") is listed in propagate_unmatched_extensions.
bool propagatesExtension(const RoutingContext& context, std::string_view feature);

}  // namespace postline::address
