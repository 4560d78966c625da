// sendmail(1)'s command line and modes after Postfix 3.7's sendmail/sendmail.c main():
// the getopt list, -q/-V/-XV special cases, the conflicts between options, and the
// modes that hand over to postqueue, postalias, postfix start or smtpd -S.
#include "sendmail.h"

#include <fcntl.h>
#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "postline/address/user_acl.h"
#include "postline/base/msg.h"
#include "postline/config/config.h"
#include "postline/queue/maildrop_submission.h"

namespace postline::tools {
namespace sendmail {

void fatal(int status, std::string_view text) {
    // Postfix's sendmail installs a run-time error handler (msg_cleanup(tempfail)) that
    // msg_fatal_status() calls before it exits: every fatal error ends with EX_TEMPFAIL,
    // whatever status the call names. The named status documents the intent.
    (void)status;
    std::string line = base::formatMsg(base::Severity::Fatal, text);
    line.push_back('\n');
    ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
    (void)ignored;
    std::exit(kExTempFail);
}

namespace {

enum class Mode { Enqueue, NewAlias, Mailq, Daemon, User, FlushQ, Ignore };

// mail_run_replace(): becomes DIR/PROGRAM with the arguments.
[[noreturn]] void runReplace(const std::string& dir, std::vector<std::string> args) {
    std::string path = dir + "/" + args[0];
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    ::execv(path.c_str(), argv.data());
    fatal(kExTempFail, "execv " + path + ": " + std::strerror(errno));
}

// Our postdrop sits next to this program; an installed one in command_directory.
// A Postline program beside this one (build/bin/NAME), or under ../libexec for a daemon,
// before the one in `fallbackDir` (command_directory or daemon_directory): sendmail must
// hand over to Postline's own programs, not to another mail system's of the same name.
std::string ownProgram(const std::string& name, const std::string& fallbackDir, bool daemon) {
    char self[4096];
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        std::string dir(self, static_cast<size_t>(n));
        dir.erase(dir.rfind('/'));
        std::string candidate = daemon ? dir.substr(0, dir.rfind('/')) + "/libexec/" + name : dir + "/" + name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return fallbackDir + "/" + name;
}

std::string postdropPath(const std::string& commandDir) {
    char self[4096];
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        std::string dir(self, static_cast<size_t>(n));
        dir.erase(dir.rfind('/'));
        std::string candidate = dir + "/postdrop";
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return commandDir + "/postdrop";
}

// verp_delims_verify(): two characters, each from verp_delimiter_filter.
bool verpDelimsOk(std::string_view delims, std::string_view filter) {
    return delims.size() == 2 && filter.find(delims[0]) != std::string_view::npos &&
           filter.find(delims[1]) != std::string_view::npos;
}

bool allPrint(std::string_view text) {
    if (text.empty()) return false;
    for (char c : text)
        if (!std::isprint(static_cast<unsigned char>(c))) return false;
    return true;
}

}  // namespace
}  // namespace sendmail

int runSendmail(int argc, char** argv) {
    using namespace sendmail;
    ::umask(022);
    for (int fd = 0; fd < 3; ++fd) {
        struct stat st {};
        if (::fstat(fd, &st) == -1 && (::close(fd), ::open("/dev/null", O_RDWR, 0)) != fd)
            fatal(kExOsErr, std::string("open /dev/null: ") + std::strerror(errno));
    }
    std::string name = argv[0];
    if (auto slash = name.rfind('/'); slash != std::string::npos && slash + 1 < name.size()) name.erase(0, slash + 1);
    base::setProgramName(name);
    std::vector<std::string> args(argv, argv + argc);
    args[0] = name;
    // getopt() works on a mutable argv that -V rewrites.
    std::vector<char*> av;
    for (auto& arg : args) av.push_back(arg.data());
    av.push_back(nullptr);
    std::string xv = "-XV";
    std::vector<std::string> rewritten;
    rewritten.reserve(static_cast<size_t>(argc));
    static const char* kOpts = "+A:B:C:F:GIL:N:O:R:UV:X:b:ce:f:h:imno:p:r:q:tvx";
    auto optIndex = [] { return optind > 0 ? optind : 1; };

    // Pre-scan for -C so the right main.cf is read before the options that need it.
    opterr = 1;
    optind = 1;
    while (av[optIndex()] != nullptr) {
        if (std::strcmp(av[optIndex()], "-q") == 0) {
            optind = optIndex() + 1;
            continue;
        }
        int c = ::getopt(argc, av.data(), kOpts);
        if (c <= 0) break;
        if (c == 'C') {
            std::string dir = optarg;
            if (auto slash = dir.rfind('/'); slash != std::string::npos && dir.substr(slash + 1) == "main.cf")
                dir.erase(slash == 0 ? 1 : slash);
            else if (dir == "main.cf")
                dir = ".";
            ::setenv("MAIL_CONFIG", dir.c_str(), 1);
        }
    }
    auto config = config::Config::load(config::defaultConfigDirectory());
    if (!config) fatal(kExTempFail, config.error().message);
    for (const auto& warning : config->loadWarnings()) base::msgWarn(warning);
    base::setMsgUtf8(config->getBool("smtputf8_enable"));  // mail_params_init(): util_utf8_enable
    std::string queueDir = config->get("queue_directory");
    if (::chdir(queueDir.c_str()) != 0) fatal(kExUnavailable, "chdir " + queueDir + ": " + std::strerror(errno));
    std::signal(SIGPIPE, SIG_IGN);

    Mode mode = name == "mailq"        ? Mode::Mailq
                : name == "newaliases" ? Mode::NewAlias
                : name == "smtpd"      ? Mode::Daemon
                                       : Mode::Enqueue;
    EnqueueRequest request;
    int verbose = 0;
    bool userVerify = false;
    const char* qtime = nullptr;
    const char* siteToFlush = nullptr;
    const char* idToFlush = nullptr;
    const char* aliasMapFromArgs = nullptr;
    std::string verpDefault = config->get("default_verp_delimiters");
    std::string verpFilter = config->get("verp_delimiter_filter");

    optind = 1;
    while (av[optIndex()] != nullptr) {
        int i = optIndex();
        if (std::strcmp(av[i], "-q") == 0) {
            if (mode == Mode::Daemon)
                base::msgWarn("ignoring -q option in daemon mode");
            else
                mode = Mode::FlushQ;
            optind = i + 1;
            continue;
        }
        if (std::strcmp(av[i], "-V") == 0 && av[i + 1] != nullptr && std::strlen(av[i + 1]) == 2) {
            base::msgWarn("option -V is deprecated with Postfix 2.3; specify -XV instead");
            av[i] = xv.data();
        }
        if (std::strncmp(av[i], "-V", 2) == 0 && std::strlen(av[i]) == 4) {
            base::msgWarn(std::string("option ") + av[i] + " is deprecated with Postfix 2.3; specify -X" + (av[i] + 1) +
                          " instead");
            rewritten.push_back(std::string("-X") + (av[i] + 1));
            av[i] = rewritten.back().data();
        }
        if (std::strcmp(av[i], "-XV") == 0) {
            request.verpDelims = verpDefault.c_str();
            optind = i + 1;
            continue;
        }
        int c = ::getopt(argc, av.data(), kOpts);
        if (c <= 0) break;
        switch (c) {
            default:
                if (verbose) base::msgInfo(std::string("-") + static_cast<char>(c) + " option ignored");
                break;
            case 'n':
                fatal(kExUsage, std::string("-") + static_cast<char>(c) + " option not supported");
            case 'B':
                if (std::strcmp(optarg, "8BITMIME") == 0)
                    request.encoding = "8bit";
                else if (std::strcmp(optarg, "7BIT") == 0)
                    request.encoding = "7bit";
                else
                    fatal(kExUsage, "-B option needs 8BITMIME or 7BIT");
                break;
            case 'F':
                request.fullName = optarg;
                break;
            case 'G':
                request.rewriteContext = "remote";
                break;
            case 'I':
                mode = Mode::NewAlias;
                break;
            case 'N':
                if ((request.dsnNotify = queue::dsnNotifyMask(optarg, nullptr)) == 0) {
                    std::string warning;
                    (void)queue::dsnNotifyMask(optarg, &warning);
                    if (!warning.empty()) base::msgWarn(warning);
                    base::msgWarn("bad -N option value -- ignored");
                }
                break;
            case 'R':
                if ((request.dsnRet = queue::dsnRetCode(optarg)) == 0) base::msgWarn("bad -R option value -- ignored");
                break;
            case 'V':
                if (std::strlen(optarg) > 100)
                    base::msgWarn("too long -V option value -- ignored");
                else if (!allPrint(optarg))
                    base::msgWarn("bad syntax in -V option value -- ignored");
                else {
                    request.dsnEnvid = optarg;
                    request.haveDsnEnvid = true;
                }
                break;
            case 'X':
                if (*optarg != 'V') fatal(kExUsage, std::string("unsupported: -X") + *optarg);
                if (!verpDelimsOk(optarg + 1, verpFilter))
                    fatal(kExUsage, "-V requires two characters from " + verpFilter);
                request.verpDelims = optarg + 1;
                break;
            case 'b':
                switch (*optarg) {
                    default:
                        fatal(kExUsage, std::string("unsupported: -b") + *optarg);
                    case 'd':
                    case 'l':
                        if (mode == Mode::FlushQ) base::msgWarn("ignoring -q option in daemon mode");
                        mode = Mode::Daemon;
                        break;
                    case 'h':
                    case 'H':
                        mode = Mode::Ignore;
                        break;
                    case 'i':
                        mode = Mode::NewAlias;
                        break;
                    case 'm':
                        mode = Mode::Enqueue;
                        break;
                    case 'p':
                        mode = Mode::Mailq;
                        break;
                    case 's':
                        mode = Mode::User;
                        break;
                    case 'v':
                        userVerify = true;
                        break;
                }
                break;
            case 'f':
            case 'r':
                request.sender = optarg;
                break;
            case 'i':
                request.dotEndsMessage = false;
                break;
            case 'o':
                switch (*optarg) {
                    default:
                        if (verbose) base::msgInfo(std::string("-o") + *optarg + " option ignored");
                        break;
                    case 'A':
                        if (optarg[1] == 0) fatal(kExUsage, "-oA requires pathname");
                        aliasMapFromArgs = optarg + 1;
                        break;
                    case 'i':
                        request.dotEndsMessage = false;
                        break;
                }
                break;
            case 'q':
                if (std::isdigit(static_cast<unsigned char>(optarg[0]))) {
                    qtime = optarg;
                } else if (optarg[0] == 'R') {
                    siteToFlush = optarg + 1;
                    if (*siteToFlush == 0) fatal(kExUsage, "specify: -qRsitename");
                } else if (optarg[0] == 'I') {
                    idToFlush = optarg + 1;
                    if (*idToFlush == 0) fatal(kExUsage, "specify: -qIqueueid");
                } else {
                    fatal(kExUsage, std::string("-q") + optarg[0] + " is not implemented");
                }
                break;
            case 't':
                request.extractRecipients = true;
                break;
            case 'v':
                ++verbose;
                break;
            case '?':
                fatal(kExUsage, "usage: " + name + " [options]");
        }
    }
    if (request.extractRecipients && mode != Mode::Enqueue) fatal(kExUsage, "-t can be used only in delivery mode");
    if (siteToFlush && mode != Mode::Enqueue) fatal(kExUsage, "-qR can be used only in delivery mode");
    if (idToFlush && mode != Mode::Enqueue) fatal(kExUsage, "-qI can be used only in delivery mode");
    if (userVerify) {
        request.traceFlags |= queue::kTraceUserVerify;
        if (request.extractRecipients) fatal(kExUsage, "-t option cannot be used with -bv");
        if (request.dsnNotify) fatal(kExUsage, "-N option cannot be used with -bv");
        if (request.dsnRet) fatal(kExUsage, "-R option cannot be used with -bv");
        if (verbose == 1) fatal(kExUsage, "-v option cannot be used with -bv");
    }
    // One -v asks for a delivery report; more make the programs verbose.
    if (verbose == 1 && mode == Mode::Enqueue) {
        verbose = 0;
        request.traceFlags |= queue::kTraceRecord;
    }
    base::setVerbose(verbose);
    if (qtime && mode != Mode::Daemon) return 0;

    std::string commandDir = config->get("command_directory");
    bool recipientsGiven = av[optIndex()] != nullptr;
    auto withVerbose = [&](std::vector<std::string> head) {
        for (int n = 0; n < verbose; ++n) head.push_back("-v");
        return head;
    };
    switch (mode) {
        case Mode::Enqueue:
            if (siteToFlush) {
                if (recipientsGiven) fatal(kExUsage, "flush site requires no recipient");
                runReplace(commandDir, withVerbose({"postqueue", "-s", siteToFlush}));
            }
            if (idToFlush) {
                if (recipientsGiven) fatal(kExUsage, "flush queue_id requires no recipient");
                runReplace(commandDir, withVerbose({"postqueue", "-i", idToFlush}));
            }
            for (int i = optIndex(); av[i] != nullptr; ++i) request.recipients.emplace_back(av[i]);
            request.verbose = verbose;
            request.postdropCommand = postdropPath(commandDir);
            request.lineLimit = static_cast<size_t>(config->getLong("line_length_limit"));
            request.headerLimit = static_cast<size_t>(config->getLong("header_size_limit"));
            request.fixLineEndings = config->get("sendmail_fix_line_endings");
            request.submitAcl = config->get("authorized_submit_users");
            enqueue(request);
            return 0;
        case Mode::Mailq:
            if (recipientsGiven) fatal(kExUsage, "display queue mode requires no recipient");
            runReplace(commandDir, withVerbose({"postqueue", "-p"}));
        case Mode::FlushQ:
            if (recipientsGiven) fatal(kExUsage, "flush queue mode requires no recipient");
            runReplace(commandDir, withVerbose({"postqueue", "-f"}));
        case Mode::Daemon: {
            // -bd, -bl: "postfix start" in the background; its status is not waited for.
            if (recipientsGiven) fatal(kExUsage, "daemon mode requires no recipient");
            std::vector<std::string> args = withVerbose({ownProgram("postfix", commandDir, false)});
            args.push_back("start");
            pid_t pid = ::fork();
            if (pid < 0) fatal(kExTempFail, std::string("fork: ") + std::strerror(errno));
            if (pid == 0) {
                std::vector<char*> argv;
                for (auto& arg : args) argv.push_back(arg.data());
                argv.push_back(nullptr);
                ::execv(argv[0], argv.data());
                _exit(kExTempFail);
            }
            return 0;
        }
        case Mode::NewAlias: {
            if (recipientsGiven) fatal(kExUsage, "alias initialization mode requires no recipient");
            std::string maps = config->get("alias_database");
            if (!aliasMapFromArgs && maps.empty()) return 0;
            auto command = withVerbose({"postalias"});
            command.push_back("--");
            if (aliasMapFromArgs) {
                command.push_back(aliasMapFromArgs);
            } else {
                size_t pos = 0;
                constexpr std::string_view kSeparators = ", \t\r\n";
                while ((pos = maps.find_first_not_of(kSeparators, pos)) != std::string::npos) {
                    size_t end = maps.find_first_of(kSeparators, pos);
                    command.push_back(maps.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
                    pos = end;
                }
            }
            runReplace(commandDir, command);
        }
        case Mode::User: {
            // -bs: smtpd in stand-alone mode on this process's stdin and stdout, after
            // the submission check (postdrop enforces it for the other modes).
            if (recipientsGiven) fatal(kExUsage, "stand-alone mode requires no recipient");
            uid_t uid = ::getuid();
            auto denied =
                address::userAclDenies("authorized_submit_users", config->get("authorized_submit_users"), uid);
            if (!denied) fatal(kExTempFail, denied.error().message);
            if (*denied)
                fatal(kExNoPerm, "User " + **denied + "(" + std::to_string(uid) + ") is not allowed to submit mail");
            std::string smtpd = ownProgram("smtpd", config->get("daemon_directory"), true);
            std::vector<std::string> args = withVerbose({smtpd, "-S"});
            std::vector<char*> argv;
            for (auto& arg : args) argv.push_back(arg.data());
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            fatal(kExTempFail, "execv " + smtpd + ": " + std::strerror(errno));
        }
        case Mode::Ignore:
            return 0;
    }
    return 0;
}

}  // namespace postline::tools
