// master(8): Postline's process manager (Postfix's master/master.c): options, the
// lock files, detaching (with -w: wait until the services listen), signals, then the
// supervisor's loop over the compiled generation's master.cf.
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "postline/artifact/generation.h"
#include "postline/artifact/generation_config.h"
#include "postline/base/files.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/config/config.h"
#include "postline/config/import_environment.h"
#include "postline/server/mail_log.h"
#include "postline/server/master_lock.h"
#include "postline/server/privileges.h"
#include "postline/server/spool_layout.h"
#include "supervisor.h"

namespace {

using namespace postline;

int signalPipe[2] = {-1, -1};

void onSignal(int sig) {
    int saved = errno;
    unsigned char byte = static_cast<unsigned char>(sig);
    ssize_t ignored = ::write(signalPipe[1], &byte, 1);
    (void)ignored;
    errno = saved;
}

[[noreturn]] void usage(const char* me) {
    base::msgFatal(base::cat("usage: ", me,
                             " [-c config_dir] [-D (debug)] [-d (don't detach from terminal)] [-e exit_time] "
                             "[-t (test)] [-v] [-w (wait for initialization)]"));
}

std::string programDirectory() {
    char path[4096];
    ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0) base::msgFatal("readlink /proc/self/exe: " + std::string(std::strerror(errno)));
    return base::dirName(std::string_view(path, size_t(n)));
}

