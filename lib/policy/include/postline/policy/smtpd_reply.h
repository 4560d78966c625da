// SMTP reply pieces of smtpd's restrictions: RFC 3463 status codes as Postfix checks
// and splits them (global/dsn_util.c dsn_valid, dsn_split), the sender/recipient
// adjustment of address status codes (smtpd/smtpd_dsn_fix.c) and the names smtpd uses
// for what it rejects (smtpd/smtpd_check.h SMTPD_NAME_*).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace postline::policy {

// What a reply is about; its name is the "%s rejected" text.
inline constexpr const char* kClientClass = "Client host";
inline constexpr const char* kReverseClientClass = "Unverified Client host";
inline constexpr const char* kSaslClass = "SASL login name";
inline constexpr const char* kHeloClass = "Helo command";
inline constexpr const char* kSenderClass = "Sender address";
inline constexpr const char* kRecipientClass = "Recipient address";
inline constexpr const char* kEtrnClass = "Etrn command";
inline constexpr const char* kDataClass = "Data command";
inline constexpr const char* kEndOfDataClass = "End-of-data";

// dsn_valid: the length of the status code ("4.7.1") at the start of `text` (it must
// end at the end of the text or at white space), or 0.
size_t dsnValid(std::string_view text);

// dsn_split: an optional status code at the start of `text` (after white space) and the
// free text after it; `defaultDsn` when the text has none.
struct DsnSplit {
    std::string dsn;
    std::string text;
};
DsnSplit dsnSplit(std::string_view defaultDsn, std::string_view text);

// smtpd_dsn_fix: an address status X.1.Y turned into the sender or recipient form for
// `replyClass`, or into X.0.0 for a reply that is not about an address.
std::string smtpdDsnFix(std::string_view status, std::string_view replyClass);

}  // namespace postline::policy
