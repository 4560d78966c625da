// postmap's record parser (postmap/postmap.c, the loop in postmap()).
#include "postline/maps/table_source.h"

#include "postline/base/strings.h"

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

}  // namespace postline::maps
