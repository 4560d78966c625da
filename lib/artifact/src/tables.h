// The tables of a generation: every table the configuration names (collected like the
// linter does: map-list, match-list and restriction-list parameters that main.cf sets,
// master.cf overrides, and the tables that the defaults of the others make Postfix open),
// one entry per distinct table, built into tables/ or reused from the previous generation.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "postline/artifact/compiler.h"
#include "postline/artifact/source_digests.h"
#include "postline/base/result.h"
#include "postline/config/config.h"
#include "postline/config/master_cf.h"
#include "postline/maps/registry.h"

namespace postline::artifact {

// The origin of a use by a parameter that main.cf leaves at its built-in default.
inline constexpr std::string_view kDefaultOrigin = "default";

// Where a table is named.
struct TableUse {
    std::string parameter;
    std::string service;  // "NAME/TYPE" for a master.cf override, else ""
    std::string origin;   // "FILE:LINE", or kDefaultOrigin
};

enum class TableKind {
    Indexed,   // hash, btree, lmdb: built from the source with postmap's writer
    Text,      // regexp, pcre, cidr, texthash files: validated and copied
    InLine,    // inline:{...}, static:..., regexp:{...}: nothing to store
    External,  // proxy:, ldap:, unix:, ...: opened as named
};

struct PlannedTable {
    std::string reference;  // "type:name" after proxy: is looked through
    maps::DictSpec spec;
    bool aliasFormat = false;  // aliases(5) source (alias_maps, alias_database)
    TableKind kind = TableKind::External;
    std::string id;  // file stem under tables/
    std::vector<TableUse> uses;
    // Filled by buildTables():
    std::string sourceSha256;
    FileStamp stamp;
    std::string buildKey;            // what decides reuse: format, type, settings, source digest
    std::vector<std::string> files;  // relative to the generation, e.g. "tables/virtual.hash-1a2b3c4d.db"
    std::string action;              // "built", "copied", "reused", "none", "missing"
    int reusedFrom = 0;

    // True when only built-in defaults name it (alias_maps = hash:/etc/aliases): a file of
    // the host, which may be absent without making the configuration wrong.
    bool namedOnlyByDefaults() const {
        for (const TableUse& use : uses)
            if (use.origin != kDefaultOrigin) return false;
        return !uses.empty();
    }
};

// A table file of an earlier generation that can be linked instead of rebuilt.
struct ReusableTable {
    int generation = 0;
    std::string directory;           // OUTDIR/gen-K
    std::vector<std::string> files;  // relative to directory
};

// Every table of the configuration, in first-use order, with their uses.
std::vector<PlannedTable> planTables(const config::Config& config, const std::vector<config::MasterEntry>& master,
                                     const std::string& masterPath, const std::vector<std::string>& masterLines);

// Builds, copies or links every table into `genDir`/tables. `previous` maps build keys
// of the previous generation to its files. Build warnings are appended to `warnings`.
// Errors name the table and the file at fault.
base::Status buildTables(std::vector<PlannedTable>& tables, const std::string& genDir, const config::Config& config,
                         const std::map<std::string, ReusableTable>& previous, SourceDigests& digests,
                         const AliasSourceFn& addAliasSource, std::vector<std::string>& warnings);

std::string_view tableKindName(TableKind kind);

}  // namespace postline::artifact
