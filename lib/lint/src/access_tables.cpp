// accessGrants(): reads a table's entries (sequence for indexed and in-memory tables, the
// rule lines for regexp/pcre/cidr) and classifies their actions.
#include "access_tables.h"

#include <cctype>

#include "captured_warnings.h"
#include "postline/base/files.h"
#include "postline/base/logical_lines.h"
#include "postline/maps/dict.h"

namespace postline::lint {

namespace {

std::string firstWord(std::string_view text) {
    size_t start = text.find_first_not_of(" \t");
    if (start == std::string_view::npos) return {};
    size_t end = text.find_first_of(" \t", start);
    std::string w(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    for (char& c : w) c = char(std::toupper(static_cast<unsigned char>(c)));
    return w;
}

bool catchAllPattern(std::string_view rule) {
    static constexpr std::string_view kAll[] = {"//", "/^/", "/.*/", "/^.*/", "/(.*)/", "/^(.*)$/", "/./", "/^.*$/"};
    for (std::string_view p : kAll)
        if (rule.starts_with(p)) return true;
    return false;
}

// Lines of a regexp/pcre/cidr table: pattern, then action.
void scanRuleLines(const maps::DictSpec& spec, AccessGrants& grants) {
    auto text = base::readFile(spec.name);
    if (!text) return;
    (void)captureWarnings([&] {
        base::LogicalLineReader reader(*text, spec.name);
        std::string line;
        int lineno = 0;
        int depth = 0;
        while (reader.next(line, lineno)) {
            std::string word = firstWord(line);
            if (word == "IF" || word.starts_with("IF!")) ++depth;
            if (word == "ENDIF" && depth > 0) --depth;
            if (word == "IF" || word.starts_with("IF!") || word == "ENDIF") continue;
            std::string_view rest = line;
            std::string_view pattern;
            if (spec.type == "cidr") {
                size_t sp = rest.find_first_of(" \t");
                pattern = rest.substr(0, sp);
                rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp);
            } else {
                char delim = rest.empty() ? 0 : rest[0];
                size_t close = rest.find(delim, 1);
                while (close != std::string_view::npos && rest[close - 1] == '\\') close = rest.find(delim, close + 1);
                if (close == std::string_view::npos) continue;
                size_t end = rest.find_first_of(" \t", close);
                pattern = rest.substr(0, end);
                rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
            }
            if (!isAcceptAction(firstWord(rest))) continue;
            grants.acceptsSome = true;
            bool everyone = spec.type == "cidr" ? (pattern == "0.0.0.0/0" || pattern == "::/0" || pattern == "[::]/0")
                                                : catchAllPattern(pattern);
            if (everyone && depth == 0) grants.acceptsEveryClient = true;
        }
    });
}

}  // namespace

bool isAcceptAction(std::string_view value) {
    std::string word = firstWord(value);
    if (word == "OK" || word == "RELAY") return true;
    return !word.empty() && word.find_first_not_of("0123456789") == std::string::npos;
}

AccessGrants accessGrants(const maps::DictSpec& spec) {
    AccessGrants grants;
    if (spec.type == "regexp" || spec.type == "pcre" || spec.type == "cidr") {
        if (!spec.name.starts_with("{")) scanRuleLines(spec, grants);
        return grants;
    }
    if (spec.type == "static") {
        grants.acceptsSome = grants.acceptsEveryClient = isAcceptAction(spec.name);
        return grants;
    }
    (void)captureWarnings([&] {
        auto dict = maps::openDict(spec, maps::OpenMode::Read, maps::flag::kFoldFix);
        if (!dict) return;
        (void)(*dict)->forEach([&](std::string_view, std::string_view value) {
            if (isAcceptAction(value)) grants.acceptsSome = true;
            return true;
        });
    });
    return grants;
}

}  // namespace postline::lint
