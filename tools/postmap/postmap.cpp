// postmap(1) after Postfix 3.7's postmap/postmap.c: build a table from its source (or
// update it from stdin with -i), query (-q, -q - with -b/-h/-m), list (-s), delete (-d).
// Options are parsed with getopt(3), as Postfix does, so that combined flags, option
// order and the usage errors are exactly Postfix's (CLI11 cannot reproduce them).
#include "postmap.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "postline/base/base64.h"
#include "postline/base/files.h"
#include "postline/base/logical_lines.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/config/config.h"
#include "postline/maps/dict.h"
#include "postline/maps/message_keys.h"
#include "postline/maps/registry.h"
#include "postline/maps/table_command.h"
#include "postline/maps/table_source.h"
#include "postline/maps/utf8.h"

namespace postline::tools {
namespace {

namespace flag = maps::flag;
using maps::Dict;
using maps::DictSpec;
using maps::OpenMode;

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

bool allAscii(std::string_view s) {
    for (unsigned char c : s)
        if (c >= 0x80) return false;
    return true;
}

std::string readStdin() {
    auto in = base::readAll(STDIN_FILENO);
    if (!in) base::msgFatal(base::cat("read stdin: ", in.error().message));
    return std::move(*in);
}

// -F: the value names files (comma or space separated); their contents, joined with a
// newline, become the stored value (dict_file_to_b64()).
base::Result<std::string> readValueFiles(std::string_view value) {
    std::string joined;
    bool first = true;
    for (std::string_view path : base::splitAny(value, ", \t\r\n")) {
        auto contents = base::readFile(std::string(path));
        if (!contents) return contents.error();
        if (!first) joined += '\n';
        joined += *contents;
        first = false;
    }
    return joined;
}

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

    std::unique_ptr<Dict> open(const DictSpec& spec, OpenMode mode, uint32_t flags) {
        auto dict = maps::openDict(spec, mode, flags, context_);
        if (!dict) base::msgFatal(dict.error().message);
        return std::move(*dict);
    }

    // postmap(): build (or with -i update) one table.
    void build(const DictSpec& spec) {
        uint32_t dictFlags = opts_.dictFlags;
        std::string sourceName;
        std::string text;
        struct stat st {};
        if (!opts_.truncate) {
            sourceName = "stdin";
            if (::fstat(STDIN_FILENO, &st) < 0)
                base::msgFatal(base::errnoError(base::cat("fstat ", spec.name)).message);
        } else {
            if (spec.type == "proxy") base::msgFatal("can't create maps via the proxy service");
            dictFlags |= flag::kBulkUpdate;
            sourceName = spec.name;
            int fd = ::open(spec.name.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) base::msgFatal(base::errnoError(base::cat("open ", spec.name)).message);
            if (::fstat(fd, &st) < 0) base::msgFatal(base::errnoError(base::cat("fstat ", spec.name)).message);
            auto in = base::readAll(fd);
            ::close(fd);
            if (!in) base::msgFatal(base::cat("read ", spec.name, ": ", in.error().message));
            text = std::move(*in);
        }

        auto identity = maps::BuildIdentity::enter(st, opts_.savePermissions, opts_.asOwner);
        if (!identity) base::msgFatal(identity.error().message);
        if (base::Status s = maps::checkBuildable(spec.type); !s) base::msgFatal(s.error().message);
        std::unique_ptr<Dict> dict = open(spec, opts_.truncate ? OpenMode::Rebuild : OpenMode::Create, dictFlags);
        // Incremental input is read only now, after the table is open (and locked).
        if (!opts_.truncate) text = readStdin();

        bool checkUtf8 = (dict->flags() & flag::kUtf8Request) != 0;
        maps::BuildProgress progress(spec.name);
        base::LogicalLineReader reader(text, sourceName);
        std::string line;
        int lineno;
        while (reader.next(line, lineno)) {
            if (checkUtf8 && !allAscii(line) && !maps::validUtf8(line)) {
                base::msgWarn(
                    base::cat(sourceName, ", line ", lineno, ": non-UTF-8 input \"", line, "\" -- ignoring this line"));
                continue;
            }
            maps::SourceRecord record;
            switch (maps::parseSourceRecord(line, record)) {
                case maps::RecordStatus::UnbalancedQuote:
                    base::msgWarn(base::cat(sourceName, ", line ", lineno, ": unbalanced '\"' in '", line,
                                            "' -- ignoring this line"));
                    continue;
                case maps::RecordStatus::MissingPart:
                    base::msgWarn(base::cat(sourceName, ", line ", lineno, ": expected format: key whitespace value"));
                    continue;
                case maps::RecordStatus::Ok:
                    break;
            }
            if (record.key.back() == ':')
                base::msgWarn(base::cat(sourceName, ", line ", lineno,
                                        ": record is in \"key: value\" format; is this an alias file?"));
            std::string encoded;
            if (opts_.valueIsFile) {
                auto contents = readValueFiles(record.value);
                if (!contents) {
                    base::msgWarn(base::cat(sourceName, ", line ", lineno, ": ", contents.error().message,
                                            ": skipping this entry"));
                    continue;
                }
                encoded = base::base64Encode(*contents);
                record.value = encoded;
            }
            if (base::Status s = dict->update(record.key, record.value); !s)
                base::msgFatal(s.error().message.empty() ? base::cat("table ", dict->spec(), ": write error")
                                                         : s.error().message);
            progress.tick();
        }
        if (base::Status s = dict->close(); !s) base::msgFatal(s.error().message);
        progress.done();
    }

