// userAclDenies() (user_acl.h): check_user_acl_byuid() of Postfix 3.7.
#include "postline/address/user_acl.h"

#include <pwd.h>

#include "postline/address/match_list.h"

namespace postline::address {

base::Result<std::optional<std::string>> userAclDenies(std::string_view parameter, std::string_view acl, uid_t uid) {
    // The common case, also when the password file cannot be read: "static:anyone".
    if (acl.starts_with("static:")) return std::optional<std::string>{};
    struct passwd* pw = ::getpwuid(uid);
    std::string name = pw ? pw->pw_name : "unknown";
    auto list = MatchList::create(std::string(parameter), acl, MatchKind::String);
    if (auto why = list.tableOpenError(); !why.empty()) return base::Error{why};
    auto result = list.match(name);
    if (result.matched && !result.error) return std::optional<std::string>{};
    return std::optional<std::string>{name};
}

}  // namespace postline::address
