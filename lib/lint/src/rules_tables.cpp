// The "tables" rule family: every table the configuration names must be of a known type,
// exist, be readable, be built from its current source, and have no line that Postfix
// would skip or that can never take effect.
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <set>

#include "captured_warnings.h"
#include "context.h"
#include "match_lists.h"
#include "pattern_shadow.h"
#include "postline/address/alias_source.h"
#include "postline/base/files.h"
#include "postline/base/strings.h"
#include "postline/config/registry.h"
#include "postline/maps/registry.h"
#include "postline/maps/table_source.h"
#include "table_refs.h"

namespace postline::lint {

namespace {

// Types that Postfix 3.7 knows but that Postline does not open; the ones with a client
// configuration file name it as the table name.
bool isOtherPostfixType(std::string_view type, bool* namesConfigFile) {
    static constexpr std::string_view kWithFile[] = {"ldap", "mysql", "pgsql", "sqlite", "memcache"};
    static constexpr std::string_view kOthers[] = {"nis",  "nisplus", "randmap", "socketmap", "tcp",
                                                   "unix", "cdb",     "sdbm",    "dbm",       "netinfo"};
    for (std::string_view t : kWithFile)
        if (t == type) return *namesConfigFile = true;
    *namesConfigFile = false;
    for (std::string_view t : kOthers)
        if (t == type) return true;
    return false;
}

// "table hash:/etc/postfix/virtual", and for a table that only a default names, which one:
// the finding is on main.cf, line 0, where the parameter is not set.
std::string tableLabel(const TableRef& ref) {
    if (!ref.fromDefault) return base::cat("table ", ref.text);
    return base::cat("table ", ref.text, " (default value of ", ref.parameter, ", not set in main.cf)");
}

// A file that only a default names and that does not exist: Postfix opens the table all
// the same, and every lookup in it fails with a temporary error (local(8): "alias
// database unavailable", dsn 4.3.0), so the mail that needs it is deferred, not lost.
// The configuration is not wrong for that, so a compile goes on: a warning.
void reportDefaultMissing(LintContext& context, const TableRef& ref, std::string what) {
    std::string hint = base::cat(
        "lookups in it fail with a temporary error and the mail that needs it is deferred; "
        "create ",
        ref.spec.name, ", or set ", ref.parameter, " in main.cf (empty for none)");
    context.report("table-default-missing", ref.origin, base::cat(tableLabel(ref), ": ", what), std::move(hint));
}

// Opens a table as a daemon would, read-only, collecting what it warns about.
struct OpenCheck {
    std::vector<CapturedWarning> warnings;
    std::string problem;  // the open error, if any
};

// `extraFlags`: daemonOpenFlags() of every parameter that names the table.
OpenCheck openForCheck(const TableRef& ref, uint32_t extraFlags = 0) {
    OpenCheck check;
    check.warnings = captureWarnings([&] {
        auto dict =
            maps::openDict(ref.spec, maps::OpenMode::Read, maps::flag::kFoldFix | maps::flag::kDupWarn | extraFlags);
        if (!dict) check.problem = dict.error().message;
    });
    return check;
}

bool statFile(const std::string& path, struct stat& st) { return ::stat(path.c_str(), &st) == 0; }

std::string buildCommand(const TableRef& ref) {
    return base::cat(ref.aliasFormat ? "postalias " : "postmap ", ref.spec.type, ":", ref.spec.name);
}

// Findings for the warnings Postfix prints about a table's lines. A warning about a rule
// of an in-line table (main.cf's "pcre:{ {rule}, ... }") is at the line that names it.
void reportLineWarnings(LintContext& context, const std::vector<CapturedWarning>& warnings, const TableRef& ref,
                        std::string_view lineRule) {
    for (const CapturedWarning& w : warnings) {
        std::string file = w.file.empty() ? ref.spec.name : w.file;
        std::string hint;
        if (w.text.find("substitution is not allowed") != std::string::npos)
            hint =
                "local(8) (alias_maps, mailbox_command_maps, mailbox_transport_maps, fallback_transport_maps), "
                "virtual(8) (virtual_mailbox_maps, virtual_uid_maps, virtual_gid_maps) and trivial-rewrite "
                "(transport_maps, the sender_dependent_* maps) do not fill in $n: write the result out in full";
        if (w.text.starts_with("duplicate entry")) {
            context.report("table-duplicate", file, w.line, w.text, "only the first definition takes effect");
        } else if (w.line > 0 && !file.starts_with("{")) {
            context.report(lineRule, file, w.line, w.text, hint);
        } else if (w.line > 0) {
            context.report(lineRule, ref.origin, base::cat(tableLabel(ref), ", rule ", w.line, ": ", w.text), hint);
        } else {
            context.report(lineRule, ref.origin, base::cat(tableLabel(ref), ": ", w.text), hint);
        }
    }
}

// The source of an indexed table, read as postmap/postalias would read it, with duplicate
// keys found in source order (postmap only reports them while it builds).
void checkSource(LintContext& context, const TableRef& ref) {
    auto text = base::readFile(ref.spec.name);
    if (!text) {
        context.report("table-unreadable", ref.origin, base::cat(tableLabel(ref), ": ", text.error().message));
        return;
    }
    std::map<std::string, int> firstLine;
    auto duplicate = [&](std::string_view rawKey, int line) -> base::Status {
        std::string key = base::lowercase(rawKey);
        auto [it, fresh] = firstLine.emplace(key, line);
        if (!fresh)
            context.report("table-duplicate", ref.spec.name, line,
                           base::cat("duplicate entry: \"", key, "\" (first defined at line ", it->second, ")"),
                           "only the first definition takes effect");
        return {};
    };
    auto warnings = captureWarnings([&] {
        if (ref.aliasFormat) {
            (void)address::readAliasSource(
                *text, ref.spec.name, {},
                [&](const std::string& key, const std::string&, int line) { return duplicate(key, line); });
        } else {
            (void)maps::forEachSourceRecord(
                *text, ref.spec.name, false,
                [&](const maps::SourceRecord& record, int line) { return duplicate(record.key, line); });
        }
    });
    reportLineWarnings(context, warnings, ref, "table-format");
}

void checkIndexed(LintContext& context, const TableRef& ref, std::string_view suffix) {
    std::string index = base::cat(ref.spec.name, ".", suffix);
    struct stat src {
    }, idx{};
    bool haveSource = statFile(ref.spec.name, src);
    bool haveIndex = statFile(index, idx);
    if (!haveSource && !haveIndex && ref.fromDefault) {
        reportDefaultMissing(context, ref, base::cat("neither ", ref.spec.name, " nor ", index, " exists"));
        return;
    }
    if (!haveSource && !haveIndex) {
        context.report("table-missing", ref.origin,
                       base::cat(tableLabel(ref), ": neither ", ref.spec.name, " nor ", index, " exists"));
        return;
    }
    if (!haveIndex) {
        context.report("table-not-built", ref.origin, base::cat(tableLabel(ref), ": ", index, " does not exist"),
                       base::cat("run \"", buildCommand(ref), "\""));
    } else if (!haveSource) {
        context.report("table-source-missing", ref.origin,
                       base::cat(tableLabel(ref), ": source file ", ref.spec.name, " does not exist"),
                       "keep the source beside the indexed file so that the table can be rebuilt");
    } else if (idx.st_mtime < src.st_mtime) {
        context.report("table-stale", ref.origin,
                       base::cat(tableLabel(ref), ": ", index, " is older than its source ", ref.spec.name),
                       base::cat("run \"", buildCommand(ref), "\""));
    }
    if (haveIndex) {
        // Its warnings (none expected for a readable file) are not findings.
        std::string problem = openForCheck(ref).problem;
        if (!problem.empty()) context.report("table-unreadable", ref.origin, base::cat(tableLabel(ref), ": ", problem));
    }
    if (haveSource && !context.knownSource(ref.spec.type, ref.spec.name, ref.aliasFormat)) checkSource(context, ref);
}

// regexp, pcre, cidr, texthash: the file is the table, read when the table opens.
void checkTextTable(LintContext& context, const TableRef& ref, uint32_t extraFlags) {
    struct stat st {};
    if (!statFile(ref.spec.name, st)) {
        if (ref.fromDefault)
            reportDefaultMissing(context, ref, base::cat(ref.spec.name, " does not exist"));
        else
            context.report("table-missing", ref.origin,
                           base::cat(tableLabel(ref), ": ", ref.spec.name, " does not exist"));
        return;
    }
    if (::access(ref.spec.name.c_str(), R_OK) != 0) {
        context.report("table-unreadable", ref.origin,
                       base::cat(tableLabel(ref), ": ", ref.spec.name, " is not readable"));
        return;
    }
    if (context.knownSource(ref.spec.type, ref.spec.name, false)) return;
    auto [warnings, problem] = openForCheck(ref, extraFlags);
    bool pattern = ref.spec.type != "texthash";
    reportLineWarnings(context, warnings, ref, pattern ? "pattern-error" : "table-format");
    if (!problem.empty()) context.report(pattern ? "pattern-error" : "table-unreadable", ref.origin, problem);
    if (pattern) {
        if (auto text = base::readFile(ref.spec.name)) {
            for (const ShadowedRule& s : findShadowedRules(ref.spec.type, *text))
                context.report("pattern-shadowed", ref.spec.name, s.line,
                               base::cat("this rule never matches: the rule at line ", s.shadowedBy,
                                         " matches every key that it matches"),
                               "remove it, or move it above the broader rule");
        }
    }
}

// inline:{...}, static:..., and the other tables without a file: they must open.
void checkInlineTable(LintContext& context, const TableRef& ref, uint32_t extraFlags) {
    auto [warnings, problem] = openForCheck(ref, extraFlags);
    bool pattern = ref.spec.type == "regexp" || ref.spec.type == "pcre" || ref.spec.type == "cidr";
    reportLineWarnings(context, warnings, ref, pattern ? "pattern-error" : "table-format");
    // Postfix's daemons cannot open it and put a table in its place whose every lookup
    // fails (dict_surrogate): an error, not a line to skip.
    if (!problem.empty())
        context.report(pattern ? "pattern-error" : "table-unreadable", ref.origin,
                       base::cat(tableLabel(ref), ": ", problem, "; every lookup in it fails"));
}

// The /file/name items of one match list value (and the files they name).
void checkListFiles(LintContext& context, const std::string& parameter, const std::string& value, const Origin& where,
                    const std::string& label) {
    for (const UnreadableListFile& file : matchListItems(context, value).unreadable) {
        std::string what = file.missing ? "does not exist" : "cannot be read (" + file.error + ")";
        context.report(file.missing ? "table-missing" : "table-unreadable", where,
                       base::cat(label, parameter, ": list file ", context.hostPath(file.path), " ", what,
                                 "; Postfix's daemons log \"open file ", file.path, ": ", file.error,
                                 "\" and every lookup in the list fails with a temporary error"),
                       base::cat("create ", file.path, ", or remove it from ", parameter));
    }
}

// /file/name entries of the match lists (mydestination = /etc/postfix/local_domains),
// in main.cf and in master.cf -o values.
void checkMatchListFiles(LintContext& context) {
    for (const config::ParameterInfo& p : config::builtinParameters()) {
        if (p.type != config::ParamType::MatchList) continue;
        std::string name(p.name);
        if (context.isSet(name)) checkListFiles(context, name, context.value(name), context.origin(name), "");
        for (const config::MasterEntry& entry : context.master())
            for (const config::MasterOption& option : entry.options())
                if (option.name == name)
                    checkListFiles(context, name, context.expandForService(entry, option.value),
                                   context.optionOrigin(entry, option), LintContext::serviceLabel(entry) + ": ");
    }
}

}  // namespace

void checkTables(LintContext& context) {
    checkMatchListFiles(context);
    std::vector<TableRef> refs = collectTableRefs(context);
    auto key = [](const TableRef& ref) {
        return base::cat(ref.spec.type, ":", ref.spec.name, ref.aliasFormat ? "|a" : "");
    };
    // A table is checked once, opened as strictly as the strictest daemon that reads it.
    std::map<std::string, uint32_t> flags;
    for (const TableRef& ref : refs) flags[key(ref)] |= daemonOpenFlags(context, ref.parameter);
    std::set<std::string> done;
    for (const TableRef& ref : refs) {
        if (!done.insert(key(ref)).second) continue;
        uint32_t extraFlags = flags[key(ref)];
        const maps::DictType* type = maps::findDictType(ref.spec.type);
        if (!type) {
            bool namesConfigFile = false;
            if (!isOtherPostfixType(ref.spec.type, &namesConfigFile)) {
                context.report(
                    "table-unknown-type", ref.origin, base::cat("unsupported dictionary type: ", ref.spec.type),
                    base::cat("postconf -m lists the types Postfix supports; is \"", ref.text, "\" a typo?"));
            } else if (namesConfigFile && !ref.spec.name.empty() && ref.spec.name[0] == '/') {
                struct stat st {};
                if (!statFile(ref.spec.name, st))
                    context.report("table-missing", ref.origin,
                                   base::cat(tableLabel(ref), ": ", ref.spec.name, " does not exist"));
            }
            continue;
        }
        if (!type->suffix.empty()) {
            checkIndexed(context, ref, type->suffix);
        } else if (ref.spec.type == "regexp" || ref.spec.type == "pcre" || ref.spec.type == "cidr" ||
                   ref.spec.type == "texthash") {
            if (ref.spec.name.starts_with("{"))
                checkInlineTable(context, ref, extraFlags);
            else
                checkTextTable(context, ref, extraFlags);
        } else {
            checkInlineTable(context, ref, extraFlags);
        }
    }
}

}  // namespace postline::lint
