// Keys taken from an RFC 5322 message, for `postmap -q - -h/-b/-m` (which tests
// header_checks/body_checks tables): every logical header (continuation lines kept
// with their newlines) and/or every body line, optionally looking inside MIME parts
// (global/mime_state.c, reduced to what postmap uses).
#pragma once

#include <functional>
#include <string_view>

namespace postline::maps {

struct MessageKeyOptions {
    bool headers = false;  // -h: primary headers (and, with mime, part headers)
    bool body = false;     // -b: body lines
    bool mime = false;     // -m: MIME-aware: headers of attachments are headers too
};

// Feeds the keys of `message` (lines separated by "\n") to `emit`, in message order.
// Without `body` or `mime` the walk stops at the end of the primary headers.
void forEachMessageKey(std::string_view message, const MessageKeyOptions& options,
                       const std::function<void(std::string_view key)>& emit);

}  // namespace postline::maps
