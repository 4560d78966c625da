// cleanup_addr_sender() and cleanup_addr_recipient() with cleanup_out_recipient()'s
// virtual alias expansion.
#include "postline/address/cleanup_address.h"

#include <strings.h>

#include "postline/address/addr_map.h"
#include "postline/address/canonical.h"
#include "postline/address/masquerade.h"
#include "postline/address/rewrite.h"
#include "postline/address/routing_context.h"
#include "postline/address/virtual_expand.h"

namespace postline::address {

namespace {

// The canonical and masquerading steps shared by sender and recipient.
void mapAndMasquerade(RoutingContext& context, AddressRole role, const char* specific, const char* specificClasses,
                      CleanupResult& r) {
    bool propagate = propagatesExtension(context, "canonical");
    for (auto [maps, classes] :
         {std::pair{specific, specificClasses}, std::pair{"canonical_maps", "canonical_classes"}}) {
        auto& tables = context.maps(maps);
        if (tables.empty() || !classIncludes(context, classes, role)) continue;
        auto o = mapOneToOne(context, tables, r.address, propagate, r.steps);
        if (o.defer) {
            r.defer = true;
            r.lookupFailed = true;
            r.reason = "4.3.0 Error: queue file write error";  // CLEANUP_STAT_WRITE without a reason
        }
    }
    if (classIncludes(context, "masquerade_classes", role)) {
        auto m = masquerade(context, r.address, r.steps);
        if (m.defer) r.defer = true;
    }
}

}  // namespace

CleanupResult cleanupSender(RoutingContext& context, std::string_view sender) {
    CleanupResult r;
    auto settings = RewriteSettings::local(context.config());
    r.address = rewriteAddress(sender, settings, &r.steps);
    if (r.address.size() > 13 && strncasecmp(r.address.c_str(), "MAILER-DAEMON@", 14) == 0) {
        std::string daemon = rewriteAddress("MAILER-DAEMON", settings);
        if (strcasecmp(daemon.c_str(), r.address.c_str()) == 0) {
            Step s;
            s.stage = "rewrite";
            s.key = r.address;
            s.result = "<> (the local MAILER-DAEMON is the null sender)";
            s.status = StepStatus::Changed;
            r.steps.push_back(std::move(s));
            r.address.clear();
        }
    }
    if (!r.address.empty())
        mapAndMasquerade(context, AddressRole::EnvelopeSender, "sender_canonical_maps", "sender_canonical_classes", r);
    r.recipients.push_back(r.address);
    return r;
}

CleanupResult cleanupRecipient(RoutingContext& context, std::string_view recipient) {
    CleanupResult r;
    auto settings = RewriteSettings::local(context.config());
    std::string input = recipient.empty() ? context.get("empty_address_recipient") : std::string(recipient);
    r.address = rewriteAddress(input, settings, &r.steps);
    mapAndMasquerade(context, AddressRole::EnvelopeRecipient, "recipient_canonical_maps", "recipient_canonical_classes",
                     r);
    if (r.defer) {
        r.recipients.push_back(r.address);
        return r;
    }
    auto v = expandVirtual(context, r.address, r.steps);
    r.recipients = std::move(v.recipients);
    if (v.defer) {
        r.defer = true;
        r.reason = v.reason;
        r.lookupFailed = v.lookupFailed;
    }
    return r;
}

}  // namespace postline::address
