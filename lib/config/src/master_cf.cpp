// master.cf parsing for postconf (mirrors postconf_master.c pcf_parse_master_entry(),
// pcf_check_master_entry(), pcf_normalize_options() and util/argv_splitq.c).
#include "postline/config/master_cf.h"

#include <cctype>
#include <cstring>

#include "config_lines.h"
#include "postline/base/strings.h"

namespace postline::config {

using base::Error;
using base::Result;

namespace {

// argv_splitq(text, blanks, "{}"): whitespace-separated tokens, {} groups kept whole.
std::vector<std::string> splitQuoted(std::string_view s) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && base::isSpace(s[i])) ++i;
        if (i >= s.size()) break;
        size_t start = i;
        int level = 0;
        for (; i < s.size(); ++i) {
            if (s[i] == '{')
                ++level;
            else if (s[i] == '}' && level > 0)
                --level;
            else if (level == 0 && base::isSpace(s[i]))
                break;
        }
        out.emplace_back(s.substr(start, i - start));
    }
    return out;
}

}  // namespace

std::string checkMasterEntry(const std::vector<std::string>& argv, std::string_view raw) {
    static const char* const kTypes[] = {"unix", "fifo", "inet", "pass", "unix-dgram"};
    bool typeOk = false;
    for (auto* t : kTypes) typeOk |= argv[1] == t;
    if (!typeOk) return base::cat("invalid type field \"", argv[1], "\" in \"", raw, "\"");
    for (int f = 2; f <= 4; ++f) {
        const std::string& cp = argv[f];
        if (cp.size() != 1 || !std::strchr("yn-", cp[0]))
            return base::cat("invalid ", kMasterFieldNames[f], " field \"", cp, "\" in \"", raw, "\"");
    }
    std::string_view w = argv[5];
    size_t len = w.size();
    if (len > 0 && w[len - 1] == '?') --len;
    bool digits = true;
    for (size_t k = 0; k < len; ++k) digits &= base::isDigit(w[k]);
    if (!(w[0] == '-' && len == 1) && !digits)
        return base::cat("invalid ", kMasterFieldNames[5], " field \"", w, "\" in \"", raw, "\"");
    const std::string& m = argv[6];
    bool mdigits = true;
    for (char c : m) mdigits &= base::isDigit(c);
    if (m != "-" && !mdigits) return base::cat("invalid ", kMasterFieldNames[6], " field \"", m, "\" in \"", raw, "\"");
    return {};
}

namespace {

void normalizeOptions(std::vector<std::string>& argv) {
    for (size_t field = kMasterMinFields; field < argv.size(); ++field) {
        std::string& arg = argv[field];
        if (arg[0] != '-' || arg == "--") break;
        // Split "-stuffozz" into "-stuff" and "-ozz".
        for (size_t k = 2; k < arg.size(); ++k) {
            if (arg[k] == 'o') {
                argv.insert(argv.begin() + long(field) + 1, "-" + arg.substr(k));
                argv[field].resize(k);
                break;
            }
        }
        std::string& a = argv[field];
        if (a.size() < 2 || a[1] != 'o') continue;
        if (a.size() > 2) {
            std::string rest = a.substr(2);
            a.resize(2);
            argv.insert(argv.begin() + long(field) + 1, rest);
        }
        if (field + 1 < argv.size()) {
            argv[field + 1] = normalizeOptionValue(argv[field + 1]);
            field += 1;
        }
    }
}

}  // namespace

Result<std::pair<std::string, std::string>> splitNameValue(std::string_view text) {
    std::string_view s = base::trimLeft(text);
    size_t n = 0;
    while (n < s.size() && !base::isSpace(s[n]) && s[n] != '=') ++n;
    if (n == 0) return Error{"missing attribute name"};
    size_t eq = n;
    while (eq < s.size() && base::isSpace(s[eq])) ++eq;
    if (eq >= s.size() || s[eq] != '=') return Error{"missing '=' after attribute name"};
    return std::pair{std::string(s.substr(0, n)), std::string(base::trim(s.substr(eq + 1)))};
}

std::string optionNameValue(std::string_view value) {
    std::string_view v = value;
    if (v.size() >= 2 && v.front() == '{' && v.back() == '}') v = base::trim(v.substr(1, v.size() - 2));
    return std::string(v);
}

std::string normalizeOptionValue(std::string_view value) {
    if (value.empty() || value.front() != '{') return std::string(value);
    auto nv = splitNameValue(optionNameValue(value));
    if (!nv) return std::string(value);
    bool space = false;
    for (char c : nv->second) space |= base::isSpace(c);
    return space ? base::cat("{", nv->first, "=", nv->second, "}") : base::cat(nv->first, "=", nv->second);
}

std::vector<std::pair<std::string, std::string>> MasterEntry::params() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (size_t field = kMasterMinFields; field < argv.size(); ++field) {
        const std::string& arg = argv[field];
        if (arg[0] != '-' || arg == "--") break;
        if (arg == "-o" && field + 1 < argv.size()) {
            if (auto nv = splitNameValue(optionNameValue(argv[field + 1]))) out.push_back(*nv);
            field += 1;
        }
    }
    return out;
}

Result<MasterEntry> parseMasterEntry(std::string_view text) {
    auto argv = splitQuoted(text);
    if (argv.size() < size_t(kMasterMinFields)) return Error{"bad field count"};
    if (auto err = checkMasterEntry(argv, text); !err.empty()) return Error{err};
    normalizeOptions(argv);
    return MasterEntry{std::move(argv), 0};
}

Result<std::vector<MasterEntry>> parseMasterCf(std::string_view text, const std::string& path) {
    std::vector<MasterEntry> out;
    base::Status walked =
        detail::forEachConfigLine(text, [&](std::string_view logical, int, int lastLine) -> base::Status {
            auto entry = parseMasterEntry(logical);
            if (!entry) {
                if (entry.error().message == "bad field count")
                    return Error{base::cat("file ", path, ": line ", lastLine, ": bad field count")};
                return entry.error();
            }
            entry->line = lastLine;
            out.push_back(std::move(entry).value());
            return {};
        });
    if (!walked) return walked.error();
    return out;
}

int masterOptionLine(const std::vector<std::string>& lines, const MasterEntry& entry, std::string_view name) {
    for (int n = entry.line; n >= 1 && size_t(n) <= lines.size(); --n) {
        const std::string& text = lines[size_t(n) - 1];
        size_t at = text.find(name);
        if (at != std::string::npos && at > 0) {
            size_t next = text.find_first_not_of(" \t", at + name.size());
            if (next != std::string::npos && text[next] == '=') return n;
        }
        if (!text.empty() && !std::isspace(static_cast<unsigned char>(text[0]))) break;
    }
    return entry.line;
}

}  // namespace postline::config
