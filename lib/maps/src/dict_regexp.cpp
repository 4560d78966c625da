// The regexp: table type over POSIX regcomp/regexec (Postfix's util/dict_regexp.c):
// option letters i x m (case-insensitive and extended syntax by default), regerror texts
// as warnings, and the legacy /p1/!/p2/ form.
#include <regex.h>

#include <memory>
#include <string>
#include <vector>

#include "backends.h"
#include "pattern_rules.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"

namespace postline::maps::backend {

namespace {

using base::cat;
using detail::OptionResult;
using detail::Pattern;

OptionResult applyRegexpOption(char letter, uint32_t& options) {
    switch (letter) {
        case 'i':
            options ^= REG_ICASE;
            return OptionResult::Applied;
        case 'm':
            options ^= REG_NEWLINE;
            return OptionResult::Applied;
        case 'x':
            options ^= REG_EXTENDED;
            return OptionResult::Applied;
        default:
            return OptionResult::Unknown;
    }
}

// glibc's regcomp parses groups recursively (and repetitions of repetitions build trees
// it walks recursively) with some 600 bytes of stack a level: 20,000 nested '(' overflow
// an 8 MB stack, in Postfix's postmap and smtpd too. Deeper patterns are refused before
// regcomp sees them; PCRE2 has its own limit (250 nested parentheses).
constexpr size_t kMaxNesting = 1000;

// glibc's regcomp also copies what '+' and {n,m} repeat (a+ becomes aa*, a{3} aaa), and a
// repetition of a repetition copies the copies: 40 stacked '+' need 2^40 nodes, and
// a{1000}{1000}{1000} a billion, which exhausts memory long before regcomp ends. The
// expansion is measured in bits (log2 of the copies) and refused above this: 2^16 copies
// compile in some 20 ms, 2^19 took 0.4 s (a fuzzer's 19 stacked '+', seconds in a
// sanitizer build); one {n,m} may still go to glibc's RE_DUP_MAX (32767).
constexpr size_t kMaxExpansionBits = 16;

// And a repetition ('+', {n,m}) of something that may match nothing ('?', '*', {0,m}),
// repeated again, makes regcomp's work explode, before an anchor above all: "^a?+++++"
// takes seconds where "a+++++++++++++++" takes none (glibc computes the closures of
// every copy of the empty match). Measured from the first nullable operator on, each
// '+' counts 3 and each {n,m} its copy bits plus 2; above this the pattern is refused
// ("^a?++++" still compiles at once, "^a?+++++" and "^(a?){1,100}{1,100}" do not).
constexpr size_t kMaxNullableRepeat = 12;

// What regexTreeMeasure() measures.
enum class TreeMeasure {
    Depth,           // the depth of the syntax tree: groups nest, each repetition adds a level
    Expansion,       // log2 of the copies '+' and {n,m} make (and a bit per '*' or '?', whose
                     // nesting costs as much time), along the deepest chain
    NullableRepeat,  // repetitions of what may match nothing, along the chain (above)
    OptionalSpan,    // the largest m - n of one {n,m} (below)
};

// One {n,m} makes m - n optional copies nested in each other, and regcomp's memory grows
// with the square of that: y{1,8192} takes half a gigabyte, y{1,32767} (RE_DUP_MAX)
// gigabytes and seconds, in Postfix's programs too. A span above this is refused;
// y{1,2048} compiles in 10 ms and 40 MB, and an exact count (y{30000}) costs little.
constexpr size_t kMaxOptionalSpan = 2048;

// m - n of a {n,m} ("n", "n,", ",m" or "n,m"); 0 when nothing is optional or m is open.
size_t optionalSpan(std::string_view braces) {
    size_t comma = braces.find(',');
    if (comma == std::string_view::npos || comma + 1 >= braces.size()) return 0;
    size_t low = std::strtoul(std::string(braces.substr(0, comma)).c_str(), nullptr, 10);
    size_t high = std::strtoul(std::string(braces.substr(comma + 1)).c_str(), nullptr, 10);
    return high > low ? high - low : 0;
}

// The bits of copies one repetition operator makes: '+' doubles, {n,m} makes max(n,m).
size_t copyBits(std::string_view braces) {
    size_t most = 0;
    size_t value = 0;
    for (char c : braces) {
        if (c >= '0' && c <= '9') {
            value = std::min<size_t>(value * 10 + static_cast<size_t>(c - '0'), 1u << 20);
            most = std::max(most, value);
        } else {
            value = 0;
        }
    }
    size_t bits = 0;
    while ((size_t{1} << bits) < most + 1) ++bits;
    return bits;
}

// The depth (or the expansion) of the syntax tree regcomp builds for `text`, counted
// without recursion; an unbalanced pattern counts its open groups.
size_t regexTreeMeasure(std::string_view text, bool extended, TreeMeasure measure) {
    bool depth = measure == TreeMeasure::Depth;
    std::vector<size_t> open{0};  // per open group: the deepest part inside it so far
    size_t last = 0;              // depth of the part a repetition operator would apply to
    size_t deepest = 0;
    auto note = [&](size_t level) {
        last = level;
        open.back() = std::max(open.back(), level);
        deepest = std::max(deepest, depth ? level + open.size() - 1 : level);
    };
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        bool escaped = c == '\\' && i + 1 < text.size();
        char op = escaped ? text[i + 1] : c;
        if (escaped) ++i;
        // Which spelling is an operator: ERE's bare ( ) { * + ? or BRE's \( \) \{ \+ \? and bare *.
        bool special = extended ? !escaped : (escaped || op == '*');
        if (!escaped && c == '[') {  // a bracket expression is one part
            size_t j = i + 1;
            if (j < text.size() && text[j] == '^') ++j;
            if (j < text.size() && text[j] == ']') ++j;
            while (j < text.size() && text[j] != ']') {
                if (text[j] == '[' && j + 1 < text.size() &&
                    (text[j + 1] == ':' || text[j + 1] == '.' || text[j + 1] == '=')) {
                    size_t end = text.find(std::string{text[j + 1], ']'}, j + 2);
                    j = end == std::string_view::npos ? text.size() : end + 2;
                    continue;
                }
                ++j;
            }
            i = j;
            note(depth ? 1 : 0);
            continue;
        }
        if (special && op == '(') {
            open.push_back(0);
            last = 0;
            if (depth) deepest = std::max(deepest, open.size() - 1);
        } else if (special && op == ')' && open.size() > 1) {
            size_t inside = open.back() + (depth ? 1 : 0);
            open.pop_back();
            note(inside);
        } else if (special && (op == '*' || op == '+' || op == '?' || op == '{')) {
            size_t added = 1;  // '+' doubles; '*' and '?' nest a level that regcomp and regexec walk
            std::string_view braces;
            if (op == '{') {
                size_t end = text.find(extended ? "}" : "\\}", i);
                braces = text.substr(i + 1, end == std::string_view::npos ? 0 : end - i - 1);
                if (!depth) added = copyBits(braces);
                if (end != std::string_view::npos) i = end + (extended ? 0 : 1);
            }
            if (measure == TreeMeasure::OptionalSpan) {
                deepest = std::max(deepest, optionalSpan(braces));
            } else if (measure == TreeMeasure::NullableRepeat) {
                bool nullable =
                    op == '*' || op == '?' ||
                    (op == '{' && (braces.empty() || braces[0] == ',' || std::atol(std::string(braces).c_str()) == 0));
                if (nullable)
                    note(std::max<size_t>(last, 1));
                else
                    note(last == 0 ? 0 : last + (op == '+' ? 3 : copyBits(braces) + 2));
            } else {
                note(last + added);
            }
        } else if (special && op == '|') {
            last = 0;
        } else {
            note(depth ? 1 : 0);
        }
    }
    return deepest;
}

const detail::PatternDialect kRegexpDialect{
    "regexp", true, "skipping", "out-of-range", REG_EXTENDED | REG_ICASE, applyRegexpOption,
};

class RegexpEngine final : public detail::PatternEngine {
public:
    explicit RegexpEngine(std::string mapName) : mapName_(std::move(mapName)) {}

