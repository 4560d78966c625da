// postalias(1) and newaliases(1), after Postfix 3.7's postalias/postalias.c (build,
// -q, -q -, -d, -d -, -s) and the SM_MODE_NEWALIAS branch of sendmail/sendmail.c.
// Options are parsed with getopt(3) like Postfix does, so usage errors read the same.
#include "postalias.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "postline/address/alias_source.h"
#include "postline/base/files.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/config/config.h"
#include "postline/maps/dict.h"
#include "postline/maps/registry.h"
#include "postline/maps/table_command.h"

namespace postline::tools {
namespace {

namespace flag = maps::flag;
using maps::Dict;
using maps::DictSpec;
using maps::OpenMode;

constexpr int kAsOwner = 1 << 0;   // POSTALIAS_FLAG_AS_OWNER
constexpr int kSavePerm = 1 << 1;  // POSTALIAS_FLAG_SAVE_PERM

struct Options {
    int postaliasFlags = kAsOwner | kSavePerm;
    bool truncate = true;  // O_TRUNC: a full build (cleared by -i)
    uint32_t dictFlags = flag::kDupWarn | flag::kFoldFix | flag::kUtf8Request;
    const char* query = nullptr;
    const char* delkey = nullptr;
    bool sequence = false;
};

[[noreturn]] void usage(const std::string& myname) {
    base::msgFatal(
        base::cat("usage: ", myname, " [-Nfinoprsuvw] [-c config_dir] [-d key] [-q key] [map_type:]file..."));
}

void writeOut(std::string_view text) { std::fwrite(text.data(), 1, text.size(), stdout); }

std::vector<std::string> readStdinLines() {
    auto all = base::readAll(STDIN_FILENO);
    return all ? maps::splitInputLines(*all) : std::vector<std::string>();
}

class Postalias {
public:
    Postalias(config::Config config, Options options) : config_(std::move(config)), opts_(options) {
        defaultType_ = config_.get("default_database_type");
        // SMTPUTF8 support is requested unless -u, and active only with smtputf8_enable.
        if (!config_.getBool("smtputf8_enable")) opts_.dictFlags &= ~flag::kUtf8Request;
        context_.config = &config_;
    }

    DictSpec spec(const char* arg) const { return maps::parseDictSpec(arg, defaultType_); }

    std::unique_ptr<Dict> open(const DictSpec& spec, OpenMode mode, uint32_t flags) {
        auto dict = maps::openDict(spec, mode, flags, context_);
        if (!dict) base::msgFatal(dict.error().message);
        return std::move(*dict);
    }

    // postalias(): build or (-i) update one table from its source or stdin.
    void build(const DictSpec& spec) {
        uint32_t dictFlags = opts_.dictFlags;
        std::string sourcePath = spec.name;
        std::string text;
        struct stat st {};
        if (!opts_.truncate) {
            sourcePath = "stdin";
            auto in = base::readAll(STDIN_FILENO);
            if (!in) base::msgFatal(base::cat("read stdin: ", in.error().message));
            text = std::move(*in);
            if (::fstat(STDIN_FILENO, &st) < 0)
                base::msgFatal(base::errnoError(base::cat("fstat ", spec.name)).message);
        } else {
            if (spec.type == "proxy") base::msgFatal("can't create maps via the proxy service");
            dictFlags |= flag::kBulkUpdate;
            int fd = ::open(spec.name.c_str(), O_RDONLY);
            if (fd < 0) base::msgFatal(base::errnoError(base::cat("open ", spec.name)).message);
            if (::fstat(fd, &st) < 0) base::msgFatal(base::errnoError(base::cat("fstat ", spec.name)).message);
            auto in = base::readAll(fd);
            ::close(fd);
            if (!in) base::msgFatal(base::cat("read ", spec.name, ": ", in.error().message));
            text = std::move(*in);
        }

        // A new table gets no more group/other read access than its source (-p: 0644),
        // and when run as root it is created as the owner of the source (-o: as root).
        // Both stay in force until the table is closed: a rebuild creates its file then.
        auto identity =
            maps::BuildIdentity::enter(st, opts_.postaliasFlags & kSavePerm, opts_.postaliasFlags & kAsOwner);
        if (!identity) base::msgFatal(identity.error().message);
        if (base::Status s = maps::checkBuildable(spec.type); !s) base::msgFatal(s.error().message);
        std::unique_ptr<Dict> dict = open(spec, opts_.truncate ? OpenMode::Rebuild : OpenMode::Create, dictFlags);

        address::AliasSourceOptions sourceOptions;
        sourceOptions.checkUtf8 = (dictFlags & flag::kUtf8Request) != 0;
        auto writeError = [&](const base::Error& error) {
            base::msgFatal(error.message.empty() ? base::cat("table ", dict->spec(), ": write error") : error.message);
        };
        base::Status st2 = address::readAliasSource(
            text, sourcePath, sourceOptions,
            [&](const std::string& key, const std::string& value, int) { return dict->update(key, value); });
        if (!st2) writeError(st2.error());

        // The Sendmail "database complete" entry; an update replaces the old one.
        if (!opts_.truncate) dict->setFlags(dict->flags() | flag::kDupReplace);
        if (base::Status s = dict->update("@", "@"); !s) writeError(s.error());

        // NIS entries: never with a trailing NUL, never case-folded.
        uint32_t nisFlags = (dict->flags() & ~(flag::kTryNull | flag::kFoldFix)) | flag::kTryNoNull;
        dict->setFlags(nisFlags);
        char stamp[32];
        std::snprintf(stamp, sizeof stamp, "%010ld", static_cast<long>(std::time(nullptr)));
        if (base::Status s = dict->update("YP_LAST_MODIFIED", stamp); !s) writeError(s.error());
        if (base::Status s = dict->update("YP_MASTER_NAME", config_.get("myhostname")); !s) writeError(s.error());

        if (base::Status s = dict->close(); !s) base::msgFatal(s.error().message);
    }

