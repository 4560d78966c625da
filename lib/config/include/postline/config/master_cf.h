// master.cf as master(5) defines it and postconf(1) reads it (mirrors
// postconf_master.c): logical lines, eight or more fields, `-o name=value` and
// `-o { name = value }` service parameters, field sanity checks with Postfix's texts.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "postline/base/result.h"

namespace postline::config {

// The field names as `postconf -F` prints them, in master.cf order.
inline constexpr std::string_view kMasterFieldNames[] = {"service", "type",   "private",       "unprivileged",
                                                         "chroot",  "wakeup", "process_limit", "command"};
inline constexpr int kMasterMinFields = 8;
inline constexpr int kMasterCommandField = 7;

// One `-o name=value` daemon option of a service, where it is written.
struct MasterOption {
    std::string name;
    std::string value;  // as written, braces of the `-o { name = value }` form removed
    int line = 0;       // its physical master.cf line; 0 when the lines are unknown
};

struct MasterEntry {
    // Fields and command arguments after Postfix's normalization ("-oname=value" becomes
    // "-o" "name=value"; "-o { name = value }" becomes "{name=value}" or "name=value").
    std::vector<std::string> argv;
    int line = 0;       // last physical line of the entry
    int firstLine = 0;  // first physical line of the entry
    // The physical line of each argv element (parseMasterCf and scanMasterCf fill it; empty
    // for an entry built otherwise).
    std::vector<int> argLines = {};
    const std::string& name() const { return argv[0]; }
    const std::string& type() const { return argv[1]; }
    // The `-o name=value` parameters of the daemon options, in order (later ones win).
    std::vector<std::pair<std::string, std::string>> params() const;
    // The same, each with its physical line.
    std::vector<MasterOption> options() const;
    // The physical line of the last `-o name=...` (the one that takes effect), or 0 when
    // there is none or the lines are unknown.
    int optionLine(std::string_view name) const;
};

// A logical line that is not a valid entry: where it is and what Postfix says about it
// ("bad field count", or pcf_check_master_entry()'s text). A logical line that starts
// with whitespace is `skipped`: Postfix warns and reads on.
struct MasterCfProblem {
    int firstLine = 0;
    int lastLine = 0;
    std::string message;
    bool skipped = false;
};

// Every entry of master.cf text, and every logical line that is not one: what a checker
// needs that must go on after the first bad line, where postconf and master stop.
// `warnings` are the complete texts Postfix warns with while it reads, in file order
// ("PATH: logical line must not start with whitespace: ...", "master.cf: missing '}'
// in ..."), each with the lines of its logical line.
struct MasterCfScan {
    std::vector<MasterEntry> entries;
    std::vector<MasterCfProblem> problems;
    std::vector<MasterCfProblem> warnings;
};
MasterCfScan scanMasterCf(std::string_view text, std::string_view path = "master.cf");

// Parses master.cf text. Errors carry Postfix's fatal text, e.g.
// "file /etc/postfix/master.cf: line 3: bad field count" (the entry's first line). The
// warnings Postfix gives before it stops are appended to `warnings` when given.
base::Result<std::vector<MasterEntry>> parseMasterCf(std::string_view text, const std::string& path,
                                                     std::vector<std::string>* warnings = nullptr);

// Parses one logical master.cf line. The error is "bad field count" (the caller adds
// where), or a complete Postfix message such as "invalid type field \"x\" in \"...\"".
// Brace warnings ("master.cf: missing '}' in ...") are appended to `warnings` when given.
base::Result<MasterEntry> parseMasterEntry(std::string_view text, std::vector<std::string>* warnings = nullptr);
// pcf_check_master_entry(): "" when the fields are valid, else Postfix's message, with
// `raw` as the text it quotes.
std::string checkMasterEntry(const std::vector<std::string>& argv, std::string_view raw);

// Splits "name=value" like split_nameval(): name and value trimmed; error text otherwise
// ("missing '=' after attribute name" / "missing attribute name").
base::Result<std::pair<std::string, std::string>> splitNameValue(std::string_view text);

// The physical line (1-based) of a service's `-o NAME=...` in master.cf: entry.optionLine()
// for a parsed entry; otherwise, given the file's lines, a walk back from the entry's last
// line to its first (the one not indented); the entry's last line when the option cannot
// be told apart.
int masterOptionLine(const std::vector<std::string>& lines, const MasterEntry& entry, std::string_view name);

// Normalizes a `-o` value: "{ name = value }" → "{name=value}" (value with whitespace) or
// "name=value"; other text is returned as is.
std::string normalizeOptionValue(std::string_view value);
// The name=value inside an option value, braces removed.
std::string optionNameValue(std::string_view value);

}  // namespace postline::config
