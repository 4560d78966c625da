// Message headers and MIME structure as cleanup parses them (lib/message: is_header,
// header_opts, mime_state), also with the smtp client's 8-bit downgrade: the input is a
// message, one line per '\n', long lines fed in pieces as L records are; the first byte
// picks the header limit and the piece size.
// Checked: body offsets only grow, every header starts with a header label, and the
// primary headers end exactly once.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz_support.h"
#include "postline/message/header_opts.h"
#include "postline/message/mime_state.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace postline;
    fuzz::quietDiagnostics();
    if (size == 0) return 0;
    const size_t headerLimit = 16 + data[0] * 8;
    const size_t piece = 8 + (data[0] % 64);
    std::string_view text = fuzz::asText(data + 1, size - 1);

    static const message::HeaderTable table("bcc, content-length, resent-bcc, return-path, x-drop");
    int ends = 0;
    off_t lastOffset = -1;
    message::MimeCallbacks cb;
    cb.header = [&](message::HeaderClass, const message::HeaderOpts* opts, std::string& header) {
        if (message::isHeader(header) == 0) std::abort();
        if (opts && opts != table.find(header)) std::abort();
    };
    cb.headerEnd = [&] { ++ends; };
    cb.body = [&](bool, std::string_view, off_t offset) {
        if (offset < lastOffset) std::abort();
        lastOffset = offset;
    };
    for (int options : {0, message::mime_option::kDisableMime,
                        message::mime_option::kDowngrade | message::mime_option::kReportNesting}) {
        ends = 0;
        lastOffset = -1;
        message::MimeState state(table, headerLimit, 3, options, cb);
        std::string_view rest = text;
        while (!rest.empty()) {
            size_t nl = rest.find('\n');
            std::string_view line = rest.substr(0, nl);
            rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
            while (line.size() > piece) {
                state.update(false, line.substr(0, piece));
                line.remove_prefix(piece);
            }
            state.update(true, line);
        }
        state.finish();
        if (ends != 1) std::abort();
    }
    return 0;
}
