// The postmap(1) source format (maps::forEachSourceRecord, the record loop of
// postmap/postmap.c): logical lines, quoting, UTF-8 checks and the per-line warnings.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.h"
#include "postline/maps/table_source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace postline;
    fuzz::quietDiagnostics();
    std::string_view text = fuzz::asText(data, size);
    for (bool checkUtf8 : {false, true}) {
        size_t bytes = 0;
        (void)maps::forEachSourceRecord(text, "fuzz", checkUtf8, [&](const maps::SourceRecord& record, int lineno) {
            if (lineno < 1 || record.key.empty()) std::abort();
            bytes += record.key.size() + record.value.size();
            return base::Status::success();
        });
        if (bytes > 2 * text.size()) std::abort();
    }
    maps::SourceRecord record;
    (void)maps::parseSourceRecord(text, record);
    return 0;
}
