// main.cf parsing (postconf(5) syntax; mirrors util/readlline.c, util/split_nameval.c and
// util/dict.c dict_load_fp()): comment and blank lines are skipped anywhere, a line that
// starts with whitespace continues the logical line, `name = value` with both sides trimmed.
#include <string>

#include "config_lines.h"
#include "postline/base/strings.h"
#include "postline/config/config.h"

namespace postline::config {

using base::Error;
using base::Result;

Result<MainCfParse> parseMainCfEntries(std::string_view text, const std::string& file) {
    MainCfParse out;
    base::Status walked =
        detail::forEachConfigLine(text, [&](std::string_view line, int firstLine, int) -> base::Status {
            if (!line.empty() && base::isSpace(line[0])) {
                // readllines(): "%.30s%s", the text cut at 30 bytes with "..." after it.
                out.warnings.push_back(base::cat(file, ": logical line must not start with whitespace: \"",
                                                 line.substr(0, 30), line.size() > 30 ? "..." : "", "\""));
                return {};
            }
            // split_nameval(): the name ends at whitespace or '='; then '=' must follow.
            size_t n = 0;
            while (n < line.size() && !base::isSpace(line[n]) && line[n] != '=') ++n;
            size_t eq = n;
            while (eq < line.size() && base::isSpace(line[eq])) ++eq;
            if (n == 0 || eq >= line.size() || line[eq] != '=') {
                // dict_load_fp() quotes the whole logical line, trailing blanks included.
                return Error{base::cat(file, ", line ", firstLine, ": ",
                                       n == 0 ? "missing attribute name" : "missing '=' after attribute name", ": \"",
                                       line, "\"")};
            }
            std::string_view value = base::trim(line.substr(eq + 1));
            out.entries.push_back({std::string(line.substr(0, n)), Definition{std::string(value), file, firstLine}});
            return {};
        });
    if (!walked) return walked.error();
    return out;
}

Result<std::map<std::string, Definition, std::less<>>> parseMainCf(std::string_view text, const std::string& file) {
    auto parsed = parseMainCfEntries(text, file);
    if (!parsed) return parsed.error();
    std::map<std::string, Definition, std::less<>> defs;
    for (auto& e : parsed->entries) defs[e.name] = std::move(e.def);
    return defs;
}

}  // namespace postline::config
