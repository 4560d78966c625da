// pipe(8): the single-server delivery agent that hands mail to a command named in
// master.cf (Postfix's pipe/pipe.c main, pipe_service, get_service_params): one
// delivery request per connection from the queue manager, the command run once for
// the request's recipients, each recipient reported (relay=SERVICE), and the reply.
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <string>

#include "pipe_core.h"
#include "postline/address/tokens.h"
#include "postline/base/msg.h"
#include "postline/config/time_value.h"
#include "postline/delivery/agent_service.h"
#include "postline/server/daemon.h"
#include "postline/server/privileges.h"

namespace {

using namespace postline;

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> out;
    std::string item;
    for (char c : text) {
        if (c == ' ' || c == '\t' || c == ',' || c == '\n' || c == '\r') {
            if (!item.empty()) out.push_back(std::move(item));
            item.clear();
        } else {
            item += c;
        }
    }
    if (!item.empty()) out.push_back(std::move(item));
    return out;
}

void serve(server::Connection& conn, const server::DaemonConfig& cfg) {
    const server::ServiceOptions& options = cfg.options();
    std::string service = options.serviceName.empty() ? "pipe" : options.serviceName;

    // get_service_attr(): master.cf's attributes, checked before any request is read.
    auto attributes = pipe::parseAttributes(options.arguments, pipe::systemUser, pipe::systemGroup);
    if (!attributes) base::msgFatal(attributes.error().message);
    pipe::PrivilegeLimits limits;
    limits.privileged = ::getuid() == 0;
    limits.runningUid = ::geteuid();
    limits.mailOwner = cfg.get("mail_owner");
    if (auto owner = pipe::systemUser(limits.mailOwner)) {
        limits.ownerUid = owner->uid;
        limits.ownerGid = owner->gid;
    }
    limits.setgidGroup = cfg.get("setgid_group");
    limits.setgidGid = pipe::systemGroup(limits.setgidGroup);
    if (auto ok = pipe::checkPrivileges(*attributes, limits); !ok) base::msgFatal(ok.error().message);
    server::workAsMailOwner(cfg.get("mail_owner"), cfg.options().configDirectory);

    pipe::PipeEnvironment env;
    env.service = service;
    env.configDirectory = options.configDirectory;
    env.attributes = std::move(*attributes);
    env.switchUser = limits.privileged;
    env.defaultDirectory = cfg.get("queue_directory");
    // get_service_params(): SERVICE_time_limit, else command_time_limit.
    env.timeLimit = cfg.getSeconds("command_time_limit");
    if (std::string own = cfg.get(service + "_time_limit"); !own.empty()) {
        long seconds = config::timeValue(own).value_or(-1);
        if (seconds <= 0) base::msgFatal("invalid " + service + "_time_limit parameter value " + own);
        env.timeLimit = seconds;
    }
    env.exportEnvironment = splitList(cfg.get("export_environment"));
    env.recipientDelimiter = cfg.get("recipient_delimiter");
    env.enableOriginalRecipient = cfg.getBool("enable_original_recipient");
    env.quoteLocal = [](std::string_view a) { return address::quoteLocalPart(a); };
    env.warn = [](std::string_view t) { base::msgWarn(t); };

    delivery::AgentQueue queue = delivery::readAgentQueue([&](std::string_view n) { return cfg.get(n); });
    queue.report.quoteLocal = env.quoteLocal;
    auto served = delivery::serveDeliveryRequest(conn.inFd, conn.outFd, queue, [&](delivery::AgentDelivery& d) {
        if (d.request().nexthop.empty()) base::msgFatal("empty nexthop hostname");
        return pipe::deliverPipe(env, d);
    });
    if (!served) base::msgFatal(served.error().message);
}

}  // namespace

int main(int argc, char** argv) {
    server::Daemon daemon;
    daemon.program = "pipe";
    daemon.serveClient = serve;
    return server::runDaemon(argc, argv, daemon);
}
