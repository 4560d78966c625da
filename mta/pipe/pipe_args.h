// pipe(8)'s master.cf attributes and its command line (Postfix's pipe/pipe.c
// get_service_attr, parse_callback, morph_recipient and expand_argv): flags=, user=,
// directory=, chroot=, eol=, null_sender=, size=, argv=, and the command's arguments
// with $sender, $recipient, ... expanded, an argument naming a recipient macro once
// per recipient.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "postline/base/result.h"

namespace postline::pipe {

// What flags= asks for besides mail_copy's flags (delivery/mbox.h copy_flag).
inline constexpr int kFoldUser = 1 << 16;       // u: lowercase the recipient's local part
inline constexpr int kFoldHost = 1 << 17;       // h: lowercase the domain and the nexthop
inline constexpr int kQuoteLocal = 1 << 18;     // q: quote_822_local $sender, $recipient
inline constexpr int kFinalDelivery = 1 << 19;  // X: action "delivered", not "relayed"

struct PipeAttributes {
    int flags = 0;  // copy_flag::* from B D F O R . > and the k* above
    std::string user;
    uid_t uid = 0;
    gid_t gid = 0;
    std::string directory;                     // directory=: the command's working directory
    std::string chroot;                        // chroot=
    std::string eol = "\n";                    // eol= (with \n, \r, \t, \\ and octal escapes undone)
    std::string nullSender = "MAILER-DAEMON";  // null_sender=
    long sizeLimit = 0;                        // size= (0: none)
    std::vector<std::string> command;          // argv= and what follows
};

struct UserEntry {
    uid_t uid;
    gid_t gid;
};
using UserLookup = std::function<std::optional<UserEntry>(const std::string& name)>;  // getpwnam
using GroupLookup = std::function<std::optional<gid_t>(const std::string& name)>;     // getgrnam
std::optional<UserEntry> systemUser(const std::string& name);
std::optional<gid_t> systemGroup(const std::string& name);

// get_service_attr(): the attributes after the program name in master.cf. Errors are
// pipe.c's fatal texts: "unknown flag: X (ignored)", "get_service_attr: unknown
// username: NAME", "get_service_attr: unknown group: NAME", "get_service_attr: bad
// size= value: V", "unknown attribute name: A", "missing user= command-line
// attribute", "missing argv= command-line attribute".
base::Result<PipeAttributes> parseAttributes(const std::vector<std::string>& args, const UserLookup& users,
                                             const GroupLookup& groups);

// Whose privileges the command may not have (pipe.c's sanity checks).
struct PrivilegeLimits {
    bool privileged = true;  // the agent runs as root and can switch to user=
    uid_t runningUid = 0;    // the agent's own uid when not privileged
    std::string mailOwner;   // mail_owner
    std::optional<uid_t> ownerUid;
    std::optional<gid_t> ownerGid;
    std::string setgidGroup;  // setgid_group
    std::optional<gid_t> setgidGid;
};
// Run as root, pipe.c's checks: "user= command-line attribute specifies root
// privileges", "... specifies mail system owner NAME", "... specifies privileged group
// id 0", "... specifies mail system owner NAME group id N", "... specifies mail system
// GROUP group id N". Run by an ordinary user (Postline's unprivileged instances; Postfix
// always starts pipe as root) the command can only run as that user, so user= must
// name it: "user= command-line attribute specifies NAME (uid N), but pipe runs as uid
// M and cannot change to it"; the mail_owner checks do not apply then, as the whole
// mail system runs as that one user.
base::Status checkPrivileges(const PipeAttributes& attributes, const PrivilegeLimits& limits);

// What the macros expand to for one request.
struct ExpandContext {
    std::string service;  // for the warning
    std::string configDirectory;
    std::string recipientDelimiter;  // recipient_delimiter
    std::string sender;              // after null_sender and 'q'
    std::string nexthop;             // after 'h'
    std::string size, clientAddress, clientHostname, clientPort, clientProtocol, clientHelo;
    std::string saslMethod, saslUsername, saslSender, queueId, envid;
    std::function<std::string(std::string_view)> quoteLocal;  // quote_822_local for 'q'
    std::function<void(std::string_view)> warn = [](std::string_view) {};
};
struct ExpandRecipient {
    std::string address;
    std::string original;
};

// expand_argv(): every argument expanded ($name, ${name}, $(name); $$ is '$'); one
// naming $recipient, $original_recipient, $user, $extension, $mailbox or $domain is
// expanded once for each recipient, in order. nullopt after a warning for an unknown
// macro name ("file DIR/master.cf: service S: unknown macro name: \"X\""), an empty
// one or a truncated reference.
std::optional<std::vector<std::string>> expandCommand(const std::vector<std::string>& command, int flags,
                                                      const std::vector<ExpandRecipient>& recipients,
                                                      const ExpandContext& context);

// fold_addr(): the local part and/or the domain lowercased.
std::string foldAddress(std::string_view address, bool user, bool host);

}  // namespace postline::pipe
