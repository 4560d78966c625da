// local(8)'s work on one delivery request (Postfix's local/local.c local_deliver,
// recipient.c, mailbox.c, maildir.c, file.c, command.c, indirect.c, forward.c): each
// recipient's destinations come from lib/address's deliverLocal (the decisions trace
// prints) and are carried out here: mailboxes and Maildirs, files, commands, mail
// forwarded through cleanup as a new message, mail passed to another transport.
#pragma once

#include <sys/time.h>
#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "postline/address/local_delivery.h"
#include "postline/base/result.h"
#include "postline/delivery/deliver_request.h"
#include "postline/delivery/dot_lock.h"
#include "postline/delivery/dsn.h"

namespace postline::address {
class RoutingContext;
}

namespace postline::local {

// The parameters local honours, read once per configuration.
struct LocalSettings {
    delivery::MailboxLock mailboxLock{false, true, true};  // mailbox_delivery_lock
    delivery::LockRetry lockRetry;                         // deliver_lock_attempts, deliver_lock_delay, stale_lock_time
    std::string mailSpoolDirectory = "/var/mail";
    bool strictMailboxOwnership = true;
    bool enableOriginalRecipient = true;
    // prepend_delivered_header: which deliveries get Delivered-To: (mailboxes and
    // Maildirs count as "file").
    bool deliveredToCommand = true, deliveredToFile = true, deliveredToForward = true;
    long commandTimeLimit = 1000;  // seconds
    std::string commandExpansionFilter;
    std::vector<std::string> exportEnvironment{"TZ", "MAIL_CONFIG", "LANG"};
    std::string localCommandShell;          // "" runs commands with /bin/sh -c
    std::string commandExecutionDirectory;  // raw: local's $user, $home, ... expanded per delivery
    std::string executionDirectoryFilter;   // execution_directory_expansion_filter
    std::string defaultPrivs = "nobody";
    std::string myhostname;
    std::string mailName = "Postfix";
    std::string maildirHostname;  // gethostname()

    // `get` gives a parameter's expanded value, `raw` its value as written (for those
    // local expands per delivery). Errors: a mailbox_delivery_lock without a known method.
    static base::Result<LocalSettings> read(const std::function<std::string(std::string_view)>& get,
                                            const std::function<std::string(std::string_view)>& raw);
};

// What a recipient's destination came to. Reported outcomes go to the agent's
// sent/bounce/defer; `reported` ones were logged by the agent the mail was passed to.
struct Outcome {
    enum class Kind { Sent, Bounce, Defer } kind = Kind::Sent;
    delivery::Dsn dsn;
    bool reported = false;
    // The address the outcome is for: the recipient at the level of the expansion
    // that reached the destination (local logs "to=<root@example.org>,
    // orig_to=<admin@example.org>"); "" is the request's recipient itself.
    std::string address;
    // Reported with DSN NOTIFY SUCCESS taken away even for the request's recipient (a
    // forwarded copy: forward.c).
    bool notifyStripped = false;
    std::string relay = "local";  // relay= in the log ("none" when a pass failed)
};

// A password file entry with what privileges need.
struct Account {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
    std::string home;
    std::string shell;
};
using AccountLookup = std::function<std::optional<Account>(const std::string& name)>;
std::optional<Account> systemAccount(const std::string& name);  // getpwnam(3)
std::optional<Account> systemAccountByUid(uid_t uid);           // getpwuid(3)

// The new message that forwarded mail becomes (forward.c): records go to cleanup.
class Resubmission {
public:
    virtual ~Resubmission() = default;
    virtual const std::string& queueId() const = 0;
    virtual void record(int type, std::string_view data) = 0;
    // Sends the end record; cleanup's status (0: queued) or an Error (connection lost).
    virtual base::Result<int> finish() = 0;
};

// Hands one recipient to another delivery agent (deliver_pass.c): the transport's
// socket, the request with this one recipient, the agent's reply.
struct PassResult {
    enum class Stage {
        Unavailable,  // no connection, no hello, or the request could not be sent
        Malformed,    // the request went out but the reply was not understood
        Replied,      // `status` is the agent's reply (kStatusFinal: it reported the recipient)
    } stage = Stage::Unavailable;
    int status = delivery::kStatusFinal;
    std::string problem;  // for the warning
};
using PassFunction = std::function<PassResult(const std::string& transport, const delivery::DeliverRequest&)>;

struct LocalEnvironment {
    LocalSettings settings;
    address::RoutingContext* routing = nullptr;
    address::LocalUserLookup users = address::lookupSystemUser;  // for deliverLocal
    AccountLookup accounts = systemAccount;                      // for privileges and commands
    std::function<std::optional<Account>(uid_t)> accountByUid = systemAccountByUid;
    // Run each write as its user (set_eugid), as local does when started by root.
    bool switchUsers = false;
    // Opens a cleanup connection for a forwarded message with CLEANUP_FLAG_* `flags`.
    std::function<base::Result<std::unique_ptr<Resubmission>>(int flags)> openCleanup;
    PassFunction pass;
    std::function<void(std::string_view)> warn = [](std::string_view) {};
    std::function<void(std::string_view)> info = [](std::string_view) {};
    // The clock: the From line's date, a forwarded message's arrival time.
    std::function<timeval()> now = [] {
        timeval tv{};
        ::gettimeofday(&tv, nullptr);
        return tv;
    };
};

// Delivers the message (`lines`: its content without line ends) to one recipient of
// the request and returns what each destination came to, in order. The recipient is
// final (the caller marks it done) when no outcome is a deferral.
std::vector<Outcome> deliverRecipient(const LocalEnvironment& env, const delivery::DeliverRequest& request,
                                      const std::vector<std::string>& lines,
                                      const delivery::DeliverRecipient& recipient);

// The recipient an outcome is reported for: the request's, with the address of the
// expansion level; an expanded address's DSN NOTIFY loses SUCCESS (alias.c: SUCCESS
// alone becomes NEVER), as Postfix passes it on to an alias's members.
delivery::DeliverRecipient reportedRecipient(const delivery::DeliverRecipient& recipient, const Outcome& outcome);

// delivered_hdr.c: whether the message's primary header already has a Delivered-To:
// for `address` (case-insensitive; the address in external form).
bool deliveredToSeen(const std::vector<std::string>& lines, std::string_view address);

}  // namespace postline::local
