// requiredLiterals(): a recursive-descent reading of POSIX extended and PCRE pattern
// syntax that computes, for each part of a pattern, either the exact (small) set of texts
// it matches or sets of literals its matches must contain — as RE2's prefilter does.
// Whatever it does not understand it treats as "anything", so its answer is never wrong,
// only sometimes empty.
#include "postline/maps/pattern_literals.h"

#include <algorithm>
#include <cstddef>

#include "postline/base/strings.h"

namespace postline::maps {

namespace {

constexpr size_t kMaxExact = 16;  // texts an exact set may hold before it becomes a requirement
constexpr size_t kMaxSets = 6;    // requirement sets kept per part of a pattern
constexpr size_t kMaxAlternatives = 64;
constexpr size_t kMaxLiteral = 48;  // longer texts are cut (a piece of a required text is required)
constexpr int kMaxDepth = 64;       // groups nested deeper: nothing is known

// What is known about the matches of one part of a pattern.
struct Info {
    bool exact = false;
    std::vector<std::string> texts;             // exact: the part matches exactly one of these
    std::vector<LiteralAlternatives> required;  // otherwise: each set holds for every match

    static Info anything() { return {}; }
    static Info empty() { return {true, {std::string()}, {}}; }
    static Info text(std::string s) { return {true, {std::move(s)}, {}}; }
};

// How selective a set is: short literals occur in many keys. Lower is better.
size_t cost(const LiteralAlternatives& set) {
    size_t total = 0;
    for (const auto& s : set)
        total += s.size() >= 6   ? 1
                 : s.size() == 5 ? 2
                 : s.size() == 4 ? 4
                 : s.size() == 3 ? 16
                 : s.size() == 2 ? 64
                                 : 256;
    return total;
}

// Sorted, without duplicates, and without texts that contain another member (whoever
// contains "abc" contains "ab", so "ab" alone says as much).
LiteralAlternatives normalize(LiteralAlternatives set) {
    for (auto& s : set)
        if (s.size() > kMaxLiteral) s.resize(kMaxLiteral);
    std::sort(set.begin(), set.end(), [](const std::string& a, const std::string& b) {
        return a.size() != b.size() ? a.size() < b.size() : a < b;
    });
    set.erase(std::unique(set.begin(), set.end()), set.end());
    LiteralAlternatives out;
    for (auto& s : set) {
        bool covered = false;
        for (const auto& kept : out)
            if (s.find(kept) != std::string::npos) covered = true;
        if (!covered) out.push_back(std::move(s));
    }
    std::sort(out.begin(), out.end());
    return out;
}

// Keeps the kMaxSets most selective sets.
void prune(std::vector<LiteralAlternatives>& sets) {
    std::stable_sort(sets.begin(), sets.end(),
                     [](const LiteralAlternatives& a, const LiteralAlternatives& b) { return cost(a) < cost(b); });
    sets.erase(std::unique(sets.begin(), sets.end()), sets.end());
    if (sets.size() > kMaxSets) sets.resize(kMaxSets);
}

std::vector<LiteralAlternatives> requirements(const Info& info) {
    if (!info.exact) return info.required;
    for (const auto& t : info.texts)
        if (t.empty()) return {};
    return {normalize(info.texts)};
}

// The exact texts of `a` followed by `b`, when there are few enough and none too long.
bool crossProduct(const Info& a, const Info& b, Info& out) {
    if (a.texts.size() * b.texts.size() > kMaxExact) return false;
    std::vector<std::string> texts;
    for (const auto& x : a.texts)
        for (const auto& y : b.texts) {
            if (x.size() + y.size() > kMaxLiteral) return false;
            texts.push_back(x + y);
        }
    std::sort(texts.begin(), texts.end());
    texts.erase(std::unique(texts.begin(), texts.end()), texts.end());
    out = Info{true, std::move(texts), {}};
    return true;
}

Info alternate(std::vector<Info> branches) {
    bool allExact = true;
    size_t total = 0;
    for (const auto& b : branches) {
        allExact = allExact && b.exact;
        total += b.texts.size();
    }
    if (allExact && total <= kMaxExact) {
        Info out{true, {}, {}};
        for (auto& b : branches)
            for (auto& t : b.texts) out.texts.push_back(std::move(t));
        std::sort(out.texts.begin(), out.texts.end());
        out.texts.erase(std::unique(out.texts.begin(), out.texts.end()), out.texts.end());
        return out;
    }
    // Each branch contributes its most selective set; the union holds for every match.
    LiteralAlternatives all;
    for (const auto& b : branches) {
        auto sets = requirements(b);
        if (sets.empty()) return Info::anything();
        auto best =
            std::min_element(sets.begin(), sets.end(), [](const auto& x, const auto& y) { return cost(x) < cost(y); });
        all.insert(all.end(), best->begin(), best->end());
    }
    all = normalize(std::move(all));
    if (all.size() > kMaxAlternatives) return Info::anything();
    return {false, {}, {std::move(all)}};
}

Info repeat(Info a, size_t min, size_t max) {
    if (min == 1 && max == 1) return a;
    if (min == 0) {
        if (max == 1 && a.exact && a.texts.size() < kMaxExact) {
            a.texts.emplace_back();
            std::sort(a.texts.begin(), a.texts.end());
            a.texts.erase(std::unique(a.texts.begin(), a.texts.end()), a.texts.end());
            return a;
        }
        return Info::anything();
    }
    return {false, {}, requirements(a)};
}

class Reader {
public:
    Reader(std::string_view s, RegexSyntax syntax) : s_(s), pcre_(syntax == RegexSyntax::Pcre) {}

