// main.cf edits for postconf -e, -X and -# (mirrors postconf_edit.c pcf_edit_main()):
// physical lines are copied as they are unless they start or continue a named parameter.
#include <map>
#include <string>

#include "postline/base/strings.h"
#include "postline/config/edit.h"

namespace postline::config {

MainEditResult editMainCf(std::string_view text, MainEditMode mode,
                          const std::vector<std::pair<std::string, std::string>>& edits) {
    struct Want {
        std::string value;
        bool found = false;
    };
    std::map<std::string, Want, std::less<>> table;
    for (const auto& [name, value] : edits) table[name] = Want{value, false};
    MainEditResult result;
    std::string& out = result.text;
    out.reserve(text.size() + 64);
    bool interesting = false;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
        std::string_view line = text.substr(pos, end - pos);
        pos = end;
        size_t cp = 0;
        while (cp < line.size() && base::isSpace(line[cp])) ++cp;
        if (cp == line.size() || line[cp] == '#') {
            out.append(line);  // comment, blank or empty line
        } else if (cp > 0) {   // continuation
            if (!interesting) {
                out.append(line);
            } else if (mode == MainEditMode::CommentOut) {
                out += '#';
                out.append(line);
            }
        } else {
            size_t k = 0;
            while (k < line.size() && !base::isSpace(line[k]) && line[k] != '=') ++k;
            auto it = table.find(line.substr(0, k));
            interesting = it != table.end();
            if (interesting) {
                if (it->second.found) result.duplicates.push_back(it->first);
                it->second.found = true;
            }
            if (!interesting) {
                out.append(line);
            } else if (mode == MainEditMode::CommentOut) {
                out += '#';
                out.append(line);
            } else if (mode == MainEditMode::Set) {
                out += base::cat(it->first, " = ", it->second.value, "\n");
            }
        }
    }
    if (mode == MainEditMode::Set) {
        for (const auto& [name, value] : edits) {
            auto& want = table[name];
            if (!want.found) {
                out += base::cat(name, " = ", want.value, "\n");
                want.found = true;
            }
        }
    }
    return result;
}

}  // namespace postline::config
