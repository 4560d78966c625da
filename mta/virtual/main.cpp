// virtual(8): the single-server delivery agent for virtual mailbox domains (Postfix's
// virtual/virtual.c main, local_service and post_init): one delivery request per
// connection from the queue manager, each recipient delivered to its mailbox or
// Maildir and reported (relay=virtual), and the reply.
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "postline/address/routing_context.h"
#include "postline/address/tokens.h"
#include "postline/artifact/generation.h"
#include "postline/base/msg.h"
#include "postline/delivery/agent_service.h"
#include "postline/delivery/maildir.h"
#include "postline/server/daemon.h"
#include "postline/server/privileges.h"
#include "virtual_core.h"

namespace {

using namespace postline;

// The configuration in use, made anew when the daemon switched generations: the
// routing context keeps virtual_mailbox_maps and the uid/gid maps open between
// requests (virtual.c opens them once in post_init).
struct State {
    const config::Config* config = nullptr;
    int generation = -1;
    std::unique_ptr<address::RoutingContext> context;
    virt::VirtualSettings settings;
};
State state;

void refresh(const server::DaemonConfig& cfg) {
    if (state.config == &cfg.config() && state.generation == cfg.generation().number()) return;
    auto settings = virt::VirtualSettings::read([&](std::string_view name) { return cfg.get(name); });
    if (!settings) base::msgFatal(settings.error().message);
    settings->lockRetry.delaySeconds = static_cast<int>(cfg.getSeconds("deliver_lock_delay"));
    settings->lockRetry.staleSeconds = static_cast<int>(cfg.getSeconds("stale_lock_time"));
    settings->maildirHostname = delivery::maildirHostname();
    state.settings = std::move(*settings);
    state.context = std::make_unique<address::RoutingContext>(cfg.config());
    state.config = &cfg.config();
    state.generation = cfg.generation().number();
}

void serve(server::Connection& conn, const server::DaemonConfig& cfg) {
    const server::ServiceOptions& options = cfg.options();
    if (!options.arguments.empty()) base::msgFatal("unexpected command-line argument: " + options.arguments.front());
    refresh(cfg);
    server::workAsMailOwner(cfg.get("mail_owner"), cfg.options().configDirectory);
    delivery::AgentQueue queue = delivery::readAgentQueue([&](std::string_view n) { return cfg.get(n); });
    queue.report.quoteLocal = [](std::string_view a) { return address::quoteLocalPart(a); };

    virt::VirtualEnvironment env;
    env.settings = state.settings;
    env.routing = state.context.get();
    // Started by root (master.cf's unprivileged field "n"), each write runs as the
    // mailbox owner; started by an ordinary user, as that user.
    env.switchUsers = ::getuid() == 0;
    env.warn = [](std::string_view t) { base::msgWarn(t); };
    env.quoteLocal = queue.report.quoteLocal;
    std::string service = options.serviceName.empty() ? "virtual" : options.serviceName;
    auto served = delivery::serveDeliveryRequest(conn.inFd, conn.outFd, queue, [&](delivery::AgentDelivery& d) {
        return virt::deliverVirtual(env, d, service);
    });
    if (!served) base::msgFatal(served.error().message);
}

}  // namespace

int main(int argc, char** argv) {
    server::Daemon daemon;
    daemon.program = "virtual";
    daemon.serveClient = serve;
    return server::runDaemon(argc, argv, daemon);
}
