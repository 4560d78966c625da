// flush(8): the fast flush service (Postfix 3.7's flush/flush.c) — a single server on
// public/flush speaking queue_flush_protocol: "add", "send_site", "send_file",
// "rfrsh" and "purge", and master's wakeup, which refreshes old logs.
#include <poll.h>
#include <unistd.h>

#include "flush_core.h"
#include "postline/address/match_list.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/queue/attr_stream.h"
#include "postline/queue/maildrop_file.h"
#include "postline/server/daemon.h"

namespace {

using namespace postline;

// Reads the client's request: an attribute group, or master's short wakeup ("W").
// Returns false on a timeout or a malformed request.
bool readRequest(int fd, long timeout, queue::attr::Attributes& group, std::string& shortRequest) {
    queue::attr::GroupScanner scanner;
    std::string bytes;
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, int(timeout * 1000)) <= 0) {
            base::msgWarn("timeout while waiting for data from client");
            return false;
        }
        char buffer[4096];
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0) break;
        bytes.append(buffer, size_t(n));
        auto used = scanner.feed(std::string_view(buffer, size_t(n)));
        if (!used) return false;
        if (scanner.complete()) {
            group = scanner.attributes();
            return true;
        }
        if (bytes.size() > 2 && bytes.find('=') == std::string::npos && bytes.find('\0') == std::string::npos) break;
    }
    if (bytes.size() > 2) return false;
    if (!bytes.empty() && bytes.back() == '\0') bytes.pop_back();
    shortRequest = bytes;
    return true;
}

void reply(int fd, int status) {
    std::string out;
    queue::attr::appendNumber(out, "status", static_cast<unsigned long>(status));
    queue::attr::appendEnd(out);
    (void)queue::attr::writeAll(fd, out);
}

void serve(server::Connection& connection, const server::DaemonConfig& config) {
    std::string hello;
    queue::attr::append(hello, "protocol", "queue_flush_protocol");
    queue::attr::appendEnd(hello);
    if (!queue::attr::writeAll(connection.outFd, hello)) return;
    flush::FlushEnvironment env;
    env.layout = queue::queueLayout(config.get("hash_queue_names"), int(config.getLong("hash_queue_depth")));
    auto domains = address::MatchList::fromParameter(config.config(), "fast_flush_domains", address::MatchKind::Host);
    env.eligible = [&domains](std::string_view site) { return domains.match(site).matched; };
    std::string qmgr = "public/" + config.get("queue_service_name");
    env.triggerQmgr = [&qmgr](std::string_view request) {
        if (auto st = queue::triggerService(qmgr, request, nullptr); !st) base::msgWarn(st.error().message);
    };
    queue::attr::Attributes group;
    std::string shortRequest;
    if (!readRequest(connection.inFd, config.getSeconds("ipc_timeout"), group, shortRequest)) {
        reply(connection.outFd, flush::kStatusBad);
        return;
    }
    auto value = [&group](std::string_view name) -> const std::string* {
        for (const auto& [n, v] : group)
            if (n == name) return &v;
        return nullptr;
    };
    const std::string* request = value("request");
    std::string what = request ? *request : shortRequest;
    int status = flush::kStatusBad;
    if (what == "add") {
        const std::string* site = value("site");
        const std::string* id = value("queue_id");
        if (site && id && group.size() == 3) status = flush::addToLog(env, *site, *id);
        reply(connection.outFd, status);
    } else if (what == "send_site") {
        const std::string* site = value("site");
        if (site && group.size() == 2) status = flush::sendSite(env, *site);
        reply(connection.outFd, status);
    } else if (what == "send_file") {
        const std::string* id = value("queue_id");
        if (id && group.size() == 2) status = flush::sendFile(env, *id);
        reply(connection.outFd, status);
    } else if (what == "rfrsh" || what == "W") {
        reply(connection.outFd, flush::kStatusOk);
        flush::refreshLogs(env, config.getSeconds("fast_flush_refresh_time"),
                           config.getSeconds("fast_flush_purge_time"));
    } else if (what == "purge") {
        reply(connection.outFd, flush::kStatusOk);
        flush::refreshLogs(env, 0, config.getSeconds("fast_flush_purge_time"));
    } else {
        reply(connection.outFd, status);
    }
}

}  // namespace

int main(int argc, char** argv) {
    server::Daemon daemon;
    daemon.program = "flush";
    daemon.serveClient = serve;
    return server::runDaemon(argc, argv, daemon);
}
