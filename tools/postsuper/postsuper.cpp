// postsuper(1) after Postfix 3.7's postsuper/postsuper.c: the options are read first,
// the repairs (-s, -S, -p, or no option at all) run over the queues before anything
// else, then the operations by queue id and by ALL run in the order given, and the
// counts are reported at the end. The work itself is lib/queue's Superintendent.
#include "postsuper.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/config/compat_level.h"
#include "postline/config/config.h"
#include "postline/config/import_environment.h"
#include "postline/queue/superintendent.h"

namespace postline::tools {
namespace {

namespace super = queue::super;

// What interrupted() and the fatal-error clean-up look at: the counts of the work
// under way, which say whether a repair is half done, so that the operator knows to
// run postsuper again. Plain ints, read by a signal handler that ends the process.
const queue::SuperCounts* g_counts = nullptr;

void warnIncomplete() {
    if (std::signal(SIGINT, SIG_IGN) != SIG_IGN) {
        std::signal(SIGQUIT, SIG_IGN);
        std::signal(SIGTERM, SIG_IGN);
        std::signal(SIGHUP, SIG_IGN);
        if (g_counts && (g_counts->inodeMismatch > 0 || g_counts->inodeFixed > 0 || g_counts->positionMismatch > 0)) {
            static constexpr char kText[] = "OPERATION INCOMPLETE -- RERUN COMMAND TO FIX THE QUEUE FIRST";
            base::msgWarn(kText);
        }
    }
}

extern "C" void onSignal(int sig) {
    warnIncomplete();
    _exit(sig);
}

[[noreturn]] void fatal(std::string_view text) {
    // msgFatal() ends the process; the warning must come after its message, as
    // Postfix's msg_cleanup() hook prints it.
    base::setMsgSink([previous = base::msgSink()](base::Severity severity, std::string_view line) {
        if (previous)
            previous(severity, line);
        else
            std::fputs((base::formatMsg(severity, line) + "\n").c_str(), stderr);
        if (severity == base::Severity::Fatal) {
            std::fflush(stderr);
            base::setMsgSink(previous);
            warnIncomplete();
        }
    });
    base::msgFatal(text);
}

void fatalOnError(const base::Status& status) {
    if (!status) fatal(status.error().message);
}

// set_ugid(): the spool is changed with the mail system owner's privileges, as the
// daemons change it, so that new subdirectories get the right owner and a
// compromised spool cannot lead root elsewhere.
void becomeOwner(const config::Config& config) {
    std::string owner = config.get("mail_owner");
    struct passwd* pw = ::getpwnam(owner.c_str());
    if (!pw)
        fatal(base::cat("file ", config::defaultConfigDirectory(),
                        "/main.cf: parameter mail_owner: unknown user name value: ", owner));
    if (::setgid(pw->pw_gid) < 0) fatal(base::cat("setgid(", std::to_string(pw->pw_gid), "): ", std::strerror(errno)));
    gid_t gid = pw->pw_gid;
    if (::setgroups(1, &gid) < 0) fatal(base::cat("setgroups(1, &", std::to_string(gid), "): ", std::strerror(errno)));
    if (::setuid(pw->pw_uid) < 0) fatal(base::cat("setuid(", std::to_string(pw->pw_uid), "): ", std::strerror(errno)));
}

// vstring_get_nonl() over stdin: lines without their newline, the last one too.
template <class F>
void forEachStdinLine(F&& operate) {
    std::string line;
    int c;
    bool any = false;
    while ((c = std::getchar()) != EOF) {
        any = true;
        if (c == '\n') {
            operate(line);
            line.clear();
            any = false;
        } else {
            line.push_back(static_cast<char>(c));
        }
    }
    if (any) operate(line);
}

void report(std::string_view what, int count) {
    base::msgInfo(base::cat(what, ": ", std::to_string(count), " message", count != 1 ? "s" : ""));
}

}  // namespace

int runPostsuper(int argc, char** argv) {
    ::umask(022);
    // The standard descriptors are open before anything else is.
    for (int fd = 0; fd < 3; ++fd) {
        struct stat st;
        if (::fstat(fd, &st) == -1 && (::close(fd), ::open("/dev/null", O_RDWR, 0)) != fd)
            base::msgFatal(base::cat("open /dev/null: ", std::strerror(errno)));
    }
    if (const char* verbose = std::getenv("MAIL_VERBOSE"); verbose && *verbose) base::setVerbose(1);
    // Messages start with the program's base name (getopt's own ones too).
    if (const char* slash = std::strrchr(argv[0], '/'); slash && slash[1]) argv[0] = const_cast<char*>(slash + 1);
    base::setProgramName(argv[0]);

    if (::getuid() != 0) base::msgFatal("use of this command is reserved for the superuser");

    // The options are collected first and acted upon later, in the order given.
    std::vector<std::pair<int, std::string>> steps;
    int action = 0;
    int verbose = base::verbose();
    auto oneOrAll = [](const char* arg, int all, int one) { return std::strcmp(arg, "ALL") == 0 ? all : one; };
    int c;
    while ((c = ::getopt(argc, argv, "+c:d:e:f:h:H:pr:sSv")) > 0) {
        switch (c) {
            case 'c':
                if (*optarg != '/') base::msgFatal("-c requires absolute pathname");
                if (::setenv("MAIL_CONFIG", optarg, 1) < 0) base::msgFatal(base::cat("setenv: ", std::strerror(errno)));
                break;
            case 'd':
                action |= oneOrAll(optarg, super::kDeleteAll, super::kDeleteOne);
                break;
            case 'e':
                action |= oneOrAll(optarg, super::kExpireAll, super::kExpireOne);
                break;
            case 'f':
                action |= oneOrAll(optarg, super::kExpRelAll, super::kExpRelOne);
                break;
            case 'h':
                action |= oneOrAll(optarg, super::kHoldAll, super::kHoldOne);
                break;
            case 'H':
                action |= oneOrAll(optarg, super::kReleaseAll, super::kReleaseOne);
                break;
            case 'p':
                action |= super::kPurge;
                break;
            case 'r':
                action |= oneOrAll(optarg, super::kRequeueAll, super::kRequeueOne);
                break;
            case 'S':
                action |= super::kStructRedundant | super::kStruct;
                break;
            case 's':
                action |= super::kStruct;
                break;
            case 'v':
                base::setVerbose(++verbose);
                break;
            default:
                base::msgFatal(base::cat("usage: ", argv[0],
                                         " [-c config_dir] [-d queue_id (delete)] [-e queue_id (expire)] [-f queue_id "
                                         "(expire and/or un-hold)] [-h queue_id (hold)] [-H queue_id (un-hold)] [-p "
                                         "(purge temporary files)] [-r queue_id (requeue)] [-s (structure fix)] [-S "
                                         "(redundant structure fix)][-v (verbose)] [queue...]"));
        }
        if (std::strchr("defhHr", c)) steps.emplace_back(c, optarg);
    }

    auto config = config::Config::load(config::defaultConfigDirectory());
    if (!config) base::msgFatal(config.error().message);
    for (const auto& warning : config->loadWarnings()) base::msgWarn(warning);
    base::setMsgUtf8(config->getBool("smtputf8_enable"));  // mail_params_init(): util_utf8_enable
    base::checkOrFatal(config::checkCompatibilityLevel(*config));
    config::applyImportEnvironment(config->get("import_environment"));
    std::string queueDir = config->get("queue_directory");
    if (::chdir(queueDir.c_str()) != 0) base::msgFatal(base::cat("chdir ", queueDir, ": ", std::strerror(errno)));
    becomeOwner(*config);

    // Signal handlers only now, with the owner's privileges; SIGTERM and SIGHUP stay
    // ignored when the parent ignored them.
    std::signal(SIGINT, onSignal);
    std::signal(SIGQUIT, onSignal);
    if (std::signal(SIGTERM, SIG_IGN) == SIG_DFL) std::signal(SIGTERM, onSignal);
    if (std::signal(SIGHUP, SIG_IGN) == SIG_DFL) std::signal(SIGHUP, onSignal);

    if (action == 0) action = super::kStruct | super::kPurge;
    std::vector<std::string> queues;
    for (int i = optind; i < argc; ++i) queues.emplace_back(argv[i]);
    if (queues.empty()) queues = queue::defaultSuperQueues();

    queue::Superintendent superintendent(config->get("hash_queue_names"),
                                         static_cast<int>(config->getLong("hash_queue_depth")),
                                         config->getBool("enable_long_queue_ids"));
    const auto& counts = superintendent.counts();
    g_counts = &counts;

    // Repairs first, so that files are where the other operations look; renamed
    // "NEWID#FIX" files need a second pass to lose their suffix.
    if (action & super::kForRepair) fatalOnError(superintendent.scan(queues, action & super::kForRepair));
    if (counts.inodeMismatch > 0) fatalOnError(superintendent.scan(queues, action & super::kForRepair));
    // A renamed file may now carry an id the operator meant for another message.
    if ((action & super::kByQueueId) && (counts.inodeMismatch > 0 || counts.inodeFixed > 0)) {
        base::msgError("QUEUE FILE NAMES WERE CHANGED TO MATCH INODE NUMBERS");
        fatal("CHECK YOUR QUEUE IDS AND RE-ISSUE THE COMMAND");
    }

    for (const auto& [option, arg] : steps) {
        using Operation = base::Status (queue::Superintendent::*)(const std::vector<std::string>&, std::string_view);
        Operation one = nullptr;
        int all = 0;
        switch (option) {
            case 'd':
                one = &queue::Superintendent::deleteOne, all = super::kDeleteAll;
                break;
            case 'e':
                one = &queue::Superintendent::expireOne, all = super::kExpireAll;
                break;
            case 'f':
                one = &queue::Superintendent::expireOne, all = super::kExpRelAll;
                break;
            case 'h':
                one = &queue::Superintendent::holdOne, all = super::kHoldAll;
                break;
            case 'H':
                one = &queue::Superintendent::releaseOne, all = super::kReleaseAll;
                break;
            default:
                one = &queue::Superintendent::requeueOne, all = super::kRequeueAll;
                break;
        }
        // -f is expire, then release from hold.
        auto operate = [&](std::string_view id) {
            fatalOnError((superintendent.*one)(queues, id));
            if (option == 'f') fatalOnError(superintendent.releaseOne(queues, id));
        };
        if (arg == "ALL")
            fatalOnError(superintendent.scan(queues, all));
        else if (arg == "-")
            forEachStdinLine(operate);
        else
            operate(arg);
    }

    if (action & (super::kRequeueOne | super::kRequeueAll)) report("Requeued", counts.requeued);
    if (action & (super::kDeleteOne | super::kDeleteAll)) report("Deleted", counts.deleted);
    if (action & (super::kExpireOne | super::kExpireAll | super::kExpRelOne | super::kExpRelAll))
        report("Force-expired", counts.expired);
    if (action & (super::kHoldOne | super::kHoldAll)) report("Placed on hold", counts.held);
    if (action & (super::kReleaseOne | super::kReleaseAll | super::kExpRelOne | super::kExpRelAll))
        report("Released from hold", counts.released);
    if (counts.inodeFixed > 0) report("Renamed to match inode number", counts.inodeFixed);
    if (counts.inodeMismatch > 0 || counts.inodeFixed > 0)
        base::msgWarn("QUEUE FILE NAMES WERE CHANGED TO MATCH INODE NUMBERS");
    return 0;
}

}  // namespace postline::tools
