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

#include "postline/base/result.h"
#include "postline/maps/dict.h"
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

// Literal text that every match of a pattern contains; computed from the pattern text by
// the engine (it knows its syntax and option bits).
struct PrefixInfo {
    bool anchored = false;  // `literal` must start the key; otherwise it occurs somewhere
    std::string literal;    // ASCII, lowercased; empty when nothing is known
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

    // The literal text every match of `pattern` must contain, when it can be told.
    virtual PrefixInfo prefixOf(const Pattern& pattern) const = 0;
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

    // First-match evaluation with IF/ENDIF.
    Lookup lookup(std::string_view key);

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
        PrefixInfo literal;    // Match: literal text the key must contain for the rule to fire
        std::string gram;      // unanchored literal: its indexed piece (at most kGram bytes)
    };
    static constexpr size_t kNone = static_cast<size_t>(-1);

    std::string where(int lineno) const;
    bool getPattern(int lineno, std::string_view& p, Pattern& out);
    bool parseReplacement(int lineno, std::string_view text, Replacement& out);
    void parseLine(int lineno, std::string_view line, std::vector<size_t>& stack);
    void buildIndex();
    std::string expand(const Rule& rule, std::string_view key) const;
    void candidates(std::string_view key, std::vector<uint32_t>& out) const;

    const PatternDialect& dialect_;
    std::string mapName_;
    uint32_t dictFlags_;
    PatternEngine& engine_;
    std::vector<Rule> rules_;

    // The literal index: rules that fire only when the key starts with a literal prefix,
    // or contains a literal, are found through these maps ("skippable" rules); every other
    // rule is visited. Unanchored literals are indexed by their rarest piece of up to
    // kGram bytes, probed at every position of the key.
    static constexpr size_t kGram = 4;
    std::unordered_map<std::string_view, std::vector<uint32_t>> byPrefix_;
    std::vector<size_t> prefixLengths_;  // distinct prefix lengths, ascending
    std::unordered_map<std::string_view, std::vector<uint32_t>> byGram_;
    std::vector<size_t> gramLengths_;    // distinct piece lengths, ascending
    std::vector<uint32_t> nextVisited_;  // for each index, the next rule that is not skippable
    size_t indexed_ = 0;
    std::vector<uint32_t> scratch_;
    std::string lowered_;
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

// Literal extraction for both syntaxes. `ere` selects POSIX extended syntax (a backslash
// is literal inside brackets); otherwise PCRE syntax. Results are ASCII-lowercased and
// empty unless the pattern has no alternation at its top level and is understood.
// literalPrefix: the literal text the pattern starts with.
std::string literalPrefix(std::string_view pattern, bool ere);
// requiredLiteral: the longest literal run outside groups that every match contains.
std::string requiredLiteral(std::string_view pattern, bool ere);

}  // namespace postline::maps::detail
