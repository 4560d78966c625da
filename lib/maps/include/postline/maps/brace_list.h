// Brace syntax shared by the in-line table types (inline:{…}, static:{…}, unionmap:{…},
// pipemap:{…}, regexp:{…}, pcre:{…}, cidr:{…}) and by readers of map lists such as
// "hash:a, inline:{ b=1 }"; mirrors Postfix's extpar() and mystrtokq() with "{}".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "postline/base/result.h"

namespace postline::maps::detail {

// "{ text }" → "text" (surrounding whitespace stripped). Errors, as Postfix words them:
// `no '{' at start of text in "…"`, `missing '}' in "…"`, `syntax error after '}' in "…"`.
base::Result<std::string> extractBraced(std::string_view text);

// Splits on commas and whitespace outside braces: "a=1, { b = 2 }" → {"a=1", "{ b = 2 }"}.
std::vector<std::string> splitBraceItems(std::string_view text);

// Both steps, then the braces of each item are removed and its inside stripped:
// "{ a=1, { b = 2 } }" → {"a=1", "b = 2"}.
base::Result<std::vector<std::string>> parseBraceList(std::string_view text);

}  // namespace postline::maps::detail
