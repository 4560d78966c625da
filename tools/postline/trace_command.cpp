// `postline trace`: configuration loading, the address list (arguments and --addresses
// FILE), and the exit status.
#include "trace_command.h"

#include <memory>
#include <optional>
#include <ostream>

#include "postline/address/external_tables.h"
#include "postline/address/routing_context.h"
#include "postline/artifact/generation_config.h"
#include "postline/base/files.h"
#include "postline/base/strings.h"
#include "postline/config/config.h"
#include "postline/maps/root_redirect.h"
#include "postline/policy/smtpd_command.h"
#include "postline/policy/smtpd_restrictions.h"
#include "postline/simulate/smtpd_route.h"
#include "root_option.h"

namespace postline::tools {

namespace {

// The SMTP session of --client, --helo, --sasl, --dns and --policy.
base::Result<policy::SmtpdSession> sessionFromOptions(const TraceCommandOptions& options) {
    auto session = policy::sessionForClient(options.client);
    if (!session) return session;
    if (!options.helo.empty()) session->helo = options.helo;
    session->saslUsername = options.sasl;
    for (auto& d : options.dns)
        if (auto st = policy::addDnsAnswer(session->offline, d); !st) return st.error();
    for (auto& p : options.policy)
        if (auto st = policy::addPolicyAnswer(session->offline, p); !st) return st.error();
    return session;
}

}  // namespace

int traceExitStatus(bool anyRejected, bool anyDeferred) { return anyDeferred ? 1 : anyRejected ? 2 : 0; }

int runTrace(const TraceCommandOptions& options, std::ostream& out, std::ostream& err) {
    // --compiled: the generation in use, its parameters and its compiled tables; the
    // redirect lives as long as the tables are opened (on first use, while routing).
    std::optional<artifact::Generation> generation;
    std::optional<maps::TableRedirect> redirect;
    address::ExternalLookups lookups;
    for (auto& l : options.lookups)
        if (auto st = lookups.addAnswer(l); !st) {
            err << "postline: fatal: " << st.error().message << "\n";
            return 1;
        }
    base::Result<config::Config> loaded = config::Config::defaults();
    if (!options.compiledDir.empty()) {
        auto opened = artifact::Generation::openCurrent(options.compiledDir);
        if (!opened) {
            err << "postline: fatal: " << opened.error().message << "\n";
            return 1;
        }
        generation = std::move(*opened);
        loaded = artifact::configOf(*generation);
        redirect.emplace(artifact::tableRedirectOf(*generation));
    } else {
        std::string dir = options.configDir.empty() ? config::defaultConfigDirectory() : options.configDir;
        loaded = config::Config::load(dir, options.root);
        if (!loaded) {
            err << "postline: fatal: " << loaded.error().message << "\n";
            return 1;
        }
        for (auto& w : loaded->loadWarnings()) err << "postline: warning: " << w << "\n";
        // --root: tables, myorigin's file and master.cf are read under the root.
        rootFileParameters(*loaded, options.root);
        if (!options.root.empty()) redirect.emplace(maps::rootRedirect(options.root));
    }
    if (options.format != "text" && options.format != "json") {
        err << "postline: fatal: unknown format: " << options.format << "\n";
        return 1;
    }
    // Each address is what the client sends after RCPT TO: (smtpd extracts the address).
    auto argument = [&](std::string_view a) {
        return options.rawArguments ? std::string(a) : policy::smtpArgumentFor(a);
    };
    std::vector<std::string> addresses;
    for (auto& a : options.addresses) addresses.push_back(argument(a));
    if (!options.addressesFile.empty()) {
        auto text = options.addressesFile == "-" ? base::readAll(0) : base::readFile(options.addressesFile);
        if (!text) {
            err << "postline: fatal: " << text.error().message << "\n";
            return 1;
        }
        for (std::string_view rest = *text; !rest.empty();) {
            auto nl = rest.find('\n');
            std::string_view line = base::trim(rest.substr(0, nl));
            rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
            if (!line.empty() && line.front() != '#') addresses.push_back(argument(line));
        }
    }
    if (addresses.empty()) {
        err << "postline: fatal: no addresses to trace\n";
        return 1;
    }
    address::RoutingContext context(*loaded);
    rootDeliveryServices(context, *loaded, options.root);
    // The generation's master.cf, not the one beside main.cf now (none: no master.cf was compiled).
    if (generation && !generation->services().empty())
        context.setDeliveryServices(address::deliveryServicesOf(generation->serviceFields()));
    std::unique_ptr<policy::SmtpdRestrictions> smtpd;
    if (!options.client.empty()) {
        auto session = sessionFromOptions(options);
        if (!session) {
            err << "postline: fatal: " << session.error().message << "\n";
            return 1;
        }
        smtpd = std::make_unique<policy::SmtpdRestrictions>(context, std::move(*session));
    } else if (!options.helo.empty() || !options.sasl.empty() || !options.dns.empty() || !options.policy.empty()) {
        err << "postline: fatal: --helo, --sasl, --dns and --policy need --client\n";
        return 1;
    }
    const policy::SmtpdSession* session = smtpd ? &smtpd->session() : nullptr;
    if (session && options.format != "json") printTraceSession(out, *session);
    // The null sender is <> as a client writes it, also with --raw-arguments.
    std::string sender = options.rawArguments && options.sender.empty() ? "<>" : argument(options.sender);
    // Text is printed address by address, so a long --addresses list needs no memory
    // for the reports; JSON ends with the exit status and so collects them.
    std::vector<simulate::RouteReport> reports;
    bool reject = false, defer = false;
    for (size_t i = 0; i < addresses.size(); ++i) {
        auto report = simulate::routeSmtpArguments(context, sender, addresses[i], smtpd.get());
        reject |= report.verdict == simulate::Verdict::Reject;
        defer |= report.verdict == simulate::Verdict::Defer;
        if (options.format == "json") {
            reports.push_back(std::move(report));
            continue;
        }
        if (i) out << "\n";
        printTraceTextBlock(out, report, session);
    }
    int status = traceExitStatus(reject, defer);
    if (options.format == "json") printTraceJson(out, reports, status, session);
    return status;
}

}  // namespace postline::tools
