// Dropping root privileges for a daemon (Postfix's util/set_ugid.c as single_server.c
// calls it with mail_owner when master passed -u).
#pragma once

#include <sys/types.h>
#include <string>

#include "postline/base/result.h"

namespace postline::server {

struct Account {
    uid_t uid = 0;
    gid_t gid = 0;
    std::string name;
};

// The password entry of `user`. Error (Postfix's wording for mail_owner):
// "unknown mail_owner attribute value: USER" when there is none.
base::Result<Account> lookupAccount(const std::string& user, const std::string& parameter = "mail_owner");

// As root: setgid, initgroups, setuid to `account` (the uid check after setuid catches
// a system that ignored it). As an ordinary user: nothing (success). Errors name the
// failing call: "setgid(108): Operation not permitted".
base::Status dropPrivileges(const Account& account);

}  // namespace postline::server
