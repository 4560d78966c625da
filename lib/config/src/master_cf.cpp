// master.cf parsing for postconf (mirrors postconf_master.c pcf_parse_master_entry(),
// pcf_check_master_entry(), pcf_normalize_options() and util/argv_splitq.c).
#include "postline/config/master_cf.h"

#include <cctype>
#include <cstring>
#include <functional>

#include "config_lines.h"
#include "postline/base/strings.h"

namespace postline::config {

using base::Error;
using base::Result;

namespace {

// argv_splitq(text, " \t\r\n", "{}"): tokens separated by PCF_MASTER_BLANKS (a vertical
// tab or form feed is part of a token), {} groups kept whole, each with its offset in `s`.
struct Token {
    std::string text;
    size_t offset;
};

constexpr std::string_view kMasterBlanks = " \t\r\n";

bool isBlank(char c) { return kMasterBlanks.find(c) != std::string_view::npos; }

std::vector<Token> splitQuoted(std::string_view s) {
    std::vector<Token> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && isBlank(s[i])) ++i;
        if (i >= s.size()) break;
        size_t start = i;
        int level = 0;
        for (; i < s.size(); ++i) {
            if (s[i] == '{')
                ++level;
            else if (s[i] == '}' && level > 0)
                --level;
            else if (level == 0 && isBlank(s[i]))
                break;
        }
        out.push_back({std::string(s.substr(start, i - start)), start});
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

// How an argument is kept: as Postfix stores it after extraction, in braces again when it
// holds a blank, which is how every postconf printer shows it (need_parens).
std::string braced(std::string_view inner) {
    if (inner.find_first_of(kMasterBlanks) == std::string_view::npos) return std::string(inner);
    return base::cat("{", inner, "}");
}

// extpar(&arg, "{}", EXTPAR_FLAG_STRIP) for an argument that starts with '{': the text
// inside the braces, trimmed. A missing '}' or text after it is warned about, as
// pcf_extract_field() does ("master.cf: ..."), and the text is used as far as it goes.
std::string extractBraces(std::string_view arg, std::vector<std::string>& warnings) {
    int level = 0;
    size_t len = 0;  // balpar(): the length of the balanced text, 0 when unbalanced
    for (size_t k = 0; k < arg.size(); ++k) {
        if (arg[k] == '{') {
            ++level;
        } else if (arg[k] == '}' && --level == 0) {
            len = k + 1;
            break;
        }
    }
    std::string_view inner;
    if (len == 0) {
        warnings.push_back(base::cat("master.cf: missing '}' in \"", arg, "\""));
        inner = arg.substr(1);
    } else {
        if (len < arg.size()) warnings.push_back(base::cat("master.cf: syntax error after '}' in \"", arg, "\""));
        inner = arg.substr(1, len - 2);
    }
    return std::string(base::trim(inner));
}

// pcf_normalize_daemon_args(). `lines` holds the physical line of each argv element and
// follows every split.
void normalizeOptions(std::vector<std::string>& argv, std::vector<int>& lines, std::vector<std::string>& warnings) {
    auto insert = [&](size_t at, std::string text) {
        argv.insert(argv.begin() + long(at), std::move(text));
        lines.insert(lines.begin() + long(at), lines[at - 1]);
    };
    size_t field = kMasterMinFields;
    for (; field < argv.size(); ++field) {
        std::string& arg = argv[field];
        if (arg[0] != '-' || arg == "--") break;
        // Split "-stuffozz" into "-stuff" and "-ozz".
        for (size_t k = 2; k < arg.size(); ++k) {
            if (arg[k] == 'o') {
                std::string rest = "-" + arg.substr(k);
                argv[field].resize(k);
                insert(field + 1, std::move(rest));
                break;
            }
        }
        std::string& a = argv[field];
        if (a.size() < 2 || a[1] != 'o') continue;
        if (a.size() > 2) {
            // Split "-oname=value" into "-o" "name=value".
            std::string rest = a.substr(2);
            a.resize(2);
            insert(field + 1, std::move(rest));
        } else if (field + 1 >= argv.size()) {
            continue;
        }
        field += 1;
        if (argv[field][0] != '{') continue;
        // "-o { name = value }": the text inside, as name=value when it is one.
        std::string inner = extractBraces(argv[field], warnings);
        if (auto nv = splitNameValue(inner)) {
            argv[field] = braced(base::cat(nv->first, "=", nv->second));
        } else {
            warnings.push_back(base::cat("master.cf: ", nv.error().message, ": \"", inner, "\""));
            argv[field] = braced(inner);
        }
    }
    // Non-option arguments: the text inside {} (pipe's "argv=/bin/cmd { a b }").
    for (; field < argv.size(); ++field)
        if (argv[field][0] == '{') argv[field] = braced(extractBraces(argv[field], warnings));
}

// parseMasterEntry() with the physical line of each token: `lineAt` maps an offset in
// `text` to its line.
Result<MasterEntry> parseEntry(std::string_view text, const std::function<int(size_t)>& lineAt,
                               std::vector<std::string>& warnings) {
    std::vector<std::string> argv;
    std::vector<int> lines;
    for (Token& t : splitQuoted(text)) {
        lines.push_back(lineAt(t.offset));
        argv.push_back(std::move(t.text));
    }
    if (argv.size() < size_t(kMasterMinFields)) return Error{"bad field count"};
    if (auto err = checkMasterEntry(argv, text); !err.empty()) return Error{err};
    normalizeOptions(argv, lines, warnings);
    MasterEntry entry{std::move(argv), 0};
    entry.argLines = std::move(lines);
    return entry;
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

std::vector<MasterOption> MasterEntry::options() const {
    std::vector<MasterOption> out;
    // Like the daemons' getopt(): the options end at the first argument that is not one.
    for (size_t field = kMasterMinFields; field < argv.size(); ++field) {
        const std::string& arg = argv[field];
        if (arg[0] != '-' || arg == "--") break;
        if (arg == "-o" && field + 1 < argv.size()) {
            if (auto nv = splitNameValue(optionNameValue(argv[field + 1])))
                out.push_back({nv->first, nv->second, field + 1 < argLines.size() ? argLines[field + 1] : 0});
            field += 1;
        }
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> MasterEntry::params() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (MasterOption& option : options()) out.emplace_back(std::move(option.name), std::move(option.value));
    return out;
}

int MasterEntry::optionLine(std::string_view name) const {
    int line = 0;
    for (const MasterOption& option : options())
        if (option.name == name) line = option.line;
    return line;
}

Result<MasterEntry> parseMasterEntry(std::string_view text, std::vector<std::string>* warnings) {
    std::vector<std::string> said;
    auto entry = parseEntry(
        text, [](size_t) { return 0; }, said);
    if (warnings) warnings->insert(warnings->end(), said.begin(), said.end());
    if (entry) entry->argLines.clear();
    return entry;
}

MasterCfScan scanMasterCf(std::string_view text, std::string_view path) {
    // Where each physical line starts, so that a token of a logical line can be traced
    // back to the physical line it is on.
    std::vector<size_t> starts{0};
    for (size_t i = 0; i < text.size(); ++i)
        if (text[i] == '\n') starts.push_back(i + 1);
    auto physical = [&](int n) {
        size_t from = starts[size_t(n) - 1];
        size_t to = size_t(n) < starts.size() ? starts[size_t(n)] - 1 : text.size();
        return text.substr(from, to - from);
    };
    MasterCfScan scan;
    (void)detail::forEachConfigLine(text, [&](std::string_view logical, int firstLine, int lastLine) -> base::Status {
        if (!logical.empty() && base::isSpace(logical[0])) {
            // readllines(): "continuing text without preceding text" (the -o lines of a
            // deleted service) is warned about and skipped; "%.30s%s" cuts it at 30 bytes.
            std::string text = base::cat("logical line must not start with whitespace: \"", logical.substr(0, 30),
                                         logical.size() > 30 ? "..." : "", "\"");
            scan.warnings.push_back({firstLine, lastLine, base::cat(path, ": ", text)});
            scan.problems.push_back({firstLine, lastLine, std::move(text), true});
            return {};
        }
        // The pieces of the logical line: the physical lines that are not comments or blank.
        std::vector<std::pair<size_t, int>> pieces;  // offset in `logical`, line
        size_t offset = 0;
        for (int n = firstLine; n <= lastLine; ++n) {
            std::string_view phys = physical(n);
            std::string_view stripped = base::trimLeft(phys);
            if (stripped.empty() || stripped[0] == '#') continue;
            pieces.emplace_back(offset, n);
            offset += phys.size();
        }
        auto lineAt = [&](size_t at) {
            int line = firstLine;
            for (const auto& [start, n] : pieces)
                if (start <= at) line = n;
            return line;
        };
        std::vector<std::string> said;
        auto entry = parseEntry(logical, lineAt, said);
        for (auto& warning : said) scan.warnings.push_back({firstLine, lastLine, std::move(warning)});
        if (!entry) {
            scan.problems.push_back({firstLine, lastLine, entry.error().message});
            return {};
        }
        entry->line = lastLine;
        entry->firstLine = firstLine;
        scan.entries.push_back(std::move(entry).value());
        return {};
    });
    return scan;
}

Result<std::vector<MasterEntry>> parseMasterCf(std::string_view text, const std::string& path,
                                               std::vector<std::string>* warnings) {
    MasterCfScan scan = scanMasterCf(text, path);
    const MasterCfProblem* fatal = nullptr;
    for (const MasterCfProblem& problem : scan.problems)
        if (!problem.skipped) {
            fatal = &problem;
            break;
        }
    // pcf_read_master() warns as it reads, and stops at the first bad entry.
    if (warnings)
        for (const MasterCfProblem& warning : scan.warnings)
            if (!fatal || warning.lastLine < fatal->firstLine) warnings->push_back(warning.message);
    if (!fatal) return std::move(scan.entries);
    if (fatal->message == "bad field count")
        return Error{base::cat("file ", path, ": line ", fatal->firstLine, ": bad field count")};
    return Error{fatal->message};
}

int masterOptionLine(const std::vector<std::string>& lines, const MasterEntry& entry, std::string_view name) {
    if (int line = entry.optionLine(name)) return line;
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
