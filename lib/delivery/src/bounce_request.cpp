// The queue manager's requests to the bounce service (Postfix's global/bounce.c
// bounce_flush and bounce_warn through mail_command_client, and the server side of
// bounce/bounce.c): the service's hello, one request group, the {status} reply.
#include "postline/delivery/bounce_request.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "attr_reader.h"

namespace postline::delivery {
namespace {

namespace attr = queue::attr;
using detail::appendInt;
using detail::AttrReader;

constexpr std::string_view kProtocol = "delivery_status_protocol";

}  // namespace

std::string encodeBounceHello() { return detail::encodeHello(kProtocol); }

base::Status checkBounceHello(const attr::Attributes& group) { return detail::checkHello(group, kProtocol); }

std::string encodeBounceRequest(const BounceRequest& r) {
    std::string out;
    appendInt(out, "nrequest", static_cast<int>(r.command));
    appendInt(out, "flags", r.flags);
    attr::append(out, "queue_name", r.queueName);
    attr::append(out, "queue_id", r.queueId);
    attr::append(out, "encoding", r.encoding);
    appendInt(out, "smtputf8", r.sendopts);
    attr::append(out, "sender", r.sender);
    attr::append(out, "envelope_id", r.dsnEnvid);
    appendInt(out, "ret_flags", r.dsnRet);
    attr::appendEnd(out);
    return out;
}

base::Result<BounceRequest> decodeBounceRequest(const attr::Attributes& group) {
    AttrReader in(group);
    BounceRequest r;
    int command = 0;
    PL_READ(command, in.integer("nrequest"));
    if (command != static_cast<int>(BounceCommand::Flush) && command != static_cast<int>(BounceCommand::Warn) &&
        command != static_cast<int>(BounceCommand::Trace))
        return base::Error{"unknown command: " + std::to_string(command)};
    r.command = static_cast<BounceCommand>(command);
    PL_READ(r.flags, in.integer("flags"));
    PL_READ(r.queueName, in.string("queue_name"));
    PL_READ(r.queueId, in.string("queue_id"));
    PL_READ(r.encoding, in.string("encoding"));
    PL_READ(r.sendopts, in.integer("smtputf8"));
    PL_READ(r.sender, in.string("sender"));
    PL_READ(r.dsnEnvid, in.string("envelope_id"));
    PL_READ(r.dsnRet, in.integer("ret_flags"));
    if (auto done = in.end(); !done) return done.error();
    return r;
}

std::string encodeBounceReply(int status) {
    std::string out;
    appendInt(out, "status", status);
    attr::appendEnd(out);
    return out;
}

base::Result<int> decodeBounceReply(const attr::Attributes& group) {
    AttrReader in(group);
    int status = 0;
    PL_READ(status, in.integer("status"));
    if (auto done = in.end(); !done) return done.error();
    return status;
}

base::Result<int> sendBounceRequest(const std::string& socketPath, const BounceRequest& request, long timeoutSeconds) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return base::errnoError("socket");
    timeval tv{std::max(1L, timeoutSeconds), 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, socketPath.c_str(), sizeof addr.sun_path - 1);
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
        return base::errnoError("connect to " + socketPath);
    std::string pending;
    auto hello = queue::attr::readGroup(fd, pending);
    if (!hello) return base::Error{socketPath + ": " + hello.error().message};
    if (auto st = checkBounceHello(*hello); !st) return base::Error{socketPath + ": " + st.error().message};
    if (auto st = queue::attr::writeAll(fd, encodeBounceRequest(request)); !st)
        return base::Error{socketPath + ": " + st.error().message};
    auto reply = queue::attr::readGroup(fd, pending);
    if (!reply) return base::Error{socketPath + ": " + reply.error().message};
    return decodeBounceReply(*reply);
}

}  // namespace postline::delivery
