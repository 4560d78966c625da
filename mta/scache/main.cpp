// scache(8): Postfix 3.7's shared connection cache as one process serving every smtp
// and lmtp client's persistent connection (Postfix's multi_server), on lib/server's
// event model; the protocol and the cache are scache_core, the socket I/O scache_io.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <vector>

#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/server/daemon.h"
#include "postline/server/master_status.h"
#include "scache_core.h"
#include "scache_io.h"

namespace {

using namespace postline;

// SIGTERM (`postfix stop`) ends the process at once, as Postfix's scache ends; when
// master goes away the statistics are logged first (MAIL_SERVER_EXIT), and the cached
// connections close with the process.
int runScache(server::EventContext& context) {
    const server::DaemonConfig& config = context.config();
    long ttlLimit = std::clamp(config.getSeconds("connection_cache_ttl_limit"), 1L, long(INT_MAX));
    long statusInterval = std::max(1L, config.getSeconds("connection_cache_status_update_time"));
    // A client in the middle of a request gets as long as a Postfix stream read would
    // (multi_server's var_ipc_timeout) before it is dropped with what it held.
    long ipcTimeout = std::max(1L, config.getSeconds("ipc_timeout"));
    time_t now = std::time(nullptr);
    scache::CacheService service(int(ttlLimit), now);
    time_t nextReport = now + statusInterval;
    std::map<int, std::unique_ptr<scache::ClientConnection>> clients;
    auto report = [&service] {
        for (const std::string& line : service.report(std::time(nullptr))) base::msgInfo(line);
    };
    for (;;) {
        std::vector<pollfd> fds;
        for (int fd : context.listenFds()) fds.push_back({fd, POLLIN, 0});
        if (context.masterStatusFd() >= 0) fds.push_back({context.masterStatusFd(), POLLIN, 0});
        size_t first = fds.size();
        for (const auto& [fd, client] : clients) fds.push_back({fd, short(client->wantsWrite() ? POLLOUT : POLLIN), 0});
        int ready = ::poll(fds.data(), nfds_t(fds.size()), 1000);
        if (ready < 0 && errno != EINTR) base::msgFatal(base::cat("poll: ", std::strerror(errno)));
        now = std::time(nullptr);
        service.cache().expire(now);
        if (now >= nextReport) {
            report();
            nextReport = now + statusInterval;
        }
        std::vector<int> drop;
        for (const auto& [fd, client] : clients) {
            if (client->busy() && now - client->busySince() > ipcTimeout) {
                base::msgWarn("scache: timeout on client connection, disconnected");
                drop.push_back(fd);
            }
        }
        for (int fd : drop) clients.erase(fd);
        if (ready <= 0) continue;
        size_t i = 0;
        for (int fd : context.listenFds()) {
            short revents = fds[i++].revents;
            if (revents & POLLNVAL) base::msgFatal("bad listening socket");
            if (revents & POLLIN) {
                int socket = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
                if (socket < 0) continue;
                auto client = std::make_unique<scache::ClientConnection>(socket, service);
                if (client->flush()) clients[socket] = std::move(client);
            }
        }
        if (context.masterStatusFd() >= 0 && server::masterStatusGone(context.masterStatusFd(), fds[i].revents)) break;
        for (size_t k = first; k < fds.size(); ++k) {
            if (!(fds[k].revents & (POLLIN | POLLOUT | POLLHUP | POLLERR))) continue;
            auto it = clients.find(fds[k].fd);
            if (it == clients.end()) continue;  // dropped above
            scache::ClientConnection& client = *it->second;
            bool keep = client.wantsWrite() ? client.flush() : client.onReadable(now) && client.flush();
            // POLLHUP with nothing left to read ends in onReadable()'s end of file.
            if (!keep) clients.erase(it);
        }
    }
    report();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    server::Daemon daemon;
    daemon.program = "scache";
    daemon.runEvents = runScache;
    return server::runDaemon(argc, argv, daemon);
}
