// The line-by-line message structure cleanup and smtp work with (Postfix's
// global/mime_state.c): header folding, header classes, multipart boundaries, attached
// messages, each part's Content-Transfer-Encoding domain, and the 8-bit to 7-bit
// downgrade (quoted-printable) the smtp client asks for. The strict_* error reports
// other than MIME nesting are left out.
#include "postline/message/mime_state.h"

#include <strings.h>

#include <cctype>

namespace postline::message {
namespace {

bool isBlank(char c) { return c == ' ' || c == '\t'; }

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// header_token(): tokens, quoted strings and single special characters; comments are
// skipped; `terminator` (if not NUL) ends a group.
struct Tok {
    char type;  // 't' token, 'q' quoted string, or the special character
    std::string value;
};

constexpr std::string_view kTspecials = "()<>@,;:\\\"/[]?=";     // RFC 2045, Content-Type
constexpr std::string_view kRfc822Specials = "()<>@,;:\\\".[]";  // LEX_822_SPECIALS, the default

bool parseGroup(std::string_view& s, std::vector<Tok>& out, std::string_view specials = kTspecials,
                char terminator = ';') {
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
        if (terminator && c == terminator) {
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
            out.push_back({'q', v});
            continue;
        }
        if (specials.find(c) != std::string_view::npos) {
            out.push_back({c, std::string(1, c)});
            ++i;
            continue;
        }
        size_t j = i;
        while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j])) &&
               specials.find(s[j]) == std::string_view::npos && !std::iscntrl(static_cast<unsigned char>(s[j])))
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

void MimeState::newPart(State state, Ctype ctype, Stype stype) {
    state_ = state;
    ctype_ = ctype;
    stype_ = stype;
    domain_ = Domain::SevenBit;
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
        stype_ = slash && tokenIs(t[2], "plain") ? Stype::Plain : Stype::Other;
        return;
    }
    if (tokenIs(t[0], "message")) {
        // partial and external-body cannot be converted: they must be told apart.
        ctype_ = Ctype::Message;
        stype_ = Stype::Other;
        if (slash) {
            if (tokenIs(t[2], "rfc822"))
                stype_ = Stype::Rfc822;
            else if (tokenIs(t[2], "partial"))
                stype_ = Stype::Partial;
            else if (tokenIs(t[2], "external-body"))
                stype_ = Stype::ExternalBody;
            else if (tokenIs(t[2], "global"))
                stype_ = Stype::Global;
        }
        return;
    }
    if (tokenIs(t[0], "multipart")) {
        ctype_ = Ctype::Multipart;
        bool digest = slash && tokenIs(t[2], "digest");
        while (parseGroup(rest, t)) {
            if (t.size() >= 3 && tokenIs(t[0], "boundary") && t[1].type == '=') {
                // Postfix's nesting level is the stack depth less one.
                if (static_cast<int>(stack_.size()) - 1 > maxDepth_) {
                    if ((options_ & mime_option::kReportNesting) && !(errors_ & mime_error::kNesting)) {
                        errors_ |= mime_error::kNesting;
                        if (cb_.error) cb_.error(mime_error::kNesting, header);
                    }
                } else {
                    stack_.push_back(
                        {t[2].value, digest ? Ctype::Message : Ctype::Text, digest ? Stype::Rfc822 : Stype::Plain});
                }
            }
        }
        return;
    }
    ctype_ = Ctype::Other;
}

void MimeState::contentEncoding(const std::string& header, const HeaderOpts& opts) {
    // An encoding Postfix does not know leaves the domain as it was.
    std::string_view rest(header);
    rest.remove_prefix(std::min(rest.size(), opts.name.size() + 1));
    std::vector<Tok> t;
    if (!parseGroup(rest, t, kRfc822Specials, '\0') || t.empty() || t[0].type != 't') return;
    if (iequals(t[0].value, "7bit") || iequals(t[0].value, "base64") || iequals(t[0].value, "quoted-printable"))
        domain_ = Domain::SevenBit;
    else if (iequals(t[0].value, "8bit"))
        domain_ = Domain::EightBit;
    else if (iequals(t[0].value, "binary"))
        domain_ = Domain::Binary;
}

