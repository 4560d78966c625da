// error(8): the single-server delivery agent that bounces (service "error") or defers
// (service "retry") every recipient it is handed, with the nexthop as the reason
// (Postfix's error/error.c error_service). Serves one request per client.
#include <string>

#include "error_core.h"
#include "postline/base/msg.h"
#include "postline/delivery/agent_service.h"
#include "postline/server/agent_queue.h"
#include "postline/server/daemon.h"

namespace {

using namespace postline;

void serve(server::Connection& conn, const server::DaemonConfig& cfg) {
    const server::ServiceOptions& options = cfg.options();
    if (!options.arguments.empty()) base::msgFatal("unexpected command-line argument: " + options.arguments.front());
    bool retry = false;
    if (options.serviceName == "retry")
        retry = true;
    else if (options.serviceName != "error")
        base::msgFatal("bad error service name: " + options.serviceName);
    delivery::AgentQueue queue = server::agentQueueOf(cfg);
    auto served = delivery::serveDeliveryRequest(conn.inFd, conn.outFd, queue, [&](delivery::AgentDelivery& d) {
        if (d.request().nexthop.empty()) base::msgFatal("empty nexthop hostname");
        return error::deliverError(d, retry);
    });
    if (!served) base::msgFatal(served.error().message);
}

}  // namespace

int main(int argc, char** argv) {
    server::Daemon daemon;
    daemon.program = "error";
    daemon.serveClient = serve;
    return server::runDaemon(argc, argv, daemon);
}
