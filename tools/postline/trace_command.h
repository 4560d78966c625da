// `postline trace`: routes addresses through lib/simulate (lib/address's rewriting and
// resolution, lib/policy's smtpd restrictions) exactly as the MTA would and
// prints every step (table, key, result), the final recipients and their delivery.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "postline/policy/smtpd_session.h"
#include "postline/simulate/route.h"

namespace postline::tools {

struct TraceCommandOptions {
    std::string configDir;               // -c DIR; empty: $MAIL_CONFIG, then /etc/postfix
    std::string compiledDir;             // --compiled DIR: a compile output directory instead of -c
    std::string sender;                  // -f SENDER; "" and "<>" are the null sender
    std::string format = "text";         // text | json
    std::vector<std::string> addresses;  // recipients, in external (RFC 5322) form
    std::string addressesFile;           // --addresses FILE: more recipients, one a line ("-": stdin)
    std::string root;                    // --root DIR: the configuration's files read under DIR
    bool rawArguments = false;           // --raw-arguments: addresses and sender as RCPT TO:/MAIL FROM: arguments
    // An SMTP session: with a client, smtpd's restrictions decide at RCPT TO.
    std::string client;               // --client IP[,NAME]; empty: no SMTP session
    std::string helo;                 // --helo NAME
    std::string sasl;                 // --sasl USER
    std::vector<std::string> dns;     // --dns NAME=found|notfound|tempfail|nullmx|malformed
    std::vector<std::string> policy;  // --policy SERVICE=ACTION
    // Answers of tables trace cannot query (address/external_tables.h).
    std::vector<std::string> lookups;  // --lookup TABLE=KEY=VALUE
};

// Exit status: 0 every address deliverable, 2 any rejected or bounced, 1 any
// undecidable or temporary (a table error, a limit reached, a bad configuration).
int runTrace(const TraceCommandOptions& options, std::ostream& out, std::ostream& err);

// The exit status (see runTrace) when some report was rejected or deferred.
int traceExitStatus(bool anyRejected, bool anyDeferred);

// Output formats. The text form prints one block per report, blocks separated by an
// empty line; printTraceTextBlock prints one block (without separator). `session` is
// the SMTP session when smtpd's restrictions were evaluated: the text form opens with
// it (printTraceSession) and each block says how smtpd decided.
void printTraceText(std::ostream& out, const std::vector<simulate::RouteReport>& reports,
                    const policy::SmtpdSession* session = nullptr);
void printTraceSession(std::ostream& out, const policy::SmtpdSession& session);
void printTraceTextBlock(std::ostream& out, const simulate::RouteReport& report,
                         const policy::SmtpdSession* session = nullptr);
void printTraceJson(std::ostream& out, const std::vector<simulate::RouteReport>& reports, int exitStatus,
                    const policy::SmtpdSession* session = nullptr);

}  // namespace postline::tools
