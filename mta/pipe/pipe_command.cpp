// The delivery command's run (Postfix's global/pipe_command.c, sys_exits.c): fork,
// the child's privileges, process group, plumbing, directory and environment, the
// message written with a deadline, the output captured, the exit status evaluated.
#include "pipe_command.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "postline/base/strings.h"
#include "postline/delivery/mbox.h"

extern char** environ;

namespace postline::pipe {

namespace {

constexpr int kExTempfail = 75;
constexpr size_t kOutputLimit = 4096;  // VSTREAM_BUFSIZE

double monotonicNow() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

int remainingMillis(double deadline) {
    double left = deadline - monotonicNow();
    if (left <= 0) return 0;
    return left > 1e6 ? 1000000000 : static_cast<int>(left * 1000) + 1;
}

// The child's fatal error: its text on the command's output (which the parent
// captures), then EX_TEMPFAIL, as pipe_child_cleanup() ends a child.
[[noreturn]] void childFatal(const std::string& program, const std::string& text) {
    std::string line = program + ": fatal: " + text + "\n";
    (void)!::write(STDERR_FILENO, line.data(), line.size());
    ::_exit(kExTempfail);
}

// printable(): tabs and newlines became spaces already; other control characters and
// bytes that are not valid UTF-8 become '_'.
std::string printableOutput(std::string text) {
    for (char& c : text)
        if (c == '\t' || c == '\n') c = ' ';
    for (size_t i = 0; i < text.size();) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f) text[i] = '_';
            ++i;
            continue;
        }
        size_t len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
        bool valid = len > 0 && i + len <= text.size();
        for (size_t k = 1; valid && k < len; ++k) valid = (static_cast<unsigned char>(text[i + k]) & 0xc0) == 0x80;
        if (!valid) {
            text[i++] = '_';
            continue;
        }
        i += len;
    }
    return text;
}

// kill_command(): the child's process group, or the child when that fails. An agent
// started by root that works as mail_owner takes root's effective uid back for it (the
// command runs as another user).
void killCommand(pid_t pid) {
    uid_t saved = ::geteuid();
    bool regain = ::getuid() == 0 && saved != 0;
    if (regain) (void)!::seteuid(0);
    if (::kill(-pid, SIGKILL) < 0) (void)::kill(pid, SIGKILL);
    if (regain) (void)!::seteuid(saved);
}

// timed_waitpid() until the deadline; false when it passed.
bool waitUntil(pid_t pid, int& status, double deadline) {
    for (;;) {
        pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) return true;
        if (r < 0 && errno != EINTR) return true;  // nothing to wait for
        if (monotonicNow() >= deadline) return false;
        timespec pause{0, 5 * 1000 * 1000};
        ::nanosleep(&pause, nullptr);
    }
}

delivery::Dsn unixDsn(std::string status, std::string dtext, std::string reason) {
    delivery::Dsn d;
    d.status = std::move(status);
    d.reason = std::move(reason);
    d.dtype = "x-unix";
    d.dtext = std::move(dtext);
    return d;
}

}  // namespace

SysExit sysExitDetail(int code) {
    static const SysExit table[] = {
        {"5.3.0", "command line usage error"},       // 64 EX_USAGE
        {"5.6.0", "data format error"},              // 65 EX_DATAERR
        {"5.3.0", "cannot open input"},              // 66 EX_NOINPUT
        {"5.1.1", "user unknown"},                   // 67 EX_NOUSER
        {"5.1.2", "host name unknown"},              // 68 EX_NOHOST
        {"5.3.0", "service unavailable"},            // 69 EX_UNAVAILABLE
        {"5.3.0", "internal software error"},        // 70 EX_SOFTWARE
        {"4.3.0", "system resource problem"},        // 71 EX_OSERR
        {"5.3.0", "critical OS file missing"},       // 72 EX_OSFILE
        {"5.2.0", "can't create user output file"},  // 73 EX_CANTCREAT
        {"5.3.0", "input/output error"},             // 74 EX_IOERR
        {"4.3.0", "temporary failure"},              // 75 EX_TEMPFAIL
        {"5.5.0", "remote error in protocol"},       // 76 EX_PROTOCOL
        {"5.7.0", "permission denied"},              // 77 EX_NOPERM
        {"5.3.5", "local configuration error"},      // 78 EX_CONFIG
    };
    if (code >= 64 && code <= 78) return table[code - 64];
    return {"5.3.0", base::cat("unknown mail system error ", code)};
}

