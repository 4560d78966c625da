// The delivery status notification message the bounce service posts (RFC 3464
// multipart/report): headers, the human-readable part from Postfix's built-in
// templates, the message/delivery-status part and the returned message or its headers.
// The failure, delay, success and verify reports of the bounce, defer and trace
// services. Mirrors Postfix 3.7's bounce/bounce_notify_util.c (bounce_header, bounce_boilerplate,
// bounce_diagnostic_log, bounce_header_dsn, bounce_diagnostic_dsn, bounce_original),
// bounce_templates.c's default texts and util/line_wrap.c.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "postline/base/result.h"

namespace postline::message {

enum class DsnReportKind {
    Failure,  // "Undelivered Mail Returned to Sender" (bounce, and too-old mail)
    Delay,    // "Delayed Mail (still being retried)" (the delay warning)
    Success,  // "Successful Mail Delivery Report" (the trace service: NOTIFY=SUCCESS)
    Verify,   // "Mail Delivery Status Report" (the trace service: sendmail -bv, -v)
};

// DSN NOTIFY bits (global/dsn_mask.h) and RET values.
namespace dsn_notify {
inline constexpr int kNever = 1 << 0;
inline constexpr int kSuccess = 1 << 1;
inline constexpr int kFailure = 1 << 2;
inline constexpr int kDelay = 1 << 3;
inline constexpr int kOverride = kNever | kSuccess | kFailure | kDelay;  // postmaster copies: all
}  // namespace dsn_notify
namespace dsn_ret {
inline constexpr int kFull = 1 << 0;
inline constexpr int kHdrs = 1 << 1;
}  // namespace dsn_ret

// A notice template (bounce(5), bounce/bounce_template.c): the pseudo-headers and the
// text, whose $names are expanded when the notice is composed.
struct DsnTemplate {
    std::string origin = "[built-in]";  // the template file's name in diagnostics
    std::string name;                   // "failure", "delay"
    std::string charset = "us-ascii";
    std::string encoding = "7bit";           // "8bit" for a custom text with 8-bit characters
    std::string obsoleteFrom, standardFrom;  // From: per header_from_format
    std::string subject, postmasterSubject;
    std::vector<std::string> text;
};

struct DsnTemplates {
    DsnTemplate failure, delay, success, verify;
    const DsnTemplate& forKind(DsnReportKind kind) const;
};

// Postfix 3.7's built-in templates, as `postconf -b` shows them unexpanded.
DsnTemplates builtInDsnTemplates();

// bounce_templates_load() and bounce_template_parse_buffer(): the content of a
// bounce_template_file (`failure_template = <<EOF` ... `EOF`, pseudo-headers Charset:,
// From:, Subject:, Postmaster-Subject:, a blank line, the text) over the built-in
// templates. A template with a bad pseudo-header, no text, or 8-bit text under
// us-ascii is ignored with Postfix's warnings (the built-in one stays); other names
// are warned about. Errors
// (fatal in Postfix): "PATH, line N: missing '=' after attribute name: \"LINE\"",
// "PATH, line N: missing end marker after <<", "... malformed end marker after <<".
base::Result<DsnTemplates> loadDsnTemplates(std::string_view content, const std::string& path,
                                            const std::function<void(const std::string&)>& warn);

// One recipient as the bounce or defer log holds it (queue::BounceLogEntry's fields,
// already made printable by the log reader).
struct DsnReportRecipient {
    std::string address;   // printable quoted form
    std::string original;  // orig_rcpt, "" when none
    std::string dsnOrcpt;  // "rfc822;addr", "" when none
    int dsnNotify = 0;     // 0: no NOTIFY (reported, for compatibility)
    std::string status;    // "5.1.1"
    std::string
        action;  // from the log ("delivered", "relayed", "expanded", "delayed"); a failure report always says "failed"
    std::string diagType, diagText, mtaType, mtaName;
    std::string reason;
};

struct DsnReport {
    DsnReportKind kind = DsnReportKind::Failure;
    bool postmasterCopy = false;  // Postmaster subject, "auto-generated", no boilerplate
    // Which recipients (dsnNotify & filter, or 0). The trace service's reports take
    // every recipient of the trace log (kOverride): only NOTIFY=SUCCESS ones are there.
    int notifyFilter = dsn_notify::kFailure;

