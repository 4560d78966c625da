// Queue files (global/record.c's records, qmgr_message.c's reading of a whole file): the
// input is read as a queue file, then record by record without following pointers (as
// postcat -v reads), then with pointers followed and padding skipped, so that malformed
// lengths, pointer loops and records out of their segment are all exercised.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.h"
#include "postline/queue/queue_file.h"
#include "postline/queue/record.h"
#include "postline/queue/record_type.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace postline;
    fuzz::quietDiagnostics();
    std::string bytes(fuzz::asText(data, size));
    {
        auto in = queue::InputStream::fromBytes(bytes, "fuzz");
        (void)queue::readQueueFile(in);
    }
    for (int flags : {queue::read_flag::kNone, queue::read_flag::kDefault}) {
        auto in = queue::InputStream::fromBytes(bytes, "fuzz");
        queue::RecordReader reader(in);
        // Each record consumes at least its type byte, unless a pointer moves back; the
        // reader's guard ends pointer loops, and this bound ends everything else.
        for (size_t n = 0; n <= size + 20000; ++n) {
            auto rec = reader.next(flags);
            if (!rec || rec->type == queue::rec::kEof) break;
        }
    }
    return 0;
}
