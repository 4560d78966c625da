// The whole route of one envelope recipient, as the MTA would take it: smtpd's
// recipient check, cleanup's rewriting and virtual expansion, then trivial-rewrite's
// resolution of every resulting recipient. What `postline trace` prints.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "postline/address/local_delivery.h"
#include "postline/address/resolve.h"
#include "postline/address/step.h"
#include "postline/policy/recipient_check.h"

namespace postline::address {
class RoutingContext;
}

namespace postline::policy {
class SmtpdRestrictions;
}

namespace postline::simulate {

// Discard: a final recipient that qmgr drops as delivered (the local double-bounce
// address); never the verdict of a whole route.
enum class Verdict { Deliver, Reject, Defer, Discard };
const char* verdictName(Verdict v);  // "deliver", "reject", "defer", "discard"

struct FinalRecipient {
    std::string address;
    address::Resolution resolution;
    Verdict verdict = Verdict::Deliver;
    std::string reason;  // DSN and text when rejected or deferred ("5.1.1 User unknown …")
    // local(8)'s decisions when the recipient goes to the "local" transport.
    std::vector<address::LocalDelivery> localDeliveries;
    address::Steps localSteps;
};

struct RouteReport {
    std::string input;             // the recipient as given
    std::string sender;            // the envelope sender after cleanup ("" is the null sender)
    address::Steps senderSteps;    // how the sender was rewritten
    policy::RecipientCheck smtpd;  // RCPT TO validation
    address::Steps cleanupSteps;   // rewrite, canonical, masquerade, virtual alias expansion
    std::vector<FinalRecipient> recipients;
    Verdict verdict = Verdict::Deliver;  // Reject if any part is rejected, Defer if any is temporary
    std::string reason;                  // the first reject or defer reason
};

// Routes `recipient` (internal form) for `sender` ("" for the null sender). With
// `smtpd`, the message arrives over SMTP and smtpd's restrictions decide at RCPT TO
// (and DATA); without it only the unlisted-recipient check is made.
RouteReport routeRecipient(address::RoutingContext& context, std::string_view sender, std::string_view recipient,
                           policy::SmtpdRestrictions* smtpd = nullptr);

}  // namespace postline::simulate
