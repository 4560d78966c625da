// Access lists of local users, as Postfix 3.7's global/user_acl.c checks them
// (check_user_acl_byuid): authorized_submit_users for sendmail and postdrop, and the
// like. The list is a string list of login names (names, !names, type:table, /file);
// a uid without a password file entry is matched as "unknown".
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "postline/base/result.h"

namespace postline::address {

// The login name that `acl` (the value of parameter `parameter`) does not admit, or
// nullopt when it admits the user of `uid`. A list that begins with "static:" admits
// everyone without a look at the password file; a table that fails to answer admits
// no one, as a list error does in Postfix. Error: a table of the list that cannot be
// opened ("open database PATH.db: No such file or directory"), which ends Postfix's
// commands.
base::Result<std::optional<std::string>> userAclDenies(std::string_view parameter, std::string_view acl, uid_t uid);

}  // namespace postline::address
