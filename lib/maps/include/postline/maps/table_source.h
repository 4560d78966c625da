// The `key whitespace value` source format that postmap(1) compiles (postmap/postmap.c):
// the key ends at the first whitespace outside double quotes and not escaped by a
// backslash; quotes and backslashes stay in the key; the value is trimmed.
#pragma once

#include <string_view>

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

}  // namespace postline::maps
