// `postline trace`: routes addresses through lib/address exactly as the MTA would and
// prints every step (table, key, result), the final recipients and their delivery.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "postline/address/route.h"

namespace postline::tools {

struct TraceCommandOptions {
    std::string configDir;               // -c DIR; empty: $MAIL_CONFIG, then /etc/postfix
    std::string sender;                  // -f SENDER; "" and "<>" are the null sender
    std::string format = "text";         // text | json
    std::vector<std::string> addresses;  // recipients, in external (RFC 5322) form
};

// Exit status: 0 every address deliverable, 2 any rejected or bounced, 1 any
// undecidable or temporary (a table error, a limit reached, a bad configuration).
int runTrace(const TraceCommandOptions& options, std::ostream& out, std::ostream& err);

// The exit status for a set of reports (see runTrace).
int traceExitStatus(const std::vector<address::RouteReport>& reports);

// Output formats.
void printTraceText(std::ostream& out, const std::vector<address::RouteReport>& reports);
void printTraceJson(std::ostream& out, const std::vector<address::RouteReport>& reports, int exitStatus);

}  // namespace postline::tools
