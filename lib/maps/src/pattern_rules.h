// The rule language shared by regexp: and pcre: tables (Postfix's util/dict_regexp.c and
// util/dict_pcre.c): /pattern/flags result, !/pattern/, legacy /p1/!/p2/, nested IF/ENDIF,
// $n ${n} $(n) $$ substitution, every load-time diagnostic, the first-match evaluation,
// and a literal index that lets lookups skip rules that cannot match.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "literal_matcher.h"
#include "postline/base/result.h"
#include "postline/maps/dict.h"
#include "postline/maps/pattern_literals.h"
#include "postline/maps/registry.h"

namespace postline::maps::detail {

// A pattern as written in a rule, with its option bits (the engine's own bits) and
// whether the rule fires when the pattern matches (true) or when it does not (false).
struct Pattern {
    std::string text;
    uint32_t options = 0;
    bool match = true;
};

enum class OptionResult { Applied, Obsolete, Unknown };

// What differs between the two table types.
struct PatternDialect {
    std::string_view type;            // "regexp" or "pcre": "TYPE map FILE, line N: ..."
    bool legacySecondPattern;         // regexp accepts /p1/!/p2/ (option letters stop at '!')
    std::string_view noCloseVerb;     // "skipping" (regexp) or "ignoring" (pcre) this rule
    std::string_view zeroIndexWords;  // "out-of-range" (regexp) or "out of range" (pcre)
    uint32_t defaultOptions;
    OptionResult (*applyOption)(char letter, uint32_t& options);
};

// The regular-expression engine behind a table. Ids are dense, in compile order.
class PatternEngine {
public:
    virtual ~PatternEngine() = default;

    // Compiles a pattern. On failure the engine has warned ("TYPE map F, line N: text")
    // and returns false. `wantGroups` says whether captured substrings will be asked for.
    virtual bool compile(const Pattern& pattern, bool wantGroups, int lineno, size_t& id, size_t& groups) = 0;

    // Runs pattern `id` over `key`: 1 match, 0 no match, -1 error (already warned).
    // `groups` is how many capture groups the caller will read after a match.
    virtual int exec(size_t id, std::string_view key, size_t groups) = 0;

    // Captured group n (1-based) of the last successful exec; empty when the group did
    // not take part in the match.
    virtual std::string_view group(size_t n, std::string_view key) const = 0;

    // Sets of literals that every match of `pattern` contains one of (requiredLiterals()
    // for the engine's syntax and option bits); empty when nothing can be told.
    virtual std::vector<LiteralAlternatives> literalsOf(const Pattern& pattern) const = 0;
};

// One replacement text, split into literal pieces and $n references.
struct Replacement {
    struct Piece {
        std::string literal;  // used when group == 0
        size_t group = 0;
    };
    std::vector<Piece> pieces;
    size_t maxGroup = 0;
};

class RuleSet {
public:
    RuleSet(const PatternDialect& dialect, std::string mapName, uint32_t dictFlags, PatternEngine& engine);

    // Parses and compiles a whole table source, warning as Postfix does.
    void load(std::string_view text);

    // First-match evaluation with IF/ENDIF. With `useIndex` false every rule is tried, as
    // Postfix tries them (the reference the index is checked against).
    Lookup lookup(std::string_view key, bool useIndex = true);

    size_t ruleCount() const { return rules_.size(); }

    // Visits the match rules in table order (IF/ENDIF lines are not visited) with the
    // line of each and its result template.
    template <class Fn>
    void forEachMatchRule(Fn&& fn) const {
        for (const Rule& rule : rules_)
            if (rule.op == Op::Match) fn(rule.lineno, rule.replacement);
    }
    size_t indexedRuleCount() const { return indexed_; }

private:
    enum class Op { Match, If, Endif };
    struct Rule {
        Rule(Op o, int line) : op(o), lineno(line) {}
        Op op;
        int lineno;
        size_t first = 0;  // engine id
        bool firstMatch = true;
        bool hasSecond = false;
        size_t second = 0;
        bool secondMatch = true;
        Replacement replacement;
        size_t endif = kNone;  // If: index of its ENDIF rule
        // Match with a positive first pattern: sets of literals one of each the key must
        // contain for the rule to fire (until the index is built).
        std::vector<LiteralAlternatives> literals;
        bool indexed = false;  // visited only when the key contains one of its chosen literals
    };
    static constexpr size_t kNone = static_cast<size_t>(-1);

    std::string where(int lineno) const;
    bool getPattern(int lineno, std::string_view& p, Pattern& out);
    bool parseReplacement(int lineno, std::string_view text, Replacement& out);
    void parseLine(int lineno, std::string_view line, std::vector<size_t>& stack);
    void buildIndex();
    std::string expand(const Rule& rule, std::string_view key) const;
    void markCandidates(std::string_view key);
    size_t nextCandidate(size_t from) const;

    const PatternDialect& dialect_;
    std::string mapName_;
    uint32_t dictFlags_;
    PatternEngine& engine_;
    std::vector<Rule> rules_;

    // The literal index: each indexed rule is filed under one set of its literals (the
    // set whose texts fewest other rules share), all of them in one multi-string matcher.
    // A lookup scans the key once, marks the rules of the literals found in a bitmap, and
    // visits only marked indexed rules and the rules that are not indexed, in table order.
    LiteralMatcher matcher_;
    std::vector<std::vector<uint32_t>> rulesOf_;  // literal id -> indexed rules
    std::vector<uint32_t> nextVisited_;           // for each rule, the next rule that is not indexed
    std::vector<uint64_t> marked_;                // bitmap of candidate rules of the current key
    std::vector<uint32_t> touched_;               // words of marked_ to clear before the next key
    std::vector<uint32_t> seen_;                  // literal id -> stamp of the last key that had it
    uint32_t stamp_ = 0;
    size_t indexed_ = 0;
};

// A Dict over a RuleSet; the engine is owned here and outlives the rules.
class PatternDict : public Dict {
public:
    PatternDict(std::string type, std::string name, uint32_t flags, std::unique_ptr<PatternEngine> engine,
                const PatternDialect& dialect);
    RuleSet& rules() { return rules_; }

protected:
    Lookup doLookup(std::string_view key) override;

private:
    std::unique_ptr<PatternEngine> engine_;
    RuleSet rules_;
};

// The table source: the file named by `spec.name`, or the lines of the in-line form
// "{ {rule}, {rule} }". Errors: "open FILE: strerror", "TYPE map: no '{' at start ...".
base::Result<std::string> readPatternSource(const DictSpec& spec);

// Opens a pattern table: checks the open mode, reads the source, compiles the rules.
base::Result<std::unique_ptr<Dict>> openPatternTable(const DictSpec& spec, OpenMode mode, uint32_t flags,
                                                     const PatternDialect& dialect,
                                                     std::unique_ptr<PatternEngine> engine);

}  // namespace postline::maps::detail
