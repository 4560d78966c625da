// Effective configuration and `$` expansion (mirrors util/mac_expand.c).
#include "postline/config/config.h"

#include <cstdlib>
#include <string>

#include "postline/base/files.h"
#include "postline/base/strings.h"

namespace postline::config {

using base::Result;

std::string defaultConfigDirectory() {
    if (const char* env = std::getenv("MAIL_CONFIG"); env && *env) return env;
    return "/etc/postfix";
}

Result<Config> Config::load(const std::string& configDir) {
    std::string path = configDir + "/main.cf";
    auto text = base::readFile(path);
    if (!text) return text.error();
    auto defs = parseMainCf(*text, path);
    if (!defs) return defs.error();
    Config config;
    config.configDir_ = configDir;
    config.defs_ = std::move(defs).value();
    return config;
}

Config Config::defaults(const std::string& configDir) {
    Config config;
    config.configDir_ = configDir;
    return config;
}

void Config::set(std::string_view name, std::string_view value) {
    defs_[std::string(name)] = Definition{std::string(value), "", 0};
}

const Definition* Config::definition(std::string_view name) const {
    auto it = defs_.find(name);
    return it == defs_.end() ? nullptr : &it->second;
}

std::optional<std::string> Config::raw(std::string_view name) const {
    if (auto* def = definition(name)) return def->value;
    return builtinDefault(name, configDir_);
}

std::string Config::get(std::string_view name) const {
    auto value = raw(name);
    return value ? expand(*value) : std::string();
}

bool Config::getBool(std::string_view name) const { return base::equalsIgnoreCase(base::trim(get(name)), "yes"); }

long Config::getLong(std::string_view name) const { return std::strtol(get(name).c_str(), nullptr, 10); }

namespace {

// Expansion state: the configuration, and a depth guard against `a = $b`, `b = $a`.
struct Expander {
    const Config& config;
    int depth = 0;

    std::string lookup(std::string_view name) {
        auto value = config.raw(name);
        if (!value) return {};
        if (depth > 100) return {};  // recursion: Postfix reports it; we stop expanding
        ++depth;
        std::string out = expand(*value);
        --depth;
        return out;
    }

    // Reads a `{text}` group at pos (nested braces allowed); returns its inside.
    static bool readBraced(std::string_view s, size_t& pos, std::string_view& inside) {
        if (pos >= s.size() || s[pos] != '{') return false;
        int level = 0;
        for (size_t i = pos; i < s.size(); ++i) {
            if (s[i] == '{') ++level;
            if (s[i] == '}' && --level == 0) {
                inside = s.substr(pos + 1, i - pos - 1);
                pos = i + 1;
                return true;
            }
        }
        return false;
    }

    static void skipSpace(std::string_view s, size_t& pos) {
        while (pos < s.size() && base::isSpace(s[pos])) ++pos;
    }

    // `{a} OP {b} ? {x} : {y}` inside `${...}`.
    std::string comparison(std::string_view body) {
        size_t pos = 0;
        std::string_view left, right, yes, no;
        if (!readBraced(body, pos, left)) return {};
        skipSpace(body, pos);
        size_t opStart = pos;
        while (pos < body.size() && !base::isSpace(body[pos]) && body[pos] != '{') ++pos;
        std::string_view op = body.substr(opStart, pos - opStart);
        skipSpace(body, pos);
        if (!readBraced(body, pos, right)) return {};
        skipSpace(body, pos);
        if (pos >= body.size() || body[pos] != '?') return {};
        ++pos;
        skipSpace(body, pos);
        if (!readBraced(body, pos, yes)) return {};
        skipSpace(body, pos);
        bool haveNo = false;
        if (pos < body.size() && body[pos] == ':') {
            ++pos;
            skipSpace(body, pos);
            haveNo = readBraced(body, pos, no);
        }
        std::string a = expand(base::trim(left)), b = expand(base::trim(right));
        bool result = compare(a, op, b);
        return result ? expand(base::trim(yes)) : (haveNo ? expand(base::trim(no)) : std::string());
    }

