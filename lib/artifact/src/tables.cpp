// planTables() and buildTables(): which tables a generation holds and how each gets
// there (postmap's writer for indexed types, validation and a copy for text types, a
// hard link to the previous generation's file when nothing that matters has changed).
#include "tables.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <functional>
#include <set>

#include "postline/artifact/sha256.h"
#include "postline/base/files.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/config/registry.h"
#include "postline/config/service_expand.h"
#include "postline/maps/brace_list.h"
#include "postline/maps/default_tables.h"
#include "postline/maps/table_refs.h"
#include "postline/maps/table_source.h"

namespace postline::artifact {

namespace {

// Bumped when the way a table is built changes, so that old files are not reused.
constexpr std::string_view kBuildFormat = "postline-table-1";

bool isTextType(std::string_view type) {
    return type == "regexp" || type == "pcre" || type == "cidr" || type == "texthash";
}
bool isInLineType(std::string_view type) {
    return type == "inline" || type == "static" || type == "fail" || type == "environ" || type == "internal";
}

TableKind kindOf(const maps::DictSpec& spec) {
    if (isInLineType(spec.type) || spec.name.starts_with("{")) return TableKind::InLine;
    if (isTextType(spec.type)) return TableKind::Text;
    const maps::DictType* type = maps::findDictType(spec.type);
    if (type && type->creatable && !type->suffix.empty()) return TableKind::Indexed;
    return TableKind::External;
}

// "virtual.hash-1a2b3c4d": readable, and distinct for every type:name.
std::string tableId(const maps::DictSpec& spec) {
    std::string stem = base::baseName(spec.name);
    for (char& c : stem)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') c = '_';
    if (stem.empty() || stem[0] == '.') stem.insert(0, "t");
    return base::cat(stem, ".", spec.type, "-", sha256Hex(base::cat(spec.type, ":", spec.name)).substr(0, 8));
}

class Planner {
public:
    // `aliasTables`: maps::aliasTables(), the tables built as postalias builds them.
    Planner(std::vector<PlannedTable>& out, std::set<std::string> aliasTables)
        : out_(out), aliasTables_(std::move(aliasTables)) {}

    void add(const std::string& text, const TableUse& use) {
        for (const maps::TableBehind& t : maps::tablesBehind(text)) add(t.spec, use);
    }

private:
    void add(const maps::DictSpec& spec, const TableUse& use) {
        std::string reference = base::cat(spec.type, ":", spec.name);
        bool aliasFormat = aliasTables_.count(reference) > 0;
        std::string key = base::cat(reference, aliasFormat ? "|aliases" : "");
        auto [it, fresh] = index_.emplace(key, out_.size());
        if (fresh) {
            PlannedTable table;
            table.reference = reference;
            table.spec = spec;
            table.aliasFormat = aliasFormat;
            table.kind = kindOf(spec);
            table.id = tableId(spec) + (aliasFormat ? "-aliases" : "");
            out_.push_back(std::move(table));
        }
        out_[it->second].uses.push_back(use);
    }

