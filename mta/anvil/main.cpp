// anvil(8): Postfix 3.7's connection and rate counter as one process serving every
// smtpd's persistent connection (Postfix's multi_server), on lib/server's event model.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <map>
#include <vector>

#include "anvil_core.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/queue/attr_stream.h"
#include "postline/server/daemon.h"
#include "postline/server/master_status.h"

namespace {

using namespace postline;

struct Client {
    queue::attr::plain::GroupScanner scanner;
};

// SIGTERM (`postfix stop`) ends the process at once, as Postfix's anvil ends; when
// master goes away the peak statistics are logged first (the server's exit callback).
int runAnvil(server::EventContext& context) {
    const server::DaemonConfig& config = context.config();
    anvil::AnvilCore core(std::max(1L, config.getSeconds("anvil_rate_time_unit")));
    long statusInterval = std::max(1L, config.getSeconds("anvil_status_update_time"));
    time_t nextReport = std::time(nullptr) + statusInterval;
    std::map<int, Client> clients;
    auto report = [&core] {
        for (const std::string& line : core.report(std::time(nullptr))) base::msgInfo(line);
    };
    std::string hello;
    queue::attr::plain::append(hello, "protocol", "anvil_protocol");
    queue::attr::plain::appendEnd(hello);
    for (;;) {
        std::vector<pollfd> fds;
        for (int fd : context.listenFds()) fds.push_back({fd, POLLIN, 0});
        if (context.masterStatusFd() >= 0) fds.push_back({context.masterStatusFd(), POLLIN, 0});
        size_t first = fds.size();
        for (const auto& [fd, client] : clients) fds.push_back({fd, POLLIN, 0});
        int ready = ::poll(fds.data(), nfds_t(fds.size()), 1000);
        time_t now = std::time(nullptr);
        if (ready < 0 && errno != EINTR) base::msgFatal(base::cat("poll: ", std::strerror(errno)));
        core.expire(now);
        if (now >= nextReport) {
            report();
            nextReport = now + statusInterval;
        }
        if (ready <= 0) continue;
        size_t i = 0;
        for (int fd : context.listenFds()) {
            if (fds[i++].revents & POLLIN) {
                int client = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
                if (client < 0) continue;
                if (!queue::attr::writeAll(client, hello)) {
                    ::close(client);
                    continue;
                }
                clients[client];
            }
        }
        if (context.masterStatusFd() >= 0 && server::masterStatusGone(context.masterStatusFd(), fds[i].revents)) break;
        for (size_t k = first; k < fds.size(); ++k) {
            if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            int fd = fds[k].fd;
            char buffer[4096];
            ssize_t n = ::read(fd, buffer, sizeof buffer);
            bool gone = n <= 0;
            std::string_view in(buffer, n > 0 ? size_t(n) : 0);
            Client& client = clients[fd];
            while (!gone && !in.empty()) {
                auto used = client.scanner.feed(in);
                if (!used) {
                    base::msgWarn(base::cat("anvil: ", used.error().message));
                    gone = true;
                    break;
                }
                in.remove_prefix(*used);
                if (client.scanner.complete()) {
                    std::string reply = core.handle(fd, client.scanner.attributes(), now);
                    client.scanner.reset();
                    if (!queue::attr::writeAll(fd, reply)) gone = true;
                }
            }
            if (gone) {
                core.clientGone(fd, now);
                ::close(fd);
                clients.erase(fd);
            }
        }
    }
    report();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    server::Daemon daemon;
    daemon.program = "anvil";
    daemon.runEvents = runAnvil;
    return server::runDaemon(argc, argv, daemon);
}
