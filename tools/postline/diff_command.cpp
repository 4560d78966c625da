// runDiff(): the address list (the --addresses file, then probes for the keys of both
// configurations' tables), each routed through both configurations; an address whose
// outcome differs is printed with both outcomes.
#include "diff_command.h"

#include <optional>
#include <ostream>
#include <set>

#include "postline/address/routing_context.h"
#include "postline/base/files.h"
#include "postline/config/config.h"
#include "postline/maps/root_redirect.h"
#include "postline/maps/table_redirect.h"
#include "postline/simulate/route.h"
#include "postline/simulate/route_case.h"
#include "postline/simulate/route_outcome.h"
#include "postline/simulate/table_probes.h"
#include "root_option.h"

namespace postline::tools {

namespace {

constexpr int kDiffer = 1;
constexpr int kError = 2;

int error(std::ostream& err, const std::string& why) {
    err << "postline diff: fatal: " << why << "\n";
    return kError;
}

// How a configuration is named in the output: its directory, and the root it was read under.
std::string label(const std::string& dir, const std::string& root) {
    return root.empty() ? dir : dir + " (root " + root + ")";
}

// Runs `fn` with the tables that name absolute paths read under `root` (none: as named).
// Each configuration's tables are opened under its own root, so every use of one is
// wrapped, not just the first.
template <class Fn>
auto underRoot(const std::string& root, Fn&& fn) {
    std::optional<maps::TableRedirect> redirect;
    if (!root.empty()) redirect.emplace(maps::rootRedirect(root));
    return fn();
}

}  // namespace

int runDiff(const DiffCommandOptions& options, std::ostream& out, std::ostream& err) {
    auto a = config::Config::load(options.dirA, options.rootA);
    if (!a) return error(err, a.error().message);
    auto b = config::Config::load(options.dirB, options.rootB);
    if (!b) return error(err, b.error().message);
    rootFileParameters(*a, options.rootA);
    rootFileParameters(*b, options.rootB);
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
    for (const auto& side : {std::pair{&*a, &options.rootA}, std::pair{&*b, &options.rootB}}) {
        const config::Config* c = side.first;
        auto probes = underRoot(*side.second, [&] { return simulate::tableProbeAddresses(*c); });
        for (auto& w : probes.warnings) err << "postline diff: warning: " << c->configDirectory() << ": " << w << "\n";
        for (auto& address : probes.addresses) add(address);
    }

    address::RoutingContext contextA(*a), contextB(*b);
    rootDeliveryServices(contextA, *a, options.rootA);
    rootDeliveryServices(contextB, *b, options.rootB);
    size_t differ = 0;
    for (auto& address : addresses) {
        auto outcomeA = underRoot(
            options.rootA, [&] { return simulate::routeOutcome(simulate::routeRecipient(contextA, "", address)); });
        auto outcomeB = underRoot(
            options.rootB, [&] { return simulate::routeOutcome(simulate::routeRecipient(contextB, "", address)); });
        if (outcomeA == outcomeB) continue;
        if (differ++ == 0)
            out << "--- " << label(options.dirA, options.rootA) << "\n+++ " << label(options.dirB, options.rootB)
                << "\n";
        out << "<" << address << ">\n";
        out << "  - " << simulate::formatOutcome(outcomeA) << "\n";
        out << "  + " << simulate::formatOutcome(outcomeB) << "\n";
    }
    out << differ << " of " << addresses.size() << " addresses differ\n";
    return differ ? kDiffer : 0;
}

}  // namespace postline::tools