    std::vector<LiteralAlternatives> run() {
        Info info = alternation(0);
        if (failed_ || i_ != s_.size()) return {};
        return requirements(info);
    }

private:
    bool atEnd() const { return i_ >= s_.size(); }
    char peek(size_t ahead = 0) const { return i_ + ahead < s_.size() ? s_[i_ + ahead] : '\0'; }
    Info fail() {
        failed_ = true;
        i_ = s_.size();
        return Info::anything();
    }

    Info alternation(int depth) {
        std::vector<Info> branches;
        branches.push_back(sequence(depth));
        while (!failed_ && peek() == '|' && !atEnd()) {
            ++i_;
            branches.push_back(sequence(depth));
        }
        if (branches.size() == 1) return std::move(branches.front());
        return alternate(std::move(branches));
    }

    // A concatenation: the exact texts of the run of exact parts at its end are extended
    // part by part (so "offer number 5" stays one literal after a ".*"); whatever ends a
    // run adds the run's texts to the requirements.
    Info sequence(int depth) {
        std::vector<LiteralAlternatives> required;
        bool exact = true;
        Info run = Info::empty();
        auto flush = [&] {
            for (auto& set : requirements(run)) required.push_back(std::move(set));
            run = Info::empty();
        };
        while (!failed_ && !atEnd() && peek() != '|' && peek() != ')') {
            // The common case, an ordinary character without a quantifier after a run of
            // one text: appended in place (what crossProduct would make, without
            // building a vector per character; opening 10,000 rules spent most of its
            // time there).
            if (run.texts.size() == 1 && run.texts.front().size() < kMaxLiteral && plainCharacter(peek()) &&
                !isQuantifier(peek(1))) {
                run.texts.front() += base::asciiLower(peek());
                ++i_;
                continue;
            }
            Info part = atom(depth);
            if (failed_) break;
            part = quantifiers(std::move(part));
            if (part.exact) {
                Info joined;
                if (crossProduct(run, part, joined)) {
                    run = std::move(joined);
                } else {
                    exact = false;
                    flush();
                    run = std::move(part);
                }
            } else {
                exact = false;
                flush();
                for (auto& set : part.required) required.push_back(std::move(set));
            }
            if (required.size() > 4 * kMaxSets) prune(required);
        }
        if (exact) return run;
        flush();
        prune(required);
        return {false, {}, std::move(required)};
    }

    // Reads `{n}`, `{n,}` or `{n,m}` at i_; false (i_ unchanged) when it is not one.
    bool interval(size_t& min, size_t& max) {
        size_t j = i_ + 1;
        auto number = [&](size_t& value) {
            size_t start = j;
            value = 0;
            while (j < s_.size() && base::isDigit(s_[j]) && j - start < 6) value = value * 10 + size_t(s_[j++] - '0');
            return j > start;
        };
        if (!number(min)) return false;
        max = min;
        if (j < s_.size() && s_[j] == ',') {
            ++j;
            max = SIZE_MAX;
            size_t m = 0;
            if (number(m)) max = m;
        }
        if (j >= s_.size() || s_[j] != '}') return false;
        i_ = j + 1;
        return true;
    }

