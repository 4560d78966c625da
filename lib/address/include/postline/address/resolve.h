// Resolution, the "resolve" request of Postfix's trivial-rewrite (resolve.c and
// transport.c): strip local domains, pick the address class (local, virtual alias,
// virtual mailbox, relay, default), then transport and nexthop from the *_transport
// parameters, relayhost, the sender-dependent tables and transport_maps; finally
// relocated_maps and the allow_min_user check.
#pragma once

#include <string>
#include <string_view>

#include "postline/address/step.h"

namespace postline::address {

class RoutingContext;

enum class AddressClass { Local, VirtualAlias, VirtualMailbox, Relay, Default };
const char* addressClassName(AddressClass c);  // "local", "virtual_alias", "virtual_mailbox", "relay", "default"

struct Resolution {
    std::string recipient;  // user@domain, internal form (nextrcpt)
    std::string transport;  // channel, e.g. "local", "smtp", "error"
    std::string nexthop;    // nexthop, or the error text with the error transport
    AddressClass addressClass = AddressClass::Default;
    bool fail = false;    // RESOLVE_FLAG_FAIL: a table or configuration problem, defer
    bool error = false;   // RESOLVE_FLAG_ERROR: a malformed address
    bool routed = false;  // RESOLVE_FLAG_ROUTED: @ ! % left in the local part
    Steps steps;          // every decision, in order
};

// Resolves an internal-form recipient for `sender` ("" is the null sender).
Resolution resolveAddress(RoutingContext& context, std::string_view sender, std::string_view recipient);

// transport(5) lookup of `recipient` (user@domain): applies a found entry to
// transport/nexthop with Postfix's update rules; returns the step (Found, NotFound or
// Error). `rcptDomain` is the nexthop that an entry without nexthop resets to.
Step lookupTransport(RoutingContext& context, std::string_view recipient, std::string_view rcptDomain,
                     std::string& transport, std::string& nexthop);

// valid_hostname() and valid_mailhost_literal() of Postfix's util/valid_hostname.c.
bool validHostname(std::string_view name);
bool validHostLiteral(std::string_view literal);  // "[1.2.3.4]" or "[IPv6:…]"

}  // namespace postline::address
