// lookupAccount and dropPrivileges (Postfix's set_ugid.c).
#include "postline/server/privileges.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <vector>

#include "postline/base/strings.h"

namespace postline::server {

base::Result<Account> lookupAccount(const std::string& user, const std::string& parameter) {
    struct passwd entry;
    struct passwd* found = nullptr;
    std::vector<char> buffer(16384);
    if (::getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr)
        return base::Error{base::cat("unknown ", parameter, " attribute value: ", user)};
    return Account{found->pw_uid, found->pw_gid, found->pw_name};
}

base::Status dropPrivileges(const Account& account) {
    if (::geteuid() != 0) return {};
    if (::setgid(account.gid) < 0) return base::errnoError(base::cat("setgid(", account.gid, ")"));
    if (::initgroups(account.name.c_str(), account.gid) < 0)
        return base::errnoError(base::cat("initgroups(", account.name, ")"));
    if (::setuid(account.uid) < 0) return base::errnoError(base::cat("setuid(", account.uid, ")"));
    if (account.uid != 0 && (::getuid() != account.uid || ::geteuid() != account.uid))
        return base::Error{base::cat("setuid(", account.uid, ") did not take effect")};
    return {};
}

}  // namespace postline::server
