// A delivery agent's AgentQueue from its configuration (global/defer.c's flush_add,
// flush_clnt.c, quote_822_local.c).
#include "postline/server/agent_queue.h"

#include <unistd.h>

#include <memory>

#include "postline/address/match_list.h"
#include "postline/address/tokens.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/queue/attr_stream.h"
#include "postline/server/daemon.h"
#include "postline/server/local_socket.h"

namespace postline::server {

namespace {

// flush_add: "add" to the flush service; its status is not the agent's concern beyond
// a warning when the service fails.
void flushAdd(const std::string& socketPath, std::string_view site, std::string_view queueId) {
    int fd = connectLocalSocket(socketPath, 10);
    bool ok = false;
    if (fd >= 0) {
        std::string pending;
        auto hello = queue::attr::readGroup(fd, pending);
        std::string request;
        queue::attr::append(request, "request", "add");
        queue::attr::append(request, "site", site);
        queue::attr::append(request, "queue_id", queueId);
        queue::attr::appendEnd(request);
        if (hello && queue::attr::writeAll(fd, request)) {
            auto reply = queue::attr::readGroup(fd, pending);
            ok = reply && !reply->empty() && reply->front().first == "status" &&
                 (reply->front().second == "0" || reply->front().second == "4");
        }
        ::close(fd);
    }
    if (!ok) base::msgWarn(base::cat(queueId, ": flush service failure"));
}

}  // namespace

delivery::AgentQueue agentQueueOf(const DaemonConfig& config) {
    delivery::AgentQueue queue =
        delivery::readAgentQueue([&config](std::string_view name) { return config.get(name); });
    queue.report.quoteLocal = [](std::string_view address) { return address::quoteLocalPart(address); };
    if (!config.get("fast_flush_domains").empty()) {
        auto domains = std::make_shared<address::MatchList>(
            address::MatchList::fromParameter(config.config(), "fast_flush_domains", address::MatchKind::Host));
        std::string socketPath = "public/" + config.get("flush_service_name");
        queue.report.fastFlush = [domains, socketPath](std::string_view site, std::string_view queueId) {
            if (domains->match(site).matched) flushAdd(socketPath, site, queueId);
        };
    }
    return queue;
}

}  // namespace postline::server
