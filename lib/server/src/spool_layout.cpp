// spoolDirectories and makeSpoolLayout (postfix-files' directory entries).
#include "postline/server/spool_layout.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace postline::server {

const std::vector<SpoolDirectory>& spoolDirectories() {
    static const std::vector<SpoolDirectory> directories = {
        {"active", 0700, false, false}, {"bounce", 0700, false, false},   {"corrupt", 0700, false, false},
        {"defer", 0700, false, false},  {"deferred", 0700, false, false}, {"flush", 0700, false, false},
        {"hold", 0700, false, false},   {"incoming", 0700, false, false}, {"maildrop", 0730, true, false},
        {"pid", 0755, false, true},     {"private", 0700, false, false},  {"public", 0710, true, false},
        {"saved", 0700, false, false},  {"trace", 0700, false, false},
    };
    return directories;
}

base::Status makeSpoolLayout(const std::string& queueDirectory, const SpoolOwners& owners, bool fixExisting) {
    if (::mkdir(queueDirectory.c_str(), 0755) < 0 && errno != EEXIST)
        return base::errnoError("mkdir " + queueDirectory);
    for (const SpoolDirectory& d : spoolDirectories()) {
        std::string path = queueDirectory + "/" + d.name;
        bool made = ::mkdir(path.c_str(), d.mode) == 0;
        if (!made && errno != EEXIST) return base::errnoError("mkdir " + path);
        if (!made && !fixExisting) continue;
        if (::chmod(path.c_str(), d.mode) < 0) return base::errnoError("chmod " + path);
        if (owners.mailOwner && !d.rootOwned) {
            gid_t group =
                d.setgidGroup && owners.setgidGroup ? *owners.setgidGroup : owners.mailGroup.value_or(gid_t(-1));
            if (::chown(path.c_str(), *owners.mailOwner, group) < 0) return base::errnoError("chown " + path);
        } else if (owners.mailOwner && d.rootOwned) {
            if (::chown(path.c_str(), 0, 0) < 0) return base::errnoError("chown " + path);
        }
    }
    return {};
}

}  // namespace postline::server
