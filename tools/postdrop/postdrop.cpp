// postdrop(1) after Postfix 3.7's postdrop/postdrop.c: the maildrop file is created
// first (its queue id goes to the caller at once), the caller's records are checked and
// copied behind a trusted arrival time record, and the file is marked complete, synced
// and announced to the pickup service. A fatal error or a signal removes the file.
#include "postdrop.h"

#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

#include "postline/address/user_acl.h"
#include "postline/base/msg.h"
#include "postline/config/config.h"
#include "postline/config/config_dir_check.h"
#include "postline/config/import_environment.h"
#include "postline/queue/input_stream.h"
#include "postline/queue/maildrop_file.h"
#include "postline/queue/postdrop_check.h"
#include "postline/queue/queue_path.h"
#include "postline/queue/record.h"
#include "postline/queue/record_type.h"

namespace postline::tools {
namespace {

// The unfinished file, removed on a fatal error or a signal (async-signal-safe: a
// fixed buffer and unlink()).
char g_path[4096];
volatile std::sig_atomic_t g_havePath = 0;

void removeUnfinished() {
    if (g_havePath) {
        g_havePath = 0;
        ::unlink(g_path);
    }
}

extern "C" void onSignal(int sig) {
    if (std::signal(SIGINT, SIG_IGN) != SIG_IGN) {
        std::signal(SIGQUIT, SIG_IGN);
        std::signal(SIGTERM, SIG_IGN);
        std::signal(SIGHUP, SIG_IGN);
        removeUnfinished();
        if (sig) _exit(sig);
    }
}

[[noreturn]] void fatal(const std::string& text) {
    removeUnfinished();
    base::msgFatal(text);
}

void warn(std::string_view text) { base::msgWarn(text); }

// attr_print0(): "name\0value\0" pairs and an empty name.
void printAttributes(std::initializer_list<std::pair<std::string_view, std::string>> attrs) {
    std::string out;
    for (const auto& [name, value] : attrs) {
        out.append(name);
        out.push_back('\0');
        out.append(value);
        out.push_back('\0');
    }
    out.push_back('\0');
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
}

}  // namespace

int runPostdrop(int argc, char** argv) {
    ::umask(022);
    base::setProgramName("postdrop");
    int verbose = 0;
    int c;
    while ((c = ::getopt(argc, argv, "+c:rv")) > 0) {
        switch (c) {
            case 'c':
                ::setenv("MAIL_CONFIG", optarg, 1);
                break;
            case 'r':  // forward compatibility
                break;
            case 'v':
                if (::geteuid() == 0) base::setVerbose(++verbose);
                break;
            default:
                base::msgFatal("usage: postdrop [-c config_dir] [-v]");
        }
    }
    // A set-gid install reads only the configuration directories the default main.cf blesses.
    if (auto trusted = config::checkConfigDirectoryIfUnsafe(config::defaultConfigDirectory()); !trusted)
        base::msgFatal(trusted.error().message);
    auto config = config::Config::load(config::defaultConfigDirectory());
    if (!config) base::msgFatal(config.error().message);
    for (const auto& warning : config->loadWarnings()) base::msgWarn(warning);
    base::setMsgUtf8(config->getBool("smtputf8_enable"));  // mail_params_init(): util_utf8_enable
    // Installed set-gid, postdrop keeps only the environment import_environment names.
    config::cleanEnvironment(config->get("import_environment"));
    std::string queueDir = config->get("queue_directory");
    if (::chdir(queueDir.c_str()) != 0) base::msgFatal("chdir " + queueDir + ": " + std::strerror(errno));
    if (verbose) base::msgInfo("chdir " + queueDir);

    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGXFSZ, SIG_IGN);
    std::signal(SIGINT, onSignal);
    std::signal(SIGQUIT, onSignal);
    if (std::signal(SIGTERM, SIG_IGN) == SIG_DFL) std::signal(SIGTERM, onSignal);
    if (std::signal(SIGHUP, SIG_IGN) == SIG_DFL) std::signal(SIGHUP, onSignal);

    long uid = static_cast<long>(::getuid());
    // Mail submission access control (authorized_submit_users), after the signal set-up.
    auto denied = address::userAclDenies("authorized_submit_users", config->get("authorized_submit_users"),
                                         static_cast<uid_t>(uid));
    if (!denied) base::msgFatal(denied.error().message);
    if (*denied) base::msgFatal("User " + **denied + "(" + std::to_string(uid) + ") is not allowed to submit mail");
    // The caller's time is not trusted: the arrival time is taken here.
    struct timeval start {};
    ::gettimeofday(&start, nullptr);

