// addAliasTable(): the body of postalias/postalias.c postalias() after the table is open.
#include "postline/address/alias_table.h"

#include <cstdio>

#include "postline/address/alias_source.h"

namespace postline::address {

namespace flag = maps::flag;

namespace {

base::Status add(maps::TableWriter& writer, std::string_view key, std::string_view value) {
    auto added = writer.add(key, value);
    if (!added) return added.error();
    return {};
}

}  // namespace

base::Status addAliasTable(maps::TableWriter& writer, std::string_view text, const std::string& sourceName,
                           const AliasTableOptions& options) {
    maps::Dict& dict = writer.dict();
    AliasSourceOptions sourceOptions;
    sourceOptions.checkUtf8 = (dict.flags() & flag::kUtf8Request) != 0;
    base::Status read =
        readAliasSource(text, sourceName, sourceOptions,
                        [&](const std::string& key, const std::string& value, int) { return add(writer, key, value); });
    if (!read) return read;

    // The Sendmail "database complete" entry; an update replaces the old one.
    if (options.incremental) dict.setFlags(dict.flags() | flag::kDupReplace);
    if (base::Status s = add(writer, "@", "@"); !s) return s;

    // NIS entries: never with a trailing NUL, never case-folded.
    dict.setFlags((dict.flags() & ~(flag::kTryNull | flag::kFoldFix)) | flag::kTryNoNull);
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "%010ld", static_cast<long>(options.now));
    if (base::Status s = add(writer, "YP_LAST_MODIFIED", stamp); !s) return s;
    return add(writer, "YP_MASTER_NAME", options.masterName);
}

}  // namespace postline::address
