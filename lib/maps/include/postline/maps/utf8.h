// UTF-8 validity and case folding for table keys (Postfix's util/dict_utf8.c and
// util/casefold.c, which use ICU's full case folding: "Straße" folds to "strasse").
#pragma once

#include <string>
#include <string_view>

namespace postline::maps {

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF).
bool validUtf8(std::string_view s);

// Full Unicode case folding (CaseFolding.txt statuses C and F) of valid UTF-8 text.
std::string casefoldUtf8(std::string_view s);

}  // namespace postline::maps
