// The delivery-request client (qmgr_deliver.c), non-blocking.
#include "agent_call.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "postline/base/strings.h"

namespace postline::qmgr {

AgentCall::AgentCall(const std::string& transport, const delivery::DeliverRequest& request, double deadline)
    : transport_(transport), out_(delivery::encodeDeliverRequest(request)), deadline_(deadline) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) fail(base::cat("socket: ", std::strerror(errno)));
}

AgentCall::~AgentCall() {
    if (fd_ >= 0) ::close(fd_);
}

void AgentCall::fail(const std::string& why) {
    failure_ = why;
    state_ = State::Done;
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

pollfd AgentCall::pollRequest() const {
    switch (state_) {
        case State::Connecting:
            return {-1, 0, 0};  // retried on each turn of the loop
        case State::Sending:
            return {fd_, POLLOUT, 0};
        case State::Hello:
        case State::Reply:
            return {fd_, POLLIN, 0};
        case State::Done:
            break;
    }
    return {-1, 0, 0};
}

// Reads what is there into the scanner; true when a whole group arrived. On end of
// file or an error the call fails.
bool AgentCall::readGroup(queue::attr::GroupScanner& scanner) {
    for (;;) {
        if (!pending_.empty()) {
            auto used = scanner.feed(pending_);
            if (!used) {
                fail(base::cat("private/", transport_, ": ", used.error().message));
                return false;
            }
            pending_.erase(0, *used);
            if (scanner.complete()) return true;
        }
        char buffer[4096];
        ssize_t n = ::read(fd_, buffer, sizeof buffer);
        if (n > 0) {
            pending_.append(buffer, size_t(n));
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return false;
        fail(n == 0 ? base::cat("private/", transport_, ": unexpected end of file")
                    : base::cat("read from private/", transport_, ": ", std::strerror(errno)));
        return false;
    }
}

bool AgentCall::advance(short revents, double now) {
    if (state_ == State::Done) return true;
    if (state_ == State::Connecting) {
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::string path = "private/" + transport_;
        std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
            state_ = State::Hello;
        } else if (errno == EAGAIN || errno == EINTR) {
            // The agent's listen queue is full: try again on the next turn.
        } else {
            fail(base::cat("connect to transport private/", transport_, ": ", std::strerror(errno)));
            return true;
        }
    }
    if (state_ == State::Hello && (revents & (POLLIN | POLLHUP | POLLERR))) {
        if (readGroup(scanner_)) {
            auto hello = delivery::checkAgentHello(scanner_.attributes());
            if (!hello) {
                fail(base::cat("private/", transport_, ": ", hello.error().message));
                return true;
            }
            scanner_.reset();
            state_ = State::Sending;
            revents = POLLOUT;
        }
    }
    if (state_ == State::Sending && (revents & (POLLOUT | POLLERR | POLLHUP))) {
        while (sent_ < out_.size()) {
            ssize_t n = ::send(fd_, out_.data() + sent_, out_.size() - sent_, MSG_NOSIGNAL);
            if (n > 0) {
                sent_ += size_t(n);
            } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                break;
            } else {
                fail(base::cat("write to private/", transport_, ": ", std::strerror(errno)));
                return true;
            }
        }
        if (sent_ == out_.size()) {
            state_ = State::Reply;
            deadline_ = 0;  // the delivery itself may take as long as it takes
            revents = 0;
        }
    }
    if (state_ == State::Reply && (revents & (POLLIN | POLLHUP | POLLERR))) {
        if (readGroup(scanner_)) {
            auto reply = delivery::decodeDeliverReply(scanner_.attributes());
            if (!reply) {
                fail(base::cat("private/", transport_, ": ", reply.error().message));
                return true;
            }
            reply_ = *reply;
            answered_ = true;
            state_ = State::Done;
            ::close(fd_);
            fd_ = -1;
        }
    }
    if (state_ != State::Done && deadline_ > 0 && now >= deadline_)
        fail(base::cat("timeout connecting to transport private/", transport_));
    return state_ == State::Done;
}

}  // namespace postline::qmgr
