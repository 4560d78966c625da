// Routing test cases (docs/routing-tests.md): what an address must become, written as
// `ADDRESS -> EXPECTATION` lines with optional indented `KEYWORD VALUE` lines under
// them, and `defaults` blocks for the sender and client of the cases that follow.
// Postfix has no such format; `postline test` checks each case against the route
// that `postline trace` computes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "postline/base/result.h"
#include "postline/policy/smtpd_session.h"

namespace postline::simulate {

// The SMTP session a case is sent in. With a client, smtpd's restrictions decide at
// RCPT TO (HELO and SASL login need a client); `sender` also feeds cleanup and the
// sender-dependent tables.
struct CaseInput {
    std::string sender;  // internal form; "" is the null sender
    std::string client;  // "NAME[ADDR]" or "ADDR"; empty: not given
    std::string helo;
    std::string sasl;  // SASL login name
    // Offline answers for what would need the network, as trace's --dns and --policy:
    // "NAME=found|notfound|tempfail|nullmx|malformed", "SERVICE=ACTION".
    std::vector<std::string> dns;
    std::vector<std::string> policy;
    bool hasSessionFields() const {
        return !client.empty() || !helo.empty() || !sasl.empty() || !dns.empty() || !policy.empty();
    }
};

struct CaseExpectation {
    // The verdict: deliver (accepted, every final recipient delivered), reject (refused at
    // RCPT TO), bounce (accepted, then returned), defer (temporary); Any: not checked.
    enum class Verdict { Any, Deliver, Reject, Bounce, Defer } verdict = Verdict::Any;
    std::string reasonPrefix;  // the reply or DSN text must start with this (reject/bounce/defer)
    std::optional<std::vector<std::string>> recipients;  // exactly these final recipients (any order)
    struct Route {
        std::string recipient;  // empty: every final recipient
        std::string transport;  // empty: not checked
        std::optional<std::string> nexthop;
    };
    std::vector<Route> routes;
    struct Local {
        std::string kind;  // mailbox, maildir, command, file, forward
        std::string target;
    };
    std::vector<Local> local;  // local(8) must do each of these for some final recipient
};
const char* caseVerdictName(CaseExpectation::Verdict v);

struct RouteCase {
    std::string file;
    int line = 0;
    std::string address;  // internal form
    std::string written;  // the address as written in the file
    CaseInput input;
    CaseExpectation expect;
};

// Parses a routing test file. Errors name the file and line ("FILE:LINE: TEXT").
[[nodiscard]] base::Result<std::vector<RouteCase>> parseRouteCases(std::string_view text, const std::string& file);

// The SMTP session of a case with a client: "NAME[ADDR]" (as Postfix logs clients) or
// "ADDR", the HELO name, the SASL login and the DNS and policy answers. Errors name the
// bad part.
[[nodiscard]] base::Result<policy::SmtpdSession> caseSession(const CaseInput& input);

// An address as a person writes it ("<a@b>", "\"a b\"@c", "<>") -> internal form.
std::string caseAddress(std::string_view written);

// An address file (`trace --addresses`, `diff --addresses`): one address per line in
// the form caseAddress() takes; blank lines and lines starting with '#' are skipped.
std::vector<std::string> addressLines(std::string_view text);

}  // namespace postline::simulate