    // postalias_query(): true when found.
    bool query(const DictSpec& spec, const std::string& key) {
        auto dict = open(spec, OpenMode::Read, opts_.dictFlags | flag::kLock);
        maps::Lookup result = dict->lookup(key);
        if (result.isFound()) {
            if (result.value.empty()) maps::warnEmptyResult(base::cat(spec.type, ":", spec.name), key);
            writeOut(base::cat(result.value, "\n"));
        } else if (result.isError()) {
            base::msgFatal(base::cat("table ", spec.type, ":", spec.name, ": query error: ", result.error));
        }
        std::fflush(stdout);
        (void)dict->close();
        return result.isFound();
    }

    // postalias_queries(): maps are opened lazily, on the first key that needs them.
    bool queries(const std::vector<DictSpec>& specs) {
        std::vector<std::unique_ptr<Dict>> dicts(specs.size());
        bool found = false;
        for (const std::string& key : readStdinLines()) {
            for (size_t n = 0; n < specs.size(); ++n) {
                if (!dicts[n]) dicts[n] = open(specs[n], OpenMode::Read, opts_.dictFlags | flag::kLock);
                maps::Lookup result = dicts[n]->lookup(key);
                if (result.isFound()) {
                    if (result.value.empty()) maps::warnEmptyResult(dicts[n]->spec(), key);
                    writeOut(base::cat(key, ":\t", result.value, "\n"));
                    found = true;
                    break;
                }
                if (result.isError())
                    base::msgFatal(base::cat("table ", dicts[n]->spec(), ": query error: ", result.error));
            }
        }
        std::fflush(stdout);
        for (auto& d : dicts)
            if (d) (void)d->close();
        return found;
    }

    OpenMode deleteMode(const DictSpec& spec) const {
        return spec.type == "proxy" ? OpenMode::Create : OpenMode::Write;
    }

    bool removeOne(Dict& dict, const std::string& key) {
        auto removed = dict.remove(key);
        if (!removed) base::msgFatal(base::cat("table ", dict.spec(), ": delete error: ", removed.error().message));
        return *removed;
    }

    // postalias_delete()
    bool remove(const DictSpec& spec, const std::string& key) {
        auto dict = open(spec, deleteMode(spec), opts_.dictFlags | flag::kLock);
        bool found = removeOne(*dict, key);
        if (base::Status s = dict->close(); !s) base::msgFatal(s.error().message);
        return found;
    }

