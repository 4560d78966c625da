// cleanup(8)'s envelope address processing (cleanup/cleanup_addr.c and
// cleanup_out_recipient.c): rewrite in the "local" context, sender/recipient
// canonical maps, canonical_maps, masquerading — each gated by its *_classes — and,
// for recipients, virtual alias expansion.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "postline/address/step.h"

namespace postline::address {

class RoutingContext;

struct CleanupResult {
    std::string address;                  // the rewritten sender, or recipient before virtual expansion
    std::vector<std::string> recipients;  // recipients after virtual alias expansion
    bool defer = false;                   // the message would not be accepted (try again later)
    std::string reason;                   // Postfix's reason text when deferred
    bool lookupFailed = false;            // a table failed (else a virtual alias limit was reached)
    Steps steps;
};

// The envelope sender: "" stays the null sender; a result equal to the canonical
// MAILER-DAEMON address becomes "".
CleanupResult cleanupSender(RoutingContext& context, std::string_view sender);
// An envelope recipient: "" becomes $empty_address_recipient.
CleanupResult cleanupRecipient(RoutingContext& context, std::string_view recipient);

}  // namespace postline::address
