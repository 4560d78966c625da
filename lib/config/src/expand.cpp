// `$name` expansion (mirrors util/mac_parse.c, util/mac_expand.c, global/compat_level.c).
#include "postline/config/expand.h"

#include <cstdlib>
#include <cstring>

#include "postline/base/strings.h"
#include "postline/config/compat_level.h"

namespace postline::config {
namespace {

constexpr std::string_view kWhitespace = " \t\r\n";

bool isNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool allDigits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

class Expander {
public:
    Expander(unsigned flags, const MacroLookup& lookup, MacroResult& result)
        : flags_(flags), lookup_(lookup), result_(result) {}

    // mac_parse(): splits text into literals and $macros.
    void parse(std::string_view text) {
        size_t i = 0;
        std::string literal;
        auto flush = [&] {
            if (!literal.empty()) {
                literalText(literal);
                literal.clear();
            }
        };
        while (i < text.size() && !failed()) {
            char c = text[i];
            if (c != '$') {
                literal.push_back(c);
                ++i;
                continue;
            }
            if (i + 1 < text.size() && text[i + 1] == '$') {
                literal.push_back('$');
                i += 2;
                continue;
            }
            flush();
            size_t vp = i + 1;
            if (vp < text.size() && (text[vp] == '{' || text[vp] == '(')) {
                char open = text[vp], close = open == '{' ? '}' : ')';
                int level = 1;
                size_t np = vp + 1;
                for (; np < text.size(); ++np) {
                    if (text[np] == open) ++level;
                    if (text[np] == close && --level == 0) break;
                }
                if (np >= text.size()) {
                    error("truncated macro reference: \"" + std::string(text) + "\"");
                    return;
                }
                if (np == vp + 1) {
                    error("empty macro name: \"" + std::string(text) + "\"");
                    return;
                }
                expression(std::string(text.substr(vp + 1, np - vp - 1)));
                i = np + 1;
            } else {
                size_t np = vp;
                while (np < text.size() && isNameChar(text[np])) ++np;
                if (np == vp) {
                    error("empty macro name: \"" + std::string(text) + "\"");
                    return;
                }
                expression(std::string(text.substr(vp, np - vp)));
                i = np;
            }
        }
        flush();
    }

private:
    bool failed() const { return result_.error; }

    void error(std::string text) {
        result_.warnings.push_back(std::move(text));
        result_.error = true;
    }

    // mac_expand_callback() for literal text: it counts toward the nesting limit too.
    void literalText(const std::string& text) {
        if (level_ > 100) {
            error("unreasonable macro call nesting: \"" + text + "\"");
            return;
        }
        if (!(flags_ & kMacroScan)) result_.text += text;
    }

    static bool findLeftCurly(std::string_view s, size_t& pos) {
        size_t p = pos;
        while (p < s.size() && kWhitespace.find(s[p]) != std::string_view::npos) ++p;
        if (p < s.size() && s[p] == '{') {
            pos = p;
            return true;
        }
        return false;
    }

    // mac_exp_extract_curly_payload(): pos is at '{'; returns the payload and skips the
    // closing '}' and the whitespace after it.
    std::optional<std::string> curlyPayload(std::string_view s, size_t& pos) {
        int level = 0;
        size_t start = pos + 1;
        size_t i = pos;
        for (; i < s.size(); ++i) {
            if (s[i] == '{') ++level;
            if (s[i] == '}' && --level <= 0) break;
        }
        if (i >= s.size()) {
            error("unbalanced {} in attribute value: \"" + std::string(s.substr(pos)) + "\"");
            return std::nullopt;
        }
        std::string payload(s.substr(start, i - start));
        pos = i + 1;
        while (pos < s.size() && kWhitespace.find(s[pos]) != std::string_view::npos) ++pos;
        return payload;
    }

    std::string subExpand(const std::string& text) {
        // After an error nothing more is expanded, as in Postfix, whose every callback
        // returns at once once MAC_PARSE_ERROR is set: the right side of `{a} OP {b}` is
        // not expanded after the left one failed, which would otherwise make a value that
        // names itself on both sides take 2^100 steps to reach the nesting limit.
        if (failed()) return {};
        MacroResult sub;
        Expander inner(flags_ & ~kMacroScan, lookup_, sub);
        inner.level_ = level_;
        inner.parse(text);
        for (auto& w : sub.warnings) result_.warnings.push_back(std::move(w));
        result_.error |= sub.error;
        return sub.text;
    }

