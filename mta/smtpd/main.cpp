// smtpd(8): the SMTP server daemon (Postfix's smtpd/smtpd.c main, smtpd_service and
// smtpd_peer.c): for each client connection, find the client's name, run lib/smtp's
// session over the socket with smtpd_timeout, and hand accepted mail to the cleanup
// service at QUEUE_DIRECTORY/public/CLEANUP_SERVICE_NAME (stand-alone: to postdrop).
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>

#include "anvil_events.h"
#include "cleanup_sink.h"
#include "flush_client.h"
#include "postdrop_sink.h"
#include "postline/address/routing_context.h"
#include "postline/base/msg.h"
#include "postline/config/config.h"
#include "postline/config/time_value.h"
#include "postline/policy/smtpd_restrictions.h"
#include "postline/server/daemon.h"
#include "postline/server/live_network_facts.h"
#include "postline/smtp/server_session.h"

namespace {

using namespace postline;

// The routing context and restrictions (with their opened access tables) of the
// configuration in use, and the live network facts (DNS, policy servers: lib/server's
// LiveNetworkFacts), made anew when the daemon switched to another generation, with
// the parameters of the mail hand-off read once per configuration, not per client.
struct Routing {
    const config::Config* config = nullptr;
    std::unique_ptr<address::RoutingContext> context;
    std::unique_ptr<policy::SmtpdRestrictions> restrictions;
    std::unique_ptr<server::LiveNetworkFacts> facts;
    bool standAlone = false;
    std::string postdropCommand;
    std::string cleanupSocket;
    int cleanupFlags = 0;
    bool autodetectUtf8 = false;
    std::shared_ptr<const smtp::SessionParameters> parameters;
    std::unique_ptr<smtpd::FlushClient> flush;  // ETRN's fast flush service
    std::unique_ptr<smtpd::AnvilEvents> anvil;  // the client limits' counts (one connection per process)
};
Routing routing;

// Writes all of `data`, waiting at most `timeout` seconds for the socket each time. A
// socket is written at once without blocking and waited for only when it is full (one
// system call per reply instead of two); anything else (stand-alone mode's stdout)
// is waited for before each write.
bool writeAll(int fd, std::string_view data, long timeout) {
    bool socket = true;
    while (!data.empty()) {
        if (socket) {
            ssize_t n = ::send(fd, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
            if (n > 0) {
                data.remove_prefix(static_cast<size_t>(n));
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && errno == ENOTSOCK)
                socket = false;
            else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
                return false;
        }
        pollfd p{fd, POLLOUT, 0};
        int r = ::poll(&p, 1, static_cast<int>(timeout * 1000));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        if (socket) continue;
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

// A time parameter ("3600s", "1h") in seconds (0 when malformed).
long seconds(const std::string& value) { return config::timeValue(value).value_or(0); }

// SMTPD_STAND_ALONE: smtpd -S run by someone other than mail_owner.
bool standAlone(const server::DaemonConfig& cfg) {
    if (!cfg.options().standalone) return false;
    const passwd* pw = ::getpwnam(cfg.get("mail_owner").c_str());
    return !pw || ::getuid() != pw->pw_uid;
}

void serve(server::Connection& conn, const server::DaemonConfig& cfg) {
    if (routing.config != &cfg.config()) {
        routing.restrictions.reset();
        routing.context = std::make_unique<address::RoutingContext>(cfg.config());
        routing.restrictions = std::make_unique<policy::SmtpdRestrictions>(*routing.context, policy::SmtpdSession{});
        routing.config = &cfg.config();
        std::string missing = routing.restrictions->relayProtectionError();
        if (!missing.empty()) base::msgFatal(missing);
        routing.facts.reset();
        auto facts = server::LiveNetworkFacts::create(server::liveNetworkOptions(cfg.config()));
        if (facts)
            routing.facts = std::move(*facts);
        else
            base::msgWarn("DNS lookups and policy servers are unavailable: " + facts.error().message);
        routing.parameters =
            std::make_shared<const smtp::SessionParameters>(smtp::SessionParameters::read(*routing.context));
        routing.standAlone = standAlone(cfg);
        routing.postdropCommand = smtpd::postdropCommand(cfg.get("command_directory"));
        routing.cleanupSocket = cfg.get("queue_directory") + "/public/" + cfg.get("cleanup_service_name");
        routing.cleanupFlags = smtpd::cleanupRequestFlags(cfg.get("receive_override_options"));
        routing.autodetectUtf8 = smtpd::autodetectUtf8(cfg.get("smtputf8_autodetect_classes"));
        routing.flush = std::make_unique<smtpd::FlushClient>(cfg.get("queue_directory"), cfg.get("flush_service_name"),
                                                             seconds(cfg.get("ipc_timeout")));
        if (!routing.anvil)
            routing.anvil = std::make_unique<smtpd::AnvilEvents>(cfg.get("queue_directory") + "/private/anvil",
                                                                 seconds(cfg.get("ipc_timeout")));
    }
    if (routing.facts) routing.facts->forgetDns();
    smtp::SessionOptions options;
    options.standAlone = routing.standAlone;
    options.parameters = routing.parameters;
    options.flush = routing.flush.get();
    options.events = routing.anvil.get();
    options.service = cfg.options().serviceName;
    options.clientAddress = conn.clientAddress;
    // A client that is not on an Internet socket is the local host (smtpd_peer.c
    // smtpd_peer_assume_local_client).
    bool local = conn.unixDomain || (conn.clientPort.empty() && conn.clientAddress == "127.0.0.1");
    if (local) {
        options.clientName = options.reverseName = "localhost";
        options.clientPort = "0";
        options.serverAddress = options.clientAddress;
        options.serverPort = "0";
        options.addressFamily = 0;
    } else {
        if (routing.facts) {  // smtpd_peername_lookup = no gives "unknown" names
            server::ClientNames names = routing.facts->lookupClient(conn.clientAddress);
            options.clientName = names.name;
            options.reverseName = names.reverseName;
        }
        options.clientPort = conn.clientPort;
        options.serverAddress = conn.serverAddress;
        options.serverPort = conn.serverPort;
        options.addressFamily = conn.clientAddress.find(':') != std::string::npos ? 10 : 2;
    }
    options.clock = [] {
        auto now = std::chrono::system_clock::now().time_since_epoch();
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(now).count();
        return std::pair<long, long>{static_cast<long>(us / 1000000), static_cast<long>(us % 1000000)};
    };

    policy::SmtpdSession& who = routing.restrictions->mutableSession();
    who = policy::SmtpdSession{};
    who.clientAddress = options.clientAddress;
    who.clientName = options.clientName;
    who.reverseName = options.reverseName;
    who.network = routing.facts.get();

    // Mail goes to the cleanup service, or in stand-alone mode through postdrop into
    // the maildrop queue (mail_open_stream).
    std::unique_ptr<smtp::MessageSink> sink;
    if (options.standAlone)
        sink = std::make_unique<smtpd::PostdropSink>(routing.postdropCommand);
    else
        sink =
            std::make_unique<smtpd::CleanupSink>(routing.cleanupSocket, routing.cleanupFlags, routing.autodetectUtf8);
    smtp::SmtpServerSession session(*routing.context, *routing.restrictions, *sink, options);

    bool writable = true;
    auto flush = [&] {
        for (auto& chunk : session.takeOutput()) {
            if (chunk.sleepBefore > 0) std::this_thread::sleep_for(std::chrono::seconds(chunk.sleepBefore));
            if (writable && !writeAll(conn.outFd, chunk.bytes, session.timeoutSeconds())) writable = false;
        }
        if (!writable && !session.done()) session.endOfInput();
    };
    // What the client sent before the greeting (Postfix peeks at the socket; not in
    // stand-alone mode, where the greeting goes out before any input is read).
    char buf[65536];
    std::string early;
    pollfd peek{conn.inFd, POLLIN, 0};
    if (!options.standAlone && ::poll(&peek, 1, 0) > 0 && (peek.revents & POLLIN)) {
        ssize_t n = ::read(conn.inFd, buf, sizeof buf);
        if (n > 0) early.assign(buf, static_cast<size_t>(n));
    }
    session.start(early);
    flush();
    while (!session.done()) {
        pollfd p{conn.inFd, POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(session.timeoutSeconds() * 1000));
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) {
            session.timedOut();
            flush();
            break;
        }
        ssize_t n = r < 0 ? -1 : ::read(conn.inFd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            session.endOfInput();
            break;
        }
        // Everything the client has sent by now, so that the session sees pipelined
        // commands as Postfix's smtpd does when it peeks at the socket.
        std::string input(buf, static_cast<size_t>(n));
        bool eof = false;
        while (input.size() < (1u << 20)) {
            pollfd more{conn.inFd, POLLIN, 0};
            if (::poll(&more, 1, 0) <= 0 || !(more.revents & (POLLIN | POLLHUP))) break;
            ssize_t m = ::read(conn.inFd, buf, sizeof buf);
            if (m < 0 && errno == EINTR) continue;
            if (m <= 0) {
                eof = true;
                break;
            }
            input.append(buf, static_cast<size_t>(m));
        }
        session.feed(input);
        flush();
        if (eof && !session.done()) {
            session.endOfInput();
            break;
        }
    }
    flush();
    session.close();
}

}  // namespace

int main(int argc, char** argv) {
    server::Daemon daemon;
    daemon.program = "smtpd";
    daemon.serveClient = serve;
    return server::runDaemon(argc, argv, daemon);
}
