// postmap's source records (postmap/postmap.c, the loop in postmap()): the key/value
// split and the warnings for lines that are skipped or look like an aliases(5) file.
#include "postline/maps/table_source.h"

#include <algorithm>
#include <string>

#include "postline/base/logical_lines.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/maps/utf8.h"

namespace postline::maps {

RecordStatus parseSourceRecord(std::string_view line, SourceRecord& record) {
    bool inQuotes = false;
    size_t end = 0;
    for (; end < line.size(); ++end) {
        char c = line[end];
        if (c == '\\') {
            if (++end >= line.size()) break;
        } else if (base::isSpace(c)) {
            if (!inQuotes) break;
        } else if (c == '"') {
            inQuotes = !inQuotes;
        }
    }
    if (inQuotes) return RecordStatus::UnbalancedQuote;
    end = std::min(end, line.size());
    record.key = line.substr(0, end);
    record.value = end < line.size() ? base::trim(line.substr(end + 1)) : std::string_view();
    if (record.key.empty() || record.value.empty()) return RecordStatus::MissingPart;
    return RecordStatus::Ok;
}

namespace {

bool allAscii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

}  // namespace

base::Status forEachSourceRecord(std::string_view text, std::string_view sourceName, bool checkUtf8,
                                 const SourceRecordFn& fn) {
    base::LogicalLineReader reader(text, std::string(sourceName));
    std::string line;
    int lineno = 0;
    while (reader.next(line, lineno)) {
        auto where = [&] { return base::cat(sourceName, ", line ", lineno, ": "); };
        if (checkUtf8 && !allAscii(line) && !validUtf8(line)) {
            base::msgWarn(base::cat(where(), "non-UTF-8 input \"", line, "\" -- ignoring this line"));
            continue;
        }
        SourceRecord record;
        switch (parseSourceRecord(line, record)) {
            case RecordStatus::UnbalancedQuote:
                base::msgWarn(base::cat(where(), "unbalanced '\"' in '", line, "' -- ignoring this line"));
                continue;
            case RecordStatus::MissingPart:
                base::msgWarn(base::cat(where(), "expected format: key whitespace value"));
                continue;
            case RecordStatus::Ok:
                break;
        }
        if (record.key.back() == ':')
            base::msgWarn(base::cat(where(), "record is in \"key: value\" format; is this an alias file?"));
        if (base::Status s = fn(record, lineno); !s) return s;
    }
    return {};
}

}  // namespace postline::maps
