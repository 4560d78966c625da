// UTF-8 validity and full Unicode case folding of table keys. Mirrors Postfix's
// util/valid_utf8_string.c and util/casefold.c (ICU u_strFoldCase, U_FOLD_CASE_DEFAULT),
// with the folding data generated into casefold_table.inc by scripts/gen-casefold.
#include "postline/maps/utf8.h"

#include <algorithm>
#include <cstdint>
#include <iterator>

#include "postline/base/strings.h"

namespace postline::maps {

namespace {

struct FoldEntry {
    uint32_t from;
    uint32_t to[3];  // 0-padded
};

constexpr FoldEntry kFoldTable[] = {
#include "casefold_table.inc"
};

// Decodes one well-formed sequence at s[i]; returns its length, or 0 when it is malformed
// (overlong, surrogate, above U+10FFFF, truncated, or a stray continuation byte).
size_t decodeOne(std::string_view s, size_t i, uint32_t& cp) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = byte(i);
    size_t len;
    uint32_t min;
    if (c < 0x80) {
        cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2, cp = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, cp = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, cp = c & 0x07, min = 0x10000;
    } else {
        return 0;  // continuation byte, C0/C1 overlong lead, or F5..FF
    }
    if (i + len > s.size()) return 0;
    for (size_t k = 1; k < len; ++k) {
        unsigned char cc = byte(i + k);
        if ((cc & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

void encodeOne(uint32_t cp, std::string& out) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

const FoldEntry* findFold(uint32_t cp) {
    auto it = std::lower_bound(std::begin(kFoldTable), std::end(kFoldTable), cp,
                               [](const FoldEntry& e, uint32_t key) { return e.from < key; });
    if (it != std::end(kFoldTable) && it->from == cp) return &*it;
    return nullptr;
}

}  // namespace

bool validUtf8(std::string_view s) {
    uint32_t cp;
    for (size_t i = 0; i < s.size();) {
        size_t len = decodeOne(s, i, cp);
        if (len == 0) return false;
        i += len;
    }
    return true;
}

std::string casefoldUtf8(std::string_view s) {
    // Fast path: ASCII text folds to its ASCII lowercase, as in Postfix's casefold().
    bool ascii = std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (ascii) return base::lowercase(s);
    std::string out;
    out.reserve(s.size());
    uint32_t cp;
    for (size_t i = 0; i < s.size();) {
        size_t len = decodeOne(s, i, cp);
        if (len == 0) {
            // Callers validate first; keep a malformed byte as is rather than lose data.
            out.push_back(s[i++]);
            continue;
        }
        i += len;
        if (const FoldEntry* e = findFold(cp)) {
            for (uint32_t to : e->to)
                if (to != 0) encodeOne(to, out);
        } else {
            out.append(s.substr(i - len, len));
        }
    }
    return out;
}

}  // namespace postline::maps
