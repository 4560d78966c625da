// `postline trace`: configuration loading, the address list (arguments and --addresses
// FILE), and the exit status.
#include "trace_command.h"

#include <ostream>

#include "postline/address/route_case.h"
#include "postline/address/routing_context.h"
#include "postline/base/files.h"
#include "postline/config/config.h"

namespace postline::tools {

int traceExitStatus(bool anyRejected, bool anyDeferred) { return anyDeferred ? 1 : anyRejected ? 2 : 0; }

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
    std::vector<std::string> addresses;
    for (auto& a : options.addresses) addresses.push_back(address::caseAddress(a));
    if (!options.addressesFile.empty()) {
        auto text = options.addressesFile == "-" ? base::readAll(0) : base::readFile(options.addressesFile);
        if (!text) {
            err << "postline: fatal: " << text.error().message << "\n";
            return 1;
        }
        for (auto& a : address::addressLines(*text)) addresses.push_back(std::move(a));
    }
    if (addresses.empty()) {
        err << "postline: fatal: no addresses to trace\n";
        return 1;
    }
    address::RoutingContext context(*loaded);
    std::string sender = address::caseAddress(options.sender);
    // Text is printed address by address, so a long --addresses list needs no memory
    // for the reports; JSON ends with the exit status and so collects them.
    std::vector<address::RouteReport> reports;
    bool reject = false, defer = false;
    for (size_t i = 0; i < addresses.size(); ++i) {
        auto report = address::routeRecipient(context, sender, addresses[i]);
        reject |= report.verdict == address::Verdict::Reject;
        defer |= report.verdict == address::Verdict::Defer;
        if (options.format == "json") {
            reports.push_back(std::move(report));
            continue;
        }
        if (i) out << "\n";
        printTraceTextBlock(out, report);
    }
    int status = traceExitStatus(reject, defer);
    if (options.format == "json") printTraceJson(out, reports, status);
    return status;
}

}  // namespace postline::tools
