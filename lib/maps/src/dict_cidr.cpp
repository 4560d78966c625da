// cidr: tables of IPv4/IPv6 networks (Postfix's util/dict_cidr.c over util/cidr_match.c),
// from a file or in-line as cidr:{ {rule}, ... }. Addresses are parsed with inet_pton(),
// exactly as Postfix does, so glibc's rules apply (e.g. "010.0.0.1" is not an address).
#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstring>
#include <memory>
#include <vector>

#include "backends.h"
#include "postline/base/files.h"
#include "postline/base/logical_lines.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/maps/brace_list.h"

namespace postline::maps::backend {

using base::cat;
using base::Error;

namespace {

enum class Op { Match, If, Endif };

struct CidrRule {
    Op op = Op::Match;
    bool match = true;  // false for a negated pattern
    int family = AF_INET;
    int byteCount = 4;
    int maskBits = 32;
    unsigned char net[16] = {};
    unsigned char mask[16] = {};
    size_t blockEnd = 0;  // If: index of its Endif (0 = none, the IF never closed)
    std::string value;
};

int familyOf(std::string_view text) { return text.find(':') != std::string_view::npos ? AF_INET6 : AF_INET; }

bool parseAddress(int family, const std::string& text, unsigned char* out) {
    return ::inet_pton(family, text.c_str(), out) == 1;
}

void makeMask(unsigned char* mask, int bytes, int bits) {
    for (int i = 0; i < bytes; ++i) {
        int take = bits >= 8 ? 8 : (bits > 0 ? bits : 0);
        mask[i] = static_cast<unsigned char>(take == 0 ? 0 : (0xFF << (8 - take)) & 0xFF);
        bits -= take;
    }
}

// cidr_match_parse(): "addr", "addr/len", "[addr]", "[addr]/len", "[addr/len]".
// Returns an empty string on success, else why the pattern is bad.
std::string parsePattern(std::string_view text, CidrRule& rule) {
    std::string pattern(text);
    std::string maskSearchIn;  // where to look for "/len"
    bool bracketMask = false;
    if (!pattern.empty() && pattern[0] == '[') {
        std::string inner = pattern.substr(1);
        size_t close = inner.find(']');
        if (close == std::string::npos) return cat("missing ']' character after \"[", inner, "\"");
        std::string after = inner.substr(close + 1);
        inner.resize(close);
        if (!after.empty() && after[0] != '/') return cat("garbage after \"[", inner, "]\"");
        if (!after.empty()) {
            bracketMask = true;
            maskSearchIn = after.substr(1);
        }
        pattern = inner;
    }
    std::string mask;
    bool hasMask = false;
    if (bracketMask) {
        hasMask = true;
        mask = maskSearchIn;
    } else if (size_t slash = pattern.find('/'); slash != std::string::npos) {
        hasMask = true;
        mask = pattern.substr(slash + 1);
        pattern.resize(slash);
    }
    rule.family = familyOf(pattern);
    rule.byteCount = rule.family == AF_INET6 ? 16 : 4;
    int bitCount = rule.byteCount * 8;
    if (hasMask) {
        bool digits = !mask.empty();
        for (char c : mask) digits = digits && base::isDigit(c);
        if (!digits) return cat("bad mask value in \"", pattern, "/", mask, "\"");
        long bits = 0;
        for (char c : mask) bits = std::min(bits * 10 + (c - '0'), 100000L);
        if (bits > bitCount) return cat("bad mask length in \"", pattern, "/", mask, "\"");
        if (!parseAddress(rule.family, pattern, rule.net))
            return cat("bad network value in \"", pattern, "/", mask, "\"");
        rule.maskBits = static_cast<int>(bits);
        makeMask(rule.mask, rule.byteCount, rule.maskBits);
        for (int i = 0; i < rule.byteCount; ++i) {
            if (rule.net[i] & ~rule.mask[i]) {
                unsigned char fixed[16];
                for (int k = 0; k < rule.byteCount; ++k) fixed[k] = rule.net[k] & rule.mask[k];
                char shown[INET6_ADDRSTRLEN];
                ::inet_ntop(rule.family, fixed, shown, sizeof(shown));
                return cat("non-null host address bits in \"", pattern, "/", mask, "\", perhaps you should use \"",
                           std::string_view(shown), "/", rule.maskBits, "\" instead");
            }
        }
    } else {
        if (!parseAddress(rule.family, pattern, rule.net)) return cat("bad address pattern: \"", pattern, "\"");
        rule.maskBits = bitCount;
        makeMask(rule.mask, rule.byteCount, rule.maskBits);
    }
    return {};
}

// "IF"/"ENDIF" keywords: case-insensitive, followed by a non-alphanumeric character.
bool isKeyword(std::string_view line, std::string_view word) {
    return line.size() >= word.size() && base::equalsIgnoreCase(line.substr(0, word.size()), word) &&
           (line.size() == word.size() || !base::isAlnum(line[word.size()]));
}

class CidrDict : public Dict {
public:
    CidrDict(std::string name, uint32_t flags) : Dict("cidr", std::move(name), flags) {}

