// postqueue(1) and mailq(1) after Postfix 3.7's postqueue/postqueue.c. The listing
// (-p, -j) comes from the showq service's stream (Postfix's or ours); with the mail
// system down, root reads the queue directory itself through lib/queue's showq scan,
// the walk Postfix's postqueue runs a stand-alone showq for. -f triggers the queue
// manager and pickup as Postfix's does; -s and -i ask the flush service in its
// protocol (lib/queue's attribute protocol), as Postfix's flush client does.
#include "postqueue.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "postline/address/match_list.h"
#include "postline/address/resolve.h"
#include "postline/address/tokens.h"
#include "postline/address/user_acl.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/config/compat_level.h"
#include "postline/config/config.h"
#include "postline/config/config_dir_check.h"
#include "postline/config/import_environment.h"
#include "postline/queue/attr_stream.h"
#include "postline/queue/queue_path.h"
#include "postline/queue/showq.h"
#include "postline/queue/showq_protocol.h"

extern char** environ;

namespace postline::tools {
namespace {

constexpr int kExUnavailable = 69;
constexpr int kExTempFail = 75;

// Postfix's postqueue installs a run-time error handler (msg_cleanup(unavailable)) that
// exits with EX_UNAVAILABLE before msg_fatal_status() can use its own status: every
// fatal error ends with 69.
[[noreturn]] void fatal(std::string_view text, int status = kExUnavailable) {
    std::string line = base::formatMsg(base::Severity::Fatal, text);
    line.push_back('\n');
    ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
    (void)ignored;
    std::exit(status);
}

void writeOut(std::string_view text) {
    size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(STDOUT_FILENO, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            // A reader that went away (mailq | head) is not an error.
            if (errno == EPIPE) std::exit(0);
            fatal(base::cat("output write error: ", std::strerror(errno)));
        }
        done += static_cast<size_t>(n);
    }
}

[[noreturn]] void usage() {
    fatal("usage: postqueue -f | postqueue -i queueid | postqueue -j | postqueue -p | postqueue -s site");
}

// mail_connect(MAIL_CLASS_PUBLIC, SERVICE): a UNIX-domain socket under public/,
// relative to the queue directory. Returns the descriptor, or -1 with errno.
int connectPublic(const std::string& service) {
    std::string path = "public/" + service;
    struct sockaddr_un sun {};
    sun.sun_family = AF_UNIX;
    if (path.size() >= sizeof sun.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    std::memcpy(sun.sun_path, path.c_str(), path.size() + 1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    if (::connect(fd, reinterpret_cast<struct sockaddr*>(&sun), sizeof sun) < 0) {
        int saved = errno;
        ::close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

// mail_trigger(): a few request bytes to a public fifo or socket; -1 when the service
// cannot be reached (its warning only for a path that is missing or of the wrong kind).
int mailTrigger(const std::string& service, std::string_view request) {
    std::string path = "public/" + service;
    struct stat st;
    if (::stat(path.c_str(), &st) < 0) {
        base::msgWarn(base::cat("unable to look up ", path, ": ", std::strerror(errno)));
        return -1;
    }
    int fd = -1;
    if (S_ISFIFO(st.st_mode)) {
        fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK);
    } else if (S_ISSOCK(st.st_mode)) {
        fd = connectPublic(service);
    } else {
        base::msgWarn(base::cat(path, " is not a socket or a fifo"));
        return -1;
    }
    if (fd < 0) return -1;
    ssize_t n = ::write(fd, request.data(), request.size());
    ::close(fd);
    return n == static_cast<ssize_t>(request.size()) ? 0 : -1;
}

struct Settings {
    std::string mailName;
    std::string showqService;
    std::string queueService;
    std::string pickupService;
    std::string flushService;
    std::string mailqAcl;  // authorized_mailq_users
    std::string flushAcl;  // authorized_flush_users
    uid_t ownerUid = 0;    // mail_owner's uid (-1 when it has no password entry)
    bool longIds = false;
    queue::ShowqOptions showq;
};

// The access check that opens show_queue(), flush_queue(), flush_site() and
// flush_file(): root and mail_owner pass; everyone else needs the list's consent.
void checkAcl(const Settings& settings, const char* parameter, const std::string& acl, const char* what) {
    uid_t uid = ::getuid();
    if (uid == 0 || uid == settings.ownerUid) return;
    auto denied = address::userAclDenies(parameter, acl, uid);
    if (!denied) fatal(denied.error().message);
    if (*denied)
        fatal(base::cat("User ", **denied, "(", std::to_string(static_cast<long>(uid)), ") is not allowed to ", what));
}

// The listing printer shared by both sources: mailq's table or JSON lines, one queue
// file at a time, then the table's summary.
class ListingPrinter {
public:
    ListingPrinter(const Settings& settings, bool json) : settings_(settings), json_(json) {}
    void file(const queue::ShowqEntry& entry) {
        if (json_) {
            writeOut(queue::showqJsonLine(entry, settings_.showq.utf8));
            return;
        }
        std::string text = count_ > 0 ? "\n" : queue::showqCompatHeading(settings_.longIds);
        text += queue::showqCompatEntry(entry, settings_.longIds);
        writeOut(text);
        total_ += static_cast<unsigned long>(entry.size);
        ++count_;
    }
    void end() {
        if (!json_) writeOut(queue::showqCompatSummary(count_, total_));
    }

private:
    const Settings& settings_;
    bool json_;
    unsigned long count_ = 0;
    unsigned long total_ = 0;
};

// showq_client(): the listing as the showq service streams it.
void showFromService(const Settings& settings, int fd, bool json) {
    queue::ShowqReader reader(fd, settings.showq.utf8);
    if (auto hello = reader.readHello(); !hello) fatal(hello.error().message);
    ListingPrinter printer(settings, json);
    for (;;) {
        queue::ShowqEntry entry;
        auto more = reader.next(entry);
        if (!more) fatal(more.error().message);
        if (!*more) break;
        printer.file(entry);
    }
    printer.end();
}

// show_queue(): the listing from the showq service; when the mail system is down, root
// reads the queue directory itself (Postfix's postqueue runs "showq -u -S" for that,
// which does the same walk), anyone else gives up.
void showQueue(const Settings& settings, bool json) {
    checkAcl(settings, "authorized_mailq_users", settings.mailqAcl, "view the mail queue");
    int fd = connectPublic(settings.showqService);
    if (fd >= 0) {
        showFromService(settings, fd, json);
        ::close(fd);
        return;
    }
    if (errno == EACCES || errno == EPERM) {
        fatal(base::cat("Connect to the ", settings.mailName, " ", settings.showqService,
                        " service: ", std::strerror(errno)));
    } else if (::geteuid() == 0) {
        base::msgWarn(base::cat("Mail system is down -- accessing queue directly (Connect to the ", settings.mailName,
                                " ", settings.showqService, " service: ", std::strerror(errno), ")"));
    } else {
        fatal(base::cat("Queue report unavailable - mail system is down (Connect to the ", settings.mailName, " ",
                        settings.showqService, " service: ", std::strerror(errno), ")"));
    }
    ListingPrinter printer(settings, json);
    auto status = queue::scanShowq(settings.showq, [&](const queue::ShowqEntry& entry) { printer.file(entry); });
    if (!status) {
        // Postfix's stand-alone showq dies on this (its fatal goes to the mail log), and
        // postqueue finds the listing cut short.
        fatal("malformed showq server response");
    }
    printer.end();
}

// flush_queue(): wake the queue manager (flush dead destinations, scan everything,
// deferred and incoming) and pickup.
void flushQueue(const Settings& settings) {
    checkAcl(settings, "authorized_flush_users", settings.flushAcl, "flush the mail queue");
    if (mailTrigger(settings.queueService, "FADI") < 0) fatal("Cannot flush mail queue - mail system is down");
    if (mailTrigger(settings.pickupService, "W") < 0) fatal("Cannot flush mail queue - mail system is down");
}

// mail_command_client(): one request to public/SERVICE, which announces `protocol`; the
// status it answers, or -1 (FLUSH_STAT_FAIL) with Postfix's warning for the stage that
// failed.
int commandClient(const std::string& service, std::string_view protocol,
                  const std::vector<std::pair<std::string, std::string>>& request) {
    std::string path = "public/" + service;
    int fd = connectPublic(service);
    if (fd < 0) {
        base::msgWarn(base::cat("connect to ", path, ": ", std::strerror(errno)));
        return -1;
    }
    std::string pending;
    int status = -1;
    auto hello = queue::attr::readGroup(fd, pending);
    if (!hello || !queue::attr::expectExactly(*hello, {"protocol"}) || hello->front().second != protocol) {
        base::msgWarn(base::cat("read ", path, ": ", hello ? "protocol mismatch" : hello.error().message));
    } else {
        std::string out;
        for (const auto& [name, value] : request) queue::attr::append(out, name, value);
        queue::attr::appendEnd(out);
        if (auto written = queue::attr::writeAll(fd, out); !written) {
            base::msgWarn(base::cat("write ", path, ": ", written.error().message));
        } else if (auto reply = queue::attr::readGroup(fd, pending);
                   !reply || !queue::attr::expectExactly(*reply, {"status"})) {
            base::msgWarn(base::cat("write/read ", path, ": ", reply ? "malformed reply" : reply.error().message));
        } else {
            status = std::atoi(reply->front().second.c_str());
        }
    }
    ::close(fd);
    return status;
}

// The flush service's statuses (flush_clnt.h).
constexpr int kFlushFail = -1;
constexpr int kFlushOk = 0;
constexpr int kFlushBad = 3;
constexpr int kFlushDeny = 4;

// flush_site() with flush_send_site(): only a site in fast_flush_domains is asked for;
// another is denied without a word to the service, a list that fails is a failure.
void flushSite(const Settings& settings, const config::Config& config, const std::string& site) {
    checkAcl(settings, "authorized_flush_users", settings.flushAcl, "flush the mail queue");
    auto domains = address::MatchList::fromParameter(config, "fast_flush_domains", address::MatchKind::Host);
    auto match = domains.match(site);
    int status = match.matched ? commandClient(settings.flushService, "queue_flush_protocol",
                                               {{"request", "send_site"}, {"site", site}})
                 : match.error ? kFlushFail
                               : kFlushDeny;
    switch (status) {
        case kFlushOk:
            std::exit(0);
        case kFlushBad:
            fatal(base::cat("Invalid request: \"", site, "\""));
        case kFlushFail:
            fatal("Cannot flush mail queue - mail system is down");
        case kFlushDeny:
            fatal(base::cat("Flush service is not configured for destination \"", site, "\""));
        default:
            fatal(base::cat("Unknown flush server reply status ", std::to_string(status)));
    }
}

// flush_file() with flush_send_file().
void flushFile(const Settings& settings, const std::string& id) {
    checkAcl(settings, "authorized_flush_users", settings.flushAcl, "flush the mail queue");
    int status =
        commandClient(settings.flushService, "queue_flush_protocol", {{"request", "send_file"}, {"queue_id", id}});
    switch (status) {
        case kFlushOk:
            std::exit(0);
        case kFlushBad:
            fatal(base::cat("Invalid request: \"", id, "\""));
        case kFlushFail:
            fatal("Cannot flush mail queue - mail system is down");
        default:
            fatal(base::cat("Unknown flush server reply status ", std::to_string(status)));
    }
}

int run(int argc, char** argv, const char* forcedMode) {
    ::umask(022);
    for (int fd = 0; fd < 3; ++fd) {
        struct stat st;
        if (::fstat(fd, &st) == -1 && (::close(fd), ::open("/dev/null", O_RDWR, 0)) != fd)
            fatal(base::cat("open /dev/null: ", std::strerror(errno)));
    }
    // The process name is censored: it comes from the user.
    base::setProgramNameVerbatim("postqueue");

    enum class Mode { Default, Mailq, Json, FlushQueue, FlushSite, FlushFile } mode = Mode::Default;
    std::string site;
    std::string id;
    int verbose = 0;
    if (forcedMode != nullptr) {
        mode = std::string_view(forcedMode) == "-f" ? Mode::FlushQueue : Mode::Mailq;
    } else {
        // getopt() names the program from argv[0], which Postfix censors too.
        std::string name = "postqueue";
        argv[0] = name.data();
        optind = 0;
        int c;
        while ((c = ::getopt(argc, argv, "c:fi:jps:v")) > 0) {
            auto setMode = [&](Mode m) {
                if (mode != Mode::Default) usage();
                mode = m;
            };
            switch (c) {
                case 'c':
                    if (::setenv("MAIL_CONFIG", optarg, 1) < 0) fatal("out of memory");
                    break;
                case 'f':
                    setMode(Mode::FlushQueue);
                    break;
                case 'i':
                    setMode(Mode::FlushFile);
                    id = optarg;
                    break;
                case 'j':
                    setMode(Mode::Json);
                    break;
                case 'p':
                    setMode(Mode::Mailq);
                    break;
                case 's':
                    setMode(Mode::FlushSite);
                    site = optarg;
                    break;
                case 'v':
                    if (::geteuid() == 0) base::setVerbose(++verbose);
                    break;
                default:
                    usage();
            }
        }
        if (argc > optind) usage();
    }

    // A set-gid install reads only the configuration directories the default main.cf blesses.
    if (auto trusted = config::checkConfigDirectoryIfUnsafe(config::defaultConfigDirectory()); !trusted)
        fatal(trusted.error().message);
    auto config = config::Config::load(config::defaultConfigDirectory());
    if (!config) fatal(config.error().message);
    for (const auto& warning : config->loadWarnings()) base::msgWarn(warning);
    if (auto compat = config::checkCompatibilityLevel(*config); !compat) fatal(compat.error().message);

    Settings settings;
    settings.mailName = config->get("mail_name");
    settings.showqService = config->get("showq_service_name");
    settings.queueService = config->get("queue_service_name");
    settings.pickupService = config->get("pickup_service_name");
    settings.flushService = config->get("flush_service_name");
    settings.mailqAcl = config->get("authorized_mailq_users");
    settings.flushAcl = config->get("authorized_flush_users");
    const struct passwd* owner = ::getpwnam(config->get("mail_owner").c_str());
    settings.ownerUid = owner ? owner->pw_uid : static_cast<uid_t>(-1);
    settings.longIds = config->getBool("enable_long_queue_ids");
    settings.showq.layout =
        queue::queueLayout(config->get("hash_queue_names"), static_cast<int>(config->getLong("hash_queue_depth")));
    settings.showq.emptyAddress = config->get("empty_address_recipient");
    settings.showq.utf8 = config->getBool("smtputf8_enable");
    settings.showq.dupFilterLimit = config->getLong("duplicate_filter_limit");
    settings.showq.quoteLocal = [](std::string_view address) { return address::quoteLocalPart(address); };
    settings.showq.warn = [](std::string_view text) { base::msgWarn(text); };
    base::setMsgUtf8(settings.showq.utf8);

    config::cleanEnvironment(config->get("import_environment"));
    std::string queueDir = config->get("queue_directory");
    if (::chdir(queueDir.c_str()) != 0) fatal(base::cat("chdir ", queueDir, ": ", std::strerror(errno)));
    std::signal(SIGPIPE, SIG_IGN);

    if (mode == Mode::FlushSite) {
        bool bad = site.starts_with('[') ? !address::validHostLiteral(site) : !address::validHostname(site);
        if (bad)
            fatal(base::cat("Cannot flush mail queue - invalid destination: \"", std::string_view(site).substr(0, 100),
                            site.size() > 100 ? "..." : "", "\""),
                  kExUnavailable);
    }
    if (mode == Mode::FlushFile && !queue::queueIdOk(id))
        fatal(base::cat("Cannot flush queue ID - invalid name: \"", std::string_view(id).substr(0, 100),
                        id.size() > 100 ? "..." : "", "\""),
              kExUnavailable);

    switch (mode) {
        case Mode::Mailq:
        case Mode::Json:
            showQueue(settings, mode == Mode::Json);
            return 0;
        case Mode::FlushQueue:
            flushQueue(settings);
            return 0;
        case Mode::FlushSite:
            flushSite(settings, *config, site);
            return 0;
        case Mode::FlushFile:
            flushFile(settings, id);
            return 0;
        case Mode::Default:
            usage();
    }
    return 0;
}

}  // namespace

int runPostqueue(int argc, char** argv) { return run(argc, argv, nullptr); }

int runMailq(int argc, char** argv) {
    // Postfix's mailq is its sendmail, which reads its options (twice: a first pass
    // finds -C, so invalid ones are reported twice), then hands over to postqueue -p, or
    // postqueue -f with -q.
    base::setProgramNameVerbatim("mailq");
    static const char* kSendmailOptions = "+A:B:C:F:GIL:N:O:R:UV:X:b:ce:f:h:imno:p:r:q:tvx";
    std::vector<std::string> args(argv, argv + argc);
    args[0] = "mailq";
    std::vector<char*> av;
    for (auto& arg : args) av.push_back(arg.data());
    av.push_back(nullptr);
    bool flush = false;
    for (int pass = 0; pass < 2; ++pass) {
        optind = 0;
        opterr = 1;
        int c;
        for (;;) {
            // A bare "-q" (flush) is taken before getopt(), as sendmail does: getopt()
            // would want its argument.
            int at = optind > 0 ? optind : 1;
            if (at < argc && std::strcmp(av[static_cast<size_t>(at)], "-q") == 0) {
                optind = at + 1;
                if (pass == 1) flush = true;
                continue;
            }
            if ((c = ::getopt(argc, av.data(), kSendmailOptions)) <= 0) break;
            if (c == '?') {
                if (pass == 1) fatal("usage: mailq [options]", kExTempFail);
                continue;
            }
            if (pass == 0 && c == 'C') {
                std::string dir = optarg;
                if (auto slash = dir.rfind('/'); slash != std::string::npos && dir.substr(slash + 1) == "main.cf")
                    dir.erase(slash == 0 ? 1 : slash);
                else if (dir == "main.cf")
                    dir = ".";
                // sendmail -C: anyone but root names only a blessed directory.
                if (dir != "/etc/postfix" && ::geteuid() != 0)
                    if (auto trusted = config::checkConfigDirectory(dir); !trusted)
                        fatal(trusted.error().message, kExTempFail);
                ::setenv("MAIL_CONFIG", dir.c_str(), 1);
            }
            if (pass == 1 && c == 'q') flush = true;
        }
    }
    if (optind < argc)
        fatal(flush ? "flush queue mode requires no recipient" : "display queue mode requires no recipient",
              kExTempFail);
    return run(argc, argv, flush ? "-f" : "-p");
}

}  // namespace postline::tools
