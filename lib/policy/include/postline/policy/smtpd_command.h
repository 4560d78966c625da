// The MAIL FROM and RCPT TO commands as smtpd reads them (smtpd/smtpd.c mail_cmd,
// rcpt_cmd and extract_addr, smtpd_token.c, smtpd_chat.c's line_length_limit): the
// argument the client writes becomes the internal-form address that the restrictions
// and cleanup see, or the command's error reply.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "postline/address/step.h"

namespace postline::address {
class RoutingContext;
}

namespace postline::policy {

struct SmtpdCommandResult {
    bool ok = true;
    std::string address;    // extract_addr()'s result, internal form ("" is the null sender)
    std::string reply;      // the error reply when !ok ("501 5.1.3 Bad recipient address syntax")
    bool smtputf8 = false;  // MAIL FROM with the SMTPUTF8 parameter (and smtputf8_enable)
    address::Step step;     // how smtpd read the command: stage "MAIL" or "RCPT"
};

// One token of smtpd_token(): whitespace-separated, with <...> and "..." kept whole.
struct SmtpdToken {
    std::string text;
    bool error = false;  // SMTPD_TOK_ERROR: a <...> or "..." without its end
};
std::vector<SmtpdToken> smtpdTokens(std::string_view line);

// The command line smtpd reads for `command` ("MAIL FROM:" or "RCPT TO:") followed by
// `argument`: cut at a newline, its trailing carriage returns removed, and at most
// line_length_limit bytes (smtp_get() skips the rest of a longer line).
std::string smtpdCommandLine(address::RoutingContext& context, std::string_view command, std::string_view argument);

// MAIL FROM:ARGUMENT, ARGUMENT as the client writes it ("<user@example.org>",
// "<>", a bare "user@example.org", ESMTP parameters after the address).
SmtpdCommandResult smtpdMailFrom(address::RoutingContext& context, std::string_view argument);

// RCPT TO:ARGUMENT after a MAIL FROM that gave `sender` (internal form) and `smtputf8`.
SmtpdCommandResult smtpdRcptTo(address::RoutingContext& context, std::string_view argument, std::string_view sender,
                               bool smtputf8);

// smtpd_chat_reply()'s soft_bounce: a 5xx reply (and its 5.X.Y status) becomes 4xx.
std::string softBounced(address::RoutingContext& context, std::string reply);

// The argument a client sends for an address written in a trace or test: as written
// when it starts with '<', else enclosed in "<>" ("" becomes "<>").
std::string smtpArgumentFor(std::string_view written);

}  // namespace postline::policy
