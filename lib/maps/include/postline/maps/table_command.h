// Pieces shared by the table commands (postmap, postalias): the identity a build runs
// under (postmap.c/postalias.c: umask from the source's mode, effective uid/gid of the
// source's owner when run as root), stdin key lists, Postfix's empty-result warnings,
// and the build progress shown on a terminal.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "postline/base/files.h"
#include "postline/base/result.h"

namespace postline::maps {

// While alive: a new table gets no more group/other read access than its source
// (umask 022 | ~mode & 077, when `savePermissions` and the source is a regular file),
// and, when run as root with `asOwner`, the effective uid/gid are the source's owner's.
// Both are restored on destruction.
class BuildIdentity {
public:
    static base::Result<BuildIdentity> enter(const struct stat& source, bool savePermissions, bool asOwner);
    BuildIdentity(BuildIdentity&& other) noexcept;
    BuildIdentity& operator=(BuildIdentity&&) = delete;
    ~BuildIdentity();

private:
    BuildIdentity() = default;
    bool umaskSet_ = false;
    mode_t savedMask_ = 0;
    bool idsSet_ = false;
    uid_t savedUid_ = 0;
    gid_t savedGid_ = 0;
};

// Whether postmap/postalias can build `type` (mkmap_open()): an unknown type is
// "unsupported dictionary type: T. Is the postfix-T package installed?", a type without a
// bulk builder "unsupported dictionary type: T does not support bulk-mode creation.".
base::Status checkBuildable(std::string_view type);

// The start of every table command (postmap.c/postalias.c main()): umask 022, file
// descriptors 0-2 open, MAIL_VERBOSE honoured, and the program name for diagnostics set
// to the basename of argv[0] (or `fallback`). Returns that name.
std::string startTableCommand(int argc, char** argv, std::string_view fallback);

// The source of a full build, read whole, with its fstat() (which decides the new
// table's permissions and owner). Errors: "open PATH: ERRNO", "fstat PATH: ERRNO",
// "read PATH: ERRNO".
struct SourceFile {
    base::FileContents text;
    struct stat st {};
};
base::Result<SourceFile> readSourceFile(const std::string& path);

// An update (-i) reads stdin; its fstat() is taken before the table opens.
// Error: "fstat TABLE: ERRNO" (`table` is the table's name, as Postfix words it).
base::Result<struct stat> statStdin(const std::string& table);

// All of stdin. Error: "read stdin: ERRNO".
base::Result<std::string> readStdin();

// Lines of `text` without their newline; a last line without a newline counts
// (vstring_get_nonl).
std::vector<std::string> splitInputLines(std::string_view text);

// "table TYPE:NAME: key KEY: empty string result is not allowed" and
// "table TYPE:NAME should return NO RESULT in case of NOT FOUND".
void warnEmptyResult(std::string_view spec, std::string_view key);

// Counts entries of a build and, only when stderr is a terminal and the build has run
// for more than a second, shows "PROGRAM: NAME: N entries" on one rewritten line.
class BuildProgress {
public:
    explicit BuildProgress(std::string name);
    ~BuildProgress();
    void tick();
    void done();

private:
    std::string name_;
    size_t count_ = 0;
    bool tty_ = false;
    bool shown_ = false;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace postline::maps
