// discard(8): the single-server delivery agent that reports every recipient it is
// handed as delivered and delivers nothing (Postfix's discard/discard.c
// discard_service). Serves one request per client.
#include <string>

#include "discard_core.h"
#include "postline/base/msg.h"
#include "postline/delivery/agent_service.h"
#include "postline/server/agent_queue.h"
#include "postline/server/daemon.h"

namespace {

using namespace postline;

void serve(server::Connection& conn, const server::DaemonConfig& cfg) {
    const server::ServiceOptions& options = cfg.options();
    if (!options.arguments.empty()) base::msgFatal("unexpected command-line argument: " + options.arguments.front());
    delivery::AgentQueue queue = server::agentQueueOf(cfg);
    auto served = delivery::serveDeliveryRequest(conn.inFd, conn.outFd, queue, [](delivery::AgentDelivery& d) {
        if (d.request().nexthop.empty()) base::msgFatal("empty nexthop hostname");
        return discard::deliverDiscard(d);
    });
    if (!served) base::msgFatal(served.error().message);
}

}  // namespace

int main(int argc, char** argv) {
    server::Daemon daemon;
    daemon.program = "discard";
    daemon.serveClient = serve;
    return server::runDaemon(argc, argv, daemon);
}
