// main.cf parsing (postconf(5) syntax; mirrors util/dict_load... mail_conf_read()).
#include <string>

#include "postline/base/strings.h"
#include "postline/config/config.h"

namespace postline::config {

using base::Error;
using base::Result;

Result<std::map<std::string, Definition, std::less<>>> parseMainCf(std::string_view text, const std::string& file) {
    std::map<std::string, Definition, std::less<>> defs;
    size_t pos = 0;
    int lineno = 0;
    std::string logical;
    int firstLine = 0;
    auto finish = [&]() -> Result<bool> {
        if (logical.empty()) return true;
        std::string_view line = logical;
        size_t eq = line.find('=');
        std::string_view name = base::trim(line.substr(0, eq == std::string_view::npos ? line.size() : eq));
        if (eq == std::string_view::npos || name.empty()) {
            return Error{base::cat(file, ", line ", firstLine, ": missing '=' after attribute name: \"",
                                   base::trim(line), "\"")};
        }
        std::string_view value = base::trim(line.substr(eq + 1));
        defs[std::string(name)] = Definition{std::string(value), file, firstLine};
        logical.clear();
        return true;
    };
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        std::string_view phys = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        ++lineno;
        std::string_view stripped = base::trimLeft(phys);
        if (stripped.empty() || stripped[0] == '#') continue;
        if (base::isSpace(phys[0]) && !logical.empty()) {
            logical.append(phys);
            continue;
        }
        if (auto r = finish(); !r) return r.error();
        logical.assign(phys);
        firstLine = lineno;
    }
    if (auto r = finish(); !r) return r.error();
    return defs;
}

}  // namespace postline::config
