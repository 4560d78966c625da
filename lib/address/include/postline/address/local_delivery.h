// What local(8) would do with a local recipient (local/recipient.c, alias.c,
// include.c, token.c, mailbox.c, unknown.c): alias expansion of the full local part
// then the bare user (owner- aliases, :include: files, |command, /file, addresses,
// recursion), then the user's .forward file (dotforward.c: the first file of
// forward_path that exists, expanded like an alias value), then the mailbox:
// mailbox_transport, the password file,
// mailbox_command, home_mailbox (Maildir when it ends in '/') or
// mail_spool_directory; unknown users go to fallback_transport or luser_relay or bounce.
#pragma once

#include <sys/types.h>
#include <functional>
#include <optional>
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
    std::string target;   // path, command, address, transport:nexthop, or the DSN text (bounce, defer, discard)
    std::string via;      // the alias chain that led here ("admin -> root")
    std::string address;  // the recipient at this level, as local logs it ("root@example.org" for admin's member)
};
const char* localDeliveryKindName(LocalDelivery::Kind kind);

struct LocalDeliveryResult {
    std::vector<LocalDelivery> deliveries;
    Steps steps;
};

// A password file entry: what local(8) uses for .forward files and the mailbox.
struct LocalUser {
    std::string home;
    std::string shell;
    uid_t uid = 0;
};
// Looks up a user name; nullopt when there is no such user. Tests inject their own.
using LocalUserLookup = std::function<std::optional<LocalUser>(const std::string& name)>;
// getpwnam(3).
std::optional<LocalUser> lookupSystemUser(const std::string& name);

// `recipient` is the resolved user@domain of a recipient in the local class.
LocalDeliveryResult deliverLocal(RoutingContext& context, std::string_view recipient,
                                 const LocalUserLookup& users = lookupSystemUser);

}  // namespace postline::address
