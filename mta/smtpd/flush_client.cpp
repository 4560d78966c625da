// FlushClient: flush_send_site()'s request to the flush service as Postfix's
// mail_command_client() makes it: connect to public/SERVICE, expect the
// "queue_flush_protocol" announcement, send request=send_site and site=SITE, read status.
#include "flush_client.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/queue/attr_stream.h"
#include "postline/server/local_socket.h"

namespace postline::smtpd {

FlushClient::FlushClient(std::string queueDirectory, std::string service, long timeout)
    : queueDirectory_(std::move(queueDirectory)), service_(std::move(service)), timeout_(timeout) {}

int FlushClient::sendSite(std::string_view site) {
    const std::string name = "public/" + service_;
    const std::string path = queueDirectory_ + "/" + name;
    int fd = server::connectLocalSocket(path, timeout_ > 0 ? timeout_ : 3600);
    if (fd < 0) {
        base::msgWarn(base::cat("connect to ", name, ": ", std::strerror(errno)));
        return kFail;
    }
    const std::string stream = name + " socket";
    std::string pending;
    int status = kFail;
    auto hello = queue::attr::readGroup(fd, pending);
    if (!hello || !queue::attr::expectExactly(*hello, {"protocol"}) ||
        hello->front().second != "queue_flush_protocol") {
        base::msgWarn(base::cat("read ", stream, ": ", hello ? "protocol mismatch" : hello.error().message));
    } else {
        std::string out;
        queue::attr::append(out, "request", "send_site");
        queue::attr::append(out, "site", site);
        queue::attr::appendEnd(out);
        if (auto written = queue::attr::writeAll(fd, out); !written) {
            base::msgWarn(base::cat("write ", stream, ": ", written.error().message));
        } else if (auto answer = queue::attr::readGroup(fd, pending);
                   !answer || !queue::attr::expectExactly(*answer, {"status"})) {
            base::msgWarn(base::cat("write/read ", stream, ": ", answer ? "malformed reply" : answer.error().message));
        } else {
            status = std::atoi(answer->front().second.c_str());
        }
    }
    ::close(fd);
    return status;
}

}  // namespace postline::smtpd
