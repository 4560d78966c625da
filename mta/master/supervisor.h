// The supervisor of master(8): the services of the generation in use with their
// listeners, processes, status channels, wakeup timers and throttles, and the event
// loop that runs them (Postfix's master/master_service.c, master_spawn.c,
// master_avail.c, master_status.c, master_wakeup.c, master_sig.c, master_conf.c).
#pragma once

#include <sys/types.h>

#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "postline/artifact/generation.h"
#include "postline/config/config.h"
#include "postline/server/listeners.h"
#include "postline/server/master_status.h"
#include "postline/server/service_spec.h"

namespace postline::master {

struct Service;

struct Child {
    std::shared_ptr<Service> service;
    bool available = true;
    long useCount = 0;
};

struct Service {
    server::ServiceSpec spec;
    std::string path;  // the Postline program run for it
    std::vector<server::InetEndpoint> endpoints;
    std::vector<int> listenFds;
    int statusFd = -1;       // master's end of the status channel
    int childStatusFd = -1;  // the end every process gets as fd 5
    server::StatusDecoder decoder;
    int total = 0;
    int available = 0;
    std::time_t throttledUntil = 0;
    std::time_t nextWakeup = 0;  // 0: no timer (none, or '?' before the first process)
    std::time_t busyWarned = 0;
    bool retired = false;
};

struct SupervisorOptions {
    std::string configDirectory;
    std::string programDirectory;  // where the daemons are (master's own directory)
    int verbose = 0;
    bool foreground = false;
    // Called with the configuration of each generation master takes (start and
    // reload), before its services change: the mail log follows it.
    std::function<void(const config::Config&)> onConfiguration;
};

class Supervisor {
public:
    explicit Supervisor(SupervisorOptions options);
    // Opens the listeners of `generation`'s services (fatal on a listener that cannot
    // be opened, as Postfix's master).
    void start(std::shared_ptr<const artifact::Generation> generation);
    // Runs until a terminating signal; does not return (the signal ends the process).
    [[noreturn]] void run(int signalPipe);

private:
    void configure(const artifact::Generation& generation, bool reload);
    void openListeners(Service& service);
    void closeService(Service& service);
    void spawn(const std::shared_ptr<Service>& service);
    void reap();
    void readStatus(Service& service);
    void wakeup(Service& service, std::time_t now);
    void reload();
    [[noreturn]] void terminate(int signal);
    bool wantsListen(const Service& service, std::time_t now);

    SupervisorOptions options_;
    std::shared_ptr<const artifact::Generation> generation_;
    std::unique_ptr<config::Config> config_;
    std::vector<std::shared_ptr<Service>> services_;
    std::map<pid_t, Child> children_;
    unsigned generationNumber_ = 1;  // master's process generation, bumped by reload
};

}  // namespace postline::master