    // postalias_deletes(): all maps are opened before the first key is read.
    bool removes(const std::vector<DictSpec>& specs) {
        std::vector<std::unique_ptr<Dict>> dicts;
        for (const DictSpec& spec : specs) dicts.push_back(open(spec, deleteMode(spec), opts_.dictFlags | flag::kLock));
        bool found = false;
        for (const std::string& key : readStdinLines())
            for (auto& dict : dicts) found |= removeOne(*dict, key);
        for (auto& dict : dicts)
            if (base::Status s = dict->close(); !s) base::msgFatal(s.error().message);
        return found;
    }

    // postalias_seq()
    void sequence(const DictSpec& spec) {
        if (spec.type == "proxy") base::msgFatal("can't sequence maps via the proxy service");
        auto dict = open(spec, OpenMode::Read, opts_.dictFlags | flag::kLock);
        base::Status st = dict->forEach([&](std::string_view key, std::string_view value) {
            if (key.empty()) {
                base::msgWarn(
                    base::cat("table ", spec.type, ":", spec.name, ": empty lookup key value is not allowed"));
            } else if (value.empty()) {
                maps::warnEmptyResult(base::cat(spec.type, ":", spec.name), key);
            }
            writeOut(base::cat(key, ":\t", value, "\n"));
            return true;
        });
        if (!st)
            base::msgFatal(base::cat("table ", spec.type, ":", spec.name, ": sequence error: ", st.error().message));
        std::fflush(stdout);
        (void)dict->close();
    }

private:
    config::Config config_;
    Options opts_;
    std::string defaultType_;
    maps::OpenContext context_;
};

}  // namespace

int runPostalias(int argc, char** argv) {
    std::string myname = maps::startTableCommand(argc, argv, "postalias");
    std::vector<char*> args(argv, argv + argc);
    args.push_back(nullptr);
    if (argc > 0) args[0] = myname.data();

    Options opts;
    int verbose = base::verbose();
    optind = 0;  // full getopt reset (glibc), also when run twice in one process
    int ch;
    // '+': stop at the first non-option, as Postfix's GETOPT() does on Linux.
    while ((ch = ::getopt(argc, args.data(), "+Nc:d:finopq:rsuvw")) > 0) {
        switch (ch) {
            default:
                usage(myname);
            case 'N':
                opts.dictFlags = (opts.dictFlags | flag::kTryNull) & ~flag::kTryNoNull;
                break;
            case 'c':
                if (::setenv("MAIL_CONFIG", optarg, 1) < 0) base::msgFatal("out of memory");
                break;
            case 'd':
                if (opts.sequence || opts.query || opts.delkey) base::msgFatal("specify only one of -s -q or -d");
                opts.delkey = optarg;
                break;
            case 'f':
                opts.dictFlags &= ~flag::kFoldFix;
                break;
            case 'i':
                opts.truncate = false;
                break;
            case 'n':
                opts.dictFlags = (opts.dictFlags | flag::kTryNoNull) & ~flag::kTryNull;
                break;
            case 'o':
                opts.postaliasFlags &= ~kAsOwner;
                break;
            case 'p':
                opts.postaliasFlags &= ~kSavePerm;
                break;
            case 'q':
                if (opts.sequence || opts.query || opts.delkey) base::msgFatal("specify only one of -s -q or -d");
                opts.query = optarg;
                break;
            case 'r':
                opts.dictFlags = (opts.dictFlags & ~(flag::kDupWarn | flag::kDupIgnore)) | flag::kDupReplace;
                break;
            case 's':
                if (opts.query || opts.delkey) base::msgFatal("specify only one of -s or -q or -d");
                opts.sequence = true;
                break;
            case 'u':
                opts.dictFlags &= ~flag::kUtf8Request;
                break;
            case 'v':
                base::setVerbose(++verbose);
                break;
            case 'w':
                opts.dictFlags = (opts.dictFlags & ~(flag::kDupWarn | flag::kDupReplace)) | flag::kDupIgnore;
                break;
        }
    }

    auto config = config::Config::load(config::defaultConfigDirectory());
    if (!config) base::msgFatal(config.error().message);
    Postalias postalias(std::move(*config), opts);

    std::vector<maps::DictSpec> specs;
    for (int i = optind; i < argc; ++i) specs.push_back(postalias.spec(args[i]));
    // Postfix checks for a missing table name in every mode but -s, which just fails.
    if (specs.empty() && opts.sequence) return 1;
    if (specs.empty()) usage(myname);

    if (opts.delkey) {
        if (std::string_view(opts.delkey) == "-") return postalias.removes(specs) ? 0 : 1;
        bool found = false;
        for (const auto& spec : specs) found |= postalias.remove(spec, opts.delkey);
        return found ? 0 : 1;
    }
    if (opts.query) {
        if (std::string_view(opts.query) == "-") return postalias.queries(specs) ? 0 : 1;
        for (const auto& spec : specs)
            if (postalias.query(spec, opts.query)) return 0;
        return 1;
    }
    if (opts.sequence) {
        // Only the first table is listed, as in Postfix.
        postalias.sequence(specs.front());
        return 0;
    }
    for (const auto& spec : specs) postalias.build(spec);
    return 0;
}

namespace {

constexpr int kExTempfail = 75;  // sendmail's fatal errors exit with EX_TEMPFAIL

[[noreturn]] void sendmailFatal(std::string_view text) {
    std::string line = base::formatMsg(base::Severity::Fatal, text);
    line.push_back('\n');
    std::fflush(stdout);
    ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
    (void)ignored;
    std::exit(kExTempfail);
}

}  // namespace

int runNewaliases(int argc, char** argv) {
    std::string myname = base::baseName(argc > 0 && argv[0] && *argv[0] ? argv[0] : "newaliases");
    base::setProgramName(myname);
    if (std::getenv("MAIL_VERBOSE")) base::setVerbose(1);
    std::vector<char*> args(argv, argv + argc);
    args.push_back(nullptr);
    if (argc > 0) args[0] = myname.data();

    // sendmail's option list; "-q" alone is not getopt-compatible and is skipped.
    static const char kOptions[] = "+A:B:C:F:GIL:N:O:R:UV:X:b:ce:f:h:imno:p:r:q:tvx";
    auto nextOption = [&]() -> int {
        while (optind < argc && std::string_view(args[optind]) == "-q") ++optind;
        if (optind >= argc) return -1;
        return ::getopt(argc, args.data(), kOptions);
    };

    // Pre-scan for -C so that the right main.cf is read first.
    optind = 0;
    int ch;
    opterr = 0;
    while ((ch = nextOption()) > 0) {
        if (ch == 'C') {
            std::string dir = base::baseName(optarg) == "main.cf" ? base::dirName(optarg) : std::string(optarg);
            if (::setenv("MAIL_CONFIG", dir.c_str(), 1) < 0) sendmailFatal("out of memory");
        }
    }
    opterr = 1;
    auto config = config::Config::load(config::defaultConfigDirectory());
    if (!config) sendmailFatal(config.error().message);
    std::string queueDir = config->get("queue_directory");
    if (::chdir(queueDir.c_str()) != 0) sendmailFatal(base::errnoError(base::cat("chdir ", queueDir)).message);

    std::string aliasDatabase = config->get("alias_database");
    int verbose = base::verbose();
    optind = 0;
    while ((ch = nextOption()) > 0) {
        switch (ch) {
            case '?':
                sendmailFatal(base::cat("usage: ", myname, " [options]"));
            case 'n':
                sendmailFatal("-n option not supported");
            case 'v':
                base::setVerbose(++verbose);
                break;
            case 'o':
                if (optarg[0] == 'A') {
                    if (optarg[1] == 0) sendmailFatal("-oA requires pathname");
                    aliasDatabase = optarg + 1;
                }
                break;
            case 'b':
                // -bi is this mode; other sendmail modes are not provided by this program.
                if (optarg[0] != 'i') sendmailFatal(base::cat("unsupported: -b", optarg[0]));
                break;
            default:  // -I and the options that do not matter for alias initialization
                break;
        }
    }
    if (optind < argc) sendmailFatal("alias initialization mode requires no recipient");
    if (aliasDatabase.empty()) return 0;

    // Run postalias as Postfix does: "postalias [-v...] map...".
    std::vector<std::string> pargs{"postalias"};
    for (int n = 0; n < verbose; ++n) pargs.emplace_back("-v");
    for (std::string_view map : base::splitAny(aliasDatabase, ", \t\r\n")) pargs.emplace_back(map);
    std::vector<char*> pargv;
    for (std::string& a : pargs) pargv.push_back(a.data());
    pargv.push_back(nullptr);
    base::setVerbose(0);
    int status = runPostalias(static_cast<int>(pargs.size()), pargv.data());
    std::fflush(stdout);
    return status;
}

}  // namespace postline::tools
