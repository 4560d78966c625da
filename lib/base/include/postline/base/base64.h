// Base64 (RFC 4648, with padding) as Postfix's util/base64_code.c uses it for
// `postmap -F` values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postline::base {

std::string base64Encode(std::string_view data);
// nullopt for malformed input (bad characters, bad length or padding).
std::optional<std::string> base64Decode(std::string_view text);

}  // namespace postline::base