    Info quantifiers(Info part) {
        while (!atEnd()) {
            char c = peek();
            size_t min = 0, max = 0;
            if (c == '*') {
                min = 0, max = SIZE_MAX, ++i_;
            } else if (c == '+') {
                min = 1, max = SIZE_MAX, ++i_;
            } else if (c == '?') {
                min = 0, max = 1, ++i_;
            } else if (c == '{') {
                // A brace that is no interval is a literal in PCRE2 10.42 and an error
                // (or a literal) in glibc; other versions read more forms as intervals,
                // so such a pattern is not trusted.
                if (!interval(min, max)) return fail();
            } else {
                break;
            }
            part = repeat(std::move(part), min, max);
            // PCRE's lazy and possessive forms (`*?`, `++`) change how, not what, it matches.
            if (pcre_ && (peek() == '?' || peek() == '+') && !atEnd()) ++i_;
        }
        return part;
    }

    // A character that atom() reads as a literal of itself.
    static bool plainCharacter(char c) {
        if (static_cast<unsigned char>(c) >= 0x80) return false;
        switch (c) {
            case '(':
            case ')':
            case '[':
            case '.':
            case '^':
            case '$':
            case '\\':
            case '*':
            case '+':
            case '?':
            case '{':
            case '|':
            case '\0':
                return false;
            default:
                return true;
        }
    }
    static bool isQuantifier(char c) { return c == '*' || c == '+' || c == '?' || c == '{'; }

    static Info literal(char c) {
        if (static_cast<unsigned char>(c) >= 0x80) return Info::anything();
        return Info::text(std::string(1, base::asciiLower(c)));
    }

    Info atom(int depth) {
        char c = peek();
        switch (c) {
            case '(':
                return group(depth);
            case '[':
                return bracket();
            case '.':
                ++i_;
                return Info::anything();
            case '^':
            case '$':
                ++i_;
                return Info::empty();
            case '\\':
                return escape();
            case '*':
            case '+':
            case '?':
            case '{':
                return fail();
            case '\0':
                // Both engines are given the pattern as a C string and stop at a NUL; the
                // text after it would be literals that no match needs.
                return fail();
            default:
                ++i_;
                return literal(c);
        }
    }

    Info escape() {
        if (i_ + 1 >= s_.size()) return fail();
        char c = s_[i_ + 1];
        i_ += 2;
        if (!pcre_) {
            // GNU: \< \> \` \' are anchors, \w \W \s \S classes, \b \B boundaries,
            // \1 .. \9 back-references; another punctuation character stands for itself.
            switch (c) {
                case '<':
                case '>':
                case '`':
                case '\'':
                case 'b':
                case 'B':
                    return Info::empty();
                case 'w':
                case 'W':
                case 's':
                case 'S':
                    return Info::anything();
                default:
                    if (base::isAlnum(c)) return fail();
                    return literal(c);
            }
        }
        if (!base::isAlnum(c)) return literal(c);
        switch (c) {
            case 'd':
            case 'D':
            case 's':
            case 'S':
            case 'w':
            case 'W':
            case 'h':
            case 'H':
            case 'v':
            case 'V':
            case 'R':
            case 'X':
            case 'C':
                return Info::anything();
            case 'N':
                if (peek() == '{') return fail();
                return Info::anything();
            case 'p':
            case 'P':
                if (peek() == '{') {
                    size_t end = s_.find('}', i_);
                    if (end == std::string_view::npos) return fail();
                    i_ = end + 1;
                } else {
                    ++i_;
                }
                return Info::anything();
            case 'b':
            case 'B':
            case 'A':
            case 'Z':
            case 'z':
            case 'G':
            case 'K':
            case 'E':
                return Info::empty();
            default:
                return fail();  // \Q, \x, \0, \c, \g, \k, \1 ... and letters that are errors
        }
    }

