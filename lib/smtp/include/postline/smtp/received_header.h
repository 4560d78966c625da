// The Received: header smtpd prepends to a message (smtpd/smtpd.c
// common_pre_message_handling) and the date in it (global/mail_date.c).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace postline::smtp {

// mail_date(): "Sun,  6 Dec 2026 21:10:50 +0000 (UTC)" for `when` in local time
// (strftime "%a, %e %b %Y %H:%M:%S ", the UTC offset, " (%Z)").
std::string mailDate(long when);

struct ReceivedFields {
    std::string heloName;       // "" when the client sent no HELO/EHLO (the client name is shown)
    std::string clientName;     // "unknown" or the verified name
    std::string clientAddress;  // printable address
    bool ipv6 = false;          // the address is shown as "IPv6:ADDR" (rfc_addr)
    std::string myhostname;
    std::string mailName = "Postfix";
    std::string protocol;   // "SMTP", "ESMTP"; "UTF8SMTP" when the sender asked for SMTPUTF8
    std::string queueId;    // "" when there is none
    std::string recipient;  // the one recipient (internal form), "" when there were more
    long arrival = 0;       // seconds
};

// The header's lines as smtpd hands them to cleanup, one content record each:
// "Received: from HELO (NAME [ADDR])", "\tby HOST (Postfix) with PROTO id ID" and
// "\tfor <RCPT>; DATE" (one recipient) or "...id ID;" and "\tDATE".
std::vector<std::string> receivedHeader(const ReceivedFields& fields);

}  // namespace postline::smtp
