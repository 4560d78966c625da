// smtpd_reject_footer: text appended to smtpd's 4xx and 5xx replies as more reply lines
// (global/smtp_reply_footer.c), with $name macros expanded as smtpd_expand.c does
// (smtpd/smtpd_expand.c: server_name, client, client_address, client_port, client_name,
// reverse_client_name, helo_name, sender, recipient and their _name/_domain forms,
// localtime; values filtered through smtpd_expansion_filter).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace postline::smtp {

// What the macros stand for in one session at the time of the reply.
struct FooterMacros {
    std::string serverName;  // myhostname
    std::string namaddr;     // client: NAME[ADDR]
    std::string clientAddress, clientPort, clientName, reverseName;
    std::string helo;                      // "" without HELO
    std::optional<std::string> sender;     // unset before MAIL FROM
    std::optional<std::string> recipient;  // unset before the first accepted RCPT TO
    long now = 0;                          // for localtime ("%b %d %H:%M:%S")
};

// unescape(): smtpd_expansion_filter as written in main.cf ("\t\40!...") to its bytes.
std::string unescapeFilter(std::string_view text);

// The reply `reply` (one or more lines separated by "\r\n") with `footer` appended as
// smtp_reply_footer() does: each "\n"-separated part of the footer is a new line with
// the last line's code and enhanced status code ("\c" at the start continues the last
// line instead). A reply that does not start with a reply code, or a footer whose macros
// do not parse, leaves `reply` as it is. Unknown macro names are reported to `warn`.
std::string applyReplyFooter(const std::string& reply, std::string_view footer, const FooterMacros& macros,
                             std::string_view filter, const std::function<void(std::string_view)>& warn);

}  // namespace postline::smtp
