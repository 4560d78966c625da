// quote_for_json() and the UTF-8 rule of Postline's JSON output: see json_quote.h.
#include "postline/base/json_quote.h"

namespace postline::base {

namespace {

// Length of the well-formed UTF-8 sequence at text[i] (Unicode table 3-7), 0 if none.
size_t sequenceLength(std::string_view text, size_t i) {
    auto at = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char lead = at(i);
    if (lead < 0x80) return 1;
    size_t length;
    unsigned char low = 0x80, high = 0xbf;  // bounds of the second byte
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        if (lead == 0xe0) low = 0xa0;   // overlong
        if (lead == 0xed) high = 0x9f;  // surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        if (lead == 0xf0) low = 0x90;   // overlong
        if (lead == 0xf4) high = 0x8f;  // above U+10FFFF
    } else {
        return 0;  // continuation byte, C0, C1 or F5..FF
    }
    if (text.size() - i < length) return 0;
    if (at(i + 1) < low || at(i + 1) > high) return 0;
    for (size_t k = 2; k < length; ++k)
        if (at(i + k) < 0x80 || at(i + k) > 0xbf) return 0;
    return length;
}

// The stray byte `ch` (>= 0x80) as the UTF-8 encoding of U+00XX.
void appendLatin1(std::string& out, unsigned char ch) {
    out += static_cast<char>(0xc0 | (ch >> 6));
    out += static_cast<char>(0x80 | (ch & 0x3f));
}

}  // namespace

bool isValidUtf8(std::string_view text) {
    for (size_t i = 0; i < text.size();) {
        size_t length = sequenceLength(text, i);
        if (length == 0) return false;
        i += length;
    }
    return true;
}

std::string utf8OrLatin1(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 8);
    for (size_t i = 0; i < text.size();) {
        size_t length = sequenceLength(text, i);
        if (length == 0) {
            appendLatin1(out, static_cast<unsigned char>(text[i]));
            ++i;
        } else {
            out.append(text, i, length);
            i += length;
        }
    }
    return out;
}

void appendJsonEscaped(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < text.size();) {
        auto ch = static_cast<unsigned char>(text[i]);
        if (ch >= 0x80) {
            size_t length = sequenceLength(text, i);
            if (length == 0) {
                appendLatin1(out, ch);
                ++i;
            } else {
                out.append(text, i, length);
                i += length;
            }
            continue;
        }
        ++i;
        if (ch < 0x20 || ch == 0x7f) {  // ISCNTRL() in the C locale
            out += '\\';
            switch (ch) {
                case '\b':
                    out += 'b';
                    break;
                case '\f':
                    out += 'f';
                    break;
                case '\n':
                    out += 'n';
                    break;
                case '\r':
                    out += 'r';
                    break;
                case '\t':
                    out += 't';
                    break;
                default:
                    out += "u00";
                    out += kHex[ch >> 4];
                    out += kHex[ch & 0xf];
            }
            continue;
        }
        if (ch == '"' || ch == '\\') out += '\\';
        out += static_cast<char>(ch);
    }
}

std::string quoteForJson(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 2);
    out += '"';
    appendJsonEscaped(out, text);
    out += '"';
    return out;
}

}  // namespace postline::base