    std::vector<PlannedTable>& out_;
    std::set<std::string> aliasTables_;
    std::map<std::string, size_t> index_;
};

// Collects what Postfix warns about (msgWarn) while `body` runs.
std::vector<std::string> captureWarnings(const std::function<void()>& body) {
    std::vector<std::string> warnings;
    base::MsgSink previous = base::msgSink();
    base::setMsgSink([&](base::Severity severity, std::string_view text) {
        if (severity == base::Severity::Warning)
            warnings.emplace_back(text);
        else if (previous)
            previous(severity, text);
        else
            std::fputs(base::formatMsg(severity, text).append("\n").c_str(), stderr);
    });
    body();
    base::setMsgSink(previous);
    return warnings;
}

base::Status linkOrCopy(const std::string& from, const std::string& to) {
    if (::link(from.c_str(), to.c_str()) == 0) return {};
    auto text = base::readFile(from);
    if (!text) return text.error();
    return base::writeFileAtomically(to, *text, 0644);
}

uint32_t buildFlags(const config::Config& config) {
    uint32_t flags = maps::flag::kDupWarn | maps::flag::kFoldFix;
    if (config.getBool("smtputf8_enable")) flags |= maps::flag::kUtf8Request;
    return flags;
}

std::string tableError(const PlannedTable& table, std::string_view what) {
    return base::cat("table ", table.reference, ": ", what);
}

base::Status buildIndexed(PlannedTable& table, const std::string& genDir, const config::Config& config,
                          const AliasSourceFn& addAliasSource, std::vector<std::string>& warnings) {
    auto reader = maps::SourceReader::open(table.spec.name);
    if (!reader) return base::Error{tableError(table, reader.error().message), reader.error().errnum};
    maps::BuildOptions options;
    options.dictFlags = buildFlags(config);
    options.asOwner = false;
    options.showProgress = false;
    maps::OpenContext context{&config};
    std::string stem = base::cat(genDir, "/tables/", table.id);
    base::Status status;
    auto captured = captureWarnings([&] {
        auto writer = maps::TableWriter::open(maps::DictSpec{table.spec.type, stem}, (*reader)->st(), options, context);
        if (!writer) {
            status = writer.error();
            return;
        }
        if (table.aliasFormat) {
            if (!addAliasSource) {
                status = base::Error{tableError(table, "no aliases(5) reader was given to the compiler")};
                return;
            }
            auto text = base::readFile(table.spec.name);
            if (!text) {
                status = text.error();
                return;
            }
            status = addAliasSource(**writer, *text, table.spec.name, config);
        } else {
            status = (*writer)->addSource(**reader, table.spec.name);
        }
        if (status) status = (*writer)->commit();
    });
    // The writer names the file it builds, a temporary one: name the table instead.
    for (std::string& warning : captured) {
        size_t at = warning.find(stem);
        if (at == std::string::npos) continue;
        size_t end = warning.find(": ", at);
        if (end != std::string::npos) warning.replace(at, end - at, base::cat("table ", table.reference));
    }
    warnings.insert(warnings.end(), captured.begin(), captured.end());
    if (!status) return base::Error{tableError(table, status.error().message), status.error().errnum};
    table.files = {base::cat("tables/", table.id, ".", maps::findDictType(table.spec.type)->suffix)};
    table.action = "built";
    return {};
}

// A pattern or texthash table is opened as a daemon would open it; any rule it skips
// makes the compile fail, since the daemon would run without that rule.
base::Status copyText(PlannedTable& table, const std::string& genDir, const config::Config& config,
                      const std::string& text) {
    maps::OpenContext context{&config};
    std::string copy = base::cat(genDir, "/tables/", table.id);
    base::Status written = base::writeFileAtomically(copy, text, 0644);
    if (!written) return written;
    std::string openError;
    auto captured = captureWarnings([&] {
        auto dict = maps::openDict(maps::DictSpec{table.spec.type, table.spec.name}, maps::OpenMode::Read,
                                   buildFlags(config), context);
        if (!dict) openError = dict.error().message;
    });
    if (!openError.empty()) return base::Error{tableError(table, openError)};
    if (!captured.empty()) return base::Error{tableError(table, captured.front())};
    table.files = {base::cat("tables/", table.id)};
    table.action = "copied";
    return {};
}

std::string buildKey(const PlannedTable& table, const config::Config& config) {
    return sha256Hex(base::cat(kBuildFormat, "|", table.spec.type, "|", table.aliasFormat, "|", buildFlags(config), "|",
                               table.aliasFormat ? config.get("myhostname") : "", "|", table.sourceSha256));
}

}  // namespace

std::string_view tableKindName(TableKind kind) {
    switch (kind) {
        case TableKind::Indexed:
            return "indexed";
        case TableKind::Text:
            return "text";
        case TableKind::InLine:
            return "inline";
        case TableKind::External:
            return "external";
    }
    return "external";
}

std::vector<PlannedTable> planTables(const config::Config& config, const std::vector<config::MasterEntry>& master,
                                     const std::string& masterPath, const std::vector<std::string>& masterLines) {
    std::vector<PlannedTable> out;
    Planner planner(out, maps::aliasTables(config, master));
    for (const std::string& name : config.definedNames()) {
        const config::Definition* def = config.definition(name);
        if (!def) continue;
        TableUse use{name, "", base::cat(def->file, ":", def->line)};
        for (const std::string& t : maps::tablesOfParameter(name, config.get(name), config)) planner.add(t, use);
    }
    for (const config::MasterEntry& entry : master) {
        if (entry.argv.size() <= size_t(config::kMasterCommandField)) continue;
        for (const auto& [name, raw] : entry.params()) {
            TableUse use{name, base::cat(entry.name(), "/", entry.type()),
                         base::cat(masterPath, ":", config::masterOptionLine(masterLines, entry, name))};
            for (const std::string& t :
                 maps::tablesOfParameter(name, config::expandForService(config, entry, raw), config))
                planner.add(t, use);
        }
    }
    // What main.cf leaves at the default is used as Postfix would use it (alias_maps =
    // hash:/etc/aliases, nis:mail.aliases on Debian).
    for (const maps::DefaultTableUse& d : maps::tablesOfDefaults(config, master))
        planner.add(d.table, TableUse{d.parameter, "", std::string(kDefaultOrigin)});
    return out;
}

base::Status buildTables(std::vector<PlannedTable>& tables, const std::string& genDir, const config::Config& config,
                         const std::map<std::string, ReusableTable>& previous, SourceDigests& digests,
                         const AliasSourceFn& addAliasSource, std::vector<std::string>& warnings) {
    for (PlannedTable& table : tables) {
        if (table.kind == TableKind::InLine || table.kind == TableKind::External) {
            table.action = "none";
            continue;
        }
        if (!maps::findDictType(table.spec.type))
            return base::Error{tableError(table, base::cat("unsupported dictionary type: ", table.spec.type))};
        // A host file that only a default names (hash:/etc/aliases) may be absent: the
        // generation goes without it and readers open it as named, as Postfix does (its
        // lookups then fail with a temporary error). The linter warns about it.
        struct stat st {};
        if (table.namedOnlyByDefaults() && ::stat(table.spec.name.c_str(), &st) != 0 && errno == ENOENT) {
            table.action = "missing";
            continue;
        }
        auto digest = digests.digest(table.spec.name);
        if (!digest) return base::Error{tableError(table, digest.error().message), digest.error().errnum};
        table.sourceSha256 = *digest;
        table.stamp = digests.stamp(table.spec.name);
        table.buildKey = buildKey(table, config);
        if (auto it = previous.find(table.buildKey); it != previous.end()) {
            std::vector<std::string> files;
            base::Status linked;
            for (const std::string& file : it->second.files) {
                // Same suffix as before, new stem: "tables/OLD.db" -> "tables/NEW.db".
                std::string old = base::baseName(file);
                std::string suffix = table.kind == TableKind::Indexed ? old.substr(old.rfind('.')) : "";
                std::string name = base::cat("tables/", table.id, suffix);
                linked = linkOrCopy(base::cat(it->second.directory, "/", file), base::cat(genDir, "/", name));
                if (!linked) break;
                files.push_back(name);
            }
            if (linked) {
                table.files = std::move(files);
                table.action = "reused";
                table.reusedFrom = it->second.generation;
                continue;
            }
            // The old file vanished or cannot be linked: build it again.
            for (const std::string& name : files) ::unlink(base::cat(genDir, "/", name).c_str());
        }
        base::Status status;
        if (table.kind == TableKind::Indexed) {
            status = buildIndexed(table, genDir, config, addAliasSource, warnings);
        } else {
            // A text table is read once: its digest and its copy are of the same bytes.
            auto text = base::readFile(table.spec.name);
            if (!text) return base::Error{tableError(table, text.error().message), text.error().errnum};
            table.sourceSha256 = sha256Hex(*text);
            table.buildKey = buildKey(table, config);
            status = copyText(table, genDir, config, *text);
        }
        if (!status) return status;
    }
    return {};
}

}  // namespace postline::artifact