    std::string to;                    // the notification's recipient, quoted (the To: header)
    std::string myhostname;            // Reporting-MTA, the text, the boundary
    std::string mailName = "Postfix";  // mail_name: X-<name>-Queue-ID, X-<name>-Sender
    bool obsoleteFrom = false;         // header_from_format = obsolete
    std::string queueId;
    // The original sender as X-Postfix-Sender and Return-Path show it: quoted, the null
    // sender as MAILER-DAEMON@$myhostname; "" when the queue file gave none (the
    // X-Postfix-Sender line is then left out, as in Postfix).
    std::string sender;
    std::string envid;              // ENVID: Original-Envelope-Id, "" when none
    std::string arrivalDate;        // mail_date() of the arrival time, "" when unknown
    std::string willRetryUntil;     // mail_date() of arrival + maximal_queue_lifetime (Delay)
    std::string originalMessageId;  // "<id>" for References/In-Reply-To (threaded bounces)
    // bounce_mail_alloc()'s MIME encoding: "8bit" (smtputf8_enable, or an 8bit message),
    // "7bit", or "" (unknown: no Content-Transfer-Encoding at all).
    std::string mimeEncoding = "8bit";
    bool smtputf8Requested = false;  // SMTPUTF8 requested: message/global-delivery-status
    bool smtputf8Any = false;        // any SMTPUTF8 flag: "utf-8" address types for UTF-8 addresses
    std::string boundary;            // "QUEUEID.TIME/HOSTNAME" (dsnBoundary)
    long delayWarningTime = 0;       // seconds, for the delay template's text
    long maximalQueueLifetime = 0;   // seconds, for the delay template's text
    // The template (nullptr: the built-in one for `kind`) and the values of $names in
    // it other than $myhostname and the _seconds/_minutes/_hours/_days/_weeks forms of
    // delay_warning_time and maximal_queue_lifetime (main.cf parameters, expanded;
    // nullopt: undefined). Without `parameter`, every other name is undefined.
    const DsnTemplate* notice = nullptr;
    std::function<std::optional<std::string>(std::string_view)> parameter;

    // The log's recipients; logAvailable = false when the log could not be read (a
    // failure report then says "--- Delivery report unavailable ---").
    std::vector<DsnReportRecipient> recipients;
    bool logAvailable = true;

    // The original message: its content lines (header, empty line, body), the RET the
    // sender asked for (0: full; the trace service always returns the headers only:
    // kHdrs, "Message Headers"), the message size from the queue file's size record,
    // and bounce_size_limit; originalAvailable = false prints a place holder instead.
    bool originalAvailable = true;
    std::vector<std::string> originalLines;
    int ret = 0;
    long messageSize = 0;
    long bounceSizeLimit = 50000;
};

struct ComposedReport {
    // The notification's lines without line ends, header first; empty when no recipient
    // passed the notify filter (Postfix then cancels the notice: nothing is posted).
    std::vector<std::string> lines;
    int reported = 0;          // recipients reported
    bool headersOnly = false;  // the original was returned as text/rfc822-headers
    // The template's text could not be expanded (Postfix's fatal errors: "ORIGIN: bad
    // $name syntax in failure template: LINE", "ORIGIN: undefined $name in failure
    // template: LINE", "ORIGIN: unrecognized suffix ..."): nothing is to be posted.
    std::string error;
    // Postfix's warnings about the expansion ("[built-in]: zero result in delay template
    // conversion of parameter ..." and its two advice lines).
    std::vector<std::string> warnings;
};

// Composes the notification. Never fails: missing pieces become Postfix's place holders.
ComposedReport composeDsnReport(const DsnReport& report);

// bounce_mail_alloc()'s boundary: "QUEUEID.SECONDS/HOSTNAME".
std::string dsnBoundary(std::string_view queueId, long now, std::string_view myhostname);

// util/line_wrap.c as bounce_print_wrap() uses it: lines of at most `width` characters
// broken at blanks, continuation lines indented by `indent`, trailing blanks dropped.
std::vector<std::string> wrapLine(std::string_view text, int width = 79, int indent = 4);

}  // namespace postline::message
