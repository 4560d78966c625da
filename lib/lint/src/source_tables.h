// A parameter's tables as Postfix's daemons will see them once postmap, postalias or
// postline compile has built them from their current sources: every indexed table
// (hash, btree, lmdb, ...) and texthash table is read from its source file into memory,
// the way postmap or postalias reads it; the others (regexp, pcre, cidr, in-line) open
// as they are. The expansion rules (alias loops, virtual alias loops and limits) look
// addresses up in these, so that they check what is written even where the indexed file
// beside a source is missing or older than it (a compile builds from the source).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "context.h"
#include "postline/maps/map_list.h"

namespace postline::lint {

struct SourceEntry {
    std::string key;  // as written (the built table holds it folded)
    std::string value;
    uint32_t table = 0;  // index into SourceTables::files()
    int line = 0;
};

class SourceTables {
public:
    // The tables of main.cf's value of `parameter`, not read yet.
    SourceTables(const LintContext& context, std::string_view parameter);

    // Reads the sources; those that alias_maps or alias_database name in aliases(5)
    // format. A source that cannot be read is left out (the tables family reports it):
    // its table opens as the daemon opens it.
    void read();
    SourceTables(const SourceTables&) = delete;
    SourceTables& operator=(const SourceTables&) = delete;

    // Every entry read from the sources, in list and file order.
    const std::vector<SourceEntry>& entries() const { return entries_; }
    Origin origin(const SourceEntry& entry) const { return {tables_[entry.table].spec.name, entry.line}; }

    // True when the generation in use was compiled from these very tables: each one
    // with a file is a source it compiled, unchanged since (LintContext::knownSource).
    bool allKnown(const LintContext& context) const;

    // The parameter's table list for address::RoutingContext::setMaps, opened with
    // `flags` (RoutingContext::tableFlags()). Its tables read this object's entries, and
    // the others use the configuration: both must outlive the list.
    maps::MapList mapList(uint32_t flags) const;

private:
    struct Table {
        std::string text;  // the list item, e.g. "proxy:hash:/etc/postfix/virtual"
        maps::DictSpec spec;
        bool aliasFormat = false;
        bool fromSource = false;  // its entries are in entries_
        size_t first = 0, count = 0;
    };
    const config::Config& config_;
    std::string parameter_;
    std::vector<Table> tables_;
    std::vector<SourceEntry> entries_;
};

}  // namespace postline::lint
