// The status channel's framing (what Postfix's master_notify() and master_status_event()
// exchange as a raw struct; here a fixed 13-byte frame with a magic).
#include "postline/server/master_status.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace postline::server {

namespace {

constexpr std::string_view kMagic = "PLST";

void putUint32(std::string& out, std::uint32_t v) {
    out += char((v >> 24) & 0xff);
    out += char((v >> 16) & 0xff);
    out += char((v >> 8) & 0xff);
    out += char(v & 0xff);
}

std::uint32_t getUint32(std::string_view in) {
    return (std::uint32_t(std::uint8_t(in[0])) << 24) | (std::uint32_t(std::uint8_t(in[1])) << 16) |
           (std::uint32_t(std::uint8_t(in[2])) << 8) | std::uint32_t(std::uint8_t(in[3]));
}

}  // namespace

std::string encodeStatus(const StatusMessage& message) {
    std::string out(kMagic);
    putUint32(out, std::uint32_t(message.pid));
    putUint32(out, message.generation);
    out += char(message.availability == Availability::Available ? 1 : 0);
    return out;
}

void StatusDecoder::feed(std::string_view bytes) { buffer_.append(bytes); }

std::optional<StatusMessage> StatusDecoder::next() {
    while (buffer_.size() >= kStatusMessageSize) {
        std::string_view frame(buffer_.data(), kStatusMessageSize);
        std::uint8_t avail = std::uint8_t(frame[12]);
        if (frame.substr(0, 4) == kMagic && avail <= 1) {
            StatusMessage message;
            message.pid = std::int32_t(getUint32(frame.substr(4)));
            message.generation = getUint32(frame.substr(8));
            message.availability = avail ? Availability::Available : Availability::Taken;
            buffer_.erase(0, kStatusMessageSize);
            return message;
        }
        // Resynchronise at the next magic after the first byte.
        size_t at = buffer_.find(kMagic, 1);
        size_t skip = at == std::string::npos ? buffer_.size() - (kMagic.size() - 1) : at;
        garbage_ += skip;
        buffer_.erase(0, skip);
    }
    return std::nullopt;
}

bool sendStatus(int fd, const StatusMessage& message) {
    std::string frame = encodeStatus(message);
    for (;;) {
        ssize_t n = ::send(fd, frame.data(), frame.size(), MSG_NOSIGNAL);
        if (n == ssize_t(frame.size())) return true;
        if (n < 0 && errno == EINTR) continue;
        return false;
    }
}

}  // namespace postline::server
