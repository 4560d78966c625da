// dsn_valid, dsn_split (global/dsn_util.c) and smtpd_dsn_fix (smtpd/smtpd_dsn_fix.c).
#include "postline/policy/smtpd_reply.h"

#include "postline/base/strings.h"

namespace postline::policy {

size_t dsnValid(std::string_view text) {
    if (text.size() < 2 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.') return 0;
    size_t pos = 2;
    auto digits = [&](size_t max) {
        size_t n = 0;
        while (pos + n < text.size() && base::isDigit(text[pos + n])) ++n;
        return n >= 1 && n <= max ? n : 0;
    };
    size_t n = digits(3);
    if (!n || pos + n >= text.size() || text[pos + n] != '.') return 0;
    pos += n + 1;
    n = digits(3);
    if (!n || (pos + n < text.size() && !base::isSpace(text[pos + n]))) return 0;
    return pos + n;
}

DsnSplit dsnSplit(std::string_view defaultDsn, std::string_view text) {
    DsnSplit out;
    text = base::trimLeft(text);
    if (size_t len = dsnValid(text)) {
        out.dsn = std::string(text.substr(0, len));
        text.remove_prefix(len);
    } else {
        out.dsn = std::string(defaultDsn);
    }
    out.text = std::string(base::trimLeft(text));
    return out;
}

std::string smtpdDsnFix(std::string_view status, std::string_view replyClass) {
    if (status.size() < 5 || !base::isDigit(status[0]) || status.substr(1, 3) != ".1.") return std::string(status);
    struct Row {
        const char* micro;
        const char* sender;
        const char* recipient;
    };
    static const Row rows[] = {
        {"1", "4.1.0", "4.1.1"}, {"2", "4.1.8", "4.1.2"}, {"3", "4.1.7", "4.1.3"}, {"4", "4.1.0", "4.1.4"},
        {"5", "4.1.0", "4.1.5"}, {"6", "4.1.0", "4.1.6"}, {"7", "4.1.7", "4.1.3"}, {"8", "4.1.8", "4.1.2"},
    };
    std::string_view micro = status.substr(4);
    const char* sender = "4.1.0";
    const char* recipient = "4.1.0";
    for (auto& r : rows)
        if (micro == r.micro) {
            sender = r.sender;
            recipient = r.recipient;
        }
    // The first digit follows the reply code later (smtpd_check_reject), so the table's
    // leading 4 is only a placeholder.
    if (replyClass == kSenderClass) return sender;
    if (replyClass == kRecipientClass) return recipient;
    return "4.0.0";
}

}  // namespace postline::policy
