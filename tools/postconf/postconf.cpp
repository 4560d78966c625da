// postconf(1): options, their compatibility matrix and the dispatch to the main.cf and
// master.cf printers and editors (mirrors postconf/postconf.c). Options are parsed with
// getopt(3) like Postfix's GETOPT() ("+" stops at the first non-option) because CLI11
// cannot reproduce Postfix's combined flags, argument order and usage errors.
#include "postconf.h"

#include <fcntl.h>
#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "postconf_internal.h"
#include "postline/base/files.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/config/build_features.h"
#include "postline/config/compat_level.h"
#include "postline/maps/registry.h"

namespace postline::tools {

using namespace postconf;

namespace {

constexpr unsigned kMajorModes = kShowSaslServ | kShowSaslClnt | kExpDsnTempl | kShowLocks | kShowMaps | kDumpDsnTempl |
                                 kMainParam | kMasterEntry | kMasterFld | kMasterParam | kShowTls;
constexpr unsigned kMainOrMaster = kMainParam | kMasterEntry | kMasterFld | kMasterParam;

const unsigned kIncompat[] = {
    kMajorModes,
    kShowDefs | kEditConf | kShowNondef | kCommentOut | kEditExcl,
    kFoldLine | kEditConf | kCommentOut | kEditExcl,
    kShowEval | kEditConf | kCommentOut | kEditExcl,
    kMainOver | kShowDefs | kEditConf | kCommentOut | kEditExcl,
    kHideName | kEditConf | kCommentOut | kEditExcl | kHideValue,
};

const unsigned kCompat[][2] = {
    {kShowSaslServ, 0},
    {kShowSaslClnt, 0},
    {kExpDsnTempl, 0},
    {kShowLocks, 0},
    {kShowMaps, 0},
    {kShowTls, 0},
    {kDumpDsnTempl, 0},
    {kMainParam, kEditConf | kEditExcl | kCommentOut | kFoldLine | kHideName | kParamClass | kShowEval | kShowDefs |
                     kShowNondef | kMainOver | kHideValue | kShowJson},
    {kMasterEntry, kEditConf | kEditExcl | kCommentOut | kFoldLine | kMainOver | kShowEval | kShowJson},
    {kMasterFld, kEditConf | kFoldLine | kHideName | kMainOver | kShowEval | kHideValue | kShowJson},
    {kMasterParam, kEditConf | kEditExcl | kFoldLine | kHideName | kMainOver | kShowEval | kHideValue | kShowJson},
    // Postfix 3.11: -j prints listings only, unfolded, with names and values, without -C.
    {kShowJson,
     kMainParam | kMasterEntry | kMasterFld | kMasterParam | kMainOver | kShowEval | kShowNondef | kShowDefs},
    {kParamClass, kMainParam | kShowDefs | kShowNondef},
};

const std::pair<const char*, unsigned> kOptionNames[] = {
    {"-a", kShowSaslServ}, {"-A", kShowSaslClnt}, {"-b", kExpDsnTempl}, {"-C", kParamClass},   {"-d", kShowDefs},
    {"-e", kEditConf},     {"-f", kFoldLine},     {"-F", kMasterFld},   {"-h", kHideName},     {"-H", kHideValue},
    {"-j", kShowJson},     {"-l", kShowLocks},    {"-m", kShowMaps},    {"-M", kMasterEntry},  {"-n", kShowNondef},
    {"-o", kMainOver},     {"-p", kMainParam},    {"-P", kMasterParam}, {"-t", kDumpDsnTempl}, {"-T", kShowTls},
    {"-x", kShowEval},     {"-X", kEditExcl},     {"-#", kCommentOut},
};

std::string optionNames(unsigned mask) {
    std::string out;
    for (const auto& [name, bit] : kOptionNames)
        if (mask & bit) out += (out.empty() ? "" : " ") + std::string(name);
    return out;
}

[[noreturn]] void usage(const std::string& myname) {
    base::msgFatal(base::cat(
        "usage: ", myname,
        " [-a (server SASL types)] [-A (client SASL types)] [-b (bounce templates)] [-c config_dir] [-c param_class]"
        " [-d (parameter defaults)] [-e (edit configuration)] [-f (fold lines)] [-F (master.cf fields)]"
        " [-h (no names)] [-H (no values)] [-l (lock types)] [-m (map types)] [-M (master.cf)]"
        " [-n (non-default parameters)] [-o name=value (override parameter value)] [-p (main.cf, default)]"
        " [-P (master.cf parameters)] [-t (bounce templates)] [-T compile-version|run-version|public-key-algorithms]"
        " [-v (verbose)] [-x (expand parameter values)] [-X (exclude)] [-# (comment-out)] [name...]"));
}

void checkOptions(unsigned mode) {
    for (unsigned group : kIncompat) {
        unsigned oval = group & mode;
        if (oval & (oval - 1)) base::msgFatal("specify one of " + optionNames(oval));
    }
    unsigned optval = mode;
    for (const auto& [major, allowed] : kCompat) {
        unsigned excess = optval & ~(major | allowed);
        if ((optval & major) && excess)
            base::msgFatal(base::cat("with option ", optionNames(major), ", do not specify ", optionNames(excess)));
    }
}

std::string configDirectory() {
    const char* env = std::getenv("MAIL_CONFIG");
    return env ? std::string(env) : std::string("/etc/postfix");
}

// pcf_read_parameters() and pcf_set_parameters(): main.cf, then -o overrides.
config::Config readParameters(const std::string& dir, const std::vector<std::string>& overrides) {
    auto loaded = config::Config::load(dir);
    if (!loaded) base::msgFatal(loaded.error().message);
    config::Config cfg = std::move(loaded).value();
    for (const auto& w : cfg.loadWarnings()) base::msgWarn(w);
    if (std::getenv("MAIL_CONFIG") && !cfg.definition("config_directory")) cfg.set("config_directory", dir);
    for (const auto& o : overrides) {
        auto nv = config::splitNameValue(o);
        if (!nv) base::msgFatal(base::cat("invalid parameter override: ", o, ": ", nv.error().message));
        cfg.set(nv->first, nv->second);
    }
    return cfg;
}

// pcf_read_master(): a missing master.cf is fatal or a warning, depending on the mode.
std::vector<config::MasterEntry> readMaster(const std::string& dir, bool failOnOpenError) {
    std::string path = dir + "/master.cf";
    auto text = base::readFile(path);
    if (!text) {
        if (failOnOpenError) base::msgFatal(text.error().message);
        base::msgWarn(text.error().message);
        return {};
    }
    std::vector<std::string> warnings;
    auto entries = config::parseMasterCf(*text, path, &warnings);
    for (const auto& warning : warnings) base::msgWarn(warning);
    if (!entries) base::msgFatal(entries.error().message);
    return std::move(entries).value();
}

}  // namespace

int runPostconf(int argc, char** argv) {
    static char outBuffer[4096];
    std::setvbuf(stdout, outBuffer, _IOFBF, sizeof outBuffer);
    ::umask(022);
    struct stat st {};
    for (int fd = 0; fd < 3; ++fd)
        if (::fstat(fd, &st) == -1 && (::close(fd), ::open("/dev/null", O_RDWR, 0)) != fd)
            base::msgFatal("open /dev/null: " + std::string(std::strerror(errno)));
    std::string myname = argc > 0 && argv[0] && *argv[0] ? argv[0] : "postconf";
    // postconf.c hands argv[0] to msg_vstream_init() unchanged (postmap strips the path).
    base::setProgramNameVerbatim(myname);

    unsigned mode = 0;
    unsigned paramClass = kBuiltin | kService | kUser;
    std::vector<std::string> overrides;
    optind = 0;
    int ch;
    while ((ch = ::getopt(argc, argv, "+aAbc:C:deEfFhHjlmMno:pPtT:vxX#")) > 0) {
        switch (ch) {
            case 'a':
                mode |= kShowSaslServ;
                break;
            case 'A':
                mode |= kShowSaslClnt;
                break;
            case 'b':
                mode |= kExpDsnTempl;
                break;
            case 'c':
                if (::setenv("MAIL_CONFIG", optarg, 1) < 0) base::msgFatal("out of memory");
                break;
            case 'C': {
                mode |= kParamClass;
                unsigned cls = 0;
                for (auto word : base::splitAny(optarg, ", \t\r\n")) {
                    if (base::equalsIgnoreCase(word, "builtin"))
                        cls |= kBuiltin;
                    else if (base::equalsIgnoreCase(word, "service"))
                        cls |= kService;
                    else if (base::equalsIgnoreCase(word, "user"))
                        cls |= kUser;
                    else if (base::equalsIgnoreCase(word, "all"))
                        cls |= kBuiltin | kService | kUser;
                    else
                        base::msgFatal(base::cat("unknown -C option value \"", word, "\" in \"", optarg, "\""));
                }
                paramClass = cls;
                break;
            }
            case 'd':
                mode |= kShowDefs;
                break;
            case 'e':
                mode |= kEditConf;
                break;
            case 'f':
                mode |= kFoldLine;
                break;
            case 'F':
                mode |= kMasterFld;
                break;
            case '#':
                mode |= kCommentOut;
                break;
            case 'h':
                mode |= kHideName;
                break;
            case 'H':
                mode |= kHideValue;
                break;
            case 'j':
                mode |= kShowJson;
                break;
            case 'l':
                mode |= kShowLocks;
                break;
            case 'm':
                mode |= kShowMaps;
                break;
            case 'M':
                mode |= kMasterEntry;
                break;
            case 'n':
                mode |= kShowNondef;
                break;
            case 'o':
                mode |= kMainOver;
                overrides.emplace_back(optarg);
                break;
            case 'p':
                mode |= kMainParam;
                break;
            case 'P':
                mode |= kMasterParam;
                break;
            case 't':
                mode |= kDumpDsnTempl;
                break;
            case 'T':
                if (mode & kShowTls) base::msgFatal("At most one -T <mode> option may be specified");
                mode |= kShowTls;
                break;
            case 'x':
                mode |= kShowEval;
                break;
            case 'X':
                mode |= kEditExcl;
                break;
            case 'v':
                base::setVerbose(base::verbose() + 1);
                break;
            default:
                usage(myname);
        }
    }
    if (!(mode & kMajorModes)) mode |= kMainParam;
    if ((mode & kMainOrMaster) && optind < argc && std::strchr(argv[optind], '=')) mode |= kEditConf;
    checkOptions(mode);
    if ((mode & kEditConf) && argc == optind) base::msgFatal("-e requires name=value argument");
    std::vector<std::string> args(argv + optind, argv + argc);
    if (!(mode & kHideName)) mode |= kShowName;
    std::string dir = configDirectory();

    if (mode & (kShowSaslServ | kShowSaslClnt | kShowLocks)) {
        // Like Postfix, these list what the build supports without reading main.cf.
        auto list = (mode & kShowSaslServ)   ? config::saslServerTypes()
                    : (mode & kShowSaslClnt) ? config::saslClientTypes()
                                             : config::mailboxLockMethods();
        for (auto name : list) std::printf("%.*s\n", int(name.size()), name.data());
    } else if (mode & (kExpDsnTempl | kDumpDsnTempl | kShowTls)) {
        base::msgFatal("the -b, -t and -T options are not implemented by this postconf");
    } else if (mode & kShowMaps) {
        // mail_conf_read() and mail_params_init(), as postconf -m runs them.
        base::checkOrFatal(config::checkCompatibilityLevel(readParameters(dir, {})));
        for (auto name : maps::dictTypeNames()) std::printf("%.*s\n", int(name.size()), name.data());
    } else if ((mode & (kMasterEntry | kMasterFld | kMasterParam)) && !(mode & (kEditConf | kEditExcl | kCommentOut))) {
        auto master = readMaster(dir, true);
        NameSpace ns(mode, readParameters(dir, overrides), std::move(master), dir, dir + "/master.cf");
        ns.registerBuiltin();
        ns.registerService();
        ns.registerUser();
        if (mode & kMasterFld) {
            showMasterFields(ns, mode, args);
        } else if (mode & kMasterParam) {
            showMasterParams(ns, mode, args);
        } else {
            showMasterEntries(ns, mode, args);
        }
        std::fflush(stdout);
        ns.flagUnusedMaster();
    } else if (mode & (kEditConf | kCommentOut | kEditExcl)) {
        if (args.empty()) base::msgFatal("missing service argument");
        if (mode & (kMasterEntry | kMasterFld | kMasterParam)) {
            editMaster(mode, dir, args);
        } else {
            editMain(mode, dir, args);
        }
    } else {
        bool defs = mode & kShowDefs;
        config::Config cfg = defs ? config::Config::defaults("/etc/postfix") : readParameters(dir, overrides);
        auto master = readMaster(dir, false);
        NameSpace ns(mode, std::move(cfg), std::move(master), dir, dir + "/master.cf");
        ns.registerBuiltin();
        ns.registerService();
        if (!defs) ns.registerUser();
        showParameters(ns, mode, paramClass, args);
        if (!defs) {
            std::fflush(stdout);
            ns.flagUnusedMain();
            ns.flagUnusedMaster();
        }
    }
    std::fflush(stdout);
    return 0;
}

}  // namespace postline::tools
