// The queue directory's fixed subdirectories with their owners and modes (Postfix's
// conf/postfix-files, as post-install create-missing and set-permissions apply them).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "postline/base/result.h"

namespace postline::server {

struct SpoolDirectory {
    const char* name;  // "maildrop"
    unsigned mode;     // 0730
    bool setgidGroup;  // group is setgid_group (postdrop) instead of the owner's
    bool rootOwned;    // pid/: root, not mail_owner
};

// active bounce corrupt defer deferred flush hold incoming maildrop pid private public
// saved trace, as postfix-files lists them.
const std::vector<SpoolDirectory>& spoolDirectories();

struct SpoolOwners {
    // Who owns the spool as root runs it; nullopt when not run as root: everything
    // belongs to the invoking user and only modes are set.
    std::optional<uid_t> mailOwner;
    std::optional<gid_t> mailGroup;
    std::optional<gid_t> setgidGroup;
};

// Creates the queue directory (0755) and the missing subdirectories with their modes
// (and owners as root). With `fixExisting` (set-permissions) existing ones get their
// modes and owners set too. Errors: "mkdir DIR: REASON", "chmod DIR: REASON",
// "chown DIR: REASON".
base::Status makeSpoolLayout(const std::string& queueDirectory, const SpoolOwners& owners, bool fixExisting);

}  // namespace postline::server