CommandResult runCommand(const CommandSpec& spec) {
    CommandResult result;
    const std::string& command = spec.argv.empty() ? std::string() : spec.argv.front();

    // Everything the child needs, made before fork().
    std::vector<std::string> envStrings;
    for (const std::string& entry : spec.exportEnvironment) {
        std::string name = entry.substr(0, entry.find('='));
        if (name == "PATH") continue;
        if (entry.find('=') != std::string::npos) {
            envStrings.push_back(entry);
        } else if (const char* value = ::getenv(entry.c_str())) {
            envStrings.push_back(entry + "=" + value);
        }
    }
    envStrings.push_back("PATH=/usr/bin:/bin");
    std::vector<char*> envp;
    for (std::string& s : envStrings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> argvCopy = spec.argv;
    std::vector<char*> argv;
    for (std::string& s : argvCopy) argv.push_back(s.data());
    argv.push_back(nullptr);

    int inPipe[2], outPipe[2];
    if (::pipe2(inPipe, O_CLOEXEC) < 0) {
        result.status = CommandStatus::Defer;
        result.dsn = unixDsn("4.3.0", sysExitDetail(71).text, base::cat("Delivery failed: ", std::strerror(errno)));
        return result;
    }
    if (::pipe2(outPipe, O_CLOEXEC) < 0) {
        int err = errno;
        ::close(inPipe[0]);
        ::close(inPipe[1]);
        result.status = CommandStatus::Defer;
        result.dsn = unixDsn("4.3.0", sysExitDetail(71).text, base::cat("Delivery failed: ", std::strerror(err)));
        return result;
    }
    // The child's output end does not block it (pipe_command.c reads the output only
    // after the input was written).
    ::fcntl(outPipe[1], F_SETFL, ::fcntl(outPipe[1], F_GETFL) | O_NONBLOCK);

    // The child's exit status is ours to collect: no automatic reaping meanwhile.
    struct sigaction defaultChld {
    }, savedChld{};
    defaultChld.sa_handler = SIG_DFL;
    ::sigaction(SIGCHLD, &defaultChld, &savedChld);
    struct RestoreChld {
        struct sigaction& saved;
        ~RestoreChld() { ::sigaction(SIGCHLD, &saved, nullptr); }
    } restoreChld{savedChld};

    pid_t pid = ::fork();
    if (pid < 0) {
        int err = errno;
        for (int fd : {inPipe[0], inPipe[1], outPipe[0], outPipe[1]}) ::close(fd);
        result.status = CommandStatus::Defer;
        result.dsn = unixDsn("4.3.0", sysExitDetail(71).text, base::cat("Delivery failed: ", std::strerror(err)));
        return result;
    }
    if (pid == 0) {
        // Child: plumbing first, so that even its fatal errors reach the parent.
        if (::dup2(inPipe[0], STDIN_FILENO) < 0 || ::dup2(outPipe[1], STDOUT_FILENO) < 0 ||
            ::dup2(outPipe[1], STDERR_FILENO) < 0)
            ::_exit(kExTempfail);
        for (int sig : {SIGPIPE, SIGXFSZ, SIGCHLD, SIGTERM, SIGHUP, SIGINT, SIGALRM}) ::signal(sig, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        // Started by root and working as mail_owner (set_ugid's seteuid(0)).
        if (::getuid() == 0 && ::geteuid() != 0 && ::seteuid(0) < 0)
            childFatal(spec.programName, base::cat("seteuid(0): ", std::strerror(errno)));
        if (!spec.chroot.empty()) {
            if (::chroot(spec.chroot.c_str()) < 0 || ::chdir("/") < 0)
                childFatal(spec.programName, "chroot(" + spec.chroot + "): " + std::strerror(errno));
        }
        if (spec.switchUser) {
            gid_t groups[1] = {spec.gid};
            if (::setgid(spec.gid) < 0)
                childFatal(spec.programName, base::cat("setgid(", spec.gid, "): ", std::strerror(errno)));
            if (::setgroups(1, groups) < 0)
                childFatal(spec.programName, base::cat("setgroups(1, &", spec.gid, "): ", std::strerror(errno)));
            if (::setuid(spec.uid) < 0)
                childFatal(spec.programName, base::cat("setuid(", spec.uid, "): ", std::strerror(errno)));
        }
        (void)::setsid();
        if (!spec.directory.empty() && ::chdir(spec.directory.c_str()) < 0)
            childFatal(spec.programName, base::cat("cannot change directory to \"", spec.directory, "\" for uid=",
                                                   ::getuid(), " gid=", ::getgid(), ": ", std::strerror(errno)));
        environ = envp.data();
        ::execvp(argv[0], argv.data());
        childFatal(spec.programName, base::cat("pipe_command: execvp ", command, ": ", std::strerror(errno)));
    }

    // Parent.
    ::close(inPipe[0]);
    ::close(outPipe[1]);
    struct sigaction ignore {
    }, savedPipe{};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGPIPE, &ignore, &savedPipe);

    const double deadline = monotonicNow() + static_cast<double>(spec.timeLimit);
    bool timedOut = false;
    int writeErrno = 0;
    std::string_view rest = spec.input;
    while (!rest.empty()) {
        pollfd p{inPipe[1], POLLOUT, 0};
        int n = ::poll(&p, 1, remainingMillis(deadline));
        if (n < 0 && errno == EINTR) continue;
        if (n == 0) {
            timedOut = true;
            break;
        }
        ssize_t w = ::write(inPipe[1], rest.data(), std::min<size_t>(rest.size(), 65536));
        if (w < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            writeErrno = errno;
            break;
        }
        rest.remove_prefix(static_cast<size_t>(w));
    }
    if (::close(inPipe[1]) < 0 && writeErrno == 0 && !timedOut && errno != EINTR) writeErrno = errno;
    ::sigaction(SIGPIPE, &savedPipe, nullptr);

    // A limited amount of output, for the bounce message; only what is there already
    // once the time is up.
    std::string output;
    char buf[kOutputLimit];
    while (output.size() < kOutputLimit) {
        pollfd p{outPipe[0], POLLIN, 0};
        int n = ::poll(&p, 1, timedOut ? 0 : remainingMillis(deadline));
        if (n < 0 && errno == EINTR) continue;
        if (n == 0) {
            timedOut = true;
            break;
        }
        ssize_t r = ::read(outPipe[0], buf, kOutputLimit - output.size());
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        output.append(buf, static_cast<size_t>(r));
    }
    ::close(outPipe[0]);
    output = printableOutput(std::move(output));
    result.output = output;

    int wstatus = 0;
    if (timedOut) killCommand(pid);
    if (!waitUntil(pid, wstatus, timedOut ? monotonicNow() + 1 : deadline)) {
        timedOut = true;
        killCommand(pid);
        while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
        }
    }

    const bool haveOutput = !output.empty();
    const std::string outputPart = haveOutput ? ". Command output: " + output : "";
    if (timedOut) {
        result.status = CommandStatus::Bounce;
        result.dsn = unixDsn("5.3.0", haveOutput ? output : sysExitDetail(70).text,
                             "Command time limit exceeded: \"" + command + "\"" + outputPart);
        return result;
    }
    if (!(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)) {
        if (WIFSIGNALED(wstatus)) {
            result.status = CommandStatus::Defer;
            result.dsn =
                unixDsn("4.3.0", haveOutput ? output : sysExitDetail(70).text,
                        base::cat("Command died with signal ", WTERMSIG(wstatus), ": \"", command, "\"", outputPart));
            return result;
        }
        int code = WEXITSTATUS(wstatus);
        std::string firstWord = output.substr(0, output.find_first_of(" \t\r\n\f\v"));
        if (delivery::dsnValid(firstWord)) {
            delivery::DsnSplit split = delivery::splitDsn("5.3.0", output);
            result.dsn = unixDsn(split.status, split.text, split.text);
            result.status = split.status[0] == '4' ? CommandStatus::Defer : CommandStatus::Bounce;
            return result;
        }
        SysExit detail = sysExitDetail(code);
        if (code >= 64 && code <= 78) {
            result.dsn = unixDsn(detail.dsn, haveOutput ? output : detail.text, detail.text + outputPart);
            result.status = detail.dsn[0] == '4' ? CommandStatus::Defer : CommandStatus::Bounce;
            return result;
        }
        result.status = CommandStatus::Bounce;
        result.dsn = unixDsn(detail.dsn, haveOutput ? output : detail.text,
                             base::cat("Command died with status ", code, ": \"", command, "\"", outputPart));
        return result;
    }
    if (writeErrno != 0 && writeErrno != EPIPE) {
        result.status = CommandStatus::Bounce;
        result.dsn.status = delivery::mboxDsn(writeErrno, "5.3.0");
        result.dsn.reason =
            base::cat("Command failed: error writing message: ", std::strerror(writeErrno), ": \"", command, "\"");
        return result;
    }
    result.status = CommandStatus::Ok;
    return result;
}

}  // namespace postline::pipe
