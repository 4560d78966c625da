// parseServiceArgs and spawnArguments: the daemon command line as Postfix's master
// writes it (master_ent.c) and its servers read it (single_server.c and friends).
#include "postline/server/service_args.h"

#include <cstdlib>

#include "postline/base/files.h"
#include "postline/base/strings.h"

namespace postline::server {

namespace {

// Postfix's split_nameval(): "name = value" with blanks around both trimmed.
base::Result<std::pair<std::string, std::string>> splitNameValue(std::string_view text) {
    auto eq = text.find('=');
    if (eq == std::string_view::npos) return base::Error{"missing '=' after attribute name"};
    std::string_view name = base::trim(text.substr(0, eq));
    if (name.empty()) return base::Error{"missing attribute name"};
    return std::pair{std::string(name), std::string(base::trim(text.substr(eq + 1)))};
}

bool positiveNumber(std::string_view s, int& out) {
    if (s.empty() || s.size() > 9) return false;
    int n = 0;
    for (char c : s) {
        if (!base::isDigit(c)) return false;
        n = n * 10 + (c - '0');
    }
    out = n;
    return n > 0;
}

}  // namespace

base::Result<ServiceOptions> parseServiceArgs(const std::vector<std::string>& argv, const std::string& program,
                                              const char* mailConfig) {
    ServiceOptions options;
    options.program = program;
    options.serviceName = program;
    options.configDirectory = mailConfig && *mailConfig ? mailConfig : "/etc/postfix";
    const std::string withValue = "inmorst";
    const std::string flags = "cdDlSuvVz";
    size_t i = 1;
    for (; i < argv.size(); ++i) {
        const std::string& arg = argv[i];
        if (arg == "--") {
            ++i;
            break;
        }
        if (arg.size() < 2 || arg[0] != '-') break;  // getopt with '+': stop at the first operand
        for (size_t j = 1; j < arg.size(); ++j) {
            char c = arg[j];
            if (withValue.find(c) != std::string::npos) {
                std::string value;
                if (j + 1 < arg.size()) {
                    value = arg.substr(j + 1);
                } else if (i + 1 < argv.size()) {
                    value = argv[++i];
                } else {
                    return base::Error{base::cat("invalid option: ", c)};
                }
                switch (c) {
                    case 'i':
                        options.overrides.emplace_back("max_idle", value);
                        break;
                    case 'm':
                        options.overrides.emplace_back("max_use", value);
                        break;
                    case 'n':
                        options.serviceName = value;
                        break;
                    case 'o': {
                        auto pair = splitNameValue(value);
                        if (!pair)
                            return base::Error{
                                base::cat("invalid \"-o ", value, "\" option value: ", pair.error().message)};
                        options.overrides.push_back(std::move(*pair));
                        break;
                    }
                    case 'r': {
                        int n = 0;
                        if (!positiveNumber(value, n)) return base::Error{"invalid retirement time: " + value};
                        break;
                    }
                    case 's':
                        if (!positiveNumber(value, options.socketCount))
                            return base::Error{"invalid socket_count: " + value};
                        break;
                    case 't':
                        options.transport = value;
                        break;
                }
                break;  // the value used the rest of this argument
            }
            if (flags.find(c) == std::string::npos) return base::Error{base::cat("invalid option: ", c)};
            switch (c) {
                case 'c':
                    options.chroot = true;
                    break;
                case 'd':
                    options.foreground = true;
                    break;
                case 'l':
                    options.singleProcess = true;
                    break;
                case 'S':
                    options.standalone = true;
                    break;
                case 'u':
                    options.unprivileged = true;
                    break;
                case 'v':
                    ++options.verbose;
                    break;
                case 'z':
                    options.zeroLimit = true;
                    break;
                case 'V':
                    options.logToStderr = true;
                    break;
                default:  // -D (run under a debugger): nothing to do
                    break;
            }
        }
    }
    for (; i < argv.size(); ++i) options.arguments.push_back(argv[i]);
    return options;
}

std::vector<std::string> spawnArguments(const SpawnFlags& flags) {
    std::vector<std::string> out{flags.command};
    if (flags.maxProcesses == 1) out.push_back("-l");
    if (flags.maxProcesses == 0) out.push_back("-z");
    if (base::baseName(flags.command) != flags.serviceName) {
        out.push_back("-n");
        out.push_back(flags.serviceName);
    }
    out.push_back("-t");
    out.push_back(flags.transport);
    if (flags.foreground) out.push_back("-d");
    for (int v = 0; v < flags.verbose; ++v) out.push_back("-v");
    if (flags.unprivileged) out.push_back("-u");
    if (flags.chroot) out.push_back("-c");
    if (flags.socketCount > 1) {
        out.push_back("-s");
        out.push_back(std::to_string(flags.socketCount));
    }
    out.insert(out.end(), flags.arguments.begin(), flags.arguments.end());
    return out;
}

}  // namespace postline::server
