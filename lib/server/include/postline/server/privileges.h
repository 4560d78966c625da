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

// set_eugid(mail_owner) of the delivery agents that master starts as root (local,
// virtual, pipe: post_init): the effective ids become mail_owner's, so that what they
// write between deliveries (bounce and defer logs) is the mail system's, while the real
// and saved ids stay root for the switches a delivery needs. Nothing for an ordinary
// user. A mail_owner without a password entry or a failed switch is fatal
// ("file DIR/main.cf: parameter mail_owner: unknown user name value: NAME",
// "set_eugid NAME: REASON").
void workAsMailOwner(const std::string& mailOwner, const std::string& configDirectory);

}  // namespace postline::server
