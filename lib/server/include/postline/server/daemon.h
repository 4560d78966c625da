// The skeleton every MTA daemon runs on (Postfix's master/single_server.c,
// multi_server.c, trigger_server.c and mail_params.c's start-up): the command line
// master passes, the service's configuration from the compiled generation in use, the
// mail log, privileges, and the loop that serves clients on the sockets master passes
// while telling master over the status pipe whether the process is busy or idle.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "postline/base/result.h"

namespace postline::config {
class Config;
}
namespace postline::artifact {
class Generation;
}

namespace postline::server {

// What master passes on a daemon's command line (master/master_ent.c) and the
// environment: MAIL_CONFIG names the configuration directory; -n SERVICE, -t TRANSPORT,
// -o name=value (the service's overrides), -u (unprivileged), -v, -S (stand-alone:
// one client on stdin/stdout, no master; tests), then the master.cf arguments. As in
// Postfix, -c means "chrooted" and takes no value (Postline does not chroot, see
// docs/master.md); -l (maxproc 1), -z (maxproc 0), -s N (listening sockets), -d (master
// in the foreground), -i SECONDS (max_idle), -m COUNT (max_use), -D, -V are accepted.
// parseServiceArgs() in service_args.h reads them.
struct ServiceOptions {
    std::string program;          // "smtpd", "cleanup": the log's process name
    std::string configDirectory;  // MAIL_CONFIG, else /etc/postfix
    std::string serviceName;      // master.cf's first field ("smtp", "127.0.0.1:10025", "cleanup")
    std::string transport;        // inet, unix, unix-dgram, fifo, pass
    std::vector<std::pair<std::string, std::string>> overrides;  // -o, in order
    std::vector<std::string> arguments;                          // after the options
    int verbose = 0;
    bool standalone = false;
    // Added for master's other flags (mail_server.h).
    int socketCount = 1;         // -s N: listening descriptors at fd 6 .. 6+N-1
    bool unprivileged = false;   // -u: switch to mail_owner when run as root
    bool chroot = false;         // -c: master.cf's chroot field was y (not honoured)
    bool singleProcess = false;  // -l: maxproc is 1
    bool zeroLimit = false;      // -z: maxproc is 0 (unlimited)
    bool foreground = false;     // -d: master was not detached
    bool logToStderr = false;    // -V: diagnostics also on stderr (besides the mail log)
};

// The configuration a session or a message runs on: the compiled generation in use
// (DIR/compiled/current), its parameters with the service's -o overrides applied and
// its tables opened from the generation's files. Immutable once made; a daemon takes a
// new one between sessions when the generation changed (hot reload), so a session
// finishes on the generation it started with.
class DaemonConfig {
public:
    virtual ~DaemonConfig() = default;
    virtual const config::Config& config() const = 0;
    virtual const artifact::Generation& generation() const = 0;
    virtual const ServiceOptions& options() const = 0;
    // The expanded value of a parameter as this service sees it (var_NAME).
    virtual std::string get(std::string_view name) const = 0;
    virtual long getLong(std::string_view name) const = 0;
    virtual bool getBool(std::string_view name) const = 0;
    // A time parameter in seconds (units s, m, h, d, w; the parameter's default unit).
    virtual long getSeconds(std::string_view name) const = 0;
};

// One client connection: the socket (or stdin/stdout in stand-alone mode) and who is
// at the other end.
struct Connection {
    int inFd = -1;
    int outFd = -1;
    // Printable IPv4/IPv6 address (an IPv4-mapped IPv6 one as IPv4); "" for a UNIX-domain
    // client under master; stand-alone (-S): stdin's TCP peer, else "127.0.0.1" (as
    // Postfix's smtpd pretends for a non-socket stdin).
    std::string clientAddress;
    std::string clientPort;     // "" for UNIX-domain clients
    std::string serverAddress;  // the local address and port the client reached
    std::string serverPort;
    bool unixDomain = false;
};

// What a daemon with its own event loop (qmgr) is given: the listening sockets master
// passes (trigger requests arrive there), the configuration in use, and master's status
// pipe, whose end of file tells the daemon that master went away.
class EventContext {
public:
    virtual ~EventContext() = default;
    virtual const std::vector<int>& listenFds() const = 0;
    virtual int masterStatusFd() const = 0;  // -1 in stand-alone mode
    virtual bool standalone() const = 0;
    // The configuration in use; refreshConfig() first takes a newly switched generation
    // (and returns true when it did).
    virtual const DaemonConfig& config() const = 0;
    virtual bool refreshConfig() = 0;
    // True when a listening descriptor is a stream socket (a trigger client must be
    // accepted, then read) rather than a FIFO or datagram socket (read directly).
    virtual bool streamListener() const = 0;
};

struct Daemon {
    std::string program;  // "smtpd"
    // Runs once after the configuration is loaded, before privileges are dropped
    // (open what must be opened as root).
    std::function<void(const DaemonConfig&)> preInit;
    // Single-server model (smtpd, cleanup, local, ...): one client at a time, served to
    // completion; master runs as many processes as maxproc allows.
    std::function<void(Connection&, const DaemonConfig&)> serveClient;
    // Trigger-server model (pickup, qmgr, flush): called with the request bytes written
    // to the service's FIFO or socket. The wakeup timer (master.cf's wakeup field) is
    // master's, as in Postfix: master writes "W" (TRIGGER_REQ_WAKEUP) to the service's
    // socket or FIFO, so a wakeup arrives as the request "W"; postqueue -f, postdrop's
    // and postsuper's triggers arrive with their own bytes. In stand-alone mode (-S) the
    // request is stdin's contents (empty for an empty stdin).
    std::function<void(std::string_view request, const DaemonConfig&)> onTrigger;
    // Event model (qmgr, as Postfix's qmgr is an event-driven solitary server): the
    // daemon runs its own loop until master goes away or SIGTERM, reading trigger
    // requests from the listening sockets itself; returns the exit status. In
    // stand-alone mode (-S) there are no listening sockets.
    std::function<int(EventContext&)> runEvents;
};

// Parses the command line, opens the configuration and the mail log (maillog_file or
// syslog, lines "syslog_name/program[pid]: text"), drops privileges when run as root,
// then serves: stand-alone (-S) one client on fds 0/1; under master the listening
// socket(s) at fd 6 onwards with the status pipe at fd 5, until max_use clients were
// served, max_idle seconds passed without one, master went away, or SIGTERM. Returns
// the process exit status.
int runDaemon(int argc, char** argv, const Daemon& daemon);

// The DaemonConfig of a generation for a service (what runDaemon makes before each
// client when the generation changed; tests make one from a compiled directory): the
// generation's parameters (artifact::configOf), then options.overrides in order, then
// the read-only process_name (options.program) and service_name.
std::shared_ptr<const DaemonConfig> makeDaemonConfig(std::shared_ptr<const artifact::Generation> generation,
                                                     const ServiceOptions& options);

// Opens CONFIG_DIR/compiled/current (CONFIG_DIR = options.configDirectory) and makes
// its DaemonConfig. Errors: artifact::Generation::openCurrent's ("no compiled
// generation in DIR: ..."). Tables are opened from the generation's files only while a
// maps::TableRedirect of it is installed (runDaemon installs one that follows the
// configuration in use).
base::Result<std::shared_ptr<const DaemonConfig>> loadDaemonConfig(const ServiceOptions& options);

}  // namespace postline::server
