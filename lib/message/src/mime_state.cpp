// The line-by-line message structure cleanup works with (Postfix's global/mime_state.c):
// header folding, header classes, multipart boundaries and attached messages. Only the
// structure: no 8-bit to 7-bit conversion, and the strict_* error reports are left out.
#include "postline/message/mime_state.h"

#include <strings.h>

#include <cctype>

namespace postline::message {
namespace {

bool isBlank(char c) { return c == ' ' || c == '\t'; }

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// header_token() with RFC 2045's tspecials: tokens, quoted strings and single special
// characters; comments are skipped; ';' ends a group.
struct Tok {
    char type;  // 't' token/quoted string, or the special character
    std::string value;
};

bool parseGroup(std::string_view& s, std::vector<Tok>& out) {
    static constexpr std::string_view kSpecials = "()<>@,;:\\\"/[]?=";
    out.clear();
    size_t i = 0;
    bool any = false;
    while (i < s.size()) {
        char c = s[i];
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
            continue;
        }
        any = true;
        if (c == ';') {
            ++i;
            break;
        }
        if (c == '(') {
            int level = 0;
            for (; i < s.size(); ++i) {
                // A backslash quotes the next character, if there is one.
                if (s[i] == '\\') {
                    if (i + 1 < s.size()) ++i;
                    continue;
                }
                if (s[i] == '(') ++level;
                if (s[i] == ')' && --level == 0) {
                    ++i;
                    break;
                }
            }
            continue;
        }
        if (c == '"') {
            std::string v;
            for (++i; i < s.size() && s[i] != '"'; ++i) {
                if (s[i] == '\\' && i + 1 < s.size()) ++i;
                v.push_back(s[i]);
            }
            if (i < s.size()) ++i;
            out.push_back({'t', v});
            continue;
        }
        if (kSpecials.find(c) != std::string_view::npos) {
            out.push_back({c, std::string(1, c)});
            ++i;
            continue;
        }
        size_t j = i;
        while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j])) &&
               kSpecials.find(s[j]) == std::string_view::npos && !std::iscntrl(static_cast<unsigned char>(s[j])))
            ++j;
        if (j == i) j = i + 1;
        out.push_back({'t', std::string(s.substr(i, j - i))});
        i = j;
    }
    s.remove_prefix(std::min(i, s.size()));
    return any;
}

bool tokenIs(const Tok& t, std::string_view text) { return t.type == 't' && iequals(t.value, text); }

}  // namespace

MimeState::MimeState(const HeaderTable& table, size_t headerLimit, int maxDepth, int options, MimeCallbacks callbacks)
    : table_(table), headerLimit_(headerLimit), maxDepth_(maxDepth), options_(options), cb_(std::move(callbacks)) {}

HeaderClass MimeState::currentClass() const {
    switch (state_) {
        case State::Multipart:
            return HeaderClass::Multipart;
        case State::Nested:
            return HeaderClass::Nested;
        default:
            return HeaderClass::Primary;
    }
}

void MimeState::contentType(const std::string& header, const HeaderOpts& opts) {
    std::string_view rest(header);
    rest.remove_prefix(std::min(rest.size(), opts.name.size() + 1));
    std::vector<Tok> t;
    if (!parseGroup(rest, t) || t.empty()) {
        ctype_ = Ctype::Other;
        return;
    }
    bool slash = t.size() >= 3 && t[1].type == '/';
    if (tokenIs(t[0], "text")) {
        ctype_ = Ctype::Text;
        return;
    }
    if (tokenIs(t[0], "message")) {
        ctype_ = Ctype::Message;
        rfc822_ = slash && (tokenIs(t[2], "rfc822") || tokenIs(t[2], "global"));
        return;
    }
    if (tokenIs(t[0], "multipart")) {
        ctype_ = Ctype::Multipart;
        bool digest = slash && tokenIs(t[2], "digest");
        while (parseGroup(rest, t)) {
            if (t.size() >= 3 && tokenIs(t[0], "boundary") && t[1].type == '=') {
                if (static_cast<int>(stack_.size()) <= maxDepth_)
                    stack_.push_back({t[2].value, digest ? Ctype::Message : Ctype::Text, digest});
            }
        }
        return;
    }
    ctype_ = Ctype::Other;
}

