// lookupAccount and dropPrivileges (Postfix's set_ugid.c).
#include "postline/server/privileges.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "postline/base/msg.h"
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

void workAsMailOwner(const std::string& owner, const std::string& configDirectory) {
    if (::getuid() != 0) return;
    passwd* pw = ::getpwnam(owner.c_str());
    if (!pw)
        base::msgFatal("file " + configDirectory + "/main.cf: parameter mail_owner: unknown user name value: " + owner);
    if (::geteuid() == pw->pw_uid && ::getegid() == pw->pw_gid) return;
    gid_t groups[1] = {pw->pw_gid};
    if ((::geteuid() != 0 && ::seteuid(0) < 0) || ::setegid(pw->pw_gid) < 0 || ::setgroups(1, groups) < 0 ||
        ::seteuid(pw->pw_uid) < 0)
        base::msgFatal("set_eugid " + owner + ": " + std::strerror(errno));
}

}  // namespace postline::server