    // Parses the rules of one source; `label` names it in warnings ("cidr map LABEL, line N").
    void load(std::string_view text, const std::string& label) {
        base::LogicalLineReader reader(text, label);
        std::string line;
        int lineno = 0;
        std::vector<std::pair<size_t, int>> openIfs;  // rule index, line number
        while (reader.next(line, lineno)) {
            CidrRule rule;
            std::string why = parseRule(line, rule, !openIfs.empty());
            if (!why.empty()) {
                base::msgWarn(cat("cidr map ", label, ", line ", lineno, ": ", why, ": skipping this rule"));
                continue;
            }
            rules_.push_back(std::move(rule));
            if (rules_.back().op == Op::If) openIfs.emplace_back(rules_.size() - 1, lineno);
            if (rules_.back().op == Op::Endif) {
                rules_[openIfs.back().first].blockEnd = rules_.size() - 1;
                openIfs.pop_back();
            }
        }
        for (auto it = openIfs.rbegin(); it != openIfs.rend(); ++it)
            base::msgWarn(cat("cidr map ", label, ", line ", it->second, ": IF has no matching ENDIF"));
    }

protected:
    Lookup doLookup(std::string_view key) override {
        unsigned char addr[16];
        int family = familyOf(key);
        if (!parseAddress(family, std::string(key), addr)) return Lookup::notFound();
        for (size_t i = 0; i < rules_.size(); ++i) {
            const CidrRule& rule = rules_[i];
            switch (rule.op) {
                case Op::Match:
                    if (rule.family == family && matches(rule, addr)) return Lookup::found(rule.value);
                    break;
                case Op::If:
                    if (rule.family == family && matches(rule, addr)) break;
                    if (rule.blockEnd == 0) return Lookup::notFound();  // IF without ENDIF
                    i = rule.blockEnd;
                    break;
                case Op::Endif:
                    break;
            }
        }
        return Lookup::notFound();
    }

private:
    static bool matches(const CidrRule& rule, const unsigned char* addr) {
        for (int i = 0; i < rule.byteCount; ++i)
            if ((addr[i] & rule.mask[i]) != rule.net[i]) return !rule.match;
        return rule.match;
    }

    static std::string parseRule(std::string_view line, CidrRule& rule, bool nested) {
        auto skipNegations = [&](std::string_view p) {
            for (;;) {
                p = base::trimLeft(p);
                if (p.empty() || p[0] != '!') return p;
                rule.match = !rule.match;
                p.remove_prefix(1);
            }
        };
        if (isKeyword(line, "if")) {
            std::string_view pattern = base::trimRight(skipNegations(line.substr(2)));
            if (pattern.empty()) return "no address pattern";
            std::string why = parsePattern(pattern, rule);
            if (why.empty()) rule.op = Op::If;
            return why;
        }
        if (isKeyword(line, "endif")) {
            if (!base::trim(line.substr(5)).empty()) return "garbage after ENDIF";
            if (!nested) return "ENDIF without IF";
            rule.op = Op::Endif;
            return {};
        }
        std::string_view p = line;
        if (!p.empty() && p[0] == '!') p = skipNegations(p);
        size_t end = 0;
        while (end < p.size() && !base::isSpace(p[end])) ++end;
        std::string_view pattern = p.substr(0, end);
        std::string_view value = base::trim(p.substr(end));
        if (pattern.empty()) return "no address pattern";
        std::string why = parsePattern(pattern, rule);
        if (!why.empty()) return why;
        if (value.empty()) return "no lookup result";
        rule.value = std::string(value);
        return {};
    }

    std::vector<CidrRule> rules_;
};

}  // namespace

base::Result<std::unique_ptr<Dict>> openCidr(const DictSpec& spec, OpenMode mode, uint32_t flags, const OpenContext&) {
    const std::string& name = spec.name;
    if (mode != OpenMode::Read) return Error{cat("cidr:", name, " map requires O_RDONLY access mode")};
    auto dict = std::make_unique<CidrDict>(name, flags | flag::kPattern);
    if (!name.empty() && name[0] == '{') {
        // In-line form: each braced item is one line of an in-memory file.
        auto inside = detail::extractBraced(name);
        if (!inside) return Error{cat("cidr map: ", inside.error().message)};
        std::string text;
        for (const std::string& item : detail::splitBraceItems(*inside)) {
            auto rule = detail::extractBraced(item);
            if (!rule) return Error{cat("cidr map: ", rule.error().message)};
            text += *rule;
            text += '\n';
        }
        dict->load(text, name);
    } else {
        auto text = base::readFile(name);
        if (!text) return text.error();
        dict->load(*text, name);
    }
    return std::unique_ptr<Dict>(std::move(dict));
}

}  // namespace postline::maps::backend
