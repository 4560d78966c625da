// proxy: pass-through, the unix:passwd.byname table (dict_unix.c): the value is
// the passwd entry "name:passwd:uid:gid:gecos:dir:shell", and the external tables.
#include "postline/address/table_open.h"

#include <pwd.h>

#include "postline/address/external_tables.h"

#include "postline/maps/registry.h"
#include "postline/maps/table_redirect.h"

namespace postline::address {

namespace {

class PasswdDict : public maps::Dict {
public:
    explicit PasswdDict(uint32_t flags) : Dict("unix", "passwd.byname", flags | maps::flag::kFixed) {}

protected:
    maps::Lookup doLookup(std::string_view key) override {
        std::string name(key);
        passwd pw{};
        passwd* found = nullptr;
        char buf[4096];
        int rc = getpwnam_r(name.c_str(), &pw, buf, sizeof buf, &found);
        if (rc != 0 && rc != ENOENT && rc != ESRCH) return maps::Lookup::retry("getpwnam_r: " + std::to_string(rc));
        if (!found) return maps::Lookup::notFound();
        return maps::Lookup::found(std::string(pw.pw_name) + ":" + pw.pw_passwd + ":" + std::to_string(pw.pw_uid) +
                                   ":" + std::to_string(pw.pw_gid) + ":" + pw.pw_gecos + ":" + pw.pw_dir + ":" +
                                   pw.pw_shell);
    }
};

}  // namespace

base::Result<std::unique_ptr<maps::Dict>> openAddressTable(std::string_view spec, uint32_t flags,
                                                           const maps::OpenContext& context) {
    // A redirect (trace --compiled) sees the table as written, proxy: included.
    std::string redirected = maps::redirectedSpec(spec);
    if (redirected != spec) return maps::openDict(redirected, maps::OpenMode::Read, flags, context);
    while (spec.starts_with("proxy:") && spec.find(':', 6) != std::string_view::npos) spec.remove_prefix(6);
    if (spec == "unix:passwd.byname") return std::unique_ptr<maps::Dict>(std::make_unique<PasswdDict>(flags));
    auto colon = spec.find(':');
    if (colon != std::string_view::npos && colon + 1 < spec.size() && isExternalTableType(spec.substr(0, colon)))
        return openExternalTable(spec.substr(0, colon), spec.substr(colon + 1), flags);
    return maps::openDict(spec, maps::OpenMode::Read, flags, context);
}

maps::MapList openAddressTables(std::string title, std::string_view specs, uint32_t flags,
                                const maps::OpenContext& context) {
    auto list = maps::MapList::empty(std::move(title));
    // A redirected table (maps/table_redirect.h) is named as opened, so a lookup step
    // says which file answered.
    for (auto& spec : maps::splitMapSpecs(specs)) {
        std::string opened = maps::redirectedSpec(spec);
        list.add(opened, openAddressTable(opened, flags, context));
    }
    return list;
}

}  // namespace postline::address
