// runPostfix(): the postfix command (postfix.c: options, MAIL_CONFIG) and the actions of
// postfix-script, with its messages, logged as syslog_name/postfix-script and shown on
// stderr. Postline's master and tools are found beside this program (bin/ and
// libexec/), never in Postfix's daemon_directory.
#include "postfix.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "postline/artifact/compiler.h"
#include "postline/artifact/generation.h"
#include "postline/artifact/generation_config.h"
#include "postline/artifact/source_digests.h"
#include "postline/base/files.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/config/config.h"
#include "postline/lint/linter.h"
#include "postline/lint/rules.h"
#include "postline/server/mail_log.h"
#include "postline/server/master_lock.h"
#include "postline/server/privileges.h"
#include "postline/server/spool_layout.h"

namespace postline::tools {

namespace {

constexpr const char* kUsageCommands =
    "start (or stop, reload, abort, flush, check, status, set-permissions, upgrade-configuration, logrotate)";

std::string selfDirectory() {
    char path[4096];
    ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0) base::msgFatal(base::cat("readlink /proc/self/exe: ", std::strerror(errno)));
    return base::dirName(std::string_view(path, size_t(n)));
}

// Runs a program and waits for it; its output goes where ours goes.
int runProgram(const std::vector<std::string>& args) {
    pid_t pid = ::fork();
    if (pid < 0) base::msgFatal(base::cat("fork: ", std::strerror(errno)));
    if (pid == 0) {
        std::vector<char*> argv;
        for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        base::msgFatal(base::cat("exec ", args[0], ": ", std::strerror(errno)));
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

class Postfix {
public:
    Postfix(std::string configDir, int verbose)
        : configDir_(std::move(configDir)),
          verbose_(verbose),
          binDir_(selfDirectory()),
          libexecDir_(base::dirName(binDir_) + "/libexec") {}

    int run(const std::string& command) {
        loadConfiguration();
        if (command == "start" || command == "start-fg") return start(command == "start-fg");
        if (command == "stop") return stop();
        if (command == "abort") return abort();
        if (command == "reload") return reload();
        if (command == "status") return status();
        if (command == "check") return check();
        if (command == "flush") return flush();
        if (command == "set-permissions") return setPermissions();
        if (command == "start_msg") return say("Start postfix");
        if (command == "stop_msg") return say("Stop postfix");
        base::msgFatal(base::cat("unknown command: '", command, "'. Usage: postfix ", kUsageCommands));
    }

private:
    // The configuration the mail system runs on: the compiled generation in use when
    // there is one (its queue_directory is where master lives), else main.cf.
    void loadConfiguration() {
        auto generation = artifact::Generation::openCurrent(outDir());
        if (generation) {
            config_ = artifact::configOf(*generation);
        } else {
            auto loaded = config::Config::load(configDir_);
            if (!loaded) base::msgFatal(loaded.error().message);
            config_ = std::move(*loaded);
        }
        queueDir_ = config_->get("queue_directory");
        base::setMsgUtf8(config_->getBool("smtputf8_enable"));
        server::MailLogSettings log;
        log.ident = config_->get("syslog_name") + "/postfix-script";
        log.hostname = config_->get("myhostname");
        log.file = config_->get("maillog_file");
        log.prefixes = config_->get("maillog_file_prefixes");
        log.facility = config_->get("syslog_facility");
        log.alsoStderr = true;
        base::setProgramNameVerbatim(log.ident);
        if (auto st = server::installMailLog(log); !st) base::msgFatal(st.error().message);
    }

    std::string outDir() const { return artifact::defaultOutputDirectory(configDir_); }
    int say(const char* text) {
        std::printf("%s\n", text);
        return 0;
    }
    std::optional<long> running() const { return server::runningMaster(queueDir_); }

    // True when DIR/compiled has no generation, or main.cf, master.cf or a table source
    // differs from what the generation in use was compiled from.
    bool needsCompile() const {
        auto generation = artifact::Generation::openCurrent(outDir());
        if (!generation) return true;
        auto digests = artifact::SourceDigests::forOutput(outDir());
        for (const char* file : {"main.cf", "master.cf"})
            if (!digests.unchangedInput(configDir_ + "/" + file)) return true;
        for (const artifact::CompiledTable& table : generation->tables())
            if (table.compiled && !table.source.empty() && !digests.unchangedInput(table.source)) return true;
        return false;
    }

    // Compiles with `postline compile` (lint first: its report is printed, errors refuse).
    bool compileIfNeeded() {
        if (!needsCompile()) return true;
        if (verbose_) base::msgInfo("compiling " + configDir_);
        int rc = runProgram({binDir_ + "/postline", "compile", "-c", configDir_});
        if (rc != 0) {
            base::msgError(base::cat("the configuration in ", configDir_, " does not compile"));
            return false;
        }
        // The newly compiled generation decides queue_directory and the log from now on.
        auto generation = artifact::Generation::openCurrent(outDir());
        if (generation) {
            config_ = artifact::configOf(*generation);
            queueDir_ = config_->get("queue_directory");
        }
        return true;
    }

    std::vector<std::string> masterCommand(std::vector<std::string> options) const {
        std::vector<std::string> args{libexecDir_ + "/master", "-c", configDir_};
        for (int v = 0; v < verbose_; ++v) args.push_back("-v");
        args.insert(args.end(), options.begin(), options.end());
        return args;
    }

    bool checkFatal() {
        if (::access((configDir_ + "/master.cf").c_str(), F_OK) < 0) {
            base::msgError(base::cat("no ", configDir_, "/master.cf file found"));
            return false;
        }
        if (auto st = server::makeSpoolLayout(queueDir_, owners(), false); !st) {
            base::msgError(st.error().message);
            base::msgError("unable to create missing queue directories");
            return false;
        }
        return true;
    }

    server::SpoolOwners owners() const {
        server::SpoolOwners out;
        if (::geteuid() != 0) return out;
        auto account = server::lookupAccount(config_->get("mail_owner"));
        if (!account) base::msgFatal(account.error().message);
        out.mailOwner = account->uid;
        out.mailGroup = account->gid;
        if (struct group* g = ::getgrnam(config_->get("setgid_group").c_str())) out.setgidGroup = g->gr_gid;
        return out;
    }

    // The SMTP smuggling exposure (CVE-2023-51764) is said at every start, in the log, not
    // only when lint runs: an smtpd that other machines reach with
    // smtpd_forbid_bare_newline left at 3.7's default "no". Lint's own rule decides, alone
    // (the table contents it would also check are not read again).
    void warnSmtpSmuggling() {
        lint::LintOptions options;
        options.configDir = configDir_;
        options.knownSource = [](const std::string&, const std::string&, bool) { return true; };
        options.knownFile = [](const std::string&) { return true; };
        for (const lint::RuleInfo& rule : lint::ruleCatalog())
            if (rule.id != "smtp-smuggling") options.disabledRules.emplace(rule.id);
        auto findings = lint::lintConfiguration(options);
        if (!findings) return;
        for (const lint::Diagnostic& finding : *findings)
            base::msgWarn(base::cat(finding.file, finding.line > 0 ? ":" + std::to_string(finding.line) : "", ": ",
                                    finding.message, "; ", finding.hint));
    }

    int start(bool foreground) {
        if (running()) fatal("the Postfix mail system is already running");
        if (!compileIfNeeded()) fatal("the Postfix mail system is not started");
        if (running()) fatal("the Postfix mail system is already running");  // the generation may name another spool
        if (!checkFatal()) fatal("Postfix integrity check failed!");
        warnSmtpSmuggling();
        base::msgInfo("starting the Postfix mail system");
        if (foreground) {
            std::vector<std::string> args = masterCommand({"-d"});
            std::vector<char*> argv;
            for (std::string& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            fatal("cannot start-fg the master daemon");
        }
        if (runProgram(masterCommand({"-w"})) != 0) fatal("mail system startup failed");
        return 0;
    }

    long requireRunning() {
        auto pid = running();
        if (!pid) fatal("the Postfix mail system is not running");
        return *pid;
    }

    int stop() {
        long pid = requireRunning();
        base::msgInfo("stopping the Postfix mail system");
        ::kill(pid_t(pid), SIGTERM);
        for (int i = 0; i < 5; ++i) {
            // Checked several times a second, so that stop returns as soon as master is gone.
            for (int tick = 0; tick < 10; ++tick) {
                if (!running()) return 0;
                ::usleep(100000);
            }
            base::msgInfo("waiting for the Postfix mail system to terminate");
        }
        if (!running()) return 0;
        base::msgWarn("stopping the Postfix mail system with force");
        ::kill(-pid_t(pid), SIGKILL);
        return 0;
    }

    int abort() {
        long pid = requireRunning();
        base::msgInfo("aborting the Postfix mail system");
        ::kill(pid_t(pid), SIGTERM);
        return 0;
    }

    int reload() {
        long pid = requireRunning();
        // The daemons read the compiled generation: a changed configuration is compiled
        // first, and a configuration that does not compile is not reloaded.
        if (!compileIfNeeded()) fatal("the configuration is not reloaded");
        base::msgInfo("refreshing the Postfix mail system");
        ::kill(pid_t(pid), SIGHUP);
        return 0;
    }

    int status() {
        auto pid = running();
        if (!pid) {
            base::msgInfo("the Postfix mail system is not running");
            return 1;
        }
        base::msgInfo(base::cat("the Postfix mail system is running: PID: ", *pid));
        return 0;
    }

    int check() {
        if (!checkFatal()) return 1;
        // What postfix check does not find, postline lint does: its report, its verdict.
        return runProgram({binDir_ + "/postline", "lint", "-c", configDir_}) == 0 ? 0 : 1;
    }

    int flush() {
        if (::access(queueDir_.c_str(), F_OK) < 0) fatal("no Postfix queue directory " + queueDir_ + "!");
        return runProgram({binDir_ + "/postqueue", "-c", configDir_, "-f"});
    }

    int setPermissions() {
        if (auto st = server::makeSpoolLayout(queueDir_, owners(), true); !st) fatal(st.error().message);
        return 0;
    }

    [[noreturn]] void fatal(const std::string& text) { base::msgFatal(text); }

    std::string configDir_;
    int verbose_;
    std::string binDir_;
    std::string libexecDir_;
    std::optional<config::Config> config_;
    std::string queueDir_;
};

}  // namespace

int runPostfix(int argc, char** argv) {
    base::setProgramName(argc > 0 ? argv[0] : "postfix");
    std::string configDir;
    int verbose = 0;
    int ch;
    opterr = 0;
    while ((ch = ::getopt(argc, argv, "+c:Dv")) > 0) {
        switch (ch) {
            case 'c':
                if (optarg[0] != '/') base::msgFatal("-c requires absolute pathname");
                configDir = optarg;
                break;
            case 'D':
                break;
            case 'v':
                ++verbose;
                break;
            default:
                base::msgFatal(base::cat("usage: ", argv[0], " [-c config_dir] [-Dv] command"));
        }
    }
    if (optind + 1 != argc) base::msgFatal(base::cat("usage: ", argv[0], " [-c config_dir] [-Dv] command"));
    if (configDir.empty()) configDir = config::defaultConfigDirectory();
    ::setenv("MAIL_CONFIG", configDir.c_str(), 1);
    base::setVerbose(verbose);
    Postfix postfix(configDir, verbose);
    return postfix.run(argv[optind]);
}

}  // namespace postline::tools