void installSignals() {
    if (::pipe2(signalPipe, O_CLOEXEC | O_NONBLOCK) < 0) base::msgFatal("pipe: " + std::string(std::strerror(errno)));
    struct sigaction action {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (int sig : {SIGHUP, SIGTERM, SIGINT, SIGQUIT, SIGCHLD}) ::sigaction(sig, &action, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
    // Master appends to maillog_file itself (there is no postlogd): a log file that grew
    // past a file size limit inherited from whoever started it (ulimit -f) must make
    // the write fail with EFBIG, not kill master with SIGXFSZ.
    ::signal(SIGXFSZ, SIG_IGN);
}

// The spool's fixed directories, made when missing with Postfix's modes (what
// post-install create-missing does at postfix start); as root with their owners
// (mail_owner, setgid_group), as an ordinary user owned by that user.
void prepareSpool(const config::Config& config) {
    server::SpoolOwners owners;
    if (::geteuid() == 0) {
        auto account = server::lookupAccount(config.get("mail_owner"));
        if (!account) base::msgFatal(account.error().message);
        owners.mailOwner = account->uid;
        owners.mailGroup = account->gid;
        if (struct group* g = ::getgrnam(config.get("setgid_group").c_str())) owners.setgidGroup = g->gr_gid;
    }
    if (auto st = server::makeSpoolLayout(config.get("queue_directory"), owners, false); !st)
        base::msgFatal(st.error().message);
    std::string dataDir = config.get("data_directory");
    if (::mkdir(dataDir.c_str(), 0700) == 0) {
        if (owners.mailOwner && ::chown(dataDir.c_str(), *owners.mailOwner, *owners.mailGroup) < 0)
            base::msgFatal(base::cat("chown ", dataDir, ": ", std::strerror(errno)));
    } else if (errno != EEXIST) {
        base::msgFatal(base::cat("mkdir ", dataDir, ": ", std::strerror(errno)));
    }
}

}  // namespace

int main(int argc, char** argv) {
    // As Postfix's master: descriptors inherited from whoever started the mail system
    // are closed, or every daemon would hold them too (a caller that reads a pipe to
    // its end, such as $(postfix start 3>&1) or a package's install script, would wait
    // until the mail system stops).
    ::closefrom(3);
    base::setProgramName("master");
    bool detach = true, test = false, wait = false, keepStdout = false;
    int verbose = 0;
    int ch;
    while ((ch = ::getopt(argc, argv, "+c:Dde:istvw")) > 0) {
        switch (ch) {
            case 'c':
                ::setenv("MAIL_CONFIG", optarg, 1);
                break;
            case 'd':
                detach = false;
                break;
            case 's':
                keepStdout = true;
                break;
            case 't':
                test = true;
                break;
            case 'v':
                ++verbose;
                break;
            case 'w':
                wait = true;
                break;
            case 'D':
            case 'e':
                break;
            case 'i':
                base::msgFatal("-i is allowed only for PID 1 process");
            default:
                usage(argv[0]);
        }
    }
    if (argc > optind) usage(argv[0]);
    if (test && wait) base::msgFatal("the -t and -w options cannot be used together");
    base::setVerbose(verbose);

    std::string configDir = config::defaultConfigDirectory();
    auto opened = artifact::Generation::openCurrent(configDir + "/compiled");
    if (!opened && test) {
        // Nothing compiled yet: main.cf says where a master would hold its lock.
        auto mainCf = config::Config::load(configDir);
        if (!mainCf) base::msgFatal(mainCf.error().message);
        return server::runningMaster(mainCf->get("queue_directory")) ? 1 : 0;
    }
    if (!opened) base::msgFatal(opened.error().message);
    auto generation = std::make_shared<const artifact::Generation>(std::move(*opened));
    config::Config config = artifact::configOf(*generation);
    std::string queueDir = config.get("queue_directory");

    if (test) {
        // Exit status 0 when no master runs on this spool (what postfix-script tests).
        return server::runningMaster(queueDir) ? 1 : 0;
    }
    // Every service starts with only what import_environment names (LANG=C among it),
    // as Postfix's master cleans its environment for its children (clean_env).
    // The sanitizers' settings (of a test build) are kept as well.
    config::cleanEnvironment(config.get("import_environment") + " ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS");

    // Detaching as Postfix's master: the terminal's descriptors go, a session of its
    // own; with -w a child carries on while the parent waits until it says it started
    // (master_monitor.c) and exits 0, or 1 when the child died first.
    int monitor[2] = {-1, -1};
    if (wait) {
        if (::pipe2(monitor, O_CLOEXEC) < 0) base::msgFatal(base::cat("pipe: ", std::strerror(errno)));
        pid_t pid = ::fork();
        if (pid < 0) base::msgFatal(base::cat("fork: ", std::strerror(errno)));
        if (pid > 0) {
            ::close(monitor[1]);
            char byte;
            ssize_t n;
            while ((n = ::read(monitor[0], &byte, 1)) < 0 && errno == EINTR) {
            }
            return n == 1 ? 0 : 1;
        }
        ::close(monitor[0]);
    }
    if (detach) {
        // A process group leader (started from a shell's job) keeps its session.
        if (::setsid() < 0 && ::getsid(0) != ::getpid())
            base::msgFatal(base::cat("unable to set session and process group ID: ", std::strerror(errno)));
        int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, STDIN_FILENO);
        if (!keepStdout) ::dup2(null, STDOUT_FILENO);
        if (null > STDERR_FILENO) ::close(null);
    }

    // Until master is ready, errors also reach the terminal (then stderr is /dev/null
    // when detached); in the foreground (-d) everything does.
    auto installLog = [detach](const config::Config& config) {
        server::MailLogSettings log;
        log.ident = config.get("syslog_name") + "/master";
        log.hostname = config.get("myhostname");
        log.file = config.get("maillog_file");
        log.prefixes = config.get("maillog_file_prefixes");
        log.facility = config.get("syslog_facility");
        log.alsoStderr = true;
        log.stderrFrom = detach ? base::Severity::Error : base::Severity::Info;
        return server::installMailLog(log);
    };
    if (auto st = installLog(config); !st) base::msgFatal(st.error().message);

    prepareSpool(config);
    if (::chdir(queueDir.c_str()) < 0) base::msgFatal(base::cat("chdir ", queueDir, ": ", std::strerror(errno)));
    auto pidLock = server::acquireMasterLock("pid/master.pid");
    if (!pidLock) base::msgFatal(pidLock.error().message);
    auto dataLock = server::acquireMasterLock(config.get("data_directory") + "/master.lock");
    if (!dataLock) base::msgFatal(dataLock.error().message);

    installSignals();
    master::SupervisorOptions options;
    options.configDirectory = configDir;
    options.programDirectory = programDirectory();
    options.verbose = verbose;
    options.foreground = !detach;
    options.onConfiguration = [&installLog](const config::Config& config) {
        // A log that the new configuration cannot open: the old one stays.
        if (auto st = installLog(config); !st) base::msgWarn(st.error().message);
    };
    master::Supervisor supervisor(options);
    supervisor.start(generation);
    base::msgInfo(base::cat("daemon started -- version ", POSTLINE_VERSION, ", configuration ", configDir));
    if (monitor[1] >= 0) {
        ssize_t ignored = ::write(monitor[1], "", 1);
        (void)ignored;
        ::close(monitor[1]);
    }
    if (detach) {
        int null = ::open("/dev/null", O_WRONLY);
        ::dup2(null, STDERR_FILENO);
        if (null > STDERR_FILENO) ::close(null);
    }
    supervisor.run(signalPipe[0]);
}
