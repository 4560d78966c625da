// Line printing with normalized whitespace and optional folding (mirrors
// postconf_print.c pcf_print_line(): 80-column limit, 4-space indent) and the
// service pattern matching of postconf_misc.c / postconf_match.c.
#include <cstdio>
#include <string>

#include "postconf_internal.h"
#include "postline/base/strings.h"

namespace postline::tools::postconf {

namespace {
constexpr size_t kLineLimit = 80;
constexpr size_t kIndentLen = 4;
constexpr std::string_view kSeparators = " \t\r\n";
}  // namespace

void printLine(unsigned mode, std::string_view text) {
    std::string out;
    out.reserve(text.size() + 8);
    size_t lineLen = 0;
    size_t pos = 0;
    while (true) {
        pos = text.find_first_not_of(kSeparators, pos);
        if (pos == std::string_view::npos) break;
        size_t end = text.find_first_of(kSeparators, pos);
        if (end == std::string_view::npos) end = text.size();
        size_t wordLen = end - pos;
        if (lineLen > 0) {
            if (!(mode & kFoldLine) || lineLen + wordLen < kLineLimit) {
                out += ' ';
                lineLen += 1;
            } else {
                out += "\n    ";
                lineLen = kIndentLen;
            }
        }
        out.append(text.substr(pos, wordLen));
        lineLen += wordLen;
        pos = end;
    }
    out += '\n';
    std::fwrite(out.data(), 1, out.size(), stdout);
}

std::optional<std::vector<std::string>> parseServicePattern(std::string_view text, int minFields, int maxFields) {
    std::vector<std::string> fields;
    size_t start = 0;
    while (true) {
        size_t slash = text.find('/', start);
        if (slash == std::string_view::npos || int(fields.size()) == maxFields - 1) {
            fields.emplace_back(text.substr(start));
            break;
        }
        fields.emplace_back(text.substr(start, slash - start));
        start = slash + 1;
    }
    if (int(fields.size()) < minFields) return std::nullopt;
    for (auto& f : fields)
        if (f.empty()) return std::nullopt;
    while (int(fields.size()) < maxFields) fields.emplace_back("*");
    return fields;
}

bool matchServicePattern(const std::vector<std::string>& pattern, const std::string& name, const std::string& type) {
    return (pattern[0] == "*" || pattern[0] == name) && (pattern[1] == "*" || pattern[1] == type);
}

}  // namespace postline::tools::postconf