    ~RegexpEngine() override {
        for (auto& compiled : codes_) regfree(&compiled->expr);
    }

    bool compile(const Pattern& pattern, bool wantGroups, int lineno, size_t& id, size_t& groups) override {
        auto compiled = std::make_unique<Compiled>();
        compiled->lineno = lineno;
        int options = static_cast<int>(pattern.options) | (wantGroups ? 0 : REG_NOSUB);
        bool extended = (pattern.options & REG_EXTENDED) != 0;
        if (regexTreeMeasure(pattern.text, extended, TreeMeasure::Depth) > kMaxNesting) {
            base::msgWarn(cat("regexp map ", mapName_, ", line ", lineno,
                              ": regular expression nested too deeply (more than ", kMaxNesting,
                              " levels of groups and repetitions)"));
            return false;
        }
        if (regexTreeMeasure(pattern.text, extended, TreeMeasure::Expansion) > kMaxExpansionBits) {
            base::msgWarn(cat("regexp map ", mapName_, ", line ", lineno,
                              ": regular expression repeats repetitions too often (more than 2^", kMaxExpansionBits,
                              " copies for regcomp to make)"));
            return false;
        }
        if (regexTreeMeasure(pattern.text, extended, TreeMeasure::OptionalSpan) > kMaxOptionalSpan) {
            base::msgWarn(cat("regexp map ", mapName_, ", line ", lineno,
                              ": regular expression repeats too many optional copies (more than ", kMaxOptionalSpan,
                              " in one {n,m}: regcomp would need too much memory)"));
            return false;
        }
        if (size_t cost = regexTreeMeasure(pattern.text, extended, TreeMeasure::NullableRepeat);
            cost > kMaxNullableRepeat + 1) {
            base::msgWarn(cat("regexp map ", mapName_, ", line ", lineno,
                              ": regular expression repeats a repetition of what may match nothing too often "
                              "(regcomp would take too long)"));
            return false;
        }
        int error = regcomp(&compiled->expr, pattern.text.c_str(), options);
        if (error != 0) {
            warn(lineno, error, &compiled->expr);
            return false;
        }
        id = codes_.size();
        groups = compiled->expr.re_nsub;
        if (wantGroups && groups + 1 > matches_.size()) matches_.resize(groups + 1);
        codes_.push_back(std::move(compiled));
        return true;
    }

