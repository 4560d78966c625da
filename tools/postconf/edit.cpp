// postconf -e, -X and -# on main.cf (mirrors postconf_edit.c pcf_edit_main() and
// global/edit_file.c): argument checks with Postfix's messages; the edited text goes to
// the locked temporary file MAIN.cf.tmp, which is synced and renamed over main.cf, so an
// interrupted edit never leaves a half-written main.cf.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "postconf_internal.h"
#include "postline/base/files.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/config/edit.h"

namespace postline::tools::postconf {

namespace {
std::string errnoText() { return std::strerror(errno); }
}  // namespace

namespace {

int openEditTemporary(const std::string& tmp) {
    int fd = ::open(tmp.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) base::msgFatal(base::cat("open ", tmp, ": ", errnoText()));
    if (::flock(fd, LOCK_EX) < 0) base::msgFatal(base::cat("lock ", tmp, ": ", errnoText()));
    if (::ftruncate(fd, 0) < 0) base::msgFatal(base::cat("truncate ", tmp, ": ", errnoText()));
    return fd;
}

std::string openSourceError(const std::string& path, const std::string& message) {
    // readFile says "open PATH: REASON"; Postfix says "open PATH for reading: REASON".
    if (base::startsWith(message, "open " + path + ": "))
        return base::cat("open ", path, " for reading: ", message.substr(path.size() + 7));
    return message;
}

}  // namespace

FileEdit startEdit(const std::string& path) {
    FileEdit edit;
    edit.path = path;
    edit.tmp = path + ".tmp";
    edit.fd = openEditTemporary(edit.tmp);
    auto text = base::readFile(path);
    if (!text) {
        ::unlink(edit.tmp.c_str());
        base::msgFatal(openSourceError(path, text.error().message));
    }
    edit.text = std::move(*text);
    return edit;
}

void finishEdit(const FileEdit& edit, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::write(edit.fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) base::msgFatal(base::cat("write ", edit.tmp, ": ", errnoText()));
        data.remove_prefix(size_t(n));
    }
    if (::fsync(edit.fd) < 0 || ::close(edit.fd) < 0) base::msgFatal(base::cat("close ", edit.tmp, ": ", errnoText()));
    if (::rename(edit.tmp.c_str(), edit.path.c_str()) < 0)
        base::msgFatal(base::cat("rename ", edit.tmp, " ", edit.path, ": ", errnoText()));
}

void editMain(unsigned mode, const std::string& configDir, const std::vector<std::string>& args) {
    std::vector<std::pair<std::string, std::string>> edits;
    for (const auto& arg : args) {
        std::string_view cp = base::trimLeft(arg);
        if (cp.find('\n') != std::string_view::npos) base::msgFatal("-e, -X, or -# accepts no multi-line input");
        if (!cp.empty() && cp[0] == '#') base::msgFatal("-e, -X, or -# accepts no comment input");
        if (mode & kEditConf) {
            auto nv = config::splitNameValue(cp);
            if (!nv) base::msgFatal(base::cat(nv.error().message, ": \"", cp, "\""));
            edits.push_back(*nv);
        } else {
            edits.emplace_back(std::string(base::trim(cp)), "");
        }
    }
    std::string path = configDir + "/main.cf";
    FileEdit edit = startEdit(path);
    auto editMode = (mode & kCommentOut) ? config::MainEditMode::CommentOut
                    : (mode & kEditExcl) ? config::MainEditMode::Remove
                                         : config::MainEditMode::Set;
    auto result = config::editMainCf(edit.text, editMode, edits);
    for (const auto& name : result.duplicates) base::msgWarn(base::cat(path, ": multiple entries for \"", name, "\""));
    finishEdit(edit, result.text);
}

}  // namespace postline::tools::postconf
