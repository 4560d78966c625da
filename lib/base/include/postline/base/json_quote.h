// JSON string quoting the way Postfix's util/quote_for_json.c does it, for the JSON
// Lines that Postfix-compatible commands print (postqueue -j, postconf -j): `"` and `\`
// are escaped, ASCII control characters become \b \f \n \r \t or \u00XX, every other
// byte (UTF-8 included) is copied as is.
#pragma once

#include <string>
#include <string_view>

namespace postline::base {

// Appends `text` to `out` as the body of a JSON string (no surrounding quotes).
// The result is valid JSON exactly when `text` is valid UTF-8, as with Postfix.
void appendJsonEscaped(std::string& out, std::string_view text);

// `text` as a complete JSON string literal, quotes included.
std::string quoteForJson(std::string_view text);

}  // namespace postline::base
