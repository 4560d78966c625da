// What local(8) would do with a local recipient (local/recipient.c, alias.c,
// include.c, token.c, mailbox.c, unknown.c): alias expansion of the full local part
// then the bare user (owner- aliases, :include: files, |command, /file, addresses,
// recursion), then the mailbox: mailbox_transport, the password file,
// mailbox_command, home_mailbox (Maildir when it ends in '/') or
// mail_spool_directory; unknown users go to fallback_transport or luser_relay or bounce.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "postline/address/step.h"

namespace postline::address {

class RoutingContext;

struct LocalDelivery {
    enum class Kind {
        Mailbox,
        Maildir,
        Command,
        File,
        Forward,
        Transport,
        Bounce,
        Defer,
        Discard
    } kind = Kind::Mailbox;
    std::string target;  // path, command, address, transport:nexthop, or the DSN text (bounce, defer, discard)
    std::string via;     // the alias chain that led here ("admin -> root")
};
const char* localDeliveryKindName(LocalDelivery::Kind kind);

struct LocalDeliveryResult {
    std::vector<LocalDelivery> deliveries;
    Steps steps;
};

// `recipient` is the resolved user@domain of a recipient in the local class.
LocalDeliveryResult deliverLocal(RoutingContext& context, std::string_view recipient);

}  // namespace postline::address