    // A bracket expression: an exact set when it lists a few plain characters.
    Info bracket() {
        size_t j = i_ + 1;
        bool negated = false, plain = true;
        std::string chars;
        if (j < s_.size() && s_[j] == '^') negated = true, ++j;
        bool first = true;
        while (true) {
            if (j >= s_.size()) return fail();
            char d = s_[j];
            if (d == ']' && !first) break;
            first = false;
            if (d == '[' && j + 1 < s_.size() && (s_[j + 1] == ':' || s_[j + 1] == '.' || s_[j + 1] == '=')) {
                size_t end = s_.find(std::string{s_[j + 1], ']'}, j + 2);
                if (end == std::string_view::npos) return fail();
                j = end + 2;
                plain = false;
                continue;
            }
            if (d == '\\' && pcre_) {
                if (j + 1 >= s_.size()) return fail();
                char e = s_[j + 1];
                if (e == 'Q') return fail();
                if (base::isAlnum(e)) {
                    plain = false;
                    j += 2;
                    if (j < s_.size() && s_[j] == '{') {
                        size_t end = s_.find('}', j);
                        if (end == std::string_view::npos) return fail();
                        j = end + 1;
                    }
                    continue;
                }
                chars.push_back(e);
                j += 2;
            } else {
                chars.push_back(d);
                ++j;
            }
            // A range: a '-' that is neither first nor last.
            if (j + 1 < s_.size() && s_[j] == '-' && s_[j + 1] != ']') plain = false;
        }
        i_ = j + 1;
        if (negated || !plain) return Info::anything();
        Info out{true, {}, {}};
        for (char ch : chars) {
            if (static_cast<unsigned char>(ch) >= 0x80) return Info::anything();
            out.texts.emplace_back(1, base::asciiLower(ch));
        }
        std::sort(out.texts.begin(), out.texts.end());
        out.texts.erase(std::unique(out.texts.begin(), out.texts.end()), out.texts.end());
        if (out.texts.size() > 4) return Info::anything();
        return out;
    }

    Info group(int depth) {
        if (depth >= kMaxDepth) return fail();
        ++i_;  // '('
        bool lookaround = false;
        if (peek() == '*') return fail();  // PCRE verbs; in ERE a '*' that quantifies nothing
        if (pcre_ && peek() == '?') {
            ++i_;
            char k = peek();
            if (k == ':' || k == '>' || k == '|') {
                ++i_;
            } else if (k == '=' || k == '!') {
                ++i_;
                lookaround = true;
            } else if (k == '<' && (peek(1) == '=' || peek(1) == '!')) {
                i_ += 2;
                lookaround = true;
            } else if (k == '<' || k == '\'' || (k == 'P' && peek(1) == '<')) {
                // A named group: the name is word characters. Anything else after "(?<"
                // (as PCRE2 10.34's non-atomic lookbehind "(?<*") is not understood.
                char close = k == '\'' ? '\'' : '>';
                size_t j = i_ + (k == 'P' ? 2 : 1);
                size_t start = j;
                while (j < s_.size() && (base::isAlnum(s_[j]) || s_[j] == '_')) ++j;
                if (j == start || j >= s_.size() || s_[j] != close) return fail();
                i_ = j + 1;
            } else if (k == '#') {
                size_t end = s_.find(')', i_);
                if (end == std::string_view::npos) return fail();
                i_ = end + 1;
                return Info::empty();
            } else {
                // Inline options: "(?i)" or "(?i-s:...)"; extended mode changes the syntax.
                size_t j = i_;
                while (j < s_.size() && std::string_view("imnsJU-^").find(s_[j]) != std::string_view::npos) ++j;
                if (j == i_ || j >= s_.size() || (s_[j] != ')' && s_[j] != ':')) return fail();
                i_ = j + 1;
                if (s_[j] == ')') return Info::empty();
            }
        }
        Info inner = alternation(depth + 1);
        if (failed_) return inner;
        if (peek() != ')' || atEnd()) return fail();
        ++i_;
        if (lookaround) return Info::anything();
        return inner;
    }

    std::string_view s_;
    bool pcre_;
    size_t i_ = 0;
    bool failed_ = false;
};

}  // namespace

std::vector<LiteralAlternatives> requiredLiterals(std::string_view pattern, RegexSyntax syntax) {
    return Reader(pattern, syntax).run();
}

}  // namespace postline::maps
