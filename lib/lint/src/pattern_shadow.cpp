// findShadowedRules(): a light parse of regexp_table(5)/pcre_table(5)/cidr_table(5) rules
// (logical lines as Postfix reads them) and the subsumption tests of pattern_shadow.h.
#include "pattern_shadow.h"

#include <arpa/inet.h>

#include <cctype>
#include <cstring>
#include <optional>
#include <string>
#include <unordered_map>

#include "captured_warnings.h"
#include "postline/base/logical_lines.h"
#include "postline/base/strings.h"

namespace postline::lint {

namespace {

// Logical lines with their first line number; the reader's own warnings were already
// reported when the table was opened, so they are dropped here.
template <class Fn>
void forEachLogicalLine(std::string_view text, Fn fn) {
    (void)captureWarnings([&] {
        base::LogicalLineReader reader(text, "table");
        std::string line;
        int lineno = 0;
        while (reader.next(line, lineno)) fn(std::string_view(line), lineno);
    });
}

// "/pattern/flags" at the start of `text` (any delimiter): pattern, flags, and the rest.
bool splitPattern(std::string_view& text, std::string& pattern, std::string& flags) {
    if (text.empty()) return false;
    char delim = text[0];
    size_t i = 1;
    for (; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) {
            ++i;
            continue;
        }
        if (text[i] == delim) break;
    }
    if (i >= text.size()) return false;
    pattern = std::string(text.substr(1, i - 1));
    size_t f = i + 1;
    while (f < text.size() && std::isalpha(static_cast<unsigned char>(text[f]))) ++f;
    flags = std::string(text.substr(i + 1, f - i - 1));
    text.remove_prefix(f);
    return true;
}

// Whether matching ignores case: on by default for both table types; 'i' toggles it.
bool caseless(const std::string& flags) {
    bool on = true;
    for (char c : flags)
        if (c == 'i') on = !on;
    return on;
}

bool isMeta(char c) { return std::strchr(".[]()*+?{}|^$\\", c) != nullptr; }

// The literal text that starts every match of `pattern` (after an optional '^'), and
// whether the pattern is nothing but that literal. Empty when the pattern has a top-level
// alternative or starts with something else.
struct LeadingLiteral {
    bool anchored = false;
    std::string literal;
    bool whole = false;  // the pattern is exactly ^?literal
};

struct PatternRule {
    int line = 0;
    std::string block;     // the lines of the enclosing IFs, e.g. "3,7"
    std::string pattern;   // between the delimiters
    std::string flags;     // after the closing delimiter
    bool negated = false;  // !/pattern/
    bool twoPatterns = false;
    // Worked out once per rule (each is compared with every later one):
    bool comparable = false;  // neither negated, nor two patterns, nor multi-line ('m')
    bool caseless = true;
    std::optional<LeadingLiteral> lead;
    std::string foldedLiteral;  // lead's literal in lower case
};

std::optional<LeadingLiteral> leadingLiteral(const std::string& pattern) {
    if (pattern.find('|') != std::string::npos) return std::nullopt;
    LeadingLiteral out;
    size_t i = 0;
    if (i < pattern.size() && pattern[i] == '^') {
        out.anchored = true;
        ++i;
    }
    while (i < pattern.size()) {
        char c = pattern[i];
        size_t width = 1;
        char literal = c;
        if (c == '\\') {
            if (i + 1 >= pattern.size() || std::isalnum(static_cast<unsigned char>(pattern[i + 1]))) break;
            literal = pattern[i + 1];
            width = 2;
        } else if (isMeta(c)) {
            break;
        }
        // A quantifier makes the character optional or repeated: it is not certain.
        size_t next = i + width;
        if (next < pattern.size() && std::strchr("*?{+", pattern[next])) {
            if (pattern[next] == '+') out.literal.push_back(literal);
            i = pattern.size() + 1;  // stop, and the pattern is not just a literal
            break;
        }
        out.literal.push_back(literal);
        i = next;
    }
    out.whole = i == pattern.size();
    return out;
}

bool catchAll(const PatternRule& r) {
    static constexpr std::string_view kAll[] = {"", "^", ".*", "^.*", "(.*)", "^(.*)", "^(.*)$", "^.*$"};
    if (r.negated || r.twoPatterns) return false;
    for (std::string_view p : kAll)
        if (r.pattern == p) return true;
    return false;
}

void prepare(PatternRule& r) {
    r.comparable = !r.negated && !r.twoPatterns && r.flags.find('m') == std::string::npos;
    r.caseless = caseless(r.flags);
    r.lead = leadingLiteral(r.pattern);
    if (r.lead) r.foldedLiteral = base::lowercase(r.lead->literal);
}

// Whether `r` can shadow a rule that does not have its very pattern: a catch-all, or a
// pattern that is nothing but a literal.
bool broad(const PatternRule& r) {
    return r.comparable && (catchAll(r) || (r.lead && r.lead->whole && !r.lead->literal.empty()));
}

// Does every key matched by `later` also match `earlier` (a broad() rule of the same block)?
bool subsumes(const PatternRule& earlier, const PatternRule& later) {
    if (!later.comparable || earlier.block != later.block) return false;
    if (catchAll(earlier)) return true;
    if (earlier.pattern == later.pattern && earlier.caseless == later.caseless) return true;
    if (!earlier.caseless && later.caseless) return false;
    if (!later.lead) return false;
    const std::string& el = earlier.caseless ? earlier.foldedLiteral : earlier.lead->literal;
    const std::string& ll = earlier.caseless ? later.foldedLiteral : later.lead->literal;
    if (earlier.lead->anchored) return later.lead->anchored && ll.starts_with(el);
    return ll.find(el) != std::string::npos;
}

std::vector<ShadowedRule> shadowedPatterns(std::string_view text) {
    std::vector<PatternRule> broadRules;               // in file order
    std::unordered_map<std::string, int> samePattern;  // block, pattern, case -> first line
    std::vector<int> ifs;
    std::vector<ShadowedRule> out;
    forEachLogicalLine(text, [&](std::string_view line, int lineno) {
        std::string_view rest = line;
        auto blockName = [&] {
            std::string b;
            for (int l : ifs) b += std::to_string(l) + ",";
            return b;
        };
        if (rest.size() >= 5 && base::lowercase(rest.substr(0, 5)) == "endif") {
            if (!ifs.empty()) ifs.pop_back();
            return;
        }
        bool isIf = rest.size() >= 3 && base::lowercase(rest.substr(0, 2)) == "if" &&
                    std::isspace(static_cast<unsigned char>(rest[2]));
        if (isIf) {
            ifs.push_back(lineno);
            return;
        }
        PatternRule r;
        r.line = lineno;
        r.block = blockName();
        if (!rest.empty() && rest[0] == '!') {
            r.negated = true;
            rest.remove_prefix(1);
        }
        if (!splitPattern(rest, r.pattern, r.flags)) return;
        if (!rest.empty() && (rest[0] == '!' || rest[0] == '/')) r.twoPatterns = true;
        prepare(r);
        if (r.comparable) {
            // The first earlier rule that matches all it matches: one with the same
            // pattern, or a broad one (a table of 10,000 rules has few of those).
            std::string same = r.block + '\n' + (r.caseless ? 'i' : '-') + r.pattern;
            int by = 0;
            if (auto it = samePattern.find(same); it != samePattern.end()) by = it->second;
            for (const PatternRule& earlier : broadRules) {
                if (by && earlier.line > by) break;
                if (subsumes(earlier, r)) {
                    by = earlier.line;
                    break;
                }
            }
            if (by) out.push_back({r.line, by});
            samePattern.emplace(std::move(same), r.line);
            if (broad(r)) broadRules.push_back(std::move(r));
        }
    });
    return out;
}

struct CidrRule {
    int line = 0;
    std::string block;
    int family = 0;
    unsigned char addr[16] = {};
    int bits = 0;
};

bool parseCidr(std::string_view text, CidrRule& r) {
    std::string s(text);
    size_t slash = s.find('/');
    std::string host = s.substr(0, slash);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    r.family = host.find(':') != std::string::npos ? AF_INET6 : AF_INET;
    if (::inet_pton(r.family, host.c_str(), r.addr) != 1) return false;
    int max = r.family == AF_INET ? 32 : 128;
    r.bits = max;
    if (slash != std::string::npos) {
        std::string len = s.substr(slash + 1);
        if (len.empty() || len.find_first_not_of("0123456789") != std::string::npos) return false;
        r.bits = std::atoi(len.c_str());
        if (r.bits > max) return false;
    }
    return true;
}

bool cidrContains(const CidrRule& outer, const CidrRule& inner) {
    if (outer.family != inner.family || outer.block != inner.block || outer.bits > inner.bits) return false;
    for (int bit = 0; bit < outer.bits; ++bit) {
        int byte = bit / 8, mask = 0x80 >> (bit % 8);
        if ((outer.addr[byte] & mask) != (inner.addr[byte] & mask)) return false;
    }
    return true;
}

std::vector<ShadowedRule> shadowedCidrs(std::string_view text) {
    std::vector<CidrRule> rules;
    std::vector<int> ifs;
    std::vector<ShadowedRule> out;
    forEachLogicalLine(text, [&](std::string_view line, int lineno) {
        std::string_view first = line.substr(0, line.find_first_of(" \t"));
        std::string word = base::lowercase(first);
        if (word == "endif") {
            if (!ifs.empty()) ifs.pop_back();
            return;
        }
        if (word == "if" || word == "if!") {
            ifs.push_back(lineno);
            return;
        }
        if (word.starts_with("!")) return;
        CidrRule r;
        r.line = lineno;
        for (int l : ifs) r.block += std::to_string(l) + ",";
        if (!parseCidr(first, r)) return;
        for (const CidrRule& earlier : rules) {
            if (cidrContains(earlier, r)) {
                out.push_back({r.line, earlier.line});
                break;
            }
        }
        rules.push_back(r);
    });
    return out;
}

}  // namespace

std::vector<ShadowedRule> findShadowedRules(std::string_view type, std::string_view text) {
    if (type == "cidr") return shadowedCidrs(text);
    return shadowedPatterns(text);
}

}  // namespace postline::lint
