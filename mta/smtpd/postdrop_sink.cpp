// PostdropSink: smtpd -S hands its message to postdrop over two pipes (Postfix's
// global/mail_stream.c mail_stream_command and mail_stream_finish_ipc).
#include "postdrop_sink.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include "cleanup_sink.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/queue/attr_stream.h"
#include "postline/queue/cleanup_status.h"
#include "postline/queue/record.h"
#include "postline/queue/record_type.h"

namespace postline::smtpd {

namespace rt = queue::rec;

PostdropSink::PostdropSink(std::string command) : command_(std::move(command)) {}

PostdropSink::~PostdropSink() {
    if (pid_ > 0) abandon();
}

base::Result<std::string> PostdropSink::open(bool) {
    std::signal(SIGPIPE, SIG_IGN);
    int in[2], out[2];  // in: smtpd -> postdrop; out: postdrop -> smtpd
    if (::pipe2(in, O_CLOEXEC) != 0) return base::errnoError("pipe");
    if (::pipe2(out, O_CLOEXEC) != 0) {
        int saved = errno;
        ::close(in[0]);
        ::close(in[1]);
        errno = saved;
        return base::errnoError("pipe");
    }
    pid_t pid;
    while ((pid = ::fork()) < 0) {
        base::msgWarn(base::cat("fork: ", std::strerror(errno)));
        ::sleep(10);
    }
    if (pid == 0) {
        ::dup2(in[0], STDIN_FILENO);
        ::dup2(out[1], STDOUT_FILENO);
        char* argv[] = {const_cast<char*>(command_.c_str()), nullptr};
        ::execv(command_.c_str(), argv);
        base::msgWarn(base::cat("execv ", command_, ": ", std::strerror(errno)));
        ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    pid_ = pid;
    toFd_ = in[1];
    fromFd_ = out[0];
    buffer_.clear();
    pending_.clear();
    failed_ = false;
    auto greeting = queue::attr::readGroup(fromFd_, pending_);
    const std::string* protocol = greeting ? greeting->empty() ? nullptr : &greeting->front().second : nullptr;
    if (greeting && queue::attr::expectExactly(*greeting, {"protocol", "queue_id"}) && protocol &&
        greeting->front().first == "protocol" && *protocol == "postdrop_protocol") {
        for (const auto& [name, value] : *greeting)
            if (name == "queue_id") return value;
    }
    int status = close();
    if (status != 0) base::msgWarn(base::cat("command \"", command_, "\" exited with status ", status));
    return base::Error{"unable to execute " + command_};
}

void PostdropSink::record(int type, std::string_view data) {
    if (pid_ <= 0 || failed_) return;
    queue::appendRecord(buffer_, type, data);
    if (buffer_.size() >= 65536) flush();
}

bool PostdropSink::flush() {
    if (failed_) return false;
    if (!buffer_.empty() && !queue::attr::writeAll(toFd_, buffer_)) failed_ = true;
    buffer_.clear();
    return !failed_;
}

int PostdropSink::close() {
    if (toFd_ >= 0) ::close(toFd_);
    if (fromFd_ >= 0) ::close(fromFd_);
    toFd_ = fromFd_ = -1;
    int status = 0;
    if (pid_ > 0) {
        int ws = 0;
        while (::waitpid(pid_, &ws, 0) < 0 && errno == EINTR) {
        }
        status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    }
    pid_ = -1;
    return status;
}

void PostdropSink::arrivalTime(long seconds, long microseconds) {
    record(rt::kTime, base::cat(seconds, " ", microseconds));
}

void PostdropSink::attribute(std::string_view name, std::string_view value) {
    record(rt::kAttr, base::cat(name, "=", value));
}

void PostdropSink::sender(std::string_view address) { record(rt::kFrom, address); }

void PostdropSink::recipient(std::string_view address) { record(rt::kRcpt, address); }

void PostdropSink::processingFlags(int flags) { record(rt::kFlags, std::to_string(flags)); }

void PostdropSink::messageStart() { record(rt::kMesg, ""); }

void PostdropSink::extractedStart() { record(rt::kXtra, ""); }

void PostdropSink::contentFilter(std::string_view filter) { record(rt::kFilter, filter); }

void PostdropSink::redirect(std::string_view address) { record(rt::kRedirect, address); }

void PostdropSink::contentLine(std::string_view line, bool complete) { record(complete ? rt::kNorm : rt::kCont, line); }

smtp::SinkResult PostdropSink::finish() {
    if (pid_ <= 0) return sinkResultFor(queue::cleanup_stat::kWrite);
    record(rt::kEnd, "");
    bool sent = flush();
    if (sent) {
        auto reply = queue::attr::readGroup(fromFd_, pending_);
        if (reply) {
            int code = queue::cleanup_stat::kWrite;
            std::string reason;
            bool haveStatus = false;
            for (const auto& [name, value] : *reply) {
                if (name == "status") {
                    code = std::atoi(value.c_str());
                    haveStatus = true;
                }
                if (name == "reason") reason = value;
            }
            close();
            smtp::SinkResult out = sinkResultFor(haveStatus ? code : queue::cleanup_stat::kWrite);
            out.why = reason;
            return out;
        }
    }
    close();
    return sinkResultFor(queue::cleanup_stat::kWrite);
}

void PostdropSink::abandon() {
    if (pid_ > 0) close();
}

std::string postdropCommand(const std::string& commandDirectory) {
    char self[4096];
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        std::string dir(self, static_cast<size_t>(n));
        dir.erase(dir.rfind('/'));
        std::string candidate = dir.substr(0, dir.rfind('/')) + "/bin/postdrop";
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return commandDirectory + "/postdrop";
}

}  // namespace postline::smtpd
