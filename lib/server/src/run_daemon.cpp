// runDaemon(): a daemon's life under master or stand-alone (Postfix's single_server.c
// and trigger_server.c main loops: command line, configuration, log, privileges, then
// one client or trigger at a time with busy/idle reports to master).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>

#include "postline/artifact/generation.h"
#include "postline/artifact/generation_config.h"
#include "postline/base/files.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/maps/table_redirect.h"
#include "postline/server/daemon.h"
#include "postline/server/mail_log.h"
#include "postline/server/master_status.h"
#include "postline/server/pass_connection.h"
#include "postline/server/privileges.h"
#include "postline/server/service_args.h"
#include "postline/server/socket_address.h"

namespace postline::server {

namespace {

// The configuration in use, switched between clients when the generation changes.
class ConfigHolder {
public:
    explicit ConfigHolder(std::shared_ptr<const DaemonConfig> config) : config_(std::move(config)) {}
    const std::shared_ptr<const DaemonConfig>& current() const { return config_; }
    // Before a new client or trigger: the newest generation, when it changed and opens.
    void refresh() {
        if (!config_->generation().changed()) return;
        auto loaded = loadDaemonConfig(config_->options());
        if (!loaded) {
            base::msgWarn(base::cat("cannot open the new configuration, keeping generation ",
                                    config_->generation().number(), ": ", loaded.error().message));
            return;
        }
        config_ = std::move(*loaded);
        if (base::verbose()) base::msgInfo(base::cat("configuration generation ", config_->generation().number()));
    }

private:
    std::shared_ptr<const DaemonConfig> config_;
};

struct Loop {
    const Daemon& daemon;
    ConfigHolder& holder;
    const ServiceOptions& options;
    std::uint32_t generation = 0;  // master's process generation
    long useCount = 0;

    void report(Availability availability) const {
        if (options.standalone) return;
        sendStatus(kMasterStatusFd, StatusMessage{int(::getpid()), generation, availability});
    }

    void serveConnection(int fd, bool takeRequest) {
        report(Availability::Taken);
        holder.refresh();
        const DaemonConfig& config = *holder.current();
        if (takeRequest) {
            // A trigger client writes its request and closes (trigger_server.c: wait
            // up to 10 seconds for it, read what came).
            pollfd p{fd, POLLIN, 0};
            std::string request;
            if (::poll(&p, 1, 10000) > 0) {
                char buffer[1024];
                ssize_t n = ::read(fd, buffer, sizeof buffer);
                if (n > 0) request.assign(buffer, size_t(n));
            }
            ::close(fd);
            daemon.onTrigger(request, config);
        } else {
            // A pass service gets the client's descriptor over the accepted connection
            // (pass_accept_attr), with the client's endpoints as attributes.
            queue::attr::Attributes passed;
            if (options.transport == "pass") {
                auto received = receivePassedConnection(fd, 100);
                ::close(fd);
                if (!received) {
                    base::msgWarn("pass_accept_attr: " + received.error().message);
                    report(Availability::Available);
                    return;
                }
                fd = received->fd;
                passed = std::move(received->attributes);
            }
            Connection connection;
            connection.inFd = connection.outFd = fd;
            PrintableAddress peer = peerAddress(fd);
            PrintableAddress local = localAddress(fd);
            connection.unixDomain = peer.unixDomain;
            connection.clientAddress = peer.address;
            connection.clientPort = peer.port;
            connection.serverAddress = local.address;
            connection.serverPort = local.port;
            for (const auto& [name, value] : passed) {
                if (name == "client_address") connection.clientAddress = value, connection.unixDomain = false;
                if (name == "client_port") connection.clientPort = value;
                if (name == "server_address") connection.serverAddress = value;
                if (name == "server_port") connection.serverPort = value;
            }
            if (base::verbose()) base::msgInfo("connection established");
            daemon.serveClient(connection, config);
            ::close(fd);
            if (base::verbose()) base::msgInfo("connection closed");
        }
        ++useCount;
        report(Availability::Available);
    }

    void serveDatagramOrFifo(int fd) {
        char buffer[1024];
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0) return;
        report(Availability::Taken);
        holder.refresh();
        daemon.onTrigger(std::string_view(buffer, size_t(n)), *holder.current());
        ++useCount;
        report(Availability::Available);
    }