    // Compares "3.6"-style levels field by field, numbers numerically.
    static int compareLevels(std::string_view a, std::string_view b) {
        auto fa = base::splitAny(a, "."), fb = base::splitAny(b, ".");
        for (size_t i = 0; i < std::max(fa.size(), fb.size()); ++i) {
            long x = i < fa.size() ? std::strtol(std::string(fa[i]).c_str(), nullptr, 10) : 0;
            long y = i < fb.size() ? std::strtol(std::string(fb[i]).c_str(), nullptr, 10) : 0;
            if (x != y) return x < y ? -1 : 1;
        }
        return 0;
    }

    static bool compare(const std::string& a, std::string_view op, const std::string& b) {
        if (op == "==") return a == b;
        if (op == "!=") return a != b;
        int c;
        std::string_view rel = op;
        if (base::endsWith(op, "level")) {
            c = compareLevels(a, b);
            rel = op.substr(0, op.size() - 5);
        } else {
            long x = std::strtol(a.c_str(), nullptr, 10), y = std::strtol(b.c_str(), nullptr, 10);
            c = x < y ? -1 : x > y ? 1 : 0;
        }
        if (rel == "<") return c < 0;
        if (rel == "<=") return c <= 0;
        if (rel == ">") return c > 0;
        if (rel == ">=") return c >= 0;
        if (rel == "==") return c == 0;
        if (rel == "!=") return c != 0;
        return false;
    }

    std::string conditional(std::string_view body) {
        size_t i = 0;
        while (i < body.size() && (base::isAlnum(body[i]) || body[i] == '_')) ++i;
        std::string_view name = body.substr(0, i);
        std::string value = lookup(name);
        if (i == body.size()) return value;
        char kind = body[i];
        std::string_view rest = body.substr(i + 1);
        std::string_view yes = rest, no;
        bool braced = !rest.empty() && rest[0] == '{';
        if (braced) {
            size_t pos = 0;
            readBraced(rest, pos, yes);
            skipSpace(rest, pos);
            if (kind == '?' && pos < rest.size() && rest[pos] == ':') {
                ++pos;
                skipSpace(rest, pos);
                readBraced(rest, pos, no);
            }
        }
        if (kind == '?') return !value.empty() ? expand(yes) : expand(no);
        if (kind == ':') return value.empty() ? expand(yes) : std::string();
        return value;
    }

    std::string expand(std::string_view s) {
        std::string out;
        out.reserve(s.size());
        for (size_t i = 0; i < s.size(); ++i) {
            if (s[i] != '$' || i + 1 >= s.size()) {
                out.push_back(s[i]);
                continue;
            }
            char next = s[i + 1];
            if (next == '$') {
                out.push_back('$');
                ++i;
            } else if (next == '{' || next == '(') {
                char close = next == '{' ? '}' : ')';
                int level = 0;
                size_t j = i + 1;
                for (; j < s.size(); ++j) {
                    if (s[j] == next) ++level;
                    if (s[j] == close && --level == 0) break;
                }
                if (j >= s.size()) {  // unbalanced: keep the text as it is
                    out.append(s.substr(i));
                    break;
                }
                std::string_view body = s.substr(i + 2, j - i - 2);
                out += (!body.empty() && body[0] == '{') ? comparison(body) : conditional(body);
                i = j;
            } else if (base::isAlnum(next) || next == '_') {
                size_t j = i + 1;
                while (j < s.size() && (base::isAlnum(s[j]) || s[j] == '_')) ++j;
                out += lookup(s.substr(i + 1, j - i - 1));
                i = j - 1;
            } else {
                out.push_back('$');
            }
        }
        return out;
    }
};

}  // namespace

std::string Config::expand(std::string_view text) const {
    Expander expander{*this};
    return expander.expand(text);
}

}  // namespace postline::config
