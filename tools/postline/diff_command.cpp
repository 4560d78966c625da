// runDiff(): the address list (the --addresses file, then probes for the keys of both
// configurations' tables), each routed through both configurations; an address whose
// outcome differs is printed with both outcomes.
#include "diff_command.h"

#include <ostream>
#include <set>

#include "postline/address/routing_context.h"
#include "postline/base/files.h"
#include "postline/config/config.h"
#include "postline/simulate/route.h"
#include "postline/simulate/route_case.h"
#include "postline/simulate/route_outcome.h"
#include "postline/simulate/table_probes.h"

namespace postline::tools {

namespace {

constexpr int kDiffer = 1;
constexpr int kError = 2;

int error(std::ostream& err, const std::string& why) {
    err << "postline diff: fatal: " << why << "\n";
    return kError;
}

}  // namespace

int runDiff(const DiffCommandOptions& options, std::ostream& out, std::ostream& err) {
    auto a = config::Config::load(options.dirA);
    if (!a) return error(err, a.error().message);
    auto b = config::Config::load(options.dirB);
    if (!b) return error(err, b.error().message);
    for (auto& w : a->loadWarnings()) err << "postline diff: warning: " << w << "\n";
    for (auto& w : b->loadWarnings()) err << "postline diff: warning: " << w << "\n";

    std::vector<std::string> addresses;
    std::set<std::string> seen;
    auto add = [&](const std::string& address) {
        if (seen.insert(address).second) addresses.push_back(address);
    };
    if (!options.addressesFile.empty()) {
        auto text = options.addressesFile == "-" ? base::readAll(0) : base::readFile(options.addressesFile);
        if (!text) return error(err, text.error().message);
        for (auto& address : simulate::addressLines(*text)) add(address);
    }
    for (auto* c : {&*a, &*b}) {
        auto probes = simulate::tableProbeAddresses(*c);
        for (auto& w : probes.warnings) err << "postline diff: warning: " << c->configDirectory() << ": " << w << "\n";
        for (auto& address : probes.addresses) add(address);
    }

    address::RoutingContext contextA(*a), contextB(*b);
    size_t differ = 0;
    for (auto& address : addresses) {
        auto outcomeA = simulate::routeOutcome(simulate::routeRecipient(contextA, "", address));
        auto outcomeB = simulate::routeOutcome(simulate::routeRecipient(contextB, "", address));
        if (outcomeA == outcomeB) continue;
        if (differ++ == 0) out << "--- " << options.dirA << "\n+++ " << options.dirB << "\n";
        out << "<" << address << ">\n";
        out << "  - " << simulate::formatOutcome(outcomeA) << "\n";
        out << "  + " << simulate::formatOutcome(outcomeB) << "\n";
    }
    out << differ << " of " << addresses.size() << " addresses differ\n";
    return differ ? kDiffer : 0;
}

}  // namespace postline::tools
