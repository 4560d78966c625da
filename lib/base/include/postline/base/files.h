// File helpers: whole-file reads, atomic replacement (temporary file + fsync + rename),
// and the two lock styles Postfix uses (flock for Berkeley DB files, fcntl for LMDB).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "postline/base/result.h"

namespace postline::base {

// Reads a whole file. Error text: "open PATH: strerror".
Result<std::string> readFile(const std::string& path);

// Reads all of a file descriptor (stdin) until EOF.
Result<std::string> readAll(int fd);

// The bytes of a whole file in a buffer that is never zero-filled first: a table source
// of tens of megabytes would otherwise be written twice (zeroes, then the data). Also
// holds a std::string (e.g. stdin read with readAll) so callers need one type.
class FileContents {
public:
    FileContents() = default;
    FileContents(std::string text) : text_(std::move(text)) {}  // NOLINT: adopts a string
    FileContents& operator=(std::string text) {
        buffer_.reset();
        size_ = 0;
        text_ = std::move(text);
        return *this;
    }

    std::string_view view() const { return buffer_ ? std::string_view(buffer_.get(), size_) : std::string_view(text_); }
    operator std::string_view() const { return view(); }  // NOLINT: used where text is read
    size_t size() const { return view().size(); }

private:
    friend Result<FileContents> readContents(int fd);
    std::unique_ptr<char[]> buffer_;
    size_t size_ = 0;
    std::string text_;
};

// Reads all of a file descriptor until EOF into a FileContents.
Result<FileContents> readContents(int fd);

// A temporary path beside `path` ("DIR/.NAME.PID.tmp"), for write-then-rename.
std::string temporaryPathFor(const std::string& path);

// Writes `data` to a temporary file beside `path` with `mode`, fsyncs it, renames it over
// `path` and fsyncs the directory, so readers see the old file or the new one, never half.
Status writeFileAtomically(const std::string& path, std::string_view data, unsigned mode = 0644);

// fsync the directory that holds `path` (after a rename).
Status syncParentDirectory(const std::string& path);

enum class LockStyle { Flock, Fcntl };
enum class LockMode { Shared, Exclusive, Unlock };

// Blocking lock on an open descriptor in Postfix's style (myflock(3)).
Status lockFile(int fd, LockStyle style, LockMode mode);

// The directory part of a path ("." when there is none) and the last component.
std::string dirName(std::string_view path);
std::string baseName(std::string_view path);

}  // namespace postline::base
