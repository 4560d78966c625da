// Brace syntax of in-line tables (util/extpar.c, util/mystrtok.c mystrtokq).
#include "postline/maps/brace_list.h"

#include "postline/base/strings.h"

namespace postline::maps::detail {

base::Result<std::string> extractBraced(std::string_view text) {
    std::string shown(text);
    if (text.empty() || text[0] != '{') return base::Error{"no '{' at start of text in \"" + shown + "\""};
    int level = 0;
    size_t close = std::string_view::npos;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '{') ++level;
        if (text[i] == '}' && --level == 0) {
            close = i;
            break;
        }
    }
    if (close == std::string_view::npos) return base::Error{"missing '}' in \"" + shown + "\""};
    if (close + 1 != text.size()) return base::Error{"syntax error after '}' in \"" + shown + "\""};
    return std::string(base::trim(text.substr(1, close - 1)));
}

std::vector<std::string> splitBraceItems(std::string_view text) {
    std::vector<std::string> items;
    auto isSep = [](char c) { return c == ',' || base::isSpace(c); };
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && isSep(text[i])) ++i;
        if (i >= text.size()) break;
        size_t start = i;
        int level = 0;
        while (i < text.size() && (level > 0 || !isSep(text[i]))) {
            if (text[i] == '{') ++level;
            if (text[i] == '}' && level > 0) --level;
            ++i;
        }
        items.emplace_back(text.substr(start, i - start));
    }
    return items;
}

base::Result<std::vector<std::string>> parseBraceList(std::string_view text) {
    auto inside = extractBraced(text);
    if (!inside) return inside.error();
    std::vector<std::string> items = splitBraceItems(*inside);
    for (auto& item : items) {
        if (item.empty() || item[0] != '{') continue;
        auto stripped = extractBraced(item);
        if (!stripped) return stripped.error();
        item = std::move(stripped).value();
    }
    return items;
}

}  // namespace postline::maps::detail
