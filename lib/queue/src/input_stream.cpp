// The queue files' byte source: buffered reads over a descriptor or memory, with the
// offsets and seeks that pointer records and postcat's -o/-s need.
#include "postline/queue/input_stream.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

namespace postline::queue {
namespace {
constexpr size_t kBufferSize = 4096;
}

base::Result<InputStream> InputStream::open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return base::errnoError("open " + path);
    InputStream in;
    in.fd_ = fd;
    in.ownsFd_ = true;
    in.name_ = path;
    return in;
}

InputStream InputStream::fromDescriptor(int fd, std::string name) {
    InputStream in;
    in.fd_ = fd;
    in.name_ = std::move(name);
    return in;
}

InputStream InputStream::fromBytes(std::string bytes, std::string name) {
    InputStream in;
    in.memory_ = true;
    in.end_ = bytes.size();
    in.buffer_ = std::move(bytes);
    in.name_ = std::move(name);
    in.offsetKnown_ = true;
    return in;
}

InputStream::InputStream(InputStream&& other) noexcept { *this = std::move(other); }

InputStream& InputStream::operator=(InputStream&& other) noexcept {
    if (this != &other) {
        if (ownsFd_ && fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        ownsFd_ = std::exchange(other.ownsFd_, false);
        memory_ = other.memory_;
        name_ = std::move(other.name_);
        buffer_ = std::move(other.buffer_);
        pos_ = other.pos_;
        end_ = other.end_;
        bufferStart_ = other.bufferStart_;
        offsetKnown_ = other.offsetKnown_;
        seekable_ = other.seekable_;
        readErrno_ = other.readErrno_;
    }
    return *this;
}

InputStream::~InputStream() {
    if (ownsFd_ && fd_ >= 0) ::close(fd_);
}

int InputStream::close() {
    if (!ownsFd_ || fd_ < 0) return 0;
    int fd = std::exchange(fd_, -1);
    ownsFd_ = false;
    return ::close(fd);
}

// Reads the next chunk; false at the end of the input or on an error.
bool InputStream::fill() {
    if (memory_ || fd_ < 0) return false;
    if (offsetKnown_) bufferStart_ += static_cast<off_t>(end_);
    buffer_.resize(kBufferSize);
    pos_ = end_ = 0;
    ssize_t n;
    do {
        n = ::read(fd_, buffer_.data(), kBufferSize);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
        if (n < 0) readErrno_ = errno;
        return false;
    }
    end_ = static_cast<size_t>(n);
    return true;
}

int InputStream::get() {
    if (pos_ >= end_ && !fill()) return -1;
    return static_cast<unsigned char>(buffer_[pos_++]);
}

void InputStream::unget() {
    if (pos_ > 0) --pos_;
}

bool InputStream::read(std::string& out, size_t count) {
    while (count > 0) {
        if (pos_ >= end_ && !fill()) return false;
        size_t take = std::min(count, end_ - pos_);
        out.append(buffer_, pos_, take);
        pos_ += take;
        count -= take;
    }
    return true;
}

off_t InputStream::tell() {
    if (!seekable_) {
        errno = ESPIPE;
        return -1;
    }
    if (!offsetKnown_) {
        // The descriptor's offset before the first read (stdin may start anywhere).
        off_t here = ::lseek(fd_, 0, SEEK_CUR);
        if (here < 0) {
            if (errno == ESPIPE) seekable_ = false;
            return -1;
        }
        bufferStart_ = here - static_cast<off_t>(end_);
        offsetKnown_ = true;
    }
    return bufferStart_ + static_cast<off_t>(pos_);
}

bool InputStream::seek(off_t offset) {
    if (offset < 0) {
        errno = EINVAL;
        return false;
    }
    if (memory_) {
        pos_ = std::min(static_cast<size_t>(offset), end_);
        return true;
    }
    if (!seekable_) {
        errno = ESPIPE;
        return false;
    }
    off_t at = ::lseek(fd_, offset, SEEK_SET);
    if (at < 0) {
        if (errno == ESPIPE) seekable_ = false;
        return false;
    }
    // Unread input is discarded, as vstream_fseek() does.
    pos_ = end_ = 0;
    bufferStart_ = at;
    offsetKnown_ = true;
    return true;
}

bool InputStream::seekEnd() {
    if (memory_) {
        pos_ = end_;
        return true;
    }
    if (!seekable_) {
        errno = ESPIPE;
        return false;
    }
    off_t at = ::lseek(fd_, 0, SEEK_END);
    if (at < 0) {
        if (errno == ESPIPE) seekable_ = false;
        return false;
    }
    pos_ = end_ = 0;
    bufferStart_ = at;
    offsetKnown_ = true;
    return true;
}

}  // namespace postline::queue
