// The mail log as Postfix 3.7 writes it: to maillog_file in the line shape of
// util/msg_logger.c ("Mmm dd hh:mm:ss HOST IDENT[PID]: [SEVERITY: ]TEXT", what postlogd
// appends), or to syslog(3) with ident syslog_name/program and syslog_facility
// (util/msg_syslog.c). maillog_file must start with one of maillog_file_prefixes
// (global/maillog_client.c).
#pragma once

#include <ctime>
#include <string>
#include <string_view>

#include "postline/base/msg.h"
#include "postline/base/result.h"

namespace postline::server {

// One maillog_file line without its newline: the local time as strftime's
// "%b %d %H:%M:%S", the host name's first label, "IDENT[PID]: ", then "SEVERITY: "
// for everything but information, then the text.
std::string formatLogLine(std::time_t when, std::string_view hostname, std::string_view ident, long pid,
                          base::Severity severity, std::string_view text);

// The fatal text when `file` starts with none of the comma- or blank-separated
// `prefixes`: "maillog_file value 'FILE' does not match any prefix in
// maillog_file_prefixes"; "" when it matches.
std::string maillogPrefixProblem(std::string_view file, std::string_view prefixes);

// The syslog facility code for a syslog_facility name ("mail", "local0".."local7",
// "daemon", "user", ...); -1 for an unknown name.
int syslogFacility(std::string_view name);

struct MailLogSettings {
    std::string ident;        // "postfix/smtpd": syslog_name "/" program
    std::string hostname;     // myhostname
    std::string file;         // maillog_file ("" = syslog)
    std::string prefixes;     // maillog_file_prefixes
    std::string facility;     // syslog_facility
    bool alsoStderr = false;  // a command's messages also go to stderr (postfix, as postfix-script)
    base::Severity stderrFrom = base::Severity::Info;  // with alsoStderr: only this severity and worse
};

// Installs the mail log as base's message sink (every msgInfo/msgWarn/... of this
// process goes there). With a file, each line is appended with one write(2) on a
// descriptor opened O_APPEND, so that lines of concurrent processes never interleave.
// Errors: the prefix problem above; "open maillog_file FILE: REASON"; an unknown
// syslog_facility ("unknown syslog_facility: NAME"). On error nothing is installed. A
// later call replaces the sink and closes the file the previous one wrote to.
base::Status installMailLog(const MailLogSettings& settings);

}  // namespace postline::server