    auto layout =
        queue::queueLayout(config->get("hash_queue_names"), static_cast<int>(config->getLong("hash_queue_depth")));
    auto created = queue::NewQueueFile::create(queue::kMaildrop, layout, config->getBool("enable_long_queue_ids"),
                                               0600 | 0444, warn);
    if (!created) base::msgFatal(created.error().message);
    queue::NewQueueFile file = std::move(*created);
    if (verbose) base::msgInfo("open " + file.path());
    printAttributes({{"protocol", "postdrop_protocol"}, {"queue_id", file.id()}});
    std::snprintf(g_path, sizeof g_path, "%s", file.path().c_str());
    g_havePath = 1;

    std::string out;
    queue::appendRecord(
        out, queue::rec::kTime,
        std::to_string(static_cast<long>(start.tv_sec)) + " " + std::to_string(static_cast<long>(start.tv_usec)));
    file.write(out);

    auto in = queue::InputStream::fromDescriptor(STDIN_FILENO, "stdin");
    queue::RecordReader reader(in);
    queue::PostdropCheck check(uid);
    size_t lineLimit = static_cast<size_t>(config->getLong("line_length_limit"));
    std::string uidText = "uid=" + std::to_string(uid) + ": ";
    bool validateInput = true;
    for (;;) {
        auto record = reader.next(queue::read_flag::kNone, lineLimit);
        if (!record) {
            base::msgWarn(record.error().message);
            fatal(uidText + "malformed input");
        }
        if (record->type == queue::rec::kEof) {
            // The caller gave up: no message.
            file.abandon();
            g_havePath = 0;
            if (::remove(file.path().c_str()) != 0)
                base::msgWarn(uidText + "remove " + file.path() + ": " + std::strerror(errno));
            else if (verbose)
                base::msgInfo("remove " + file.path());
            return 0;
        }
        auto verdict = check.check(record->type, record->data);
        using Kind = queue::PostdropCheck::Verdict::Kind;
        if (verdict.kind == Kind::Fatal) fatal(verdict.text);
        if (verdict.kind == Kind::Skip) {
            if (!verdict.text.empty()) base::msgWarn(verdict.text);
            continue;
        }
        out.clear();
        if (verdict.kind == Kind::Write)
            queue::appendRecord(out, queue::rec::kAttr, verdict.text);
        else if (check.status() == queue::cleanup_stat::kOk)
            queue::appendRecord(out, record->type, record->data);
        if (check.status() != queue::cleanup_stat::kOk) {
            // Read the rest, so that the caller does not die of SIGPIPE before it
            // hears the verdict.
            for (;;) {
                auto rest = reader.next(queue::read_flag::kNone, lineLimit);
                if (!rest) {
                    base::msgWarn(rest.error().message);
                    fatal(uidText + "malformed input");
                }
                if (rest->type == queue::rec::kEnd || rest->type == queue::rec::kEof) break;
            }
            validateInput = false;
            break;
        }
        file.write(out);
        if (record->type == queue::rec::kEnd) break;
    }

    // Pickup discards mail without recipients; say so at submission time instead.
    int status = check.status();
    if (validateInput && (check.senders() == 0 || check.recipients() == 0)) status |= queue::cleanup_stat::kBad;
    std::string reason = check.reason();
    if (status != queue::cleanup_stat::kOk) {
        // Left behind incomplete, as Postfix's postdrop leaves it (postsuper removes it).
        file.abandon();
    } else {
        bool sizeError = false;
        if (auto finished = file.finish(0444, &sizeError); !finished) {
            status = sizeError ? queue::cleanup_stat::kSize : queue::cleanup_stat::kWrite;
            base::msgWarn(uidText + finished.error().message);
            removeUnfinished();
        } else {
            std::string pickup = "public/" + config->get("pickup_service_name");
            std::string note;
            if (auto triggered = queue::triggerService(pickup, "W", &note); !triggered)
                base::msgWarn(triggered.error().message);
            else if (!note.empty() && verbose)
                base::msgWarn(note);
        }
    }
    g_havePath = 0;
    printAttributes({{"status", std::to_string(status)}, {"reason", reason}});
    return status;
}

}  // namespace postline::tools
