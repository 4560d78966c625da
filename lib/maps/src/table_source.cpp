// postmap's source records (postmap/postmap.c, the loop in postmap()): the key/value
// split and the warnings for lines that are skipped or look like an aliases(5) file.
#include "postline/maps/table_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
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
                                 const SourceRecordFn& fn, int linesBefore) {
    base::LogicalLineReader reader(text, std::string(sourceName));
    std::string line;
    int lineno = 0;
    while (reader.next(line, lineno)) {
        lineno += linesBefore;
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

namespace {

size_t countNewlines(const char* p, size_t n) {
    size_t lines = 0;
    const char* end = p + n;
    while (p < end && (p = static_cast<const char*>(std::memchr(p, '\n', size_t(end - p)))) != nullptr) {
        ++lines;
        ++p;
    }
    return lines;
}

// The end of the last whole logical line in `text` (see SourceReader), or 0.
size_t pieceEnd(const char* text, size_t n) {
    size_t end = n;
    while (end > 1) {
        const void* nl = ::memrchr(text, '\n', end - 1);
        if (!nl) return 0;
        size_t after = size_t(static_cast<const char*>(nl) - text) + 1;
        char next = text[after];
        if (next != '#' && !base::isSpace(next)) return after;
        end = after - 1;
    }
    return 0;
}

}  // namespace

base::Result<std::unique_ptr<SourceReader>> SourceReader::open(const std::string& path, size_t pieceBytes) {
    std::unique_ptr<SourceReader> reader(new SourceReader());
    reader->path_ = path;
    reader->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (reader->fd_ < 0) return base::errnoError("open " + path);
    if (::fstat(reader->fd_, &reader->st_) < 0) return base::errnoError("fstat " + path);
    reader->capacity_ = std::max<size_t>(pieceBytes, 2);
    reader->buffer_ = std::make_unique_for_overwrite<char[]>(reader->capacity_);
    if (base::Status s = reader->fill(); !s) return s.error();
    size_t lines = countNewlines(reader->buffer_.get(), reader->length_) + 1;
    reader->estimate_ = lines;
    if (!reader->eof_ && reader->length_ > 0 && S_ISREG(reader->st_.st_mode))
        reader->estimate_ = size_t(double(lines) * double(reader->st_.st_size) / double(reader->length_)) + 1;
    return reader;
}

SourceReader::~SourceReader() {
    if (fd_ >= 0) ::close(fd_);
}

base::Status SourceReader::fill() {
    while (!eof_ && length_ < capacity_) {
        ssize_t n = ::read(fd_, buffer_.get() + length_, capacity_ - length_);
        if (n < 0 && errno == EINTR) continue;
        // A directory reads as an empty source, as Postfix's stream reads it (it builds
        // an empty table and exits 0); other read errors stop the build.
        if (n < 0 && errno == EISDIR) n = 0;
        if (n < 0) return base::errnoError("read " + path_);
        if (n == 0) eof_ = true;
        length_ += size_t(n > 0 ? n : 0);
    }
    return {};
}

base::Result<bool> SourceReader::next(std::string_view& text, int& linesBefore) {
    for (;;) {
        if (consumed_ > 0) {
            std::memmove(buffer_.get(), buffer_.get() + consumed_, length_ - consumed_);
            length_ -= consumed_;
            consumed_ = 0;
        }
        if (base::Status s = fill(); !s) return s.error();
        size_t end = eof_ ? length_ : pieceEnd(buffer_.get(), length_);
        if (end == 0 && !eof_) {
            // One logical line longer than the buffer: make room for more of it.
            auto bigger = std::make_unique_for_overwrite<char[]>(capacity_ * 2);
            std::memcpy(bigger.get(), buffer_.get(), length_);
            buffer_ = std::move(bigger);
            capacity_ *= 2;
            continue;
        }
        if (end == 0) return false;
        text = std::string_view(buffer_.get(), end);
        linesBefore = lines_;
        lines_ += int(countNewlines(buffer_.get(), end));
        consumed_ = end;
        return true;
    }
}

}  // namespace postline::maps
