// postmap(1) after Postfix 3.7's postmap/postmap.c: build a table from its source (or
// update it from stdin with -i), query (-q, -q - with -b/-h/-m), list (-s), delete (-d).
// Options are parsed with getopt(3), as Postfix does, so that combined flags, option
// order and the usage errors are exactly Postfix's (CLI11 cannot reproduce them).
#include "postmap.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/config/compat_level.h"
#include "postline/config/config.h"
#include "postline/maps/dict.h"
#include "postline/maps/message_keys.h"
#include "postline/maps/registry.h"
#include "postline/maps/table_build.h"
#include "postline/maps/table_command.h"
#include "postline/maps/table_query.h"

namespace postline::tools {
namespace {

namespace flag = maps::flag;
using maps::DictSpec;

struct Options {
    bool asOwner = true;          // POSTMAP_FLAG_AS_OWNER (-o clears)
    bool savePermissions = true;  // POSTMAP_FLAG_SAVE_PERM (-p clears)
    bool truncate = true;         // O_TRUNC: a full build (-i clears)
    bool valueIsFile = false;     // -F: DICT_FLAG_SRC_RHS_IS_FILE
    maps::MessageKeyOptions messageKeys;
    bool forceUtf8 = false;  // -U
    uint32_t dictFlags = flag::kDupWarn | flag::kFoldFix | flag::kUtf8Request;
    const char* query = nullptr;
    const char* delkey = nullptr;
    bool sequence = false;
    bool anyMessageKey() const { return messageKeys.headers || messageKeys.body || messageKeys.mime; }
};

[[noreturn]] void usage(const std::string& myname) {
    base::msgFatal(
        base::cat("usage: ", myname, " [-bfFhimnNoprsuUvw] [-c config_dir] [-d key] [-q key] [map_type:]file..."));
}

void writeOut(std::string_view text) { std::fwrite(text.data(), 1, text.size(), stdout); }

std::string readStdin() { return base::valueOrFatal(maps::readStdin()); }

class Postmap {
public:
    Postmap(config::Config config, Options options) : config_(std::move(config)), opts_(options) {
        defaultType_ = config_.get("default_database_type");
        // SMTPUTF8 is requested by default (-u: not), and active only with smtputf8_enable.
        utf8Enabled_ = config_.getBool("smtputf8_enable");
        base::setMsgUtf8(utf8Enabled_);
        if (!utf8Enabled_) opts_.dictFlags &= ~flag::kUtf8Request;
        context_.config = &config_;
    }

    DictSpec spec(const char* arg) const { return maps::parseDictSpec(arg, defaultType_); }

    // postmap(): build (or with -i update) one table. The source is opened before the
    // table is touched; with -i, stdin is read only once the table is open (and locked).
    void build(const DictSpec& spec) {
        // A full build reads its source piece by piece; -i reads stdin whole.
        std::unique_ptr<maps::SourceReader> reader;
        maps::SourceFile source;
        if (opts_.truncate) {
            if (spec.type == "proxy") base::msgFatal("can't create maps via the proxy service");
            reader = base::valueOrFatal(maps::SourceReader::open(spec.name));
            source.st = reader->st();
        } else {
            source.st = base::valueOrFatal(maps::statStdin(spec.name));
        }
        maps::BuildOptions build;
        build.incremental = !opts_.truncate;
        build.dictFlags = opts_.dictFlags;
        build.savePermissions = opts_.savePermissions;
        build.asOwner = opts_.asOwner;
        build.valueIsFile = opts_.valueIsFile;
        auto writer = base::valueOrFatal(maps::TableWriter::open(spec, source.st, build, context_));
        if (opts_.truncate) {
            base::checkOrFatal(writer->addSource(*reader, spec.name));
        } else {
            source.text = readStdin();
            base::checkOrFatal(writer->addSource(source.text, "stdin"));
        }
        base::checkOrFatal(writer->commit());
    }

    maps::TableQuery tables(std::vector<DictSpec> specs) const {
        maps::QueryOptions query;
        query.dictFlags = opts_.dictFlags;
        query.valueIsFile = opts_.valueIsFile;
        query.messageKeys = opts_.messageKeys;
        return maps::TableQuery(std::move(specs), query, context_);
    }