void MimeState::flushHeader() {
    if (header_.empty()) return;
    const HeaderOpts* opts = table_.find(header_);
    if (!(options_ & mime_option::kDisableMime) && opts && opts->type == HeaderType::ContentType)
        contentType(header_, *opts);
    std::string text = std::move(header_);
    header_.clear();
    prevPartial_ = false;
    if (cb_.header) cb_.header(currentClass(), opts, text);
}

void MimeState::endOfHeaders(bool complete, std::string_view text) {
    if (state_ == State::Primary && !headerEndSent_) {
        headerEndSent_ = true;
        if (cb_.headerEnd) cb_.headerEnd();
    }
    if (text.empty() && complete) {
        // The empty line that ends a header block: what follows depends on the type.
        if (ctype_ == Ctype::Message && rfc822_ && !(options_ & mime_option::kDisableMime)) {
            state_ = State::Nested;
            ctype_ = Ctype::Text;
            rfc822_ = false;
        } else if (ctype_ == Ctype::Multipart) {
            state_ = State::Body;
            ctype_ = Ctype::Other;
        } else {
            state_ = State::Body;
        }
    } else {
        // Garbage in a header block: the primary headers get an empty line inserted.
        if (state_ == State::Primary) {
            if (cb_.body) cb_.body(true, "", bodyOffset_);
            bodyOffset_ += 1;
        }
        state_ = State::Body;
    }
}

void MimeState::bodyLine(bool complete, std::string_view text) {
    if (!(options_ & mime_option::kDisableMime) && !stack_.empty() && !prevPartial_ && text.size() > 2 &&
        text[0] == '-' && text[1] == '-') {
        for (size_t k = stack_.size(); k-- > 0;) {
            const std::string& b = stack_[k].text;
            if (text.size() >= 2 + b.size() && text.substr(2, b.size()) == b) {
                stack_.resize(k + 1);
                if (text.size() >= 4 + b.size() && text.substr(2 + b.size(), 2) == "--") {
                    stack_.pop_back();
                    state_ = State::Body;
                    ctype_ = Ctype::Other;
                } else {
                    state_ = State::Multipart;
                    ctype_ = stack_[k].defaultType;
                    rfc822_ = stack_[k].defaultRfc822;
                }
                break;
            }
        }
    }
    if (cb_.body) cb_.body(complete, text, bodyOffset_);
    bodyOffset_ += static_cast<off_t>(text.size()) + (complete ? 1 : 0);
    prevPartial_ = !complete;
}

void MimeState::update(bool complete, std::string_view text) {
    if (state_ != State::Body) {
        if (!header_.empty()) {
            if (prevPartial_ || (!text.empty() && isBlank(text[0]))) {
                if (header_.size() < headerLimit_) {
                    if (!prevPartial_) header_.push_back('\n');
                    header_.append(text);
                }
                prevPartial_ = !complete;
                return;
            }
            flushHeader();
        }
        if (size_t len = isHeader(text); len > 0) {
            // "name :" becomes "name:".
            header_.assign(text.substr(0, len));
            std::string_view rest = text.substr(len);
            while (!rest.empty() && isBlank(rest[0])) rest.remove_prefix(1);
            header_.append(rest);
            prevPartial_ = !complete;
            return;
        }
        endOfHeaders(complete, text);
    }
    bodyLine(complete, text);
}

void MimeState::finish() {
    if (state_ != State::Body) {
        if (prevPartial_) update(true, "");
        flushHeader();
        if (state_ == State::Primary && !headerEndSent_) {
            headerEndSent_ = true;
            if (cb_.headerEnd) cb_.headerEnd();
        }
        state_ = State::Body;
    } else if (prevPartial_) {
        // mime_state_update flushes a partial line before any non-text record.
        bodyLine(true, "");
    }
}

}  // namespace postline::message
