// The SMTP client's reply reader (Postfix's smtp/smtp_chat.c smtp_chat_resp: lines
// joined, the code and enhanced status of the last line) and the ESMTP parameter
// encodings it sends (global/xtext.c xtext_quote, global/dsn_mask.c dsn_notify_str).
#include <algorithm>
#include <cctype>
#include <cstdio>

#include "postline/base/msg.h"
#include "postline/smtp/client_session.h"

namespace postline::smtp {

namespace {

// dsn_valid(): "C.SSS.DDD" with one to three digits in each of the last two parts; the
// length of the status at the front of `text`, or 0.
size_t statusLength(std::string_view text) {
    if (text.size() < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.') return 0;
    size_t pos = 2;
    for (int part = 0; part < 2; ++part) {
        size_t digits = 0;
        while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])) && digits < 4) {
            ++pos;
            ++digits;
        }
        if (digits == 0 || digits > 3) return 0;
        if (part == 0) {
            if (pos >= text.size() || text[pos] != '.') return 0;
            ++pos;
        }
    }
    if (pos < text.size() && !std::isspace(static_cast<unsigned char>(text[pos]))) return 0;
    return pos;
}

}  // namespace

std::string ClientReply::flat() const {
    std::string out = text;
    std::replace(out.begin(), out.end(), '\n', ' ');
    return out;
}

void ReplyParser::feed(std::string_view bytes) {
    while (!bytes.empty()) {
        size_t nl = bytes.find('\n');
        std::string_view piece = bytes.substr(0, nl);
        if (!skipping_) {
            size_t room = lineLimit_ > partial_.size() ? lineLimit_ - partial_.size() : 0;
            partial_.append(piece.substr(0, std::min(room, piece.size())));
            // smtp_get(): a line past the limit is cut there; the rest up to the line
            // end is skipped (SMTP_GET_FLAG_SKIP).
            if (piece.size() > room && lineLimit_ > 0) skipping_ = true;
        }
        if (nl == std::string_view::npos) return;
        bytes.remove_prefix(nl + 1);
        std::string text = std::move(partial_);
        partial_.clear();
        skipping_ = false;
        if (!text.empty() && text.back() == '\r') text.pop_back();
        line(std::move(text));
    }
}

void ReplyParser::line(std::string text) {
    text = base::printable(text, true);
    // smtp_chat_resp(): lines are added while the reply is shorter than the line limit,
    // so that an endless multi-line reply cannot take all memory.
    if (building_.text.size() < lineLimit_ || lineLimit_ == 0) {
        if (buildingAny_) building_.text += '\n';
        building_.text += text;
    }
    buildingAny_ = true;
    size_t digits = 0;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
    bool threeDigits = digits == 3;
    if (threeDigits && text.size() > 3 && text[3] == '-') return;
    if (!threeDigits || (text.size() > 3 && text[3] != ' ')) return;  // garbage: read on
    building_.code = std::stoi(text.substr(0, 3));
    building_.dsn = "5.5.0";
    if (text[0] == '2' || text[0] == '4' || text[0] == '5') {
        size_t start = 3;
        while (start < text.size() && text[start] == ' ') ++start;
        std::string_view rest = std::string_view(text).substr(start);
        size_t len = statusLength(rest);
        if (len > 0 && rest[0] == text[0])
            building_.dsn = std::string(rest.substr(0, len));
        else
            building_.dsn = std::string(1, text[0]) + ".0.0";
    }
    ready_.push_back(std::move(building_));
    building_ = ClientReply{};
    buildingAny_ = false;
}

std::optional<ClientReply> ReplyParser::next() {
    if (ready_.empty()) return std::nullopt;
    ClientReply reply = std::move(ready_.front());
    ready_.erase(ready_.begin());
    return reply;
}

std::string xtextQuote(std::string_view text, std::string_view specials) {
    std::string out;
    for (unsigned char ch : text) {
        if (ch != '+' && ch > 32 && ch < 127 && specials.find(static_cast<char>(ch)) == std::string_view::npos) {
            out += static_cast<char>(ch);
        } else {
            char hex[4];
            std::snprintf(hex, sizeof hex, "+%02X", ch);
            out += hex;
        }
    }
    return out;
}

std::string dsnNotifyString(int notify) {
    if (notify & 1) return "NEVER";
    std::string out;
    static constexpr std::pair<int, const char*> kNames[] = {{2, "SUCCESS"}, {4, "FAILURE"}, {8, "DELAY"}};
    for (const auto& [bit, name] : kNames) {
        if ((notify & bit) == 0) continue;
        if (!out.empty()) out += ',';
        out += name;
    }
    return out;
}

}  // namespace postline::smtp
