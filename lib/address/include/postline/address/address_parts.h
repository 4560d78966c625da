// Address parts: local part and domain, internal (unquoted) versus external (quoted)
// form, and the recipient_delimiter extension split. Mirrors Postfix's
// global/quote_822_local.c, split_addr.c and strip_addr.c.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postline::address {

// An address split at its last '@'. Without '@', `local` is the whole text.
struct AddressParts {
    std::string local;
    std::string domain;
    bool hasAt = false;
};
AddressParts splitAddress(std::string_view address);

// Internal form -> external form (quote the local part as RFC 5322 requires).
std::string toExternal(std::string_view internal);
// External form -> internal form.
std::string toInternal(std::string_view external);
// ASCII lowercase (Postfix's lowercase(); domains and list patterns).
std::string lowercase(std::string_view text);

// split_addr: splits a bare local part at the first recipient delimiter character.
// Nothing is split for postmaster, MAILER-DAEMON and the double-bounce sender, for
// owner-* and *-request when '-' is a delimiter, when the local part would be empty or
// when there is no delimiter. Returns {local, extension} with the extension WITHOUT
// its delimiter.
struct LocalSplit {
    std::string local;
    std::string extension;
    char delimiter = 0;
};
std::optional<LocalSplit> splitLocalPart(std::string_view localPart, std::string_view delimiters,
                                         std::string_view doubleBounceSender = "double-bounce");

// strip_addr: the address without its extension, and the extension WITH its delimiter
// ("user+ext@domain" -> "user@domain", "+ext"). nullopt when nothing was stripped.
struct StrippedAddress {
    std::string bare;
    std::string extension;
};
std::optional<StrippedAddress> stripExtension(std::string_view address, std::string_view delimiters,
                                              std::string_view doubleBounceSender = "double-bounce");

}  // namespace postline::address
