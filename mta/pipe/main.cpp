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
#include "postline/delivery/agent_service.h"
#include "postline/server/daemon.h"

namespace {

using namespace postline;

// A time value as main.cf writes it: a number and an optional unit (s, m, h, d, w);
// seconds without one. -1 when malformed.
long parseSeconds(const std::string& text) {
    size_t i = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == 0 || i + 1 < text.size()) return -1;
    long n = std::stol(text.substr(0, i));
    if (i == text.size()) return n;
    switch (std::tolower(static_cast<unsigned char>(text[i]))) {
        case 's':
            return n;
        case 'm':
            return n * 60;
        case 'h':
            return n * 3600;
        case 'd':
            return n * 86400;
        case 'w':
            return n * 604800;
        default:
            return -1;
    }
}

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

// post_init's set_eugid(var_owner_uid, var_owner_gid): started by root, the agent works
// as mail_owner (its bounce and defer logs are mail_owner's, as the bounce daemon reads
// them) and takes other ids only in the command's process.
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
    workAsMailOwner(cfg);

    pipe::PipeEnvironment env;
    env.service = service;
    env.configDirectory = options.configDirectory;
    env.attributes = std::move(*attributes);
    env.switchUser = limits.privileged;
    env.defaultDirectory = cfg.get("queue_directory");
    // get_service_params(): SERVICE_time_limit, else command_time_limit.
    env.timeLimit = cfg.getSeconds("command_time_limit");
    if (std::string own = cfg.get(service + "_time_limit"); !own.empty()) {
        long seconds = parseSeconds(own);
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
