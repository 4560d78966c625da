// Runs a delivery command as Postfix's pipe_command() does for local(8): a child in its
// own session with a clean environment, the message written to its stdin while its
// output (stdout and stderr, up to 4 KB) is read, the time limit, and the DSN from the
// exit status: "D.S.N text" output, <sysexits.h> codes, or "Command died with ...".
#include "local_command.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <set>

namespace postline::local {

namespace {

constexpr size_t kOutputLimit = 4096;  // VSTREAM_BUFSIZE

struct SysExitRow {
    const char* dsn;
    const char* text;
};
constexpr SysExitRow kSysExits[] = {
    {"5.3.0", "command line usage error"},  {"5.6.0", "data format error"},
    {"5.3.0", "cannot open input"},         {"5.1.1", "user unknown"},
    {"5.1.2", "host name unknown"},         {"5.3.0", "service unavailable"},
    {"5.3.0", "internal software error"},   {"4.3.0", "system resource problem"},
    {"5.3.0", "critical OS file missing"},  {"5.2.0", "can't create user output file"},
    {"5.3.0", "input/output error"},        {"4.3.0", "temporary failure"},
    {"5.5.0", "remote error in protocol"},  {"5.7.0", "permission denied"},
    {"5.3.5", "local configuration error"},
};
constexpr int kExBase = 64;

delivery::Dsn makeDsn(std::string status, std::string action, std::string reason) {
    delivery::Dsn d;
    d.status = std::move(status);
    d.action = std::move(action);
    d.reason = std::move(reason);
    return d;
}

// dsn_valid(): the length of a leading "D.S.N" code followed by a blank or the end.
size_t dsnLength(const std::string& text) {
    if (text.size() < 2 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.') return 0;
    size_t pos = 2;
    auto digits = [&](size_t max) {
        size_t n = 0;
        while (pos + n < text.size() && std::isdigit(static_cast<unsigned char>(text[pos + n]))) ++n;
        if (n < 1 || n > max) return false;
        pos += n;
        return true;
    };
    if (!digits(3) || pos >= text.size() || text[pos] != '.') return 0;
    ++pos;
    if (!digits(3)) return 0;
    if (pos < text.size() && !std::isspace(static_cast<unsigned char>(text[pos]))) return 0;
    return pos;
}

// translit "\t\n" to blanks, then printable() with '_'.
std::string cleanOutput(const std::string& raw) {
    std::string out;
    out.reserve(raw.size());
    for (char c : raw) {
        if (c == '\t' || c == '\n') c = ' ';
        unsigned char u = static_cast<unsigned char>(c);
        out += (u >= 0x20 && u < 0x7f) ? c : '_';
    }
    return out;
}

std::vector<std::string> words(const std::string& text) {
    std::vector<std::string> out;
    std::string word;
    for (char c : text) {
        if (c == ' ' || c == '\t') {
            if (!word.empty()) out.push_back(word);
            word.clear();
        } else {
            word += c;
        }
    }
    if (!word.empty()) out.push_back(word);
    return out;
}

void execArgs(std::vector<std::string>& args) {
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
}

// msg_fatal() in the child: the message on stderr, which is the command's output.
[[noreturn]] void fatal(const std::string& text) {
    std::string msg = "local: fatal: " + text + "\n";
    (void)!::write(STDERR_FILENO, msg.data(), msg.size());
    ::_exit(1);
}

[[noreturn]] void child(const CommandRun& run, int in, int out) {
    if (run.switchUser) {
        // The agent works as mail_owner between deliveries: root back first, so that
        // the real and saved ids can all become the command's user.
        if (::geteuid() != 0) (void)!::seteuid(0);
        if (::setgid(run.gid) < 0 || ::setgroups(0, nullptr) < 0 || ::setuid(run.uid) < 0) ::_exit(75);
    }
    ::setsid();
    if (::dup2(in, STDIN_FILENO) < 0 || ::dup2(out, STDOUT_FILENO) < 0 || ::dup2(out, STDERR_FILENO) < 0) ::_exit(75);
    if (in != STDIN_FILENO) ::close(in);
    if (out != STDOUT_FILENO && out != STDERR_FILENO) ::close(out);
    for (int fd = 3; fd < 1024; ++fd) ::close(fd);
    if (!run.directory.empty() && ::chdir(run.directory.c_str()) < 0)
        fatal("cannot change directory to \"" + run.directory + "\" for uid=" + std::to_string(::getuid()) +
              " gid=" + std::to_string(::getgid()) + ": " + std::strerror(errno));
    // clean_env(): only export_environment survives, then PATH and local's variables.
    std::vector<std::string> kept;
    for (const std::string& name : run.exportEnvironment)
        if (const char* v = ::getenv(name.c_str())) kept.push_back(name + "=" + v);
    ::clearenv();
    for (std::string& kv : kept) {
        auto eq = kv.find('=');
        ::setenv(kv.substr(0, eq).c_str(), kv.substr(eq + 1).c_str(), 1);
    }
    ::setenv("PATH", "/usr/bin:/bin", 1);
    for (const auto& [name, value] : run.environment) ::setenv(name.c_str(), value.c_str(), 1);
    ::signal(SIGPIPE, SIG_DFL);
    // local_command_shell: that shell with the command as its last argument.
    if (!run.shell.empty()) {
        std::vector<std::string> args = words(run.shell);
        args.push_back(run.command);
        execArgs(args);
        fatal("execvp " + args[0] + ": " + std::strerror(errno));
    }
    // exec_command(): a command of plain words runs directly, anything else (or a word
    // not found on PATH) through "sh -c".
    constexpr std::string_view kPlain = "1234567890!@%-_=+:,./abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ \t";
    bool plain = run.command.find_first_not_of(kPlain) == std::string::npos &&
                 run.command.find_first_not_of(" \t") != std::string::npos;
    if (plain) {
        std::vector<std::string> args = words(run.command);
        execArgs(args);
        if (errno != ENOENT || args[0].find('/') != std::string::npos)
            fatal("execvp " + args[0] + ": " + std::strerror(errno));
    }
    ::execl("/bin/sh", "sh", "-c", run.command.c_str(), static_cast<char*>(nullptr));
    fatal(std::string("execl /bin/sh: ") + std::strerror(errno));
}

}  // namespace

SysExit sysExitDetail(int code) {
    if (code >= kExBase && code < kExBase + static_cast<int>(std::size(kSysExits)))
        return {true, kSysExits[code - kExBase].dsn, kSysExits[code - kExBase].text};
    return {false, "5.3.0", "unknown mail system error " + std::to_string(code)};
}

CommandResult runCommand(const CommandRun& run) {
    CommandResult result;
    int inPipe[2], outPipe[2];
    if (::pipe2(inPipe, O_CLOEXEC) < 0) {
        result.status = CommandStatus::Defer;
        result.dsn = makeDsn("4.3.0", "delayed", std::string("Delivery failed: ") + std::strerror(errno));
        return result;
    }
    if (::pipe2(outPipe, O_CLOEXEC) < 0) {
        int err = errno;
        ::close(inPipe[0]);
        ::close(inPipe[1]);
        result.status = CommandStatus::Defer;
        result.dsn = makeDsn("4.3.0", "delayed", std::string("Delivery failed: ") + std::strerror(err));
        return result;
    }
    // A command that exits without reading its input must not take us down with SIGPIPE.
    struct sigaction ignore {
    }, saved{};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGPIPE, &ignore, &saved);
    struct Restore {
        struct sigaction& saved;
        ~Restore() { ::sigaction(SIGPIPE, &saved, nullptr); }
    } restore{saved};
    pid_t pid = ::fork();
    if (pid < 0) {
        int err = errno;
        for (int fd : {inPipe[0], inPipe[1], outPipe[0], outPipe[1]}) ::close(fd);
        result.status = CommandStatus::Defer;
        result.dsn = makeDsn("4.3.0", "delayed", std::string("Delivery failed: ") + std::strerror(err));
        return result;
    }
    if (pid == 0) child(run, inPipe[0], outPipe[1]);
    ::close(inPipe[0]);
    ::close(outPipe[1]);
    int toChild = inPipe[1], fromChild = outPipe[0];
    ::fcntl(toChild, F_SETFL, O_NONBLOCK);
    ::fcntl(fromChild, F_SETFL, O_NONBLOCK);

