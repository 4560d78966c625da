// The outcome of a route, without the steps that led to it: the verdict as a mail
// admin names it (deliver, reject at RCPT TO, bounce after acceptance, defer), its
// reason, and each final recipient with its transport, nexthop and local(8)
// deliveries. `postline diff` compares outcomes; `postline test` prints them.
#pragma once

#include <string>
#include <vector>

#include "postline/simulate/route.h"

namespace postline::simulate {

struct RouteOutcome {
    std::string verdict;  // "deliver", "reject", "bounce" or "defer"
    std::string reason;   // the reply (reject) or DSN text (bounce, defer); empty for deliver
    struct Recipient {
        std::string address;
        std::string transport;
        std::string nexthop;
        std::vector<std::string> local;  // "KIND TARGET" of local(8)'s deliveries, in order
        bool operator==(const Recipient&) const = default;
    };
    std::vector<Recipient> recipients;  // sorted by address
    bool operator==(const RouteOutcome&) const = default;
};

RouteOutcome routeOutcome(const RouteReport& report);

// One line: "deliver: a@x via relay:[h], b@y via local:host (mailbox /var/mail/b)" or
// "reject: 550 5.1.1 ...".
std::string formatOutcome(const RouteOutcome& outcome);

// "transport:nexthop" of a final recipient, as trace prints it.
std::string routeText(const RouteOutcome::Recipient& recipient);

}  // namespace postline::simulate
