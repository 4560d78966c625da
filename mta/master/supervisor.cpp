// The supervisor: services, their processes and the event loop (Postfix's master
// daemon minus its flow-control pipe and chroot).
#include "supervisor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "postline/artifact/generation_config.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/server/service_args.h"

namespace postline::master {

namespace {

std::string errnoText(int err = errno) { return std::strerror(err); }

// The host:port a wakeup connects to for an inet service: a wildcard listener is
// reached through the loopback address of its family.
std::string wakeupEndpoint(const server::InetEndpoint& endpoint) {
    std::string host = endpoint.host;
    if (host == "0.0.0.0") host = "127.0.0.1";
    if (host == "::") host = "::1";
    return endpoint.family == AF_INET6 ? base::cat("[", host, "]:", endpoint.port)
                                       : base::cat(host, ":", endpoint.port);
}

// The same service definition, wherever its line is in master.cf now.
bool sameDefinition(const server::ServiceSpec& a, const server::ServiceSpec& b) {
    server::ServiceSpec moved = a;
    moved.origin = b.origin;
    return moved == b;
}

bool sameListeners(const Service& a, const Service& b) {
    return a.spec.name == b.spec.name && a.spec.type == b.spec.type && a.endpoints == b.endpoints &&
           a.spec.privateService == b.spec.privateService;
}

}  // namespace

Supervisor::Supervisor(SupervisorOptions options) : options_(std::move(options)) {}

void Supervisor::start(std::shared_ptr<const artifact::Generation> generation) {
    generation_ = std::move(generation);
    configure(*generation_, false);
}

void Supervisor::configure(const artifact::Generation& generation, bool reload) {
    auto newConfig = std::make_unique<config::Config>(artifact::configOf(generation));
    const config::Config& config = *newConfig;
    int defaultLimit = int(config.getLong("default_process_limit"));
    std::vector<std::shared_ptr<Service>> next;
    for (const artifact::Service& entry : generation.services()) {
        auto spec = server::serviceSpecOf(entry, defaultLimit);
        if (!spec) {
            // Postfix's master refuses a bad master.cf entry; on reload the old
            // configuration stays in effect.
            if (!reload) base::msgFatal(spec.error().message);
            base::msgWarn(spec.error().message + "; the configuration is not reloaded");
            return;
        }
        auto service = std::make_shared<Service>();
        service->spec = std::move(*spec);
        service->path = options_.programDirectory + "/" + service->spec.command;
        if (service->spec.command.find('/') != std::string::npos || ::access(service->path.c_str(), X_OK) < 0) {
            // Postfix's services whose work every Postline daemon does itself: address
            // rewriting and resolution (lib/address), reading proxy: tables (lib/maps
            // opens them directly), writing maillog_file (each daemon appends).
            const std::string& command = service->spec.command;
            if (command == "trivial-rewrite" || command == "proxymap" || command == "postlogd") {
                base::msgInfo(base::cat(service->spec.origin, ": service ", service->spec.name, "/", service->spec.type,
                                        ": Postline's daemons do ", command,
                                        "'s work themselves; no process is started"));
                continue;
            }
            base::msgWarn(base::cat(service->spec.origin, ": service ", service->spec.name, "/", service->spec.type,
                                    ": Postline has no program \"", service->spec.command, "\" (in ",
                                    options_.programDirectory, "); service disabled"));
            continue;
        }
        if (service->spec.type == "inet") {
            auto endpoints =
                server::inetEndpoints(service->spec.name, config.get("inet_interfaces"), config.get("inet_protocols"));
            if (!endpoints) {
                if (!reload) base::msgFatal(endpoints.error().message);
                base::msgWarn(endpoints.error().message + "; service " + service->spec.name + " disabled");
                continue;
            }
            service->endpoints = std::move(*endpoints);
        }
        next.push_back(std::move(service));
    }

    config_ = std::move(newConfig);
    if (options_.onConfiguration) options_.onConfiguration(*config_);

    // Reload: an unchanged service keeps everything (its processes take the new
    // generation for their next client by themselves); a changed one keeps its
    // listening sockets when they are the same, so no client is refused, and its old
    // processes are told to exit after their current client (their status channel
    // closes).
    std::vector<std::shared_ptr<Service>> kept;
    for (std::shared_ptr<Service>& service : next) {
        std::shared_ptr<Service> old;
        for (auto& s : services_)
            if (!s->retired && s->spec.name == service->spec.name && s->spec.type == service->spec.type) old = s;
        if (old && sameDefinition(old->spec, service->spec) && old->path == service->path &&
            sameListeners(*old, *service)) {
            old->spec.origin = service->spec.origin;
            kept.push_back(old);
            old->retired = true;  // marked so that the loop below leaves it alone
            continue;
        }
        if (old && sameListeners(*old, *service)) {
            service->listenFds = std::move(old->listenFds);
            old->listenFds.clear();
        }
        if (old && base::verbose()) base::msgInfo("restarting service " + service->spec.name);
        kept.push_back(service);
    }
    for (auto& s : services_) {
        bool stays = std::find(kept.begin(), kept.end(), s) != kept.end();
        if (stays) {
            s->retired = false;
            continue;
        }
        closeService(*s);
    }
    services_ = std::move(kept);
    std::time_t now = std::time(nullptr);
    for (auto& s : services_) {
        if (s->statusFd < 0) {
            int pair[2];
            if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
                base::msgFatal("socketpair: " + errnoText());
            s->statusFd = pair[0];
            s->childStatusFd = pair[1];
            ::fcntl(s->statusFd, F_SETFL, ::fcntl(s->statusFd, F_GETFL) | O_NONBLOCK);
            // Postfix's master_wakeup_init(): the first wakeup is sent at once.
            if (s->spec.wakeupSeconds > 0 && !s->spec.wakeupIfUsed) s->nextWakeup = now;
        }
        if (s->listenFds.empty()) openListeners(*s);
    }
}

void Supervisor::openListeners(Service& service) {
    const server::ServiceSpec& spec = service.spec;
    int backlog = std::max<int>(spec.maxProcesses, int(config_->getLong("default_process_limit")));
    if (backlog <= 0) backlog = 100;
    std::string queueDir = config_->get("queue_directory");
    auto fail = [&](const base::Error& error) {
        base::msgFatal(base::cat("service ", spec.name, "/", spec.type, ": ", error.message));
    };
    if (spec.type == "inet") {
        for (const server::InetEndpoint& endpoint : service.endpoints) {
            auto fd = server::listenInet(endpoint, backlog);
            if (!fd) fail(fd.error());
            service.listenFds.push_back(*fd);
        }
    } else {
        std::string path = queueDir + "/" + server::serviceEndpoint(spec);
        // A pass service listens as a unix one; its processes receive descriptors on it.
        base::Result<int> fd = spec.type == "unix" || spec.type == "pass" ? server::listenUnix(path, backlog)
                               : spec.type == "unix-dgram"                ? server::listenUnixDgram(path)
                                                                          : server::listenFifo(path);
        if (!fd) fail(fd.error());
        service.listenFds.push_back(*fd);
    }
}

void Supervisor::closeService(Service& service) {
    for (int fd : service.listenFds) ::close(fd);
    service.listenFds.clear();
    // Closing master's end tells the processes to exit once their client is done.
    if (service.statusFd >= 0) ::close(service.statusFd);
    if (service.childStatusFd >= 0) ::close(service.childStatusFd);
    service.statusFd = service.childStatusFd = -1;
    service.retired = true;
}

bool Supervisor::wantsListen(const Service& service, std::time_t now) {
    if (service.throttledUntil > now || service.available > 0) return false;
    if (service.spec.maxProcesses == 0 || service.total < service.spec.maxProcesses) return true;
    // master_avail.c: warn (at most every 1000 seconds) when a service is at its limit.
    Service& s = const_cast<Service&>(service);
    if (service.spec.type == "inet" && service.spec.maxProcesses > 1 && s.busyWarned < now - 1000) {
        s.busyWarned = now;
        base::msgWarn(base::cat("service \"", service.spec.name, "\" (", service.spec.name,
                                ") has reached its process limit \"", service.spec.maxProcesses,
                                "\": new clients may experience noticeable delays"));
        base::msgWarn(
            "to avoid this condition, increase the process count in master.cf or reduce the service time "
            "per client");
    }
    return false;
}

void Supervisor::spawn(const std::shared_ptr<Service>& service) {
    server::SpawnFlags flags;
    flags.command = service->path;
    flags.serviceName = service->spec.name;
    flags.transport = service->spec.type;
    flags.maxProcesses = service->spec.maxProcesses;
    flags.socketCount = int(service->listenFds.size());
    flags.verbose = options_.verbose;
    flags.foreground = options_.foreground;
    flags.unprivileged = service->spec.unprivileged;
    flags.chroot = service->spec.chroot;
    flags.arguments = service->spec.arguments;
    std::vector<std::string> args = server::spawnArguments(flags);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::string generation = std::to_string(generationNumber_);

    pid_t pid = ::fork();
    if (pid < 0) {
        base::msgWarn("fork: " + errnoText() + " -- throttling");
        service->throttledUntil = std::time(nullptr) + config_->getLong("service_throttle_time");
        return;
    }
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        for (int sig : {SIGHUP, SIGTERM, SIGINT, SIGQUIT, SIGCHLD, SIGPIPE}) ::signal(sig, SIG_DFL);
        // Move everything above the fixed descriptors first, so that dup2 onto 5 and
        // 6.. never overwrites a descriptor still to be moved.
        int status = ::fcntl(service->childStatusFd, F_DUPFD_CLOEXEC, 64);
        std::vector<int> listen;
        for (int fd : service->listenFds) listen.push_back(::fcntl(fd, F_DUPFD_CLOEXEC, 64));
        if (status < 0 || ::dup2(status, server::kMasterStatusFd) < 0) base::msgFatal("dup2 status_fd: " + errnoText());
        for (size_t i = 0; i < listen.size(); ++i)
            if (listen[i] < 0 || ::dup2(listen[i], server::kMasterListenFd + int(i)) < 0)
                base::msgFatal("dup2 listen_fd: " + errnoText());
        ::setenv("MAIL_CONFIG", options_.configDirectory.c_str(), 1);
        ::setenv("GENERATION", generation.c_str(), 1);
        ::execv(service->path.c_str(), argv.data());
        base::msgFatal(base::cat("exec ", service->path, ": ", errnoText()));
    }
    if (base::verbose()) base::msgInfo(base::cat("spawn command ", service->path, "; pid ", pid));
    children_[pid] = Child{service, true, 0};
    ++service->total;
    ++service->available;
    if (service->spec.wakeupSeconds > 0 && service->spec.wakeupIfUsed && service->nextWakeup == 0)
        service->nextWakeup = std::time(nullptr) + service->spec.wakeupSeconds;
}

