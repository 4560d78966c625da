// quote_for_json(): see json_quote.h.
#include "postline/base/json_quote.h"

namespace postline::base {

void appendJsonEscaped(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (char c : text) {
        auto ch = static_cast<unsigned char>(c);
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
        if (c == '"' || c == '\\') out += '\\';
        out += c;
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
