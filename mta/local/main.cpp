// local(8): the single-server daemon around local_core (Postfix's local/local.c main and
// local_service): one delivery request per connection from the queue manager, each
// recipient delivered and reported (sent/bounced/deferred), marked done in the queue
// file when it is final, and the reply.
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "local_core.h"
#include "local_pass.h"
#include "postline/address/routing_context.h"
#include "postline/artifact/generation.h"
#include "postline/base/msg.h"
#include "postline/config/config.h"
#include "postline/delivery/agent_delivery.h"
#include "postline/delivery/deliver_request.h"
#include "postline/queue/attr_stream.h"
#include "postline/queue/cleanup_client.h"
#include "postline/queue/queue_path.h"
#include "postline/queue/recipient_done.h"
#include "postline/server/agent_queue.h"
#include "postline/server/daemon.h"
#include "postline/server/privileges.h"

namespace {

using namespace postline;

// The configuration in use, made anew when the daemon switched generations (as
// cleanup's main does): the routing context keeps its tables open between requests.
struct Routing {
    const config::Config* config = nullptr;
    int generation = -1;
    address::RoutingContext* context = nullptr;  // owned; deleted only when replaced
    local::LocalSettings settings;
    queue::QueueLayout layout;
    std::string queueDir, hashQueueNames, cleanupService;
    int hashQueueDepth = 1;
};
Routing routing;

class CleanupResubmission : public local::Resubmission {
public:
    explicit CleanupResubmission(queue::CleanupClient client) : client_(std::move(client)) {}
    const std::string& queueId() const override { return client_.queueId(); }
    void record(int type, std::string_view data) override { client_.record(type, data); }
    base::Result<int> finish() override {
        auto reply = client_.finish();
        if (!reply) return reply.error();
        return reply->status;
    }

private:
    queue::CleanupClient client_;
};

void refresh(const server::DaemonConfig& cfg) {
    if (routing.config == &cfg.config() && routing.generation == cfg.generation().number()) return;
    delete routing.context;
    routing.context = new address::RoutingContext(cfg.config());
    routing.config = &cfg.config();
    routing.generation = cfg.generation().number();
    auto settings =
        local::LocalSettings::read([&](std::string_view name) { return cfg.get(name); },
                                   [&](std::string_view name) { return cfg.config().raw(name).value_or(""); });
    if (!settings) base::msgFatal(settings.error().message);
    routing.settings = *settings;
    routing.settings.lockRetry.delaySeconds = static_cast<int>(cfg.getSeconds("deliver_lock_delay"));
    routing.settings.lockRetry.staleSeconds = static_cast<int>(cfg.getSeconds("stale_lock_time"));
    routing.settings.commandTimeLimit = cfg.getSeconds("command_time_limit");
    routing.hashQueueNames = cfg.get("hash_queue_names");
    routing.hashQueueDepth = static_cast<int>(cfg.getLong("hash_queue_depth"));
    routing.layout = queue::queueLayout(routing.hashQueueNames, routing.hashQueueDepth);
    routing.queueDir = cfg.get("queue_directory");
    routing.cleanupService = cfg.get("cleanup_service_name");
}

void reply(int fd, int status, const delivery::Dsn& hop = {}) {
    delivery::DeliverReply r;
    r.status = status;
    r.hopStatus = hop;
    (void)queue::attr::writeAll(fd, delivery::encodeDeliverReply(r));
}

void serve(server::Connection& conn, const server::DaemonConfig& cfg) {
    server::workAsMailOwner(cfg.get("mail_owner"), cfg.options().configDirectory);
    refresh(cfg);
    if (::chdir(routing.queueDir.c_str()) != 0)
        base::msgFatal("chdir " + routing.queueDir + ": " + std::strerror(errno));
    if (!queue::attr::writeAll(conn.outFd, delivery::encodeAgentHello())) return;
    std::string pending;
    auto group = queue::attr::readGroup(conn.inFd, pending);
    if (!group) {
        base::msgWarn("read delivery request: " + group.error().message);
        return;
    }
    auto request = delivery::decodeDeliverRequest(*group);
    if (!request) {
        base::msgWarn("bad delivery request: " + request.error().message);
        return;
    }
    std::string queueName = request->queueName, queueId = request->queueId;
    auto agent =
        delivery::AgentDelivery::open(routing.queueDir, routing.hashQueueNames, routing.hashQueueDepth, *request);
    if (!agent) {
        base::msgWarn(agent.error().message);
        reply(conn.outFd, delivery::kStatusDefer, {"4.3.0", "delayed", "mail system is down", "", "", "", ""});
        return;
    }
    delivery::AgentDelivery& delivery = **agent;
    delivery.setReportSettings(server::agentQueueOf(cfg).report);
    const delivery::DeliverRequest& req = delivery.request();
    auto lines = delivery.contentLines();
    // A recipient passed to another transport is reported by that agent without its
    // offset; this process marks it done when all its destinations are final
    // (local.c's deliver_completed).
    int queueFd = ::open(queue::queuePath(routing.layout, queueName, queueId).c_str(), O_RDWR | O_CLOEXEC);
    if (!lines || queueFd < 0) {
        if (!lines) base::msgWarn(queueId + ": " + lines.error().message);
        if (queueFd >= 0) ::close(queueFd);
        reply(conn.outFd, delivery::kStatusDefer, {"4.3.0", "delayed", "error reading message", "", "", "", ""});
        return;
    }

    local::LocalEnvironment env;
    env.settings = routing.settings;
    env.routing = routing.context;
    env.switchUsers = ::getuid() == 0;
    std::string cleanupSocket = "public/" + routing.cleanupService;
    size_t lineLimit = static_cast<size_t>(cfg.getLong("line_length_limit"));
    env.openCleanup = [cleanupSocket, lineLimit](int flags) -> base::Result<std::unique_ptr<local::Resubmission>> {
        auto client = queue::CleanupClient::open(cleanupSocket, flags);
        if (!client) return client.error();
        client->setLineLimit(lineLimit);
        return std::unique_ptr<local::Resubmission>(new CleanupResubmission(std::move(*client)));
    };
    env.pass = [](const std::string& transport, const delivery::DeliverRequest& request) {
        return local::passToAgent("private/" + transport, request);
    };
    env.warn = [](std::string_view t) { base::msgWarn(t); };
    env.info = [](std::string_view t) { base::msgInfo(t); };

    for (const delivery::DeliverRecipient& rcpt : req.recipients) {
        std::vector<local::Outcome> outcomes = local::deliverRecipient(env, req, *lines, rcpt);
        bool final = true;
        for (const local::Outcome& o : outcomes)
            if (o.kind == local::Outcome::Kind::Defer) final = false;
        for (const local::Outcome& o : outcomes) {
            if (o.reported) continue;
            // A recipient with a deferred destination stays undone: its other outcomes
            // are reported without marking it (the whole recipient is tried again, as
            // in Postfix).
            delivery::DeliverRecipient r = local::reportedRecipient(rcpt, o);
            if (!final) r.offset = -1;
            base::Status st = o.kind == local::Outcome::Kind::Sent     ? delivery.sent(r, o.relay, o.dsn)
                              : o.kind == local::Outcome::Kind::Bounce ? delivery.bounce(r, o.relay, o.dsn)
                                                                       : delivery.defer(r, o.relay, o.dsn);
            if (!st) {
                base::msgWarn(queueId + ": " + st.error().message);
                final = false;
            }
        }
        // alias.c, dotforward.c: a recipient with NOTIFY=SUCCESS that an alias or a
        // .forward file expanded gets an "expanded" record of its own (its expansions'
        // deliveries have SUCCESS taken away).
        bool expanded = false;
        for (const local::Outcome& o : outcomes) expanded = expanded || !o.address.empty() || o.notifyStripped;
        // A record that cannot be written is only warned about, as there.
        if (final && expanded && (rcpt.dsnNotify & delivery::kNotifySuccess))
            (void)delivery.trace(rcpt, "local", {"2.0.0", "expanded", "alias expanded", "", "", "", ""});
        bool markable = (req.flags & delivery::kFlagSuccess) != 0;
        if (final && markable && rcpt.offset >= 0)
            if (auto st = queue::markRecipientDone(queueFd, rcpt.offset); !st)
                base::msgWarn(queueId + ": " + st.error().message);
    }
    ::fsync(queueFd);
    ::close(queueFd);
    // A deferred recipient (or a soft bounce) keeps the message in the queue.
    reply(conn.outFd, delivery.deferredAny() ? delivery::kStatusDefer : delivery::kStatusFinal);
}

}  // namespace

int main(int argc, char** argv) {
    server::Daemon daemon;
    daemon.program = "local";
    daemon.serveClient = serve;
    return server::runDaemon(argc, argv, daemon);
}
