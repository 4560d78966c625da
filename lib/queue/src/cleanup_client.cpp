// The client side of Postfix's cleanup protocol (global/mail_stream.c's
// mail_stream_service() and mail_stream_finish_ipc()): read "protocol=cleanup" and the
// queue id, send the flags, stream the records, read the status and the reason.
#include "postline/queue/cleanup_client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "postline/queue/attr_stream.h"
#include "postline/queue/record.h"
#include "postline/queue/record_type.h"

namespace postline::queue {
namespace {

constexpr size_t kFlushAt = 64 * 1024;

}  // namespace

base::Result<CleanupClient> CleanupClient::open(const std::string& socketPath, int flags) {
    sockaddr_un sun{};
    if (socketPath.size() >= sizeof sun.sun_path)
        return base::Error{"connect to " + socketPath + ": " + std::strerror(ENAMETOOLONG), ENAMETOOLONG};
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return base::errnoError("connect to " + socketPath);
    sun.sun_family = AF_UNIX;
    std::memcpy(sun.sun_path, socketPath.data(), socketPath.size());
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sun), sizeof sun) < 0) {
        int e = errno;
        ::close(fd);
        return base::errnoError("connect to " + socketPath, e);
    }
    CleanupClient client;
    client.fd_ = fd;
    auto hello = attr::readGroup(fd, client.pending_);
    const std::string* proto = nullptr;
    const std::string* id = nullptr;
    if (hello) {
        for (const auto& [name, value] : *hello) {
            if (name == "protocol") proto = &value;
            if (name == "queue_id") id = &value;
        }
    }
    if (!hello || !proto || *proto != "cleanup_protocol" || !id || hello->size() != 2 ||
        (*hello)[0].first != "protocol")
        return base::Error{"unexpected cleanup protocol reply"};
    client.queueId_ = *id;
    std::string out;
    attr::appendNumber(out, "flags", static_cast<unsigned>(flags));
    attr::appendEnd(out);
    if (auto st = attr::writeAll(fd, out); !st) return base::Error{"unexpected cleanup protocol reply"};
    return client;
}

CleanupClient::CleanupClient(CleanupClient&& other) noexcept
    : fd_(other.fd_),
      queueId_(std::move(other.queueId_)),
      buffer_(std::move(other.buffer_)),
      lineLimit_(other.lineLimit_),
      failed_(other.failed_),
      pending_(std::move(other.pending_)) {
    other.fd_ = -1;
}

CleanupClient& CleanupClient::operator=(CleanupClient&& other) noexcept {
    if (this != &other) {
        abandon();
        fd_ = other.fd_;
        other.fd_ = -1;
        queueId_ = std::move(other.queueId_);
        buffer_ = std::move(other.buffer_);
        lineLimit_ = other.lineLimit_;
        failed_ = other.failed_;
        pending_ = std::move(other.pending_);
    }
    return *this;
}

CleanupClient::~CleanupClient() { abandon(); }

bool CleanupClient::flush() {
    if (failed_ || fd_ < 0) return false;
    if (!attr::writeAll(fd_, buffer_)) failed_ = true;
    buffer_.clear();
    return !failed_;
}

void CleanupClient::record(int type, std::string_view data) {
    if (failed_) return;
    appendRecord(buffer_, type, data);
    if (buffer_.size() >= kFlushAt) flush();
}

void CleanupClient::contentLine(std::string_view line, bool complete) {
    while (lineLimit_ > 0 && line.size() > lineLimit_) {
        record(rec::kCont, line.substr(0, lineLimit_));
        line.remove_prefix(lineLimit_);
    }
    record(complete ? rec::kNorm : rec::kCont, line);
}

base::Result<CleanupReply> CleanupClient::finish() {
    record(rec::kEnd, "");
    if (!flush()) {
        abandon();
        return base::Error{"cleanup write error"};
    }
    auto reply = attr::readGroup(fd_, pending_);
    abandon();
    // mail_stream_finish_ipc: a reply that is not exactly status and reason is a write
    // error; so is a lost connection (the caller answers 451 4.3.0).
    if (!reply) return base::Error{"cleanup reply: " + reply.error().message};
    if (!attr::expectExactly(*reply, {"status", "reason"})) return CleanupReply{cleanup_stat::kWrite, ""};
    CleanupReply result;
    const std::string& status = (*reply)[0].second;
    char* end = nullptr;
    unsigned long n = std::strtoul(status.c_str(), &end, 10);
    if (status.empty() || *end != '\0') return CleanupReply{cleanup_stat::kWrite, ""};
    result.status = static_cast<int>(n);
    result.reason = (*reply)[1].second;
    return result;
}

void CleanupClient::abandon() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buffer_.clear();
}

}  // namespace postline::queue
