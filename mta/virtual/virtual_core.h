// virtual(8)'s work on one delivery request (Postfix's virtual/virtual.c local_deliver,
// recipient.c, mailbox.c, maildir.c, unknown.c): each recipient's mailbox found in
// virtual_mailbox_maps under virtual_mailbox_base, its owner in virtual_uid_maps and
// virtual_gid_maps, the message appended to an mbox (virtual_mailbox_lock) or written
// into a Maildir (a lookup result ending in '/'), an address without a mailbox bounced.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "postline/base/result.h"
#include "postline/delivery/agent_delivery.h"
#include "postline/delivery/deliver_request.h"
#include "postline/delivery/dot_lock.h"
#include "postline/delivery/dsn.h"

namespace postline::address {
class RoutingContext;
}

namespace postline::virt {

// The parameters virtual honours, read once per configuration.
struct VirtualSettings {
    std::string mailboxBase;                               // virtual_mailbox_base (absolute)
    delivery::MailboxLock mailboxLock{false, true, true};  // virtual_mailbox_lock
    delivery::LockRetry lockRetry;                         // deliver_lock_attempts, deliver_lock_delay, stale_lock_time
    long minimumUid = 100;                                 // virtual_minimum_uid
    long mailboxLimit = 51200000;                          // virtual_mailbox_limit (0: none)
    bool strictMailboxOwnership = true;
    bool enableOriginalRecipient = true;
    std::string maildirHostname;  // gethostname()

    // Reads them through `get` (a parameter's expanded value). Errors are Postfix's
    // fatal texts: "do not specify relative pathname: virtual_mailbox_base = X",
    // "configuration error: virtual_mailbox_limit is smaller than message_size_limit",
    // "configuration error: virtual_mailbox_limit is limited but message_size_limit is
    // unlimited", and parseMailboxLock()'s.
    static base::Result<VirtualSettings> read(const std::function<std::string(std::string_view)>& get);
};

// What a recipient came to.
struct Outcome {
    enum class Kind { Sent, Bounce, Defer } kind = Kind::Sent;
    delivery::Dsn dsn;
};

struct VirtualEnvironment {
    VirtualSettings settings;
    address::RoutingContext* routing = nullptr;  // virtual_mailbox_maps, virtual_uid_maps, virtual_gid_maps
    // Write as the mailbox owner (set_eugid), as virtual does when started by root.
    // Off (an agent run by an ordinary user) the write is that user's, and the
    // ownership check compares a mailbox's owner with the effective uid.
    bool switchUsers = false;
    std::function<void(std::string_view)> warn = [](std::string_view) {};
    // The local part quoting of Return-Path:, X-Original-To: and Delivered-To:
    // (quote_822_local); unset: addresses as they are.
    std::function<std::string(std::string_view)> quoteLocal;
    time_t now = 0;  // the From line's date; 0: the current time
};

// What virtual decides for a recipient before it writes anything (mailbox.c's lookups
// and checks), with no side effect but the table lookups: a Maildir or mbox path under
// virtual_mailbox_base with its owner, an unknown user, or a configuration error with
// the warning virtual logs for it. (Kept apart so that what `postline trace` shows for a
// virtual address can be this same decision.)
struct MailboxDecision {
    enum class Kind { Maildir, Mbox, Unknown, ConfigError } kind = Kind::Unknown;
    std::string user;  // the case-folded address: the lookup key
    std::string path;  // virtual_mailbox_base/RESULT
    uid_t uid = 0;
    gid_t gid = 0;
    std::string warning;
};
MailboxDecision decideMailbox(address::RoutingContext& context, const VirtualSettings& settings,
                              std::string_view address);

// Delivers the message (`lines`: its content without line ends) to one recipient:
// "delivered to mailbox" / "delivered to maildir" (2.0.0); an address with no
// mailbox bounces with 5.1.1 "unknown user: \"ADDR\"" (the address case-folded); a
// table that fails, a missing or bad uid/gid, a mailbox path with "/../" are deferred
// with 4.3.5 "mail system configuration error" after a warning; a mailbox that cannot
// be written bounces or defers by its status ("delivery failed to mailbox PATH: ...",
// "maildir delivery failed: ..."). Postfix's virtual has no Delivered-To loop check.
Outcome deliverRecipient(const VirtualEnvironment& env, const delivery::DeliverRequest& request,
                         const std::vector<std::string>& lines, const delivery::DeliverRecipient& recipient);

// Every recipient of the request delivered and reported through `delivery` with
// relay=`service` (master.cf's service name, "virtual"). Returns kStatusFinal, or
// kStatusDefer when a recipient was deferred or its outcome could not be recorded.
delivery::DeliverReply deliverVirtual(const VirtualEnvironment& env, delivery::AgentDelivery& delivery,
                                      std::string_view service);

}  // namespace postline::virt
