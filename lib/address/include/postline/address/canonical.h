// cleanup(8)'s 1:1 address mapping (cleanup/cleanup_map11.c) and the *_classes
// gates of canonical_maps, sender_canonical_maps and recipient_canonical_maps.
#pragma once

#include <string>
#include <string_view>

#include "postline/address/step.h"
#include "postline/maps/map_list.h"

namespace postline::address {

class RoutingContext;

// Where an address occurs; the *_classes parameters name these.
enum class AddressRole { EnvelopeSender, EnvelopeRecipient, HeaderSender, HeaderRecipient };
const char* addressRoleName(AddressRole role);  // "envelope_sender", …

// True when `role` is listed in the class parameter (e.g. "canonical_classes").
bool classIncludes(const RoutingContext& context, std::string_view classParameter, AddressRole role);

struct MapOutcome {
    bool changed = false;
    bool defer = false;  // a lookup problem or runaway nesting: the message is not accepted
};

// cleanup_map11_internal: up to 10 nested lookups, stopping when an address maps to
// itself; a multi-address result uses the first address (with Postfix's warning).
MapOutcome mapOneToOne(RoutingContext& context, maps::MapList& tables, std::string& address, bool propagate,
                       Steps& steps);

}  // namespace postline::address