void MimeState::flushHeader() {
    if (header_.empty()) return;
    const HeaderOpts* opts = table_.find(header_);
    if (!(options_ & mime_option::kDisableMime) && opts) {
        if (opts->type == HeaderType::ContentType) contentType(header_, *opts);
        if (opts->type == HeaderType::ContentTransferEncoding) contentEncoding(header_, *opts);
    }
    std::string text = std::move(header_);
    header_.clear();
    prevPartial_ = false;
    // While downgrading, an encoding header that leaves the part outside the 7bit domain
    // is held back: the right one follows at the end of the headers.
    if (opts && opts->type == HeaderType::ContentTransferEncoding && downgrading()) return;
    if (cb_.header) cb_.header(currentClass(), opts, text);
}

void MimeState::headerBlockEnds() {
    if (downgrading()) {
        // Message and multipart parts require a domain; other parts get an encoding.
        bool domainOnly = (ctype_ == Ctype::Message && stype_ != Stype::Global) || ctype_ == Ctype::Multipart;
        std::string text = std::string("Content-Transfer-Encoding: ") + (domainOnly ? "7bit" : "quoted-printable");
        if (cb_.header) cb_.header(currentClass(), nullptr, text);
    }
    if (state_ == State::Primary && !headerEndSent_) {
        headerEndSent_ = true;
        if (cb_.headerEnd) cb_.headerEnd();
    }
}

void MimeState::endOfHeaders(bool complete, std::string_view text) {
    headerBlockEnds();
    if (text.empty() && complete) {
        // The empty line that ends a header block: what follows depends on the type.
        if (ctype_ == Ctype::Message && stype_ == Stype::Rfc822) {
            newPart(State::Nested, Ctype::Text, Stype::Plain);
        } else if (ctype_ == Ctype::Message && stype_ == Stype::Global &&
                   (!(options_ & mime_option::kDowngrade) || domain_ == Domain::SevenBit)) {
            newPart(State::Nested, Ctype::Text, Stype::Plain);
        } else if (ctype_ == Ctype::Multipart) {
            newPart(State::Body, Ctype::Other, Stype::Other);
        } else {
            state_ = State::Body;
        }
    } else {
        // Garbage in a header block: the primary headers get an empty line inserted.
        if (state_ == State::Primary) emitBody(true, "");
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
                    newPart(State::Body, Ctype::Other, Stype::Other);
                } else {
                    newPart(State::Multipart, stack_[k].defaultType, stack_[k].defaultSubtype);
                }
                break;
            }
        }
    }
    if (downgrading())
        downgrade(complete, text);
    else
        emitBody(complete, text);
    prevPartial_ = !complete;
}

void MimeState::emitBody(bool complete, std::string_view text) {
    if (cb_.body) cb_.body(complete, text, bodyOffset_);
    bodyOffset_ += static_cast<off_t>(text.size()) + (complete ? 1 : 0);
}

void MimeState::downgrade(bool complete, std::string_view text) {
    // mime_state_downgrade(): quoted-printable, with a soft line break ('=' at the end)
    // once a line has grown past 72 characters; a complete line's trailing blank is
    // encoded, so the output line is at most 75 characters long.
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (unsigned char ch : text) {
        if (qpLine_.size() > 72) {
            qpLine_ += '=';
            emitBody(true, qpLine_);
            qpLine_.clear();
        }
        if ((ch < 32 && ch != '\t') || ch == '=' || ch > 126) {
            qpLine_ += '=';
            qpLine_ += kHex[ch >> 4];
            qpLine_ += kHex[ch & 0xf];
        } else {
            qpLine_ += static_cast<char>(ch);
        }
    }
    if (!complete) return;
    if (!qpLine_.empty() && (qpLine_.back() == ' ' || qpLine_.back() == '\t')) {
        unsigned char ch = static_cast<unsigned char>(qpLine_.back());
        qpLine_.pop_back();
        qpLine_ += '=';
        qpLine_ += kHex[ch >> 4];
        qpLine_ += kHex[ch & 0xf];
    }
    emitBody(true, qpLine_);
    qpLine_.clear();
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
        headerBlockEnds();
        state_ = State::Body;
    } else if (prevPartial_) {
        // mime_state_update flushes a partial line before any non-text record.
        bodyLine(true, "");
    }
}

}  // namespace postline::message
