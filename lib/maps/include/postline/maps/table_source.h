// The `key whitespace value` source format that postmap(1) compiles (the record loop of
// postmap/postmap.c): the key ends at the first whitespace outside double quotes and not
// escaped by a backslash; quotes and backslashes stay in the key; the value is trimmed.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
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
// `linesBefore` is the number of physical lines that precede `text` in the source (for
// a text that is one piece of a longer one, see SourceReader).
base::Status forEachSourceRecord(std::string_view text, std::string_view sourceName, bool checkUtf8,
                                 const SourceRecordFn& fn, int linesBefore = 0);

// A source file read a piece at a time, each piece ending where a logical line ends, so
// that a large table is never held whole in memory (postmap reads its source with
// stdio, line by line). Pieces parsed one after the other give exactly what the whole
// text gives: a piece ends after a newline that is followed by a line starting with
// neither whitespace nor '#', where a logical line ends in any case.
class SourceReader {
public:
    // Opens `path`, takes its fstat() and reads the first piece, so that a file that
    // cannot be read fails before the table is touched. Errors: "open PATH: ERRNO",
    // "fstat PATH: ERRNO", "read PATH: ERRNO". `pieceBytes` is the initial buffer size
    // (tests make it small).
    static base::Result<std::unique_ptr<SourceReader>> open(const std::string& path, size_t pieceBytes = size_t(1)
                                                                                                         << 20);
    ~SourceReader();
    SourceReader(const SourceReader&) = delete;
    SourceReader& operator=(const SourceReader&) = delete;

    const struct stat& st() const { return st_; }
    // About how many lines the file has (exact when it fit in the first piece).
    size_t estimatedLines() const { return estimate_; }
    // The next piece and the number of lines before it; false at the end of the file.
    // `text` stays valid until the next call. Error: "read PATH: ERRNO".
    base::Result<bool> next(std::string_view& text, int& linesBefore);

private:
    SourceReader() = default;
    base::Status fill();  // reads until the buffer is full or the file ends

    std::string path_;
    int fd_ = -1;
    struct stat st_ {};
    std::unique_ptr<char[]> buffer_;
    size_t capacity_ = 0;
    size_t length_ = 0;    // bytes in the buffer
    size_t consumed_ = 0;  // of which handed out already
    bool eof_ = false;
    int lines_ = 0;  // newlines handed out so far
    size_t estimate_ = 0;
};

}  // namespace postline::maps
