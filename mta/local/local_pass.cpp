// The client side of Postfix's deliver_pass.c: local hands a recipient to the agent of
// mailbox_transport or fallback_transport over that agent's socket, in the delivery
// request protocol, and reads whether the agent dealt with it.
#include "local_pass.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "postline/queue/attr_stream.h"

namespace postline::local {

PassResult passToAgent(const std::string& path, const delivery::DeliverRequest& request) {
    using Stage = PassResult::Stage;
    PassResult result;
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        result.problem = std::string("socket: ") + std::strerror(errno);
        return result;
    }
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    std::strncpy(sun.sun_path, path.c_str(), sizeof sun.sun_path - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sun), sizeof sun) < 0) {
        result.problem = "connect to " + path + ": " + std::strerror(errno);
        ::close(fd);
        return result;
    }
    auto done = [&](Stage stage, std::string problem) {
        ::close(fd);
        result.stage = stage;
        result.problem = std::move(problem);
        return result;
    };
    std::string pending;
    auto hello = queue::attr::readGroup(fd, pending);
    if (!hello) return done(Stage::Unavailable, path + ": " + hello.error().message);
    if (auto ok = delivery::checkAgentHello(*hello); !ok)
        return done(Stage::Unavailable, path + ": malformed response");
    if (auto w = queue::attr::writeAll(fd, delivery::encodeDeliverRequest(request)); !w)
        return done(Stage::Unavailable, path + ": bad write: " + w.error().message);
    auto group = queue::attr::readGroup(fd, pending);
    if (!group) return done(Stage::Malformed, path + ": " + group.error().message);
    auto reply = delivery::decodeDeliverReply(*group);
    if (!reply) return done(Stage::Malformed, path + ": malformed response");
    result.status = reply->status;
    return done(Stage::Replied, "");
}

}  // namespace postline::local
