// The trusted configuration directory check of Postfix's set-gid commands
// (global/mail_conf.c mail_conf_checkdir, util/unsafe.c). See config_dir_check.h.
#include "postline/config/config_dir_check.h"

#include <unistd.h>

#include <string>

#include "postline/base/files.h"
#include "postline/base/logical_lines.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/config/master_cf.h"

namespace postline::config {

bool processIsUnsafe() {
    if (::getuid() == 0 && ::geteuid() == 0) return false;
    return ::geteuid() != ::getuid() || ::getgid() != ::getegid();
}

base::Status checkConfigDirectory(std::string_view directory, const std::string& defaultDirectory) {
    std::string path = defaultDirectory + "/main.cf";
    auto text = base::readFile(path);
    if (!text) return base::errnoError("open file " + path, text.error().errnum);
    base::LogicalLineReader reader(*text, path);
    std::string line;
    int lineNumber = 0;
    while (reader.next(line, lineNumber)) {
        auto nameValue = splitNameValue(line);
        if (!nameValue) continue;
        const auto& [name, value] = *nameValue;
        if (name != "alternate_config_directories" && name != "multi_instance_directories") continue;
        for (auto word : base::splitAny(value, ", \t\r\n"))
            if (!word.empty() && word == directory) return base::Status::success();
    }
    base::msgError(base::cat("unauthorized configuration directory name: ", directory));
    return base::Error{base::cat("specify \"alternate_config_directories = ", directory,
                                 "\" or \"multi_instance_directories = ", directory, "\" in ", path)};
}

base::Status checkConfigDirectoryIfUnsafe(std::string_view directory) {
    if (directory == "/etc/postfix" || !processIsUnsafe()) return base::Status::success();
    return checkConfigDirectory(directory);
}

}  // namespace postline::config
