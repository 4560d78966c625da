// Shared pieces of postmap(1) and postalias(1): build identity, stdin lines, warnings,
// progress on a terminal.
#include "postline/maps/table_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "postline/base/files.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/maps/registry.h"

namespace postline::maps {

base::Result<BuildIdentity> BuildIdentity::enter(const struct stat& source, bool savePermissions, bool asOwner) {
    BuildIdentity identity;
    if (savePermissions && S_ISREG(source.st_mode)) {
        identity.savedMask_ = ::umask(022 | (~source.st_mode & 077));
        identity.umaskSet_ = true;
    }
    if (asOwner && ::getuid() == 0 && (source.st_uid != ::geteuid() || source.st_gid != ::getegid())) {
        identity.savedUid_ = ::geteuid();
        identity.savedGid_ = ::getegid();
        if (::setegid(source.st_gid) < 0 || ::seteuid(source.st_uid) < 0)
            return base::errnoError(base::cat("set_eugid ", source.st_uid, " ", source.st_gid));
        identity.idsSet_ = true;
    }
    return identity;
}

BuildIdentity::BuildIdentity(BuildIdentity&& other) noexcept
    : umaskSet_(other.umaskSet_),
      savedMask_(other.savedMask_),
      idsSet_(other.idsSet_),
      savedUid_(other.savedUid_),
      savedGid_(other.savedGid_) {
    other.umaskSet_ = other.idsSet_ = false;
}

BuildIdentity::~BuildIdentity() {
    if (idsSet_) {
        // Back to root first: only then may the group be changed back.
        if (::seteuid(savedUid_) < 0 || ::setegid(savedGid_) < 0) base::msgPanic("restore effective uid/gid");
    }
    if (umaskSet_) ::umask(savedMask_);
}

base::Status checkBuildable(std::string_view type) {
    const DictType* row = findDictType(type);
    if (!row)
        return base::Error{
            base::cat("unsupported dictionary type: ", type, ". Is the postfix-", type, " package installed?")};
    if (!row->creatable)
        return base::Error{base::cat("unsupported dictionary type: ", type, " does not support bulk-mode creation.")};
    return {};
}

std::string startTableCommand(int argc, char** argv, std::string_view fallback) {
    ::umask(022);
    // Make sure that descriptors 0-2 are open before anything else is.
    for (int fd = 0; fd < 3; ++fd) {
        struct stat st;
        if (::fstat(fd, &st) == -1 && (::close(fd), ::open("/dev/null", O_RDWR, 0)) != fd)
            base::msgFatal(base::errnoError("open /dev/null").message);
    }
    if (std::getenv("MAIL_VERBOSE")) base::setVerbose(1);
    std::string myname = base::baseName(argc > 0 && argv[0] && *argv[0] ? std::string_view(argv[0]) : fallback);
    base::setProgramName(myname);
    return myname;
}

base::Result<SourceFile> readSourceFile(const std::string& path) {
    SourceFile source;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return base::errnoError("open " + path);
    if (::fstat(fd, &source.st) < 0) {
        base::Error error = base::errnoError("fstat " + path);
        ::close(fd);
        return error;
    }
    auto text = base::readContents(fd);
    ::close(fd);
    if (!text && text.error().errnum == EISDIR) return source;  // empty, as in SourceReader
    if (!text) return base::Error{base::cat("read ", path, ": ", text.error().message), text.error().errnum};
    source.text = std::move(*text);
    return source;
}

base::Result<struct stat> statStdin(const std::string& table) {
    struct stat st {};
    if (::fstat(STDIN_FILENO, &st) < 0) return base::errnoError("fstat " + table);
    return st;
}

base::Result<std::string> readStdin() {
    auto text = base::readAll(STDIN_FILENO);
    if (!text) return base::Error{base::cat("read stdin: ", text.error().message), text.error().errnum};
    return text;
}

std::vector<std::string> splitInputLines(std::string_view text) {
    std::vector<std::string> lines;
    while (!text.empty()) {
        size_t nl = text.find('\n');
        if (nl == std::string_view::npos) {
            lines.emplace_back(text);
            break;
        }
        lines.emplace_back(text.substr(0, nl));
        text.remove_prefix(nl + 1);
    }
    return lines;
}

void warnEmptyResult(std::string_view spec, std::string_view key) {
    base::msgWarn(base::cat("table ", spec, ": key ", key, ": empty string result is not allowed"));
    base::msgWarn(base::cat("table ", spec, " should return NO RESULT in case of NOT FOUND"));
}

BuildProgress::BuildProgress(std::string name)
    : name_(std::move(name)), tty_(::isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()) {}

BuildProgress::~BuildProgress() { done(); }

void BuildProgress::tick() {
    ++count_;
    if (!tty_ || (count_ & 0x3fff) != 0) return;
    if (!shown_ && std::chrono::steady_clock::now() - start_ < std::chrono::seconds(1)) return;
    shown_ = true;
    std::string line = base::cat("\r", base::programName(), ": ", name_, ": ", count_, " entries");
    ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
    (void)ignored;
}

void BuildProgress::done() {
    if (!shown_) return;
    shown_ = false;
    std::string line = base::cat("\r", base::programName(), ": ", name_, ": ", count_, " entries\n");
    ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
    (void)ignored;
}

}  // namespace postline::maps