    // Evaluates `{a} OP {b}`; sets value to "true" or "" like Postfix's fake lookup.
    bool logical(std::string_view s, size_t& pos, std::optional<std::string>& value) {
        auto left = curlyPayload(s, pos);
        if (!left) return false;
        size_t opStart = pos;
        while (pos < s.size() && std::strchr("<>!=?+-*/~&|%", s[pos]) && s[pos] != '\0') ++pos;
        size_t symEnd = pos;
        while (pos < s.size() && std::isalpha(static_cast<unsigned char>(s[pos]))) ++pos;
        std::string op(s.substr(opStart, pos - opStart));
        static const char* const kOps[] = {"==", "!=", "<", "<=", ">", ">=", "<level", "<=level", ">level", ">=level"};
        bool known = false;
        for (auto* k : kOps) known |= op == k;
        if (!known) {
            pos = symEnd;
            error("\"==\" or \"!=\" or \"<\" or \"<=\" or \">\" or \">=\" expected at: \"...{" + *left + "}>>>" +
                  std::string(s.substr(opStart, 20)) + "\"");
            return false;
        }
        size_t afterOp = pos;
        if (!findLeftCurly(s, pos)) {
            error("\"{expression}\" expected at: \"...{" + *left + "} " + op + ">>>" +
                  std::string(s.substr(afterOp, 20)) + "\"");
            return false;
        }
        auto right = curlyPayload(s, pos);
        if (!right) return false;
        std::string a = subExpand(*left), b = subExpand(*right);
        if (failed()) return false;
        int cmp;
        bool levels = op.size() > 2 && op.substr(op.size() - 5) == "level";
        std::string rel = levels ? op.substr(0, op.size() - 5) : op;
        if (levels) {
            // compat_relop_eval(): a malformed level is warned about and is a parse
            // error (postconf: "macro processing error"); a scan evaluates nothing.
            auto x = compatLevelFromString(a);
            auto y = x ? compatLevelFromString(b) : std::nullopt;
            if (!(flags_ & kMacroScan) && (!x || !y)) {
                error(base::cat("malformed compatibility level syntax: \"", x ? b : a, "\""));
                return false;
            }
            cmp = x && y ? (*x < *y ? -1 : *x > *y ? 1 : 0) : 0;
        } else if (rel == "==" || rel == "!=") {
            cmp = a.compare(b);
        } else if (allDigits(a) && allDigits(b)) {
            long x = std::strtol(a.c_str(), nullptr, 10), y = std::strtol(b.c_str(), nullptr, 10);
            cmp = x < y ? -1 : x > y ? 1 : 0;
        } else {
            cmp = a.compare(b);
        }
        bool truth = rel == "=="   ? cmp == 0
                     : rel == "!=" ? cmp != 0
                     : rel == "<"  ? cmp < 0
                     : rel == "<=" ? cmp <= 0
                     : rel == ">"  ? cmp > 0
                                   : cmp >= 0;
        value = truth ? std::string("true") : std::string();
        return true;
    }

    // mac_expand_callback() for a $name or ${...} body.
    void expression(std::string body) {
        if (level_++ > 100) {
            error("unreasonable macro call nesting: \"" + body + "\"");
            return;
        }
        std::optional<std::string> value;
        size_t pos = 0;
        char ch = 0;
        std::string_view s = body;
        if (findLeftCurly(s, pos)) {
            if (!logical(s, pos, value)) return;
            if (pos < s.size()) {
                ch = s[pos];
                if (ch != '?' && ch != ':') {
                    error("\"?\" or \":\" expected at: \"...}>>>" + std::string(s.substr(pos, 20)) + "\"");
                    return;
                }
                ++pos;
            }
        } else {
            for (;; ++pos) {
                if (pos >= s.size()) break;
                ch = s[pos];
                if (ch == '?' || ch == ':') break;
                if (!isNameChar(ch)) {
                    error("attribute name syntax error at: \"..." + std::string(s.substr(0, pos)) + ">>>" +
                          std::string(s.substr(pos, 20)) + "\"");
                    return;
                }
            }
            if (pos >= s.size()) ch = 0;
            std::string name(s.substr(0, pos));
            if (ch) ++pos;
            value = lookup_(name);
        }
        bool scan = flags_ & kMacroScan;
        bool truthy = value && !value->empty();
        switch (ch) {
            case '?': {
                std::string ifTrue;
                if (findLeftCurly(s, pos)) {
                    auto p = curlyPayload(s, pos);
                    if (!p) return;
                    ifTrue = *p;
                } else {
                    ifTrue = std::string(s.substr(pos));
                    pos = s.size();
                }
                if (truthy || scan) parse(ifTrue);
                if (failed() || pos >= s.size()) break;
                if (s[pos] != ':') {
                    error("\":\" expected at: \"..." + ifTrue + "}>>>" + std::string(s.substr(pos, 20)) + "\"");
                    return;
                }
                ++pos;
                [[fallthrough]];
            }
            case ':': {
                std::string ifFalse;
                if (findLeftCurly(s, pos)) {
                    auto p = curlyPayload(s, pos);
                    if (!p) return;
                    ifFalse = *p;
                } else {
                    ifFalse = std::string(s.substr(pos));
                    pos = s.size();
                }
                if (!truthy || scan) parse(ifFalse);
                if (failed()) return;
                if (pos < s.size()) {
                    error("unexpected input at: \"..." + ifFalse + "}>>>" + std::string(s.substr(pos, 20)) + "\"");
                    return;
                }
                break;
            }
            default:
                if (!value) {
                    result_.undef = true;
                } else if (value->empty() || scan) {
                } else if (flags_ & kMacroRecurse) {
                    parse(*value);
                } else {
                    result_.text += *value;
                }
        }
        --level_;
    }

    unsigned flags_;
    const MacroLookup& lookup_;
    MacroResult& result_;
    int level_ = 0;
};

}  // namespace

MacroResult macroExpand(std::string_view pattern, unsigned flags, const MacroLookup& lookup) {
    MacroResult result;
    Expander expander(flags, lookup, result);
    expander.parse(pattern);
    return result;
}

int compareCompatLevels(std::string_view a, std::string_view b) {
    auto x = compatLevelFromString(a), y = compatLevelFromString(b);
    if (!x || !y) return a.compare(b);
    return *x < *y ? -1 : *x > *y ? 1 : 0;
}

}  // namespace postline::config
