// Message walking for postmap -h/-b/-m (after global/mime_state.c): logical headers,
// body lines, and the headers of multipart bodies' parts.
#include "postline/maps/message_keys.h"

#include <string>
#include <vector>

#include "postline/base/strings.h"

namespace postline::maps {
namespace {

// A header line starts with a field name (printable, no ':' or space) and a colon
// (is_header() in global/is_header.c; whitespace before the colon is allowed).
bool isHeaderLine(std::string_view line) {
    size_t i = 0;
    while (i < line.size() && line[i] > ' ' && line[i] < 127 && line[i] != ':') ++i;
    if (i == 0) return false;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    return i < line.size() && line[i] == ':';
}

// The boundary parameter of a multipart Content-Type header, or "".
std::string multipartBoundary(std::string_view header) {
    std::string lower = base::lowercase(header);
    if (!base::startsWith(lower, "content-type:")) return {};
    std::string_view value = base::trim(std::string_view(lower).substr(13));
    if (!base::startsWith(value, "multipart/")) return {};
    size_t at = lower.find("boundary=");
    if (at == std::string::npos) return {};
    std::string_view rest = std::string_view(header).substr(at + 9);
    if (!rest.empty() && rest[0] == '"') {
        size_t close = rest.find('"', 1);
        return std::string(rest.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
    }
    size_t end = 0;
    while (end < rest.size() && rest[end] != ';' && !base::isSpace(rest[end])) ++end;
    return std::string(rest.substr(0, end));
}

}  // namespace

void forEachMessageKey(std::string_view message, const MessageKeyOptions& options,
                       const std::function<void(std::string_view key)>& emit) {
    bool inHeaders = true;
    bool primary = true;
    std::string header;
    std::vector<std::string> boundaries;  // open multipart levels, innermost last
    std::string pendingBoundary;          // from the headers being read

    auto flushHeader = [&]() {
        if (header.empty()) return;
        if (options.mime) {
            std::string b = multipartBoundary(header);
            if (!b.empty()) pendingBoundary = b;
        }
        if (options.headers) emit(header);
        header.clear();
    };
    auto endHeaders = [&]() {
        flushHeader();
        inHeaders = false;
        if (!pendingBoundary.empty()) boundaries.push_back(std::move(pendingBoundary));
        pendingBoundary.clear();
    };

    size_t pos = 0;
    while (pos < message.size()) {
        size_t nl = message.find('\n', pos);
        std::string_view line = message.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? message.size() : nl + 1;

        if (inHeaders) {
            if (!header.empty() && !line.empty() && (line[0] == ' ' || line[0] == '\t')) {
                header += '\n';
                header += line;
                continue;
            }
            if (isHeaderLine(line)) {
                flushHeader();
                header.assign(line);
                continue;
            }
            endHeaders();
            if (primary && !options.body && !options.mime) return;
            primary = false;
            // The empty line that ends the headers is the first body line (Postfix
            // hands it to body_checks too).
        }
        // Body line: a MIME boundary opens the headers of the next part.
        if (options.mime && !boundaries.empty() && base::startsWith(line, "--")) {
            std::string_view rest = line.substr(2);
            const std::string& b = boundaries.back();
            if (base::startsWith(rest, b)) {
                std::string_view tail = base::trimRight(rest.substr(b.size()));
                if (tail == "--") {
                    boundaries.pop_back();
                    if (options.body) emit(line);
                    continue;
                }
                if (tail.empty()) {
                    if (options.body) emit(line);
                    inHeaders = true;
                    continue;
                }
            }
        }
        if (options.body) emit(line);
    }
    if (inHeaders) flushHeader();
}

}  // namespace postline::maps
