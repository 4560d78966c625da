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

// post_init's set_eugid(var_owner_uid, var_owner_gid): started by root, the agent works
// as mail_owner (its bounce and defer logs are mail_owner's, as the bounce daemon reads
// them) and takes other ids only for a mailbox write.
void workAsMailOwner(const server::DaemonConfig& cfg) {
    if (::getuid() != 0) return;
    std::string owner = cfg.get("mail_owner");
    passwd* pw = ::getpwnam(owner.c_str());
    if (!pw)
        base::msgFatal("file " + cfg.options().configDirectory +
                       "/main.cf: parameter mail_owner: unknown user name value: " + owner);
    if (::geteuid() == pw->pw_uid && ::getegid() == pw->pw_gid) return;
    gid_t groups[1] = {pw->pw_gid};
    if ((::geteuid() != 0 && ::seteuid(0) < 0) || ::setegid(pw->pw_gid) < 0 || ::setgroups(1, groups) < 0 ||
        ::seteuid(pw->pw_uid) < 0)
        base::msgFatal("set_eugid " + owner + ": " + std::strerror(errno));
}

void serve(server::Connection& conn, const server::DaemonConfig& cfg) {
    const server::ServiceOptions& options = cfg.options();
    if (!options.arguments.empty()) base::msgFatal("unexpected command-line argument: " + options.arguments.front());
    refresh(cfg);
    workAsMailOwner(cfg);
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
