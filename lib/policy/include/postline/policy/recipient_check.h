// The recipient validation smtpd does at RCPT TO (smtpd/smtpd_check.c
// check_rcpt_maps, reject_unlisted_recipient): a recipient found in a canonical or
// virtual alias table is accepted; one that resolves to the error transport is
// rejected with that text; otherwise local_recipient_maps, virtual_mailbox_maps or
// relay_recipient_maps must list it, by class.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "postline/address/resolve.h"
#include "postline/address/step.h"

namespace postline::address {
class RoutingContext;
}

namespace postline::policy {

struct RecipientCheck {
    enum class Verdict { Accept, Reject, Defer } verdict = Verdict::Accept;
    int code = 0;       // SMTP reply code when rejected or deferred
    std::string dsn;    // "5.1.1"
    std::string reply;  // the full reply, e.g. "550 5.1.1 <u@x>: Recipient address rejected: User unknown in local
                        // recipient table"
    address::Steps steps;
    // Set by the restriction evaluation (smtpd_restrictions.h) only:
    bool undecidable = false;          // Defer because the outcome needs the network or is unknown offline
    std::string stage;                 // what decided: "smtpd_relay_restrictions", "DATA", …
    std::vector<std::string> actions;  // access actions that change the message: "HOLD …", "DISCARD …", …
    bool discard = false;              // DISCARD: accepted and silently dropped
};

// Checks an internal-form recipient as smtpd would (after its own canonicalization).
// With `senderClass` the address is a sender (reject_unlisted_sender): the replies say
// "Sender address rejected" with sender status codes, and sender_canonical_maps lists too.
RecipientCheck checkRecipient(address::RoutingContext& context, std::string_view sender, std::string_view recipient,
                              bool senderClass = false);

}  // namespace postline::policy
