// The rule language of regexp: and pcre: tables (util/dict_regexp.c, util/dict_pcre.c,
// util/mac_parse.c, util/dict_stream.c): parsing with Postfix's diagnostics, first-match
// evaluation with IF/ENDIF, and a literal index that skips rules which cannot fire.
#include "pattern_rules.h"

#include <algorithm>
#include <climits>
#include <iterator>
#include <unordered_map>

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
        if (first.match) rule.literals = engine_.literalsOf(first);
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
// The literal index.

namespace {

// How many keys a literal of this length is likely to occur in, relatively: short
// literals are found in most keys.
size_t lengthWeight(size_t len) {
    static constexpr size_t kWeights[] = {256, 256, 64, 16, 4, 2};
    return len < std::size(kWeights) ? kWeights[len] : 1;
}

}  // namespace

void RuleSet::buildIndex() {
    size_t n = rules_.size();
    // How many rules name each literal, so that each rule is filed under its rarest set.
    // Keyed by views of the rules' own literals (they live until the end): no copy of
    // each literal, and no rehashing on the way.
    std::unordered_map<std::string_view, uint32_t> shared;
    shared.reserve(2 * n);
    for (const Rule& rule : rules_)
        for (const auto& set : rule.literals)
            for (const auto& text : set) ++shared[text];
    for (size_t i = 0; i < n; ++i) {
        Rule& rule = rules_[i];
        if (rule.op != Op::Match || rule.literals.empty()) continue;
        const LiteralAlternatives* best = nullptr;
        uint64_t bestCost = UINT64_MAX;
        for (const auto& set : rule.literals) {
            uint64_t cost = 0;
            for (const auto& text : set) cost += uint64_t(shared.find(text)->second) * lengthWeight(text.size());
            if (cost < bestCost) best = &set, bestCost = cost;
        }
        for (const auto& text : *best) {
            uint32_t id = matcher_.add(text);
            if (id >= rulesOf_.size()) rulesOf_.resize(id + 1);
            rulesOf_[id].push_back(static_cast<uint32_t>(i));
        }
        rule.indexed = true;
        ++indexed_;
    }
    for (Rule& rule : rules_) {
        rule.literals.clear();
        rule.literals.shrink_to_fit();
    }
    matcher_.build();
    nextVisited_.assign(n + 1, static_cast<uint32_t>(n));
    for (size_t i = n; i-- > 0;) nextVisited_[i] = rules_[i].indexed ? nextVisited_[i + 1] : static_cast<uint32_t>(i);
    marked_.assign((n + 63) / 64, 0);
    seen_.assign(rulesOf_.size(), 0);
}

void RuleSet::markCandidates(std::string_view key) {
    for (uint32_t word : touched_) marked_[word] = 0;
    touched_.clear();
    if (++stamp_ == 0) {  // the stamps wrapped around: forget them all
        std::fill(seen_.begin(), seen_.end(), 0);
        stamp_ = 1;
    }
    matcher_.scan(key, [&](uint32_t id) {
        if (seen_[id] == stamp_) return;
        seen_[id] = stamp_;
        for (uint32_t rule : rulesOf_[id]) {
            uint64_t& word = marked_[rule / 64];
            if (word == 0) touched_.push_back(rule / 64);
            word |= uint64_t(1) << (rule % 64);
        }
    });
}

size_t RuleSet::nextCandidate(size_t from) const {
    size_t word = from / 64;
    if (word >= marked_.size()) return rules_.size();
    uint64_t bits = marked_[word] & (~uint64_t(0) << (from % 64));
    while (bits == 0) {
        if (++word >= marked_.size()) return rules_.size();
        bits = marked_[word];
    }
    return word * 64 + static_cast<size_t>(__builtin_ctzll(bits));
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

Lookup RuleSet::lookup(std::string_view key, bool useIndex) {
    if (base::verbose()) base::msgInfo(cat("dict_", dialect_.type, "_lookup: ", mapName_, ": ", key));
    useIndex = useIndex && indexed_ > 0;
    if (useIndex) markCandidates(key);
    size_t n = rules_.size();
    size_t i = 0;
    auto fires = [](int rc, bool wantMatch) { return rc >= 0 && (rc == 1) == wantMatch; };
    while (i < n) {
        const Rule& rule = rules_[i];
        if (useIndex && rule.indexed && !(marked_[i / 64] >> (i % 64) & 1)) {
            // The key has none of the literals the rule's matches contain: go on with the
            // next candidate or the next rule that is not indexed, whichever comes first.
            i = std::min<size_t>(nextVisited_[i], nextCandidate(i + 1));
            continue;
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
