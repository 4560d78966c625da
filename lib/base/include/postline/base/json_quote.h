// JSON string text. quoteForJson() quotes the way Postfix's util/quote_for_json.c does
// for the JSON Lines of postqueue -j and postconf -j: `"` and `\` are escaped, ASCII
// control characters become \b \f \n \r \t or \u00XX, well-formed UTF-8 is copied as is.
// Unlike Postfix, which copies every byte, Postline never writes invalid JSON: see below.
#pragma once

#include <string>
#include <string_view>

namespace postline::base {

// The one rule of every JSON document Postline writes (lint, trace, compile's
// manifest.json and config.json, postconf -j). Configuration values, table keys and
// addresses are bytes, and Postfix accepts any; JSON text is UTF-8. A byte that is not
// part of a well-formed UTF-8 sequence (RFC 3629: no overlong forms, no surrogates,
// nothing above U+10FFFF, no truncated sequence) is written as the character with that
// byte's value, U+0080..U+00FF, as if it were Latin-1: main.cf's `caf\xe9` appears as
// "café". Well-formed UTF-8 is copied unchanged.

// True when `text` is well-formed UTF-8 (ASCII included).
bool isValidUtf8(std::string_view text);

// `text` with the rule above applied: unchanged when valid, otherwise each stray byte
// replaced by the UTF-8 encoding of U+0080..U+00FF.
std::string utf8OrLatin1(std::string_view text);

// Appends `text` to `out` as the body of a JSON string (no surrounding quotes), stray
// bytes as above, so that the result is always valid JSON.
void appendJsonEscaped(std::string& out, std::string_view text);

// `text` as a complete JSON string literal, quotes included.
std::string quoteForJson(std::string_view text);

}  // namespace postline::base
