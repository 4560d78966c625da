// A buffered, seekable byte source for reading queue files: a file, a descriptor such
// as stdin (which may be a pipe), or bytes in memory. Mirrors what Postfix's record
// reader needs from util/vstream.c: byte reads, one byte of push-back, the offset of
// the next byte (vstream_ftell) and absolute seeks (vstream_fseek).
#pragma once

#include <sys/types.h>

#include <string>

#include "postline/base/result.h"

namespace postline::queue {

class InputStream {
public:
    // Opens PATH read-only. Error text: "open PATH: REASON", with its errno.
    static base::Result<InputStream> open(const std::string& path);
    // Reads a descriptor the caller keeps open (stdin); `name` is what messages call it.
    static InputStream fromDescriptor(int fd, std::string name);
    // Reads bytes held in memory (unit tests, fuzz targets); always seekable.
    static InputStream fromBytes(std::string bytes, std::string name);

    InputStream(InputStream&& other) noexcept;
    InputStream& operator=(InputStream&& other) noexcept;
    InputStream(const InputStream&) = delete;
    InputStream& operator=(const InputStream&) = delete;
    ~InputStream();

    // The name messages use: the path as given, or "stdin".
    const std::string& name() const { return name_; }

    // The next byte (0..255), or -1 at the end of the input or on a read error
    // (readErrno() then says which).
    int get();
    // Pushes back the byte the last get() returned.
    void unget();
    // Appends `count` bytes to `out`; false when the input ends (or fails) first.
    bool read(std::string& out, size_t count);
    int readErrno() const { return readErrno_; }

    // The offset of the next byte, or -1 with errno = ESPIPE when the input cannot
    // seek (a pipe), as vstream_ftell() answers.
    off_t tell();
    // Moves to `offset` from the start (seeking past the end is allowed and reads end
    // there). False with errno set when the input cannot seek.
    bool seek(off_t offset);
    // Moves to the end of the input; false with errno set when it cannot seek.
    bool seekEnd();

    // Closes a file opened by open(); 0, or -1 with errno.
    int close();

private:
    InputStream() = default;
    bool fill();

    int fd_ = -1;
    bool ownsFd_ = false;
    bool memory_ = false;
    std::string name_;
    std::string buffer_;     // the whole input for memory streams, else the last chunk read
    size_t pos_ = 0;         // next byte in buffer_
    size_t end_ = 0;         // bytes valid in buffer_
    off_t bufferStart_ = 0;  // file offset of buffer_[0] (when known)
    bool offsetKnown_ = false;
    bool seekable_ = true;
    int readErrno_ = 0;
};

}  // namespace postline::queue
