// runTest(): parses every test file first (a malformed file runs nothing), then routes
// each case's address and prints the cases whose route differs from the expectation.
#include "test_command.h"

#include <optional>
#include <ostream>

#include "postline/address/address_parts.h"
#include "postline/address/routing_context.h"
#include "postline/base/files.h"
#include "postline/config/config.h"
#include "postline/maps/root_redirect.h"
#include "postline/policy/smtpd_restrictions.h"
#include "postline/simulate/route.h"
#include "postline/simulate/route_case.h"
#include "postline/simulate/route_case_check.h"
#include "root_option.h"

namespace postline::tools {

namespace {

int cannotRun(std::ostream& err, const std::string& why) {
    err << "postline test: fatal: " << why << "\n";
    return kTestsCannotRun;
}

// "FILE:LINE <ADDRESS>", the address quoted as in a header.
std::string where(const simulate::RouteCase& c) {
    return c.file + ":" + std::to_string(c.line) + " <" + address::toExternal(c.address) + ">";
}

}  // namespace

int runTest(const TestCommandOptions& options, std::ostream& out, std::ostream& err) {
    if (options.files.empty()) return cannotRun(err, "no test files given");
    std::vector<simulate::RouteCase> cases;
    for (auto& file : options.files) {
        auto text = base::readFile(file);
        if (!text) return cannotRun(err, text.error().message);
        auto parsed = simulate::parseRouteCases(*text, file);
        if (!parsed) return cannotRun(err, parsed.error().message);
        for (auto& c : *parsed) cases.push_back(std::move(c));
    }
    std::string dir = options.configDir.empty() ? config::defaultConfigDirectory() : options.configDir;
    auto loaded = config::Config::load(dir, options.root);
    if (!loaded) return cannotRun(err, loaded.error().message);
    // --root: the tables named by absolute paths are read under the root.
    std::optional<maps::TableRedirect> redirect;
    if (!options.root.empty()) redirect.emplace(maps::rootRedirect(options.root));
    for (auto& w : loaded->loadWarnings()) err << "postline test: warning: " << w << "\n";
    rootFileParameters(*loaded, options.root);

    address::RoutingContext context(*loaded);
    rootDeliveryServices(context, *loaded, options.root);
    int passed = 0, failed = 0;
    for (auto& c : cases) {
        // A case with a client is an SMTP session: smtpd's restrictions decide at RCPT TO.
        simulate::RouteReport report;
        if (c.input.hasSessionFields()) {
            auto session = simulate::caseSession(c.input);  // checked when the file was read
            if (!session) return cannotRun(err, where(c) + ": " + session.error().message);
            policy::SmtpdRestrictions smtpd(context, std::move(*session));
            report = simulate::routeRecipient(context, c.input.sender, c.address, &smtpd);
        } else {
            report = simulate::routeRecipient(context, c.input.sender, c.address);
        }
        auto mismatches = simulate::checkRouteCase(c.expect, report);
        if (mismatches.empty()) {
            ++passed;
            if (options.verbose) out << "PASS " << where(c) << "\n";
            continue;
        }
        ++failed;
        out << "FAIL " << where(c);
        if (!c.input.sender.empty()) out << " sender <" << c.input.sender << ">";
        out << "\n";
        for (auto& m : mismatches) {
            out << "  " << m.what << "\n";
            out << "    expected:   " << m.expected << "\n";
            out << "    actual:     " << m.actual << "\n";
            for (auto& step : m.decidedBy) out << "    decided by: " << step << "\n";
        }
    }
    out << passed << " passed, " << failed << " failed\n";
    return failed ? kTestsFailed : 0;
}

}  // namespace postline::tools