    // postmap_query(): true when found.
    bool query(const std::vector<DictSpec>& specs, std::string_view key) {
        auto found = tables(specs).query(key, writeOut);
        if (!found) base::msgFatal(found.error().message);
        std::fflush(stdout);
        return *found;
    }

    // postmap_queries(): keys from stdin, or from a message with -b/-h/-m.
    bool queries(const std::vector<DictSpec>& specs) {
        std::string input = readStdin();
        auto found = tables(specs).queryStream(input, writeOut);
        if (!found) base::msgFatal(found.error().message);
        std::fflush(stdout);
        return *found;
    }

    // postmap_delete(), postmap_deletes()
    bool remove(const std::vector<DictSpec>& specs, std::string_view key) {
        auto found = key == "-" ? tables(specs).removeStream(readStdin) : tables(specs).remove(key);
        if (!found) base::msgFatal(found.error().message);
        return *found;
    }

    // postmap_seq(): only the first table, as in Postfix.
    void sequence(const std::vector<DictSpec>& specs) {
        base::Status s = tables({specs.front()}).dump(writeOut);
        std::fflush(stdout);
        if (!s) base::msgFatal(s.error().message);
    }

private:
    config::Config config_;
    Options opts_;
    std::string defaultType_;
    bool utf8Enabled_ = false;
    maps::OpenContext context_;
};

}  // namespace

int runPostmap(int argc, char** argv) {
    // Postfix's VSTREAM_OUT writes in 4096-byte blocks; output is lost past a fatal error.
    static char outBuffer[4096];
    std::setvbuf(stdout, outBuffer, _IOFBF, sizeof outBuffer);
    std::string myname = maps::startTableCommand(argc, argv, "postmap");
    std::vector<char*> args(argv, argv + argc);
    args.push_back(nullptr);
    if (argc > 0) args[0] = myname.data();

    Options opts;
    int verbose = base::verbose();
    optind = 0;  // full getopt reset (glibc), also when run twice in one process
    int ch;
    // '+': stop at the first non-option, as Postfix's GETOPT() does on Linux.
    while ((ch = ::getopt(argc, args.data(), "+bc:d:fFhimnNopq:rsuUvw")) > 0) {
        switch (ch) {
            default:
                usage(myname);
            case 'N':
                opts.dictFlags = (opts.dictFlags | flag::kTryNull) & ~flag::kTryNoNull;
                break;
            case 'b':
                opts.messageKeys.body = true;
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
            case 'F':
                opts.valueIsFile = true;
                break;
            case 'h':
                opts.messageKeys.headers = true;
                break;
            case 'i':
                opts.truncate = false;
                break;
            case 'm':
                opts.messageKeys.mime = true;
                break;
            case 'n':
                opts.dictFlags = (opts.dictFlags | flag::kTryNoNull) & ~flag::kTryNull;
                break;
            case 'o':
                opts.asOwner = false;
                break;
            case 'p':
                opts.savePermissions = false;
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
            case 'U':
                opts.forceUtf8 = true;
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
    if ((!opts.query || std::string_view(opts.query) != "-") && opts.anyMessageKey())
        base::msgFatal("specify -b -h or -m only with \"-q -\"");
    if (opts.messageKeys.mime && !opts.messageKeys.headers && !opts.messageKeys.body)
        base::msgWarn("ignoring -m option without -b or -h");
    // Message keys are not checked as UTF-8 unless -U.
    if ((opts.messageKeys.headers || opts.messageKeys.body) && !opts.forceUtf8) opts.dictFlags &= ~flag::kUtf8Request;
    Postmap postmap(std::move(*config), opts);

    std::vector<DictSpec> specs;
    for (int i = optind; i < argc; ++i) specs.push_back(postmap.spec(args[i]));

    if (opts.delkey) {
        if (specs.empty()) usage(myname);
        return postmap.remove(specs, opts.delkey) ? 0 : 1;
    }
    if (opts.query) {
        if (specs.empty()) usage(myname);
        if (std::string_view(opts.query) == "-") return postmap.queries(specs) ? 0 : 1;
        return postmap.query(specs, opts.query) ? 0 : 1;
    }
    if (opts.sequence) {
        if (specs.empty()) return 1;
        postmap.sequence(specs);
        return 0;
    }
    if (specs.empty()) usage(myname);
    for (const auto& spec : specs) postmap.build(spec);
    return 0;
}

}  // namespace postline::tools
