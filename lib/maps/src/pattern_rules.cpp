// The rule language of regexp: and pcre: tables (util/dict_regexp.c, util/dict_pcre.c,
// util/mac_parse.c, util/dict_stream.c): parsing with Postfix's diagnostics, first-match
// evaluation with IF/ENDIF, and a literal index that skips rules which cannot fire.
#include "pattern_rules.h"

#include <algorithm>
#include <climits>

#include "postline/base/files.h"
#include "postline/base/logical_lines.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/maps/brace_list.h"

namespace postline::maps::detail {

using base::cat;
using base::isAlnum;
using base::isSpace;

namespace {

void skipSpace(std::string_view& p) {
    while (!p.empty() && isSpace(p.front())) p.remove_prefix(1);
}

bool allDigits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!base::isDigit(c)) return false;
    return true;
}

bool startsWithKeyword(std::string_view p, std::string_view word) {
    if (p.size() < word.size() || !base::equalsIgnoreCase(p.substr(0, word.size()), word)) return false;
    return p.size() == word.size() || !isAlnum(p[word.size()]);
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Literals.

namespace {

// Unescaped characters that stand for themselves in both syntaxes.
bool plainLiteral(char c) {
    if (isAlnum(c)) return true;
    switch (c) {
        case '@':
        case '-':
        case '_':
        case '%':
        case '=':
        case '/':
        case '!':
        case ',':
        case ':':
        case ';':
        case '<':
        case '>':
        case '\'':
        case '"':
        case '~':
        case '&':
        case ' ':
            return true;
        default:
            return false;
    }
}

// Escaped characters that are literal in both syntaxes (GNU ERE gives \< \> \` \' and
// letters a meaning, so only these are taken).
bool escapedLiteral(char c) {
    switch (c) {
        case '.':
        case '-':
        case '@':
        case '+':
        case '*':
        case '?':
        case '(':
        case ')':
        case '[':
        case ']':
        case '{':
        case '}':
        case '|':
        case '^':
        case '$':
        case '\\':
        case '/':
            return true;
        default:
            return false;
    }
}

// True when the pattern has a '|' outside every group and bracket expression, or when
// its structure is not understood (then no prefix is trusted).
bool topLevelAlternationOrUnknown(std::string_view s, bool ere) {
    int depth = 0;
    size_t i = 0;
    while (i < s.size()) {
        char c = s[i];
        if (c == '\\') {
            if (i + 1 < s.size() && (s[i + 1] == 'Q' || s[i + 1] == 'E') && !ere) return true;
            i += 2;
            continue;
        }
        if (c == '[') {
            size_t j = i + 1;
            if (j < s.size() && s[j] == '^') ++j;
            if (j < s.size() && s[j] == ']') ++j;  // a leading ']' is literal
            bool closed = false;
            while (j < s.size()) {
                char d = s[j];
                if (d == '\\' && !ere) {
                    j += 2;
                    continue;
                }
                if (d == '[' && j + 1 < s.size() && (s[j + 1] == ':' || s[j + 1] == '.' || s[j + 1] == '=')) {
                    char kind = s[j + 1];
                    size_t end = s.find(std::string{kind, ']'}, j + 2);
                    if (end == std::string_view::npos) return true;
                    j = end + 2;
                    continue;
                }
                if (d == ']') {
                    closed = true;
                    break;
                }
                ++j;
            }
            if (!closed) return true;
            i = j + 1;
            continue;
        }
        if (c == '(' && !ere && s.substr(i, 3) == "(?#") {  // a comment ends at the first ')'
            size_t end = s.find(')', i);
            if (end == std::string_view::npos) return true;
            i = end + 1;
            continue;
        }
        if (c == '(') ++depth;
        if (c == ')' && --depth < 0) return true;
        if (c == '|' && depth == 0) return true;
        ++i;
    }
    return depth != 0;
}

// Index just past the bracket expression that starts at s[i] == '[', or npos.
size_t skipClass(std::string_view s, size_t i, bool ere) {
    size_t j = i + 1;
    if (j < s.size() && s[j] == '^') ++j;
    if (j < s.size() && s[j] == ']') ++j;
    while (j < s.size()) {
        char d = s[j];
        if (d == '\\' && !ere) {
            j += 2;
            continue;
        }
        if (d == '[' && j + 1 < s.size() && (s[j + 1] == ':' || s[j + 1] == '.' || s[j + 1] == '=')) {
            size_t end = s.find(std::string{s[j + 1], ']'}, j + 2);
            if (end == std::string_view::npos) return std::string_view::npos;
            j = end + 2;
            continue;
        }
        if (d == ']') return j + 1;
        ++j;
    }
    return std::string_view::npos;
}

// Index just past the group that starts at s[i] == '(', or npos.
size_t skipGroup(std::string_view s, size_t i, bool ere) {
    int depth = 0;
    size_t j = i;
    while (j < s.size()) {
        char c = s[j];
        if (c == '\\') {
            j += 2;
            continue;
        }
        if (c == '[') {
            j = skipClass(s, j, ere);
            if (j == std::string_view::npos) return j;
            continue;
        }
        if (c == '(' && !ere && s.substr(j, 3) == "(?#") {
            size_t end = s.find(')', j);
            if (end == std::string_view::npos) return end;
            if (depth == 0) return end + 1;
            j = end + 1;
            continue;
        }
        if (c == '(') ++depth;
        if (c == ')' && --depth == 0) return j + 1;
        ++j;
    }
    return std::string_view::npos;
}

// PCRE inline options that turn on extended syntax ("(?x)", "(?i-x:") change how the rest
// of the pattern reads; such patterns are left alone.
bool inlineExtended(std::string_view s) {
    for (size_t at = s.find("(?"); at != std::string_view::npos; at = s.find("(?", at + 2)) {
        for (size_t j = at + 2; j < s.size() && (base::isAlpha(s[j]) || s[j] == '-' || s[j] == '^'); ++j)
            if (s[j] == 'x') return true;
    }
    return false;
}

}  // namespace

std::string requiredLiteral(std::string_view pattern, bool ere) {
    if (topLevelAlternationOrUnknown(pattern, ere) || (!ere && inlineExtended(pattern))) return {};
    std::string best, run;
    auto endRun = [&] {
        if (run.size() > best.size()) best = run;
        run.clear();
    };
    size_t i = 0;
    while (i < pattern.size()) {
        char c = pattern[i];
        size_t before = run.size();
        if (c == '\\' && i + 1 < pattern.size() && escapedLiteral(pattern[i + 1])) {
            run.push_back(pattern[i + 1]);
            i += 2;
        } else if (c == '\\') {
            // \d, \x41, \x{41}, \cA, \g{1}, \k<n>, \1 …: skip the escape with every letter,
            // digit and bracketed argument after it.
            endRun();
            i += 2;
            while (i < pattern.size() && isAlnum(pattern[i])) ++i;
            if (i < pattern.size() && (pattern[i] == '{' || pattern[i] == '<' || pattern[i] == '\'')) {
                char close = pattern[i] == '{' ? '}' : pattern[i] == '<' ? '>' : '\'';
                size_t end = pattern.find(close, i + 1);
                if (end == std::string_view::npos) return {};
                i = end + 1;
            }
            continue;
        } else if (c == '{') {
            // A quantifier's bounds (or, in PCRE, a literal '{'): never part of a run.
            endRun();
            size_t end = pattern.find('}', i);
            i = end == std::string_view::npos ? i + 1 : end + 1;
            continue;
        } else if (c == '[' || c == '(') {
            endRun();
            i = c == '[' ? skipClass(pattern, i, ere) : skipGroup(pattern, i, ere);
            if (i == std::string_view::npos) return {};
            continue;
        } else if (plainLiteral(c)) {
            run.push_back(base::asciiLower(c));
            ++i;
        } else {
            endRun();
            ++i;
            continue;
        }
        if (i < pattern.size()) {
            char q = pattern[i];
            if (q == '?' || q == '*' || q == '{') {
                run.resize(before);
                endRun();
            } else if (q == '+') {
                endRun();
            }
        }
    }
    endRun();
    return best;
}

std::string literalPrefix(std::string_view pattern, bool ere) {
    std::string prefix;
    size_t i = 0;
    while (i < pattern.size()) {
        size_t before = prefix.size();
        char c = pattern[i];
        if (c == '\\') {
            if (i + 1 >= pattern.size() || !escapedLiteral(pattern[i + 1])) break;
            prefix.push_back(pattern[i + 1]);
            i += 2;
        } else if (plainLiteral(c)) {
            prefix.push_back(base::asciiLower(c));
            ++i;
        } else {
            break;
        }
        // A quantifier after the character: '?', '*' and '{' make it optional, '+' keeps
        // one copy; either way the literal run ends here.
        if (i < pattern.size()) {
            char q = pattern[i];
            if (q == '?' || q == '*' || q == '{') {
                prefix.resize(before);
                break;
            }
            if (q == '+') break;
        }
    }
    if (prefix.empty() || topLevelAlternationOrUnknown(pattern, ere)) return {};
    return prefix;
}

// ---------------------------------------------------------------------------------------
// Parsing.

RuleSet::RuleSet(const PatternDialect& dialect, std::string mapName, uint32_t dictFlags, PatternEngine& engine)
    : dialect_(dialect), mapName_(std::move(mapName)), dictFlags_(dictFlags), engine_(engine) {}

std::string RuleSet::where(int lineno) const { return cat(dialect_.type, " map ", mapName_, ", line ", lineno, ": "); }

bool RuleSet::getPattern(int lineno, std::string_view& p, Pattern& out) {
    out.match = true;
    while (!p.empty() && (p.front() == '!' || isSpace(p.front()))) {
        if (p.front() == '!') out.match = !out.match;
        p.remove_prefix(1);
    }
    if (p.empty()) {
        base::msgWarn(cat(where(lineno), "no regexp: skipping this rule"));
        return false;
    }
    char delim = p.front();
    p.remove_prefix(1);
    size_t i = 0;
    bool closed = false;
    while (i < p.size()) {
        if (p[i] == '\\') {
            if (i + 1 < p.size()) {
                i += 2;
                continue;
            }
            // A trailing backslash: regexp ends the pattern there, pcre finds no delimiter.
            closed = dialect_.legacySecondPattern;
            break;
        }
        if (p[i] == delim) {
            closed = true;
            break;
        }
        ++i;
    }
    if (!closed) {
        base::msgWarn(
            cat(where(lineno), "no closing regexp delimiter \"", delim, "\": ", dialect_.noCloseVerb, " this rule"));
        return false;
    }
    out.text = std::string(p.substr(0, i));
    p.remove_prefix(std::min(i + 1, p.size()));
    out.options = dialect_.defaultOptions;
    while (!p.empty() && !isSpace(p.front()) && !(dialect_.legacySecondPattern && p.front() == '!')) {
        char letter = p.front();
        switch (dialect_.applyOption(letter, out.options)) {
            case OptionResult::Applied:
                break;
            case OptionResult::Obsolete:
                base::msgWarn(cat(where(lineno), "ignoring obsolete regexp option \"", letter, "\""));
                break;
            case OptionResult::Unknown:
                base::msgWarn(cat(where(lineno), "unknown regexp option \"", letter, "\": skipping this rule"));
                return false;
        }
        p.remove_prefix(1);
    }
    return true;
}

// Postfix's mac_parse() with the $number pre-scan of the table code; the first bad
// reference ends the scan (one warning per rule, as Postfix prints).
bool RuleSet::parseReplacement(int lineno, std::string_view text, Replacement& out) {
    std::string literal;
    auto flush = [&] {
        if (!literal.empty()) out.pieces.push_back({std::move(literal), 0});
        literal.clear();
    };
    size_t i = 0;
    while (i < text.size()) {
        if (text[i] != '$') {
            literal.push_back(text[i++]);
            continue;
        }
        if (i + 1 < text.size() && text[i + 1] == '$') {
            literal.push_back('$');
            i += 2;
            continue;
        }
        flush();
        ++i;
        std::string name;
        if (i < text.size() && (text[i] == '(' || text[i] == '{')) {
            char open = text[i];
            char close = open == '(' ? ')' : '}';
            int level = 1;
            size_t start = ++i;
            size_t e = start;
            bool truncated = false;
            for (; level > 0; ++e) {
                if (e >= text.size()) {
                    truncated = true;
                    break;
                }
                if (text[e] == open) ++level;
                if (text[e] == close) --level;
            }
            if (truncated) {
                base::msgWarn(cat("truncated macro reference: \"", text, "\""));
                return false;
            }
            name = std::string(text.substr(start, e - start - 1));
            i = e;
        } else {
            size_t start = i;
            while (i < text.size() && (isAlnum(text[i]) || text[i] == '_')) ++i;
            name = std::string(text.substr(start, i - start));
        }
        if (name.empty()) {
            base::msgWarn(cat("empty macro name: \"", text, "\""));
            return false;
        }
        if (!allDigits(name)) {
            base::msgWarn(cat(where(lineno), "non-numeric replacement index \"", name, "\""));
            return false;
        }
        size_t n = 0;
        for (char c : name) n = std::min<size_t>(n * 10 + size_t(c - '0'), INT_MAX);
        if (n < 1) {
            base::msgWarn(cat(where(lineno), dialect_.zeroIndexWords, " replacement index \"", name, "\""));
            return false;
        }
        out.pieces.push_back({{}, n});
        out.maxGroup = std::max(out.maxGroup, n);
    }
    flush();
    return true;
}

void RuleSet::parseLine(int lineno, std::string_view p, std::vector<size_t>& stack) {
    if (!isAlnum(p.front())) {
        Pattern first, second;
        bool hasSecond = false;
        if (!getPattern(lineno, p, first)) return;
        if (dialect_.legacySecondPattern && !p.empty() && p.front() == '!') {
            if (!getPattern(lineno, p, second)) return;
            hasSecond = true;
        }
        skipSpace(p);
        if (p.empty()) base::msgWarn(cat(where(lineno), "no replacement text: using empty string"));
        Rule rule(Op::Match, lineno);
        if (!parseReplacement(lineno, p, rule.replacement)) {
            base::msgWarn(cat(where(lineno), "bad replacement syntax: skipping this rule"));
            return;
        }
        size_t maxSub = rule.replacement.maxGroup;
        if (maxSub > 0 && !first.match) {
            base::msgWarn(cat(where(lineno), "$number found in negative match replacement text: skipping this rule"));
            return;
        }
        if (maxSub > 0 && (dictFlags_ & flag::kNoRegsub)) {
            base::msgWarn(cat(where(lineno), "regular expression substitution is not allowed: skipping this rule"));
            return;
        }
        size_t groups = 0;
        if (!engine_.compile(first, maxSub > 0, lineno, rule.first, groups)) return;
        if (maxSub > groups) {
            base::msgWarn(cat(where(lineno), "out of range replacement index \"", maxSub, "\": skipping this rule"));
            return;
        }
        if (hasSecond) {
            size_t unused = 0;
            if (!engine_.compile(second, false, lineno, rule.second, unused)) return;
            rule.hasSecond = true;
            rule.secondMatch = second.match;
        }
        rule.firstMatch = first.match;
        if (first.match) rule.literal = engine_.prefixOf(first);
        rules_.push_back(std::move(rule));
        return;
    }
    if (startsWithKeyword(p, "IF")) {
        p.remove_prefix(2);
        skipSpace(p);
        Pattern pattern;
        if (!getPattern(lineno, p, pattern)) return;
        skipSpace(p);
        if (!p.empty()) {
            base::msgWarn(cat(where(lineno), "ignoring extra text after IF statement: \"", p, "\""));
            base::msgWarn(cat(where(lineno), "do not prepend whitespace to statements between IF and ENDIF"));
        }
        Rule rule(Op::If, lineno);
        size_t groups = 0;
        if (!engine_.compile(pattern, false, lineno, rule.first, groups)) return;
        rule.firstMatch = pattern.match;
        stack.push_back(rules_.size());
        rules_.push_back(std::move(rule));
        return;
    }
    if (startsWithKeyword(p, "ENDIF")) {
        p.remove_prefix(5);
        if (stack.empty()) {
            base::msgWarn(cat(where(lineno), "ignoring ENDIF without matching IF"));
            return;
        }
        skipSpace(p);
        if (!p.empty()) base::msgWarn(cat(where(lineno), "ignoring extra text after ENDIF"));
        rules_[stack.back()].endif = rules_.size();
        stack.pop_back();
        rules_.emplace_back(Op::Endif, lineno);
        return;
    }
    base::msgWarn(cat(where(lineno), "ignoring unrecognized request"));
}

void RuleSet::load(std::string_view text) {
    base::LogicalLineReader reader(text, mapName_);
    std::string line;
    int lineno = 0;
    std::vector<size_t> stack;
    while (reader.next(line, lineno)) {
        std::string_view p = base::trimRight(line);
        if (p.empty()) continue;
        parseLine(lineno, p, stack);
    }
    while (!stack.empty()) {
        base::msgWarn(cat(where(rules_[stack.back()].lineno), "IF has no matching ENDIF"));
        stack.pop_back();
    }
    buildIndex();
}

// ---------------------------------------------------------------------------------------
// The prefix index.

void RuleSet::buildIndex() {
    size_t n = rules_.size();
    auto skippable = [](const Rule& rule) { return rule.op == Op::Match && !rule.literal.literal.empty(); };
    nextVisited_.assign(n + 1, static_cast<uint32_t>(n));
    for (size_t i = n; i-- > 0;)
        nextVisited_[i] = skippable(rules_[i]) ? nextVisited_[i + 1] : static_cast<uint32_t>(i);

    // How many rules each piece occurs in, so that each rule is filed under its rarest.
    std::unordered_map<std::string_view, uint32_t> pieceCount;
    auto forEachPiece = [](std::string_view literal, auto&& fn) {
        size_t len = std::min(kGram, literal.size());
        for (size_t at = 0; at + len <= literal.size(); ++at) fn(literal.substr(at, len));
    };
    for (const Rule& rule : rules_) {
        if (!skippable(rule) || rule.literal.anchored) continue;
        std::string_view last;
        forEachPiece(rule.literal.literal, [&](std::string_view piece) {
            if (piece != last) ++pieceCount[piece];
            last = piece;
        });
    }
    for (size_t i = 0; i < n; ++i) {
        Rule& rule = rules_[i];
        if (!skippable(rule)) continue;
        ++indexed_;
        if (rule.literal.anchored) {
            byPrefix_[rule.literal.literal].push_back(static_cast<uint32_t>(i));
            prefixLengths_.push_back(rule.literal.literal.size());
            continue;
        }
        std::string_view best;
        uint32_t bestCount = UINT32_MAX;
        forEachPiece(rule.literal.literal, [&](std::string_view piece) {
            uint32_t count = pieceCount[piece];
            if (count < bestCount) best = piece, bestCount = count;
        });
        rule.gram = std::string(best);
    }
    // Second pass: rule.gram strings are final now, so views into them stay valid.
    for (size_t i = 0; i < n; ++i) {
        const Rule& rule = rules_[i];
        if (rule.gram.empty()) continue;
        byGram_[rule.gram].push_back(static_cast<uint32_t>(i));
        gramLengths_.push_back(rule.gram.size());
    }
    for (auto* lengths : {&prefixLengths_, &gramLengths_}) {
        std::sort(lengths->begin(), lengths->end());
        lengths->erase(std::unique(lengths->begin(), lengths->end()), lengths->end());
    }
}

void RuleSet::candidates(std::string_view key, std::vector<uint32_t>& out) const {
    out.clear();
    std::string_view lowered(lowered_);
    int lists = 0;
    auto add = [&](const std::unordered_map<std::string_view, std::vector<uint32_t>>& index, std::string_view piece) {
        auto it = index.find(piece);
        if (it == index.end()) return;
        out.insert(out.end(), it->second.begin(), it->second.end());
        ++lists;
    };
    if (!byPrefix_.empty()) {
        for (size_t len : prefixLengths_) {
            if (len > key.size()) break;
            add(byPrefix_, lowered.substr(0, len));
        }
    }
    if (!byGram_.empty()) {
        for (size_t len : gramLengths_) {
            if (len > key.size()) break;
            for (size_t at = 0; at + len <= key.size(); ++at) add(byGram_, lowered.substr(at, len));
        }
    }
    if (lists > 1) {
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
    }
}

// ---------------------------------------------------------------------------------------
// Evaluation.

std::string RuleSet::expand(const Rule& rule, std::string_view key) const {
    std::string result;
    for (const auto& piece : rule.replacement.pieces) {
        if (piece.group == 0)
            result += piece.literal;
        else
            result += engine_.group(piece.group, key);
    }
    return result;
}

Lookup RuleSet::lookup(std::string_view key) {
    if (base::verbose()) base::msgInfo(cat("dict_", dialect_.type, "_lookup: ", mapName_, ": ", key));
    if (indexed_ > 0) {
        lowered_.assign(key);
        for (char& c : lowered_) c = base::asciiLower(c);
    }
    candidates(key, scratch_);
    size_t next = 0;  // position in scratch_
    size_t n = rules_.size();
    size_t i = 0;
    auto fires = [](int rc, bool wantMatch) { return rc >= 0 && (rc == 1) == wantMatch; };
    while (i < n) {
        const Rule& rule = rules_[i];
        if (nextVisited_[i] != i) {
            // A rule that fires only for keys with its literal: visit it only when it is a
            // candidate; otherwise jump to the next candidate or to the next other rule.
            while (next < scratch_.size() && scratch_[next] < i) ++next;
            if (next >= scratch_.size() || scratch_[next] != i) {
                size_t target = nextVisited_[i];
                if (next < scratch_.size()) target = std::min<size_t>(target, scratch_[next]);
                i = target;
                continue;
            }
        }
        switch (rule.op) {
            case Op::Match: {
                size_t groups = rule.replacement.maxGroup;
                if (!fires(engine_.exec(rule.first, key, groups), rule.firstMatch)) break;
                if (rule.hasSecond && !fires(engine_.exec(rule.second, key, 0), rule.secondMatch)) break;
                if (groups == 0) {
                    return Lookup::found(rule.replacement.pieces.empty() ? std::string()
                                                                         : rule.replacement.pieces.front().literal);
                }
                return Lookup::found(expand(rule, key));
            }
            case Op::If:
                if (fires(engine_.exec(rule.first, key, 0), rule.firstMatch)) break;
                if (rule.endif == kNone) return Lookup::notFound();
                i = rule.endif;
                break;
            case Op::Endif:
                break;
        }
        ++i;
    }
    return Lookup::notFound();
}

// ---------------------------------------------------------------------------------------
// Opening.

PatternDict::PatternDict(std::string type, std::string name, uint32_t flags, std::unique_ptr<PatternEngine> engine,
                         const PatternDialect& dialect)
    : Dict(type, name, flags), engine_(std::move(engine)), rules_(dialect, name, flags, *engine_) {}

Lookup PatternDict::doLookup(std::string_view key) { return rules_.lookup(key); }

base::Result<std::string> readPatternSource(const DictSpec& spec) {
    if (spec.name.empty() || spec.name.front() != '{') return base::readFile(spec.name);
    auto inside = extractBraced(spec.name);
    if (!inside) return base::Error{cat(spec.type, " map: ", inside.error().message)};
    std::string text;
    for (const auto& item : splitBraceItems(*inside)) {
        auto rule = extractBraced(item);
        if (!rule) return base::Error{cat(spec.type, " map: ", rule.error().message)};
        text += *rule;
        text += '\n';
    }
    return text;
}

base::Result<std::unique_ptr<Dict>> openPatternTable(const DictSpec& spec, OpenMode mode, uint32_t flags,
                                                     const PatternDialect& dialect,
                                                     std::unique_ptr<PatternEngine> engine) {
    if (mode != OpenMode::Read)
        return base::Error{cat(spec.type, ":", spec.name, " map requires O_RDONLY access mode")};
    auto source = readPatternSource(spec);
    if (!source) return source.error();
    auto dict = std::make_unique<PatternDict>(spec.type, spec.name, flags | flag::kPattern, std::move(engine), dialect);
    dict->rules().load(*source);
    return std::unique_ptr<Dict>(std::move(dict));
}

}  // namespace postline::maps::detail
