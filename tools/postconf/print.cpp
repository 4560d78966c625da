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
    // Postfix splits with argv_split(), which skips empty fields ("smtp//inet/" is
    // smtp/inet), but refuses a pattern that starts with '/'. Too few or too many fields
    // and a '*' inside a field are errors, which every caller makes fatal.
    if (!text.empty() && text[0] == '/') return std::nullopt;
    std::vector<std::string> fields;
    for (auto field : base::splitAny(text, "/")) fields.emplace_back(field);
    if (int(fields.size()) < minFields || int(fields.size()) > maxFields) return std::nullopt;
    for (auto& f : fields)
        if (f != "*" && f.find('*') != std::string::npos) return std::nullopt;
    while (int(fields.size()) < maxFields) fields.emplace_back("*");
    return fields;
}

bool matchServicePattern(const std::vector<std::string>& pattern, const std::string& name, const std::string& type) {
    return (pattern[0] == "*" || pattern[0] == name) && (pattern[1] == "*" || pattern[1] == type);
}

}  // namespace postline::tools::postconf
