// Building a lookup table from its source, shared by postmap(1) and postalias(1): a full
// rebuild or an incremental update (-i), under the source owner's identity and umask,
// with -F file-valued entries and Postfix's progress line (postmap/postmap.c,
// global/mkmap_open.c).
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "postline/base/result.h"
#include "postline/maps/dict.h"
#include "postline/maps/registry.h"
#include "postline/maps/table_command.h"
#include "postline/maps/table_source.h"

namespace postline::maps {

struct BuildOptions {
    // false: a full build (OpenMode::Rebuild + flag::kBulkUpdate; the old table stays
    // until commit()). true: postmap -i, an update in place (OpenMode::Create).
    bool incremental = false;
    // Dict flags of the build (DUP_*, FOLD_FIX, UTF8_REQUEST, TRY0NULL/TRY1NULL).
    uint32_t dictFlags = flag::kDupWarn | flag::kFoldFix;
    // Not -p: while the table is created the umask is 022 | (~source_mode & 077).
    bool savePermissions = true;
    // Not -o: when run as root, build with the source owner's effective uid/gid.
    bool asOwner = true;
    // -F: values list files (separated by comma or whitespace) whose contents, joined
    // with newlines, are stored base64-encoded.
    bool valueIsFile = false;
    // Show "PROGRAM: NAME: N entries" on stderr (only on a terminal, only after 1 s).
    bool showProgress = true;
};

// One table being built. Holds the build identity (umask, effective ids) until
// commit() or destruction; destruction without commit() abandons a full rebuild, so a
// failed build never replaces the previous table.
class TableWriter {
public:
    // Opens `spec` for building. `source` is the fstat() of the source file (or of stdin
    // for -i); it decides permissions and owner. Errors, with Postfix's texts:
    //   "can't create maps via the proxy service"                      (proxy:, full build)
    //   "unsupported dictionary type: T. Is the postfix-T package installed?"
    //   "unsupported dictionary type: T does not support bulk-mode creation."
    //   "set_eugid UID GID: ERRNO", and whatever openDict() reports.
    static base::Result<std::unique_ptr<TableWriter>> open(const DictSpec& spec, const struct stat& source,
                                                           const BuildOptions& options,
                                                           const OpenContext& context = {});
    ~TableWriter();
    TableWriter(const TableWriter&) = delete;
    TableWriter& operator=(const TableWriter&) = delete;

    Dict& dict() { return *dict_; }

    // Adds one entry. With -F, `value` names files: when one cannot be read, the entry is
    // skipped with "WHERE: open FILE: ERRNO: skipping this entry" (`where` is
    // "SOURCE, line N") and the result is false. Errors are write errors ("table T:N:
    // write error" when the backend gives no text): the build must stop.
    base::Result<bool> add(std::string_view key, std::string_view value, std::string_view where = {});

    // Parses a whole postmap source text (table_source.h: logical lines, Postfix's
    // warnings, non-UTF-8 lines skipped when the table asks for UTF-8) and adds every
    // record. `sourceName` is the name used in warnings ("stdin" for -i).
    base::Status addSource(std::string_view text, std::string_view sourceName);
    // The same for a source file read piece by piece (a full build).
    base::Status addSource(SourceReader& source, std::string_view sourceName);

    // Records given to the table so far (duplicates included; skipped -F entries not).
    size_t count() const { return added_; }

    // Finishes the table (a rebuild becomes visible atomically) and ends the identity.
    base::Status commit();

private:
    base::Status addRecords(std::string_view text, std::string_view sourceName, int linesBefore);

    TableWriter() = default;
    std::optional<BuildIdentity> identity_;
    std::unique_ptr<Dict> dict_;
    std::optional<BuildProgress> progress_;
    bool valueIsFile_ = false;
    bool committed_ = false;
    size_t added_ = 0;
};

// The -F value of a source record: the contents of the files it lists, joined with a
// newline, base64-encoded (dict_file_to_b64()). Error: "open FILE: ERRNO".
base::Result<std::string> fileValueToBase64(std::string_view value);

}  // namespace postline::maps
