// The status channel between master and a service's processes (Postfix's
// master/master_status.c and master_proto.c): every process of a service writes to the
// stream socket master gave it as fd 5 whether it is busy or idle again; master reads
// the other end. When master closes its end (reload, stop, master gone), the process
// reads end-of-file there and exits once its current client is done.
#pragma once

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postline::server {

inline constexpr int kMasterStatusFd = 5;  // MASTER_STATUS_FD
inline constexpr int kMasterListenFd = 6;  // MASTER_LISTEN_FD: the first listening socket

// A multi-client daemon's check of master's status descriptor after poll(): true when
// master went away (end of file, an error, or a descriptor that is not open — POLLNVAL
// would otherwise make every poll() return at once and the loop spin).
inline bool masterStatusGone(int fd, short revents) {
    if (!(revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))) return false;
    char byte;
    ssize_t n = ::read(fd, &byte, 1);
    return n <= 0 && !(n < 0 && (errno == EINTR || errno == EAGAIN));
}

enum class Availability : std::uint8_t { Taken = 0, Available = 1 };

// One status message. On the wire: the four bytes "PLST", the pid and the generation
// as 32-bit big-endian numbers, then one byte 0 (taken) or 1 (available): 13 bytes,
// written with one write(2) (below PIPE_BUF, so messages of processes sharing the
// channel never interleave).
struct StatusMessage {
    std::int32_t pid = 0;
    std::uint32_t generation = 0;  // master's generation of the process (the GENERATION environment variable)
    Availability availability = Availability::Taken;
};

inline constexpr size_t kStatusMessageSize = 13;
std::string encodeStatus(const StatusMessage& message);

// Reassembles messages from the bytes read from the channel, whatever the reads'
// boundaries. A frame with a wrong magic or availability byte makes the decoder
// resynchronise at the next "PLST" and count the bytes skipped as garbage.
class StatusDecoder {
public:
    void feed(std::string_view bytes);
    std::optional<StatusMessage> next();
    size_t garbage() const { return garbage_; }

private:
    std::string buffer_;
    size_t garbage_ = 0;
};

// A process's side: sends `message` on fd 5. False when master is gone (EPIPE etc.).
bool sendStatus(int fd, const StatusMessage& message);

}  // namespace postline::server
