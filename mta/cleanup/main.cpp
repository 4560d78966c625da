// cleanup(8): the single-server daemon around CleanupSession (Postfix's cleanup/cleanup.c
// main and cleanup_service): one client at a time, one message per connection, written to
// incoming/ (or hold/) of the queue directory.
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "cleanup_bounce.h"
#include "cleanup_session.h"
#include "postline/address/routing_context.h"
#include "postline/artifact/generation.h"
#include "postline/base/msg.h"
#include "postline/config/config.h"
#include "postline/queue/maildrop_file.h"
#include "postline/queue/queue_path.h"
#include "postline/server/agent_queue.h"
#include "postline/server/daemon.h"

namespace {

using namespace postline;

// The routing context of the configuration in use (its tables stay open between
// messages, as Postfix's cleanup keeps its maps), made anew when the daemon switched to
// another generation: the generation number tells a new configuration that happens to
// live at the old one's address apart. The context is not destroyed when the process
// exits (like Postfix's cleanup, which leaves its maps to the kernel): freeing 20,000
// compiled checks patterns took as long as a few messages, in every process at the end
// of its max_use.
// The parameters (CleanupSettings, the queue layout and directory) are read with it,
// once per configuration rather than for every message.
struct Routing {
    const config::Config* config = nullptr;
    int generation = -1;
    address::RoutingContext* context = nullptr;  // owned; deleted only when replaced
    cleanup::CleanupSettings settings;
    queue::QueueLayout layout;
    std::string queueDir;
};
Routing routing;

void serve(server::Connection& conn, const server::DaemonConfig& cfg) {
    if (routing.config != &cfg.config() || routing.generation != cfg.generation().number()) {
        delete routing.context;
        routing.context = new address::RoutingContext(cfg.config());
        routing.config = &cfg.config();
        routing.generation = cfg.generation().number();
        routing.settings = cleanup::CleanupSettings::read([&](std::string_view name) { return cfg.get(name); });
        routing.layout =
            queue::queueLayout(cfg.get("hash_queue_names"), static_cast<int>(cfg.getLong("hash_queue_depth")));
        routing.queueDir = cfg.get("queue_directory");
    }
    const std::string& queueDir = routing.queueDir;
    if (::chdir(queueDir.c_str()) != 0) base::msgFatal("chdir " + queueDir + ": " + std::strerror(errno));
    cleanup::CleanupEnvironment env;
    env.settings = routing.settings;
    env.routing = routing.context;
    env.layout = routing.layout;
    bool longIds = env.settings.longQueueIds;
    queue::QueueLayout layout = env.layout;
    env.createFile = [longIds, layout]() {
        return queue::NewQueueFile::create("incoming", layout, longIds, 0600,
                                           [](std::string_view w) { base::msgWarn(w); });
    };
    env.info = [](std::string_view t) { base::msgInfo(t); };
    env.warn = [](std::string_view t) { base::msgWarn(t); };
    delivery::AgentQueue agentQueue = server::agentQueueOf(cfg);
    agentQueue.directory = ".";
    std::string bounceService = cfg.get("bounce_service_name");
    long ipcTimeout = cfg.getSeconds("ipc_timeout");
    env.bounce = [agentQueue, bounceService, ipcTimeout](const cleanup::BounceOrder& order) {
        return cleanup::bounceRejectedMessage(order, agentQueue, bounceService, ipcTimeout);
    };
    env.trigger = [] {
        if (auto st = queue::triggerService("public/qmgr", "W", nullptr); !st) base::msgWarn(st.error().message);
    };

    cleanup::CleanupSession session(env);
    auto hello = session.start();
    if (!hello) base::msgFatal(hello.error().message);
    if (!queue::attr::writeAll(conn.outFd, *hello)) return;
    char buf[65536];
    while (!session.done()) {
        ssize_t n = ::read(conn.inFd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        std::string reply = n > 0 ? session.feed(std::string_view(buf, static_cast<size_t>(n))) : session.eof();
        if (!reply.empty()) (void)queue::attr::writeAll(conn.outFd, reply);
        if (n <= 0) break;
    }
}

}  // namespace

int main(int argc, char** argv) {
    server::Daemon daemon;
    daemon.program = "cleanup";
    daemon.serveClient = serve;
    return server::runDaemon(argc, argv, daemon);
}