    // The value as printed: with -F the stored base64 is decoded (dict_file_lookup).
    // Returns false, after a warning, when the stored value is not valid base64.
    bool presentable(const Dict& dict, std::string_view key, std::string& value) {
        if (!opts_.valueIsFile) return true;
        auto decoded = base::base64Decode(value);
        if (!decoded) {
            base::msgWarn(base::cat("table ", dict.spec(), ": key ", key,
                                    ": malformed BASE64 value: ", std::string_view(value).substr(0, 30)));
            return false;
        }
        value = std::move(*decoded);
        return true;
    }

    [[noreturn]] void queryError(const Dict& dict, const maps::Lookup& result) {
        if (result.status == maps::DictStatus::ConfigError)
            base::msgFatal(base::cat("table ", dict.spec(), ": query error"));
        base::msgFatal(base::cat("table ", dict.spec(),
                                 ": query error: ", result.error.empty() ? std::string("Success") : result.error));
    }

    // postmap_query(): true when found.
    bool query(const DictSpec& spec, const std::string& key) {
        auto dict = open(spec, OpenMode::Read, opts_.dictFlags | flag::kLock);
        maps::Lookup result = dict->lookup(key);
        bool found = result.isFound() && presentable(*dict, key, result.value);
        if (found) {
            if (result.value.empty()) maps::warnEmptyResult(dict->spec(), key);
            writeOut(base::cat(result.value, "\n"));
        } else if (result.isError()) {
            queryError(*dict, result);
        }
        std::fflush(stdout);
        (void)dict->close();
        return found;
    }

    // One key of `postmap -q -` against the tables in order; tables open lazily.
    bool queryKey(const std::vector<DictSpec>& specs, std::vector<std::unique_ptr<Dict>>& dicts, std::string_view key) {
        for (size_t n = 0; n < specs.size(); ++n) {
            if (!dicts[n]) dicts[n] = open(specs[n], OpenMode::Read, queryFlags_);
            maps::Lookup result = dicts[n]->lookup(key);
            if (result.isFound() && presentable(*dicts[n], key, result.value)) {
                if (result.value.empty()) maps::warnEmptyResult(dicts[n]->spec(), key);
                writeOut(base::cat(key, "\t", result.value, "\n"));
                return true;
            }
            if (result.isError()) queryError(*dicts[n], result);
        }
        return false;
    }

