// sendmail -t's header pass: the primary-header part of Postfix 3.7's
// global/mime_state.c (MIME_OPT_DISABLE_MIME), global/is_header.c, and sendmail.c's
// output_header() recipient extraction and line chopping.
#include "postline/queue/submission_headers.h"

#include <array>
#include <cctype>
#include <utility>

#include "postline/queue/record_type.h"

namespace postline::queue {
namespace {

// is_header_buf(): the length of the header name when `text` begins a header ("name:",
// where white space may separate the name from the colon), else 0.
size_t headerNameLength(std::string_view text) {
    enum { Init, InChar, InCharSpace } state = Init;
    size_t len = 0;
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        if (c == ' ' || c == '\t') {
            if (state == Init) return 0;
            state = InCharSpace;
            continue;
        }
        if (c == ':') return len;
        if (c == 0 || c >= 0x80 || std::iscntrl(c) || state == InCharSpace) return 0;
        state = InChar;
        ++len;
    }
    return 0;
}

struct RecipientHeader {
    std::string_view name;
    bool resent;
};
// header_opts.c's HDR_OPT_XRECIP headers.
constexpr std::array<RecipientHeader, 6> kRecipientHeaders{
    {{"bcc", false}, {"cc", false}, {"to", false}, {"resent-bcc", true}, {"resent-cc", true}, {"resent-to", true}}};

bool sameName(std::string_view a, std::string_view lower) {
    if (a.size() != lower.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != lower[i]) return false;
    return true;
}

}  // namespace

SubmissionHeaders::SubmissionHeaders(size_t lineLimit, size_t headerLimit, Emit emit, Addresses addresses)
    : lineLimit_(lineLimit), headerLimit_(headerLimit), emit_(std::move(emit)), addresses_(std::move(addresses)) {}

bool SubmissionHeaders::truncated() {
    // mime_state appends while the saved header is under the limit; past it the text
    // is dropped and the error reported.
    if (header_.size() < headerLimit_) return false;
    error_ = true;
    return true;
}

bool SubmissionHeaders::update(int type, std::string_view text) {
    if (inHeaders_) {
        if (!header_.empty()) {
            if (prevType_ == rec::kCont) {
                if (!truncated()) header_.append(text);
                prevType_ = type;
                return !error_;
            }
            if (!text.empty() && (text[0] == ' ' || text[0] == '\t')) {
                if (!truncated()) {
                    header_.push_back('\n');
                    header_.append(text);
                }
                prevType_ = type;
                return !error_;
            }
            flushHeader();
        }
        if (size_t nameLength = headerNameLength(text); nameLength > 0) {
            header_.assign(text.substr(0, nameLength));
            size_t rest = nameLength;
            while (rest < text.size() && (text[rest] == ' ' || text[rest] == '\t')) ++rest;
            header_.append(text.substr(rest));
            prevType_ = type;
            return !error_;
        }
        inHeaders_ = false;
    }
    emit_(type, text);
    prevType_ = type;
    return !error_;
}

bool SubmissionHeaders::finish() {
    // An unfinished last line is completed first (mime_state_update(REC_TYPE_EOF)).
    if (prevType_ == rec::kCont) update(rec::kNorm, "");
    if (!header_.empty()) flushHeader();
    return !error_;
}

void SubmissionHeaders::flushHeader() {
    std::string header = std::move(header_);
    header_.clear();
    prevType_ = 0;
    size_t colon = header.find(':');
    std::string_view name = std::string_view(header).substr(0, colon);
    // trimblanks(): the name as looked up has no trailing blanks.
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    for (const auto& known : kRecipientHeaders) {
        if (!sameName(name, known.name)) continue;
        if (resent_ && !known.resent) break;
        auto& list = known.resent ? resentRecipients_ : recipients_;
        if (known.resent) resent_ = true;
        for (auto& address : addresses_(std::string_view(header).substr(known.name.size() + 1)))
            list.push_back(std::move(address));
        break;
    }
    outputHeader(header);
}

void SubmissionHeaders::outputHeader(const std::string& header) {
    // Each physical line, chopped at line_length_limit as the content is.
    size_t start = 0;
    for (;;) {
        size_t newline = header.find('\n', start);
        std::string_view line =
            std::string_view(header).substr(start, newline == std::string::npos ? std::string::npos : newline - start);
        while (line.size() > lineLimit_) {
            emit_(rec::kCont, line.substr(0, lineLimit_));
            line.remove_prefix(lineLimit_);
        }
        emit_(rec::kNorm, line);
        if (newline == std::string::npos) break;
        start = newline + 1;
    }
}

}  // namespace postline::queue
