// forEachConfigLine(): see config_lines.h.
#include "config_lines.h"

#include <string>

#include "postline/base/strings.h"

namespace postline::config::detail {

namespace {

// readllines() keeps a NUL byte in its buffer, but every caller reads the logical line
// as a C string: the text after the first NUL is lost, continuation lines included.
std::string_view upToNul(std::string_view line) { return line.substr(0, line.find('\0')); }

}  // namespace

base::Status forEachConfigLine(std::string_view text, const ConfigLineFn& fn) {
    size_t pos = 0;
    int lineno = 0;
    std::string logical;
    int firstLine = 0;
    int lastLine = 0;
    bool have = false;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        std::string_view phys = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        ++lineno;
        std::string_view stripped = base::trimLeft(phys);
        if (stripped.empty() || stripped[0] == '#') continue;
        if (have && base::isSpace(phys[0])) {
            logical.append(phys);
            lastLine = lineno;
            continue;
        }
        if (have)
            if (base::Status s = fn(upToNul(logical), firstLine, lastLine); !s) return s;
        logical.assign(phys);
        firstLine = lastLine = lineno;
        have = true;
    }
    if (have) return fn(upToNul(logical), firstLine, lastLine);
    return {};
}

}  // namespace postline::config::detail
