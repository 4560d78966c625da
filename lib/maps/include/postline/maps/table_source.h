// The `key whitespace value` source format that postmap(1) compiles (the record loop of
// postmap/postmap.c): the key ends at the first whitespace outside double quotes and not
// escaped by a backslash; quotes and backslashes stay in the key; the value is trimmed.
#pragma once

#include <functional>
#include <string_view>

#include "postline/base/result.h"

namespace postline::maps {

enum class RecordStatus {
    Ok,
    UnbalancedQuote,  // `unbalanced '"' in '…' -- ignoring this line`
    MissingPart,      // `expected format: key whitespace value`
};

struct SourceRecord {
    std::string_view key;
    std::string_view value;
};

// Splits one logical line. `record` views into `line`.
RecordStatus parseSourceRecord(std::string_view line, SourceRecord& record);

// Receives each good record with the number of its first physical line. An error stops
// the walk and is returned by forEachSourceRecord().
using SourceRecordFn = std::function<base::Status(const SourceRecord& record, int lineno)>;

// Walks a whole source text: logical lines (comments, blank lines and continuation
// lines as readllines() does), then per line, with Postfix's warnings "NAME, line N: …":
//   - with `checkUtf8`, a line that is not valid UTF-8:
//     `non-UTF-8 input "LINE" -- ignoring this line`;
//   - `unbalanced '"' in 'LINE' -- ignoring this line`;
//   - `expected format: key whitespace value` (line skipped);
//   - a key ending in ':': `record is in "key: value" format; is this an alias file?`
//     (the record is still used).
base::Status forEachSourceRecord(std::string_view text, std::string_view sourceName, bool checkUtf8,
                                 const SourceRecordFn& fn);

}  // namespace postline::maps
