// Writing an aliases(5) source into a table, as postalias(1) does (postalias/postalias.c,
// postalias()): the alias records, then Sendmail's "@" completion mark and the NIS
// records YP_LAST_MODIFIED and YP_MASTER_NAME.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

#include "postline/base/result.h"
#include "postline/maps/table_build.h"

namespace postline::address {

struct AliasTableOptions {
    // postalias -i: an update, where the new "@" record replaces the old one.
    bool incremental = false;
    // YP_MASTER_NAME's value: myhostname.
    std::string masterName;
    // YP_LAST_MODIFIED's value, printed as %010ld.
    std::time_t now = 0;
};

// Adds every record of `text` (an aliases(5) source; `sourceName` names it in warnings,
// "stdin" for -i) to `writer`, then "@" -> "@" and the two NIS records, which are stored
// without a trailing NUL and not case-folded, whatever the table's flags. Rejected lines
// get Postfix's warnings (alias_source.h); a write error stops and is returned.
base::Status addAliasTable(maps::TableWriter& writer, std::string_view text, const std::string& sourceName,
                           const AliasTableOptions& options);

}  // namespace postline::address