    // Write the message and read the output together (a chatty command must not block
    // us while we feed it), until both are done or the time limit passes.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(run.timeLimit);
    std::string output;
    size_t written = 0;
    int writeErrno = 0;
    bool timedOut = false;
    if (run.input.empty()) {
        ::close(toChild);
        toChild = -1;
    }
    while (toChild >= 0 || fromChild >= 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timedOut = true;
            break;
        }
        pollfd fds[2];
        int n = 0;
        if (toChild >= 0) fds[n++] = {toChild, POLLOUT, 0};
        if (fromChild >= 0) fds[n++] = {fromChild, POLLIN, 0};
        int rc = ::poll(fds, static_cast<nfds_t>(n), static_cast<int>(std::min<long long>(left.count(), 1000000)));
        if (rc < 0 && errno != EINTR) break;
        if (rc <= 0) continue;
        for (int i = 0; i < n; ++i) {
            if (!fds[i].revents) continue;
            if (fds[i].fd == toChild) {
                ssize_t w = ::write(toChild, run.input.data() + written, run.input.size() - written);
                if (w > 0) written += static_cast<size_t>(w);
                if (w < 0 && errno != EAGAIN && errno != EINTR) writeErrno = errno;
                if (written == run.input.size() || writeErrno) {
                    ::close(toChild);
                    toChild = -1;
                }
            } else {
                char buf[4096];
                ssize_t r = ::read(fromChild, buf, sizeof buf);
                if (r > 0) {
                    if (output.size() < kOutputLimit)
                        output.append(buf, std::min(static_cast<size_t>(r), kOutputLimit - output.size()));
                } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
                    ::close(fromChild);
                    fromChild = -1;
                }
            }
        }
    }
    if (toChild >= 0) ::close(toChild);
    if (fromChild >= 0) ::close(fromChild);
    if (timedOut) {
        if (::kill(-pid, SIGKILL) < 0) ::kill(pid, SIGKILL);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    std::string out = cleanOutput(output);
    std::string withOutput = out.empty() ? "" : ". Command output: " + out;
    if (timedOut) {
        result.status = CommandStatus::Bounce;
        result.dsn = makeDsn("5.3.0", "failed", "Command time limit exceeded: \"" + run.command + "\"" + withOutput);
        return result;
    }
    if (WIFSIGNALED(status)) {
        result.status = CommandStatus::Defer;
        result.dsn = makeDsn(
            "4.3.0", "delayed",
            "Command died with signal " + std::to_string(WTERMSIG(status)) + ": \"" + run.command + "\"" + withOutput);
        return result;
    }
    int code = WEXITSTATUS(status);
    if (code != 0) {
        if (size_t len = dsnLength(out); len > 0) {
            // "D.S.N text" output: the command chose the status.
            std::string text = out.substr(len);
            size_t start = text.find_first_not_of(" \t");
            text = start == std::string::npos ? "" : text.substr(start);
            std::string dsn = out.substr(0, len);
            result.status = dsn[0] == '4' ? CommandStatus::Defer : CommandStatus::Bounce;
            result.dsn = makeDsn(dsn, dsn[0] == '4' ? "delayed" : "failed", text);
            return result;
        }
        SysExit sx = sysExitDetail(code);
        result.status = sx.dsn[0] == '4' ? CommandStatus::Defer : CommandStatus::Bounce;
        result.dsn.status = sx.dsn;
        result.dsn.action = sx.dsn[0] == '4' ? "delayed" : "failed";
        if (sx.known)
            result.dsn.reason = sx.text + withOutput;
        else
            result.dsn.reason =
                "Command died with status " + std::to_string(code) + ": \"" + run.command + "\"" + withOutput;
        return result;
    }
    if (writeErrno != 0 && writeErrno != EPIPE) {
        result.status = CommandStatus::Bounce;
        result.dsn = makeDsn("5.3.0", "failed",
                             std::string("Command failed: error writing message: ") + std::strerror(writeErrno) +
                                 ": \"" + run.command + "\"");
        return result;
    }
    result.dsn = makeDsn("2.0.0", "delivered", out);
    return result;
}

}  // namespace postline::local
