// The message headers cleanup knows by name and what it does with them (Postfix's
// global/header_opts.c): address headers of the sender or recipient kind, Resent-
// headers, MIME headers, and the ones message_drop_headers removes. Also is_header():
// whether a line starts a header ("name:", RFC 822's obsolete "name :" included).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

namespace postline::message {

enum class HeaderType {
    Other,
    ApparentlyTo,
    Bcc,
    Cc,
    ContentDescription,
    ContentDisposition,
    ContentId,
    ContentLength,
    ContentTransferEncoding,
    ContentType,
    DeliveredTo,
    DispositionNotificationTo,
    Date,
    ErrorsTo,
    From,
    MailFollowupTo,
    MessageId,
    MimeVersion,
    Received,
    ReplyTo,
    ResentBcc,
    ResentCc,
    ResentDate,
    ResentFrom,
    ResentMessageId,
    ResentReplyTo,
    ResentSender,
    ResentTo,
    ReturnPath,
    ReturnReceiptTo,
    Sender,
    To,
    TlsRequired,
    RequireTlsEsmtp,
};

namespace header_flag {
inline constexpr unsigned kDrop = 1 << 0;     // removed from the message (message_drop_headers)
inline constexpr unsigned kSender = 1 << 1;   // holds sender addresses
inline constexpr unsigned kRecip = 1 << 2;    // holds recipient addresses
inline constexpr unsigned kResent = 1 << 3;   // a Resent- header
inline constexpr unsigned kExtract = 1 << 4;  // sendmail -t takes recipients from it
inline constexpr unsigned kMime = 1 << 5;     // a MIME header
}  // namespace header_flag

struct HeaderOpts {
    std::string name;  // as Postfix spells it ("Message-Id"); lower case for a drop-only name
    HeaderType type = HeaderType::Other;
    unsigned flags = 0;
};

class HeaderTable {
public:
    // The built-in table plus the drop flag for each name in `dropHeaders`
    // (message_drop_headers: names separated by commas or blanks, any case; a name
    // the table lacks becomes an Other header with only the drop flag).
    explicit HeaderTable(std::string_view dropHeaders = "");
    // header_opts_find(): the options of the header `line` starts with (the name before
    // the colon, blanks before the colon ignored, any case), or nullptr.
    const HeaderOpts* find(std::string_view line) const;

private:
    std::map<std::string, HeaderOpts, std::less<>> byName_;
};

// is_header_buf(): the length of the header name when `text` starts with a header label
// (printable ASCII other than blanks and ':', optionally blanks, then ':'), else 0.
size_t isHeader(std::string_view text);

}  // namespace postline::message
