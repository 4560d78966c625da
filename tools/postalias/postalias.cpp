// postalias(1) and newaliases(1), after Postfix 3.7's postalias/postalias.c (build,
// -q, -q -, -d, -d -, -s) and the SM_MODE_NEWALIAS branch of sendmail/sendmail.c.
// Options are parsed with getopt(3) like Postfix does, so usage errors read the same.
#include "postalias.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "postline/address/alias_table.h"
#include "postline/base/files.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/config/compat_level.h"
#include "postline/config/config.h"
#include "postline/maps/registry.h"
#include "postline/maps/table_build.h"
#include "postline/maps/table_command.h"
#include "postline/maps/table_query.h"

namespace postline::tools {
namespace {

namespace flag = maps::flag;
using maps::DictSpec;

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

std::string readStdinOrDie() { return base::valueOrFatal(maps::readStdin()); }

class Postalias {
public:
    Postalias(config::Config config, Options options) : config_(std::move(config)), opts_(options) {
        defaultType_ = config_.get("default_database_type");
        // SMTPUTF8 support is requested unless -u, and active only with smtputf8_enable.
        base::setMsgUtf8(config_.getBool("smtputf8_enable"));
        if (!config_.getBool("smtputf8_enable")) opts_.dictFlags &= ~flag::kUtf8Request;
        context_.config = &config_;
    }

    DictSpec spec(const char* arg) const { return maps::parseDictSpec(arg, defaultType_); }

    // postalias(): build or (-i) update one table from its source or stdin.
    void build(const DictSpec& spec) {
        maps::SourceFile source;
        if (opts_.truncate) {
            if (spec.type == "proxy") base::msgFatal("can't create maps via the proxy service");
            source = base::valueOrFatal(maps::readSourceFile(spec.name));
        } else {
            source.st = base::valueOrFatal(maps::statStdin(spec.name));
        }
        maps::BuildOptions build;
        build.incremental = !opts_.truncate;
        build.dictFlags = opts_.dictFlags;
        build.savePermissions = opts_.postaliasFlags & kSavePerm;
        build.asOwner = opts_.postaliasFlags & kAsOwner;
        auto writer = base::valueOrFatal(maps::TableWriter::open(spec, source.st, build, context_));
        if (!opts_.truncate) source.text = readStdinOrDie();

        address::AliasTableOptions table;
        table.incremental = !opts_.truncate;
        table.masterName = config_.get("myhostname");
        table.now = std::time(nullptr);
        base::checkOrFatal(address::addAliasTable(*writer, source.text, opts_.truncate ? spec.name : "stdin", table));
        base::checkOrFatal(writer->commit());
    }

    maps::TableQuery tables(std::vector<DictSpec> specs) const {
        maps::QueryOptions query;
        query.dictFlags = opts_.dictFlags;
        query.keySeparator = ":\t";
        return maps::TableQuery(std::move(specs), query, context_);
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

    // mail_conf_read(): main.cf's warnings, then mail_params_init()'s checks.
    auto config = config::Config::load(config::defaultConfigDirectory());
    if (!config) base::msgFatal(config.error().message);
    for (const auto& warning : config->loadWarnings()) base::msgWarn(warning);
    base::checkOrFatal(config::checkCompatibilityLevel(*config));
    Postalias postalias(std::move(*config), opts);

    std::vector<maps::DictSpec> specs;
    for (int i = optind; i < argc; ++i) specs.push_back(postalias.spec(args[i]));
    // Postfix checks for a missing table name in every mode but -s, which just fails.
    if (specs.empty() && opts.sequence) return 1;
    if (specs.empty()) usage(myname);

    auto tables = postalias.tables(specs);
    if (opts.delkey) {
        // postalias_delete[s](): -d - opens every table before it reads a key.
        bool fromStdin = std::string_view(opts.delkey) == "-";
        return base::valueOrFatal(fromStdin ? tables.removeStream(readStdinOrDie) : tables.remove(opts.delkey)) ? 0 : 1;
    }
    if (opts.query) {
        bool found = std::string_view(opts.query) == "-"
                         ? base::valueOrFatal(tables.queryStream(readStdinOrDie(), writeOut))
                         : base::valueOrFatal(tables.query(opts.query, writeOut));
        std::fflush(stdout);
        return found ? 0 : 1;
    }
    if (opts.sequence) {
        // Only the first table is listed, as in Postfix.
        base::checkOrFatal(tables.dump(writeOut));
        std::fflush(stdout);
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
    for (const auto& warning : config->loadWarnings()) base::msgWarn(warning);
    if (auto level = config::checkCompatibilityLevel(*config); !level) sendmailFatal(level.error().message);
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