void Supervisor::reap() {
    int status = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
        auto it = children_.find(pid);
        if (it == children_.end()) continue;
        Child child = it->second;
        children_.erase(it);
        Service& service = *child.service;
        if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
            if (WIFEXITED(status))
                base::msgWarn(base::cat("process ", service.path, " pid ", pid, " exit status ", WEXITSTATUS(status)));
            if (WIFSIGNALED(status) && !(service.retired && WTERMSIG(status) == SIGTERM))
                base::msgWarn(
                    base::cat("process ", service.path, " pid ", pid, " killed by signal ", WTERMSIG(status)));
            std::time_t now = std::time(nullptr);
            if (child.useCount == 0 && service.throttledUntil <= now && !service.retired) {
                base::msgWarn(service.path + ": bad command startup -- throttling");
                service.throttledUntil = now + std::max(1L, config_->getLong("service_throttle_time"));
            }
        }
        --service.total;
        if (child.available) --service.available;
    }
}

void Supervisor::readStatus(Service& service) {
    char buffer[4096];
    for (;;) {
        ssize_t n = ::read(service.statusFd, buffer, sizeof buffer);
        if (n > 0) {
            service.decoder.feed(std::string_view(buffer, size_t(n)));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        break;
    }
    while (auto message = service.decoder.next()) {
        auto it = children_.find(message->pid);
        if (it == children_.end() || it->second.service.get() != &service) continue;
        Child& child = it->second;
        if (message->availability == server::Availability::Taken) {
            if (child.available) --service.available;
            child.available = false;
            ++child.useCount;
        } else {
            if (!child.available) ++service.available;
            child.available = true;
        }
    }
}

void Supervisor::wakeup(Service& service, std::time_t now) {
    service.nextWakeup = now + service.spec.wakeupSeconds;
    if (service.throttledUntil > now) return;
    // A pass service takes client descriptors, not trigger bytes (Postline has no
    // trigger server of that type): no wakeup is sent to it.
    if (service.spec.type == "pass") return;
    std::string endpoint = service.spec.type == "inet"
                               ? wakeupEndpoint(service.endpoints.front())
                               : config_->get("queue_directory") + "/" + server::serviceEndpoint(service.spec);
    if (auto st = server::sendTrigger(service.spec.type, endpoint, "W"); !st)
        base::msgWarn(base::cat("master_wakeup_timer_event: service ", service.spec.name, "(",
                                service.spec.type == "inet" ? service.spec.name : server::serviceEndpoint(service.spec),
                                "): ", st.error().message));
}

void Supervisor::reload() {
    base::msgInfo(base::cat("reload -- version ", POSTLINE_VERSION, ", configuration ", options_.configDirectory));
    auto opened = artifact::Generation::openCurrent(options_.configDirectory + "/compiled");
    if (!opened) {
        base::msgWarn(opened.error().message + "; the configuration is not reloaded");
        return;
    }
    generation_ = std::make_shared<const artifact::Generation>(std::move(*opened));
    ++generationNumber_;
    configure(*generation_, true);
}

void Supervisor::terminate(int signal) {
    base::msgInfo(base::cat("terminating on signal ", signal));
    for (auto& [pid, child] : children_) ::kill(pid, SIGTERM);
    ::signal(signal, SIG_DFL);
    ::raise(signal);
    ::_exit(0);
}

void Supervisor::run(int signalPipe) {
    for (;;) {
        std::time_t now = std::time(nullptr);
        for (auto& s : services_)
            if (s->nextWakeup && s->nextWakeup <= now) wakeup(*s, now);

        std::vector<pollfd> fds{{signalPipe, POLLIN, 0}};
        struct Watch {
            std::shared_ptr<Service> service;
            bool listen;
        };
        std::vector<Watch> watched;
        for (auto& s : services_) {
            fds.push_back({s->statusFd, POLLIN, 0});
            watched.push_back({s, false});
            if (wantsListen(*s, now))
                for (int fd : s->listenFds) {
                    fds.push_back({fd, POLLIN, 0});
                    watched.push_back({s, true});
                }
        }
        // Wake at the next timer (wakeups, throttles), at least once a second.
        int ready = ::poll(fds.data(), fds.size(), 1000);
        if (ready < 0 && errno != EINTR) base::msgFatal("poll: " + errnoText());
        if (ready <= 0) continue;
        if (fds[0].revents) {
            unsigned char signals[64];
            ssize_t n = ::read(signalPipe, signals, sizeof signals);
            bool hangup = false, child = false;
            for (ssize_t i = 0; i < n; ++i) {
                int sig = signals[i];
                if (sig == SIGCHLD)
                    child = true;
                else if (sig == SIGHUP)
                    hangup = true;
                else
                    terminate(sig);
            }
            if (child) reap();
            if (hangup) reload();
            continue;  // the watch list may be stale now
        }
        for (size_t i = 1; i < fds.size(); ++i) {
            if (!fds[i].revents) continue;
            const Watch& w = watched[i - 1];
            if (!w.listen) {
                readStatus(*w.service);
            } else if (w.service->available == 0 && !w.service->retired) {
                spawn(w.service);
            }
        }
    }
}

}  // namespace postline::master
