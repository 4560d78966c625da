// Base64 encoding and decoding (util/base64_code.c).
#include "postline/base/base64.h"

namespace postline::base {

namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int decodeChar(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}
}  // namespace

std::string base64Encode(std::string_view data) {
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 2 < data.size(); i += 3) {
        unsigned v = (unsigned char)data[i] << 16 | (unsigned char)data[i + 1] << 8 | (unsigned char)data[i + 2];
        out += kAlphabet[v >> 18];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += kAlphabet[v & 63];
    }
    if (i < data.size()) {
        unsigned v = (unsigned char)data[i] << 16;
        if (i + 1 < data.size()) v |= (unsigned char)data[i + 1] << 8;
        out += kAlphabet[v >> 18];
        out += kAlphabet[(v >> 12) & 63];
        out += i + 1 < data.size() ? kAlphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::optional<std::string> base64Decode(std::string_view text) {
    if (text.size() % 4 != 0) return std::nullopt;
    std::string out;
    out.reserve(text.size() / 4 * 3);
    for (size_t i = 0; i < text.size(); i += 4) {
        int a = decodeChar(text[i]), b = decodeChar(text[i + 1]);
        if (a < 0 || b < 0) return std::nullopt;
        out += char(a << 2 | b >> 4);
        bool last = i + 4 == text.size();
        if (text[i + 2] == '=') {
            if (!last || text[i + 3] != '=') return std::nullopt;
            break;
        }
        int c = decodeChar(text[i + 2]);
        if (c < 0) return std::nullopt;
        out += char((b & 15) << 4 | c >> 2);
        if (text[i + 3] == '=') {
            if (!last) return std::nullopt;
            break;
        }
        int d = decodeChar(text[i + 3]);
        if (d < 0) return std::nullopt;
        out += char((c & 3) << 6 | d);
    }
    return out;
}

}  // namespace postline::base