    // postmap_queries(): keys from stdin, or from a message with -b/-h/-m.
    bool queries(const std::vector<DictSpec>& specs) {
        queryFlags_ = opts_.dictFlags | flag::kLock;
        std::vector<std::unique_ptr<Dict>> dicts(specs.size());
        bool found = false;
        std::string input = readStdin();
        // -m alone does not make postmap read a message (POSTMAP_FLAG_HB_KEY).
        if (!opts_.messageKeys.headers && !opts_.messageKeys.body) {
            for (const std::string& key : maps::splitInputLines(input)) found |= queryKey(specs, dicts, key);
        } else {
            maps::forEachMessageKey(input, opts_.messageKeys,
                                    [&](std::string_view key) { found |= queryKey(specs, dicts, key); });
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

    // postmap_delete()
    bool remove(const DictSpec& spec, const std::string& key) {
        auto dict = open(spec, deleteMode(spec), opts_.dictFlags | flag::kLock);
        bool found = removeOne(*dict, key);
        if (base::Status s = dict->close(); !s) base::msgFatal(s.error().message);
        return found;
    }

    // postmap_deletes(): all tables open before the first key is read.
    bool removes(const std::vector<DictSpec>& specs) {
        std::vector<std::unique_ptr<Dict>> dicts;
        for (const DictSpec& spec : specs) dicts.push_back(open(spec, deleteMode(spec), opts_.dictFlags | flag::kLock));
        bool found = false;
        for (const std::string& key : maps::splitInputLines(readStdin()))
            for (auto& dict : dicts) found |= removeOne(*dict, key);
        for (auto& dict : dicts)
            if (base::Status s = dict->close(); !s) base::msgFatal(s.error().message);
        return found;
    }

    // postmap_seq()
    void sequence(const DictSpec& spec) {
        if (spec.type == "proxy") base::msgFatal("can't sequence maps via the proxy service");
        auto dict = open(spec, OpenMode::Read, opts_.dictFlags | flag::kLock);
        base::Status st = dict->forEach([&](std::string_view key, std::string_view value) {
            std::string shown(value);
            if (key.empty()) {
                base::msgWarn(
                    base::cat("table ", spec.type, ":", spec.name, ": empty lookup key value is not allowed"));
            } else if (value.empty()) {
                maps::warnEmptyResult(base::cat(spec.type, ":", spec.name), key);
            }
            if (!presentable(*dict, key, shown)) return true;
            writeOut(base::cat(key, "\t", shown, "\n"));
            return true;
        });
        std::fflush(stdout);
        if (!st && st.error().errnum == ENOTSUP) base::msgFatal(st.error().message);
        if (!st) base::msgFatal(base::cat("table ", dict->spec(), ": sequence error: ", st.error().message));
        (void)dict->close();
    }

private:
    config::Config config_;
    Options opts_;
    std::string defaultType_;
    bool utf8Enabled_ = false;
    uint32_t queryFlags_ = 0;
    maps::OpenContext context_;
};

}  // namespace

int runPostmap(int argc, char** argv) {
    ::umask(022);
    // Postfix's VSTREAM_OUT writes in 4096-byte blocks; output is lost past a fatal error.
    static char outBuffer[4096];
    std::setvbuf(stdout, outBuffer, _IOFBF, sizeof outBuffer);
    // Make sure that descriptors 0-2 are open before anything else is.
    for (int fd = 0; fd < 3; ++fd) {
        struct stat st;
        if (::fstat(fd, &st) == -1 && (::close(fd), ::open("/dev/null", O_RDWR, 0)) != fd)
            base::msgFatal(base::errnoError("open /dev/null").message);
    }
    if (std::getenv("MAIL_VERBOSE")) base::setVerbose(1);

    std::string myname = base::baseName(argc > 0 && argv[0] && *argv[0] ? argv[0] : "postmap");
    base::setProgramName(myname);
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

    auto config = config::Config::load(config::defaultConfigDirectory());
    if (!config) base::msgFatal(config.error().message);
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
        if (std::string_view(opts.delkey) == "-") return postmap.removes(specs) ? 0 : 1;
        bool found = false;
        for (const auto& spec : specs) found |= postmap.remove(spec, opts.delkey);
        return found ? 0 : 1;
    }
    if (opts.query) {
        if (specs.empty()) usage(myname);
        if (std::string_view(opts.query) == "-") return postmap.queries(specs) ? 0 : 1;
        for (const auto& spec : specs)
            if (postmap.query(spec, opts.query)) return 0;
        return 1;
    }
    if (opts.sequence) {
        if (specs.empty()) return 1;
        postmap.sequence(specs.front());  // only the first table, as in Postfix
        return 0;
    }
    if (specs.empty()) usage(myname);
    for (const auto& spec : specs) postmap.build(spec);
    return 0;
}

}  // namespace postline::tools