    int exec(size_t id, std::string_view key, size_t groups) override {
        Compiled& compiled = *codes_[id];
        subject_.assign(key);
        size_t count = groups > 0 ? std::min(groups + 1, matches_.size()) : 0;
        int error = regexec(&compiled.expr, subject_.c_str(), count, count ? matches_.data() : nullptr, 0);
        if (error == 0) return 1;
        if (error == REG_NOMATCH) return 0;
        warn(compiled.lineno, error, &compiled.expr);
        return -1;
    }

    std::string_view group(size_t n, std::string_view key) const override {
        if (n >= matches_.size()) return {};
        const regmatch_t& m = matches_[n];
        if (m.rm_so < 0 || m.rm_eo <= m.rm_so || static_cast<size_t>(m.rm_eo) > key.size()) return {};
        return key.substr(static_cast<size_t>(m.rm_so), static_cast<size_t>(m.rm_eo - m.rm_so));
    }

    std::vector<LiteralAlternatives> literalsOf(const Pattern& pattern) const override {
        // Only extended syntax (GNU basic syntax has \| and \{).
        if (!(pattern.options & REG_EXTENDED)) return {};
        return requiredLiterals(pattern.text, RegexSyntax::PosixExtended);
    }

private:
    struct Compiled {
        regex_t expr;
        int lineno = 0;
    };

    void warn(int lineno, int error, const regex_t* expr) const {
        char buffer[256];
        regerror(error, expr, buffer, sizeof(buffer));
        base::msgWarn(cat("regexp map ", mapName_, ", line ", lineno, ": ", buffer));
    }

    std::string mapName_;
    std::vector<std::unique_ptr<Compiled>> codes_;
    std::vector<regmatch_t> matches_;
    std::string subject_;  // regexec wants a NUL-terminated string
};

}  // namespace

base::Result<std::unique_ptr<Dict>> openRegexp(const DictSpec& spec, OpenMode mode, uint32_t flags,
                                               const OpenContext&) {
    return detail::openPatternTable(spec, mode, flags, kRegexpDialect, std::make_unique<RegexpEngine>(spec.name));
}

}  // namespace postline::maps::backend