    // Serves until max_use, max_idle, master's disconnect or a fatal error. The process
    // waits in epoll with the listening sockets added EPOLLEXCLUSIVE: a new connection
    // wakes one idle process instead of every one (Postfix's servers take an accept
    // lock for the same reason), which spares the others a wakeup and a failed accept.
    int run() {
        bool trigger = bool(daemon.onTrigger) && !daemon.serveClient;
        const std::string& transport = options.transport;
        bool streamListener = transport == "inet" || transport == "unix" || transport == "pass";
        if (transport.empty()) base::msgFatal("no transport type specified");
        if (!streamListener && transport != "fifo" && transport != "unix-dgram")
            base::msgFatal("unsupported transport type: " + transport);
        if (!streamListener && !trigger) base::msgFatal("unsupported transport type: " + transport);
        int epoll = ::epoll_create1(EPOLL_CLOEXEC);
        if (epoll < 0) base::msgFatal(base::cat("epoll_create1: ", std::strerror(errno)));
        auto watch = [epoll](int fd, bool exclusive) {
            epoll_event event{};
            event.events = EPOLLIN | (exclusive ? EPOLLEXCLUSIVE : 0u);
            event.data.fd = fd;
            if (::epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) == 0) return;
            event.events = EPOLLIN;  // a kernel without EPOLLEXCLUSIVE
            if (!exclusive || ::epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) < 0)
                base::msgFatal(base::cat("epoll_ctl: ", std::strerror(errno)));
        };
        for (int i = 0; i < options.socketCount; ++i) {
            int fd = kMasterListenFd + i;
            if (::fcntl(fd, F_GETFD) < 0) base::msgFatal(base::cat("listening descriptor ", fd, " is not open"));
            if (streamListener) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
            watch(fd, streamListener);
        }
        watch(kMasterStatusFd, false);
        const DaemonConfig* limitsOf = nullptr;
        long maxUse = 0;
        long maxIdle = 0;
        std::vector<epoll_event> events(size_t(options.socketCount) + 1);
        for (;;) {
            const DaemonConfig& config = *holder.current();
            if (limitsOf != &config) {  // once per configuration, not per client
                maxUse = config.getLong("max_use");
                maxIdle = config.getSeconds("max_idle");
                limitsOf = &config;
            }
            if (maxUse > 0 && useCount >= maxUse) {
                if (base::verbose()) base::msgInfo("time to retire -- exiting");
                return 0;
            }
            int timeout = maxIdle > 0 ? int(std::min(maxIdle, 86400L) * 1000) : -1;
            int ready = ::epoll_wait(epoll, events.data(), int(events.size()), timeout);
            if (ready < 0) {
                if (errno == EINTR) continue;
                base::msgFatal(base::cat("epoll_wait: ", std::strerror(errno)));
            }
            if (ready == 0) {
                if (base::verbose()) base::msgInfo("idle timeout -- exiting");
                return 0;
            }
            for (int e = 0; e < ready; ++e) {
                if (events[size_t(e)].data.fd != kMasterStatusFd) continue;
                char byte;
                ssize_t n = ::read(kMasterStatusFd, &byte, 1);
                if (n <= 0 && !(n < 0 && (errno == EINTR || errno == EAGAIN))) {
                    if (base::verbose()) base::msgInfo("master disconnect -- exiting");
                    return 0;
                }
            }
            for (int e = 0; e < ready; ++e) {
                int fd = events[size_t(e)].data.fd;
                if (fd == kMasterStatusFd || !(events[size_t(e)].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) continue;
                if (!streamListener) {
                    serveDatagramOrFifo(fd);
                    break;
                }
                int client = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
                if (client < 0) {
                    // Another process took it, or the client went away before accept.
                    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED &&
                        errno != EPROTO)
                        base::msgError(base::cat("accept connection: ", std::strerror(errno)));
                    continue;
                }
                serveConnection(client, trigger);
                break;  // one client at a time; max_use is checked again
            }
        }
    }
};

class LoopContext : public EventContext {
public:
    LoopContext(ConfigHolder& holder, const ServiceOptions& options) : holder_(holder), options_(options) {
        if (!options.standalone)
            for (int i = 0; i < options.socketCount; ++i) fds_.push_back(kMasterListenFd + i);
    }
    const std::vector<int>& listenFds() const override { return fds_; }
    int masterStatusFd() const override { return options_.standalone ? -1 : kMasterStatusFd; }
    bool standalone() const override { return options_.standalone; }
    const DaemonConfig& config() const override { return *holder_.current(); }
    bool refreshConfig() override {
        const DaemonConfig* before = holder_.current().get();
        holder_.refresh();
        return holder_.current().get() != before;
    }
    bool streamListener() const override {
        return options_.transport == "inet" || options_.transport == "unix" || options_.transport == "pass";
    }

private:
    ConfigHolder& holder_;
    const ServiceOptions& options_;
    std::vector<int> fds_;
};

