// texthash: a postmap-syntax source file loaded into memory at open time (Postfix's
// util/dict_thash.c). The key ends at the first whitespace outside double quotes and not
// escaped by a backslash (quotes and backslashes stay in the key, as with postmap); bad
// lines are reported with ` -- ignoring this line`; duplicates follow the DUP_* flags.
//
// Postfix re-reads the file while its mtime is within a second of the load ("hot" file,
// possibly still being written) and pauses 300 ms between attempts, so a freshly written
// file produces the load warnings several times in one `postmap -q`/`-s`. We read once:
// the repeats are a timing artifact, not table content.
#include <memory>

#include "backends.h"
#include "memory_dict.h"
#include "postline/base/files.h"
#include "postline/base/logical_lines.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/maps/utf8.h"

namespace postline::maps::backend {

using base::cat;
using base::Error;

namespace {

bool allAscii(std::string_view s) {
    for (unsigned char c : s)
        if (c >= 0x80) return false;
    return true;
}

bool isSpaceChar(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

base::Result<std::unique_ptr<Dict>> openTexthash(const DictSpec& spec, OpenMode mode, uint32_t flags,
                                                 const OpenContext&) {
    const std::string& path = spec.name;
    if (mode != OpenMode::Read) return Error{cat("texthash:", path, " map requires O_RDONLY access mode")};
    auto text = base::readFile(path);
    if (!text) return base::errnoError(cat("open database ", path), text.error().errnum);

    auto dict = std::make_unique<detail::MemoryDict>("texthash", path, flags);
    detail::MemoryStore& store = dict->store();
    base::LogicalLineReader reader(*text, path);
    std::string line;
    int lineno = 0;
    while (reader.next(line, lineno)) {
        if ((flags & flag::kUtf8Request) && !allAscii(line) && !validUtf8(line)) {
            base::msgWarn(cat(path, ", line ", lineno, ": non-UTF-8 input \"", line, "\" -- ignoring this line"));
            continue;
        }
        // The key ends at the first unquoted, unescaped whitespace (Postfix's mystrtokdq).
        size_t split = 0;
        bool inQuotes = false;
        for (; split < line.size(); ++split) {
            char c = line[split];
            if (c == '\\') {
                if (++split == line.size()) break;
            } else if (c == '"') {
                inQuotes = !inQuotes;
            } else if (!inQuotes && isSpaceChar(c)) {
                break;
            }
        }
        if (inQuotes) {
            base::msgWarn(cat(path, ", line ", lineno, ": unbalanced '\"' in '", line, "' -- ignoring this line"));
            continue;
        }
        std::string_view key = base::trimRight(std::string_view(line).substr(0, split));
        std::string_view value = split < line.size() ? base::trim(std::string_view(line).substr(split + 1)) : "";
        if (key.empty() || value.empty()) {
            base::msgWarn(
                cat(path, ", line ", lineno, ": expected format: key whitespace value -- ignoring this line"));
            continue;
        }
        if (key.back() == ':')
            base::msgWarn(cat(path, ", line ", lineno, ": record is in \"key: value\" format; is this an alias file?"));

        std::string folded = dict->foldKey(key);
        if (store.find(folded)) {
            if (flags & flag::kDupIgnore) {
                // keep the first silently
            } else if (flags & flag::kDupReplace) {
                store.put(folded, value);
            } else if (flags & flag::kDupWarn) {
                base::msgWarn(cat(path, ", line ", lineno, ": duplicate entry: \"", key, "\""));
            } else {
                return Error{cat(path, ", line ", lineno, ": duplicate entry: \"", key, "\"")};
            }
        } else {
            store.put(folded, value);
        }
    }
    return std::unique_ptr<Dict>(std::move(dict));
}

}  // namespace postline::maps::backend
