// The header name table cleanup works with (Postfix's global/header_opts.c) and the
// header label test (global/is_header.c).
#include "postline/message/header_opts.h"

#include <cctype>

namespace postline::message {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

using namespace header_flag;
constexpr unsigned kXRecip = kRecip | kExtract;

struct Row {
    const char* name;
    HeaderType type;
    unsigned flags;
};

constexpr Row kRows[] = {
    {"Apparently-To", HeaderType::ApparentlyTo, kRecip},
    {"Bcc", HeaderType::Bcc, kXRecip},
    {"Cc", HeaderType::Cc, kXRecip},
    {"Content-Description", HeaderType::ContentDescription, kMime},
    {"Content-Disposition", HeaderType::ContentDisposition, kMime},
    {"Content-ID", HeaderType::ContentId, kMime},
    {"Content-Length", HeaderType::ContentLength, 0},
    {"Content-Transfer-Encoding", HeaderType::ContentTransferEncoding, kMime},
    {"Content-Type", HeaderType::ContentType, kMime},
    {"Delivered-To", HeaderType::DeliveredTo, 0},
    {"Disposition-Notification-To", HeaderType::DispositionNotificationTo, kSender},
    {"Date", HeaderType::Date, 0},
    {"Errors-To", HeaderType::ErrorsTo, kSender},
    {"From", HeaderType::From, kSender},
    {"Mail-Followup-To", HeaderType::MailFollowupTo, kSender},
    {"Message-Id", HeaderType::MessageId, 0},
    {"MIME-Version", HeaderType::MimeVersion, kMime},
    {"Received", HeaderType::Received, 0},
    {"Reply-To", HeaderType::ReplyTo, kSender},
    {"Resent-Bcc", HeaderType::ResentBcc, kXRecip | kResent},
    {"Resent-Cc", HeaderType::ResentCc, kXRecip | kResent},
    {"Resent-Date", HeaderType::ResentDate, kResent},
    {"Resent-From", HeaderType::ResentFrom, kSender | kResent},
    {"Resent-Message-Id", HeaderType::ResentMessageId, kResent},
    {"Resent-Reply-To", HeaderType::ResentReplyTo, kRecip | kResent},
    {"Resent-Sender", HeaderType::ResentSender, kSender | kResent},
    {"Resent-To", HeaderType::ResentTo, kXRecip | kResent},
    {"Return-Path", HeaderType::ReturnPath, kSender},
    {"Return-Receipt-To", HeaderType::ReturnReceiptTo, kSender},
    {"Sender", HeaderType::Sender, kSender},
    {"To", HeaderType::To, kXRecip},
    {"TLS-Required", HeaderType::TlsRequired, 0},
    {"Require-TLS-ESMTP", HeaderType::RequireTlsEsmtp, 0},
};

}  // namespace

HeaderTable::HeaderTable(std::string_view dropHeaders) {
    for (const Row& row : kRows) byName_[lower(row.name)] = HeaderOpts{row.name, row.type, row.flags};
    size_t i = 0;
    while (i < dropHeaders.size()) {
        size_t j = dropHeaders.find_first_of(", \t\r\n", i);
        if (j == std::string_view::npos) j = dropHeaders.size();
        if (j > i) {
            std::string key = lower(dropHeaders.substr(i, j - i));
            auto it = byName_.find(key);
            if (it == byName_.end()) it = byName_.emplace(key, HeaderOpts{key, HeaderType::Other, 0}).first;
            it->second.flags |= kDrop;
        }
        i = j + 1;
    }
}

const HeaderOpts* HeaderTable::find(std::string_view line) const {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return nullptr;
    std::string_view name = line.substr(0, colon);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    auto it = byName_.find(lower(name));
    return it == byName_.end() ? nullptr : &it->second;
}

size_t isHeader(std::string_view text) {
    enum { kInit, kInChar, kInCharSpace } state = kInit;
    size_t len = 0;
    for (char ch : text) {
        unsigned char c = static_cast<unsigned char>(ch);
        if (c == ':') return state == kInit ? 0 : len;
        if (c == ' ' || c == '\t') {
            if (state == kInChar) state = kInCharSpace;
            if (state == kInCharSpace) continue;
            return 0;
        }
        if (c == 0 || c >= 0x80 || std::iscntrl(c)) return 0;
        if (state == kInit) state = kInChar;
        if (state != kInChar) return 0;
        ++len;
    }
    return 0;
}

}  // namespace postline::message
