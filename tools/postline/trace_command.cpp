// `postline trace`: configuration loading, address parsing and the exit status.
#include "trace_command.h"

#include <ostream>

#include "postline/address/address_parts.h"
#include "postline/address/routing_context.h"
#include "postline/address/tokens.h"
#include "postline/config/config.h"

namespace postline::tools {

namespace {

// An address given on the command line, external form -> internal form; "<>" and
// angle brackets are accepted as in an SMTP command.
std::string commandLineAddress(std::string text) {
    if (text.size() >= 2 && text.front() == '<' && text.back() == '>') text = text.substr(1, text.size() - 2);
    return address::toInternal(text);
}

}  // namespace

int traceExitStatus(const std::vector<address::RouteReport>& reports) {
    bool reject = false, defer = false;
    for (auto& r : reports) {
        reject |= r.verdict == address::Verdict::Reject;
        defer |= r.verdict == address::Verdict::Defer;
    }
    return defer ? 1 : reject ? 2 : 0;
}

int runTrace(const TraceCommandOptions& options, std::ostream& out, std::ostream& err) {
    std::string dir = options.configDir.empty() ? config::defaultConfigDirectory() : options.configDir;
    auto loaded = config::Config::load(dir);
    if (!loaded) {
        err << "postline: fatal: " << loaded.error().message << "\n";
        return 1;
    }
    for (auto& w : loaded->loadWarnings()) err << "postline: warning: " << w << "\n";
    if (options.format != "text" && options.format != "json") {
        err << "postline: fatal: unknown format: " << options.format << "\n";
        return 1;
    }
    address::RoutingContext context(*loaded);
    std::string sender = commandLineAddress(options.sender);
    std::vector<address::RouteReport> reports;
    for (auto& a : options.addresses)
        reports.push_back(address::routeRecipient(context, sender, commandLineAddress(a)));
    int status = traceExitStatus(reports);
    if (options.format == "json")
        printTraceJson(out, reports, status);
    else
        printTraceText(out, reports);
    return status;
}

}  // namespace postline::tools
