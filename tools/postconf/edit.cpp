// postconf -e, -X and -# on main.cf (mirrors postconf_edit.c pcf_edit_main()): argument
// checks with Postfix's messages, then the edited text goes to a temporary file that is
// renamed over main.cf, so an interrupted edit never leaves a half-written file.
#include <string>

#include "postconf_internal.h"
#include "postline/base/files.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/config/edit.h"

namespace postline::tools::postconf {

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
    auto text = base::readFile(path);
    if (!text) {
        std::string msg = text.error().message;
        // readFile says "open PATH: REASON"; Postfix says "open PATH for reading: REASON".
        if (base::startsWith(msg, "open " + path + ": "))
            msg = base::cat("open ", path, " for reading: ", msg.substr(path.size() + 7));
        base::msgFatal(msg);
    }
    auto editMode = (mode & kCommentOut) ? config::MainEditMode::CommentOut
                    : (mode & kEditExcl) ? config::MainEditMode::Remove
                                         : config::MainEditMode::Set;
    auto result = config::editMainCf(*text, editMode, edits);
    for (const auto& name : result.duplicates) base::msgWarn(base::cat(path, ": multiple entries for \"", name, "\""));
    base::checkOrFatal(base::writeFileAtomically(path, result.text, 0644));
}

}  // namespace postline::tools::postconf