int serveStandalone(const Daemon& daemon, ConfigHolder& holder) {
    const DaemonConfig& config = *holder.current();
    if (daemon.serveClient) {
        Connection connection;
        connection.inFd = STDIN_FILENO;
        connection.outFd = STDOUT_FILENO;
        // As Postfix's smtpd: a socket on stdin gives its peer; anything else stands
        // for the local host.
        PrintableAddress peer = peerAddress(STDIN_FILENO);
        if (peer.valid && !peer.unixDomain) {
            connection.clientAddress = peer.address;
            connection.clientPort = peer.port;
            PrintableAddress local = localAddress(STDIN_FILENO);
            connection.serverAddress = local.address;
            connection.serverPort = local.port;
        } else {
            connection.clientAddress = "127.0.0.1";
            connection.serverAddress = "127.0.0.1";
            connection.unixDomain = peer.unixDomain;
        }
        daemon.serveClient(connection, config);
        return 0;
    }
    auto request = base::readAll(STDIN_FILENO);
    if (!request) base::msgFatal(request.error().message);
    daemon.onTrigger(*request, config);
    return 0;
}

base::Status installLog(const DaemonConfig& config, const std::string& program, bool alsoStderr) {
    MailLogSettings log;
    log.ident = base::cat(config.get("syslog_name"), "/", program);
    log.hostname = config.get("myhostname");
    log.file = config.get("maillog_file");
    log.prefixes = config.get("maillog_file_prefixes");
    log.facility = config.get("syslog_facility");
    log.alsoStderr = alsoStderr;
    return installMailLog(log);
}

std::uint32_t masterGeneration() {
    const char* text = std::getenv("GENERATION");
    return text ? std::uint32_t(std::strtoul(text, nullptr, 10)) : 0;
}

}  // namespace

int runDaemon(int argc, char** argv, const Daemon& daemon) {
    std::string program = daemon.program.empty() ? base::baseName(argc > 0 ? argv[0] : "daemon") : daemon.program;
    base::setProgramName(program);
    if (!daemon.serveClient && !daemon.onTrigger && !daemon.runEvents)
        base::msgPanic("runDaemon: " + program + " has no service");
    std::vector<std::string> args(argv, argv + argc);
    auto parsed = parseServiceArgs(args, program, std::getenv("MAIL_CONFIG"));
    if (!parsed) {
        // Postfix's daemons log before they read their options: the error goes to the
        // mail log of the configuration in use (stderr when that cannot be opened).
        ServiceOptions fallback;
        fallback.program = fallback.serviceName = program;
        const char* mailConfig = std::getenv("MAIL_CONFIG");
        fallback.configDirectory = mailConfig && *mailConfig ? mailConfig : "/etc/postfix";
        if (auto loaded = loadDaemonConfig(fallback)) (void)installLog(**loaded, program, false);
        base::msgFatal(parsed.error().message);
    }
    ServiceOptions options = std::move(*parsed);
    base::setVerbose(options.verbose);
    ::signal(SIGPIPE, SIG_IGN);
    // As Postfix's servers: a write past the file size limit (RLIMIT_FSIZE, inherited
    // from whoever started master) fails with EFBIG, which cleanup reports as "message
    // file too big", instead of killing the process.
    ::signal(SIGXFSZ, SIG_IGN);
    if (!options.standalone && !options.foreground && ::isatty(STDIN_FILENO))
        base::msgFatal("do not run this command by hand");

    auto loaded = loadDaemonConfig(options);
    if (!loaded) base::msgFatal(loaded.error().message);
    ConfigHolder holder(std::move(*loaded));
    // Tables open from the generation in use, whichever that is when they are opened.
    maps::TableRedirect redirect(
        [&holder](std::string_view spec) { return artifact::tableRedirectOf(holder.current()->generation())(spec); });
    const DaemonConfig& config = *holder.current();
    if (auto st = installLog(config, program, options.logToStderr); !st) base::msgFatal(st.error().message);
    base::setMsgUtf8(config.getBool("smtputf8_enable"));
    if (options.chroot && base::verbose()) base::msgInfo("chroot is not supported: running unchrooted");

    std::string queueDirectory = config.get("queue_directory");
    if (::chdir(queueDirectory.c_str()) < 0)
        base::msgFatal(base::cat("chdir(\"", queueDirectory, "\"): ", std::strerror(errno)));
    if (daemon.preInit) daemon.preInit(config);
    if (options.unprivileged && ::geteuid() == 0) {
        auto account = lookupAccount(config.get("mail_owner"));
        if (!account) base::msgFatal(account.error().message);
        if (auto st = dropPrivileges(*account); !st) base::msgFatal(st.error().message);
    }
    if (base::verbose()) base::msgInfo("daemon started");
    if (daemon.runEvents) {
        // Started: master counts a use, so that a later crash is not taken for a
        // command that cannot start (which master would throttle).
        if (!options.standalone) {
            std::uint32_t generation = masterGeneration();
            sendStatus(kMasterStatusFd, StatusMessage{int(::getpid()), generation, Availability::Taken});
            sendStatus(kMasterStatusFd, StatusMessage{int(::getpid()), generation, Availability::Available});
        }
        LoopContext context(holder, options);
        return daemon.runEvents(context);
    }
    if (options.standalone) return serveStandalone(daemon, holder);
    Loop loop{daemon, holder, options, masterGeneration()};
    return loop.run();
}

}  // namespace postline::server
