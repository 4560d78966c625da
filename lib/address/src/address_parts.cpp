// Address parts and the extension split (Postfix's split_addr.c and strip_addr.c).
#include "postline/address/address_parts.h"

#include <strings.h>

#include "postline/address/tokens.h"

namespace postline::address {

AddressParts splitAddress(std::string_view address) {
    AddressParts parts;
    auto at = address.rfind('@');
    if (at == std::string_view::npos) {
        parts.local = std::string(address);
        return parts;
    }
    parts.local = std::string(address.substr(0, at));
    parts.domain = std::string(address.substr(at + 1));
    parts.hasAt = true;
    return parts;
}

std::string toExternal(std::string_view internal) { return quoteLocalPart(internal); }
std::string toInternal(std::string_view external) { return unquoteLocalPart(external); }

std::string lowercase(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

namespace {
bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}
}  // namespace

std::optional<LocalSplit> splitLocalPart(std::string_view localPart, std::string_view delimiters,
                                         std::string_view doubleBounceSender) {
    if (delimiters.empty()) return std::nullopt;
    if (iequals(localPart, "postmaster") || iequals(localPart, "MAILER-DAEMON") ||
        iequals(localPart, doubleBounceSender))
        return std::nullopt;
    if (delimiters.find('-') != std::string_view::npos) {
        if (localPart.size() >= 6 && iequals(localPart.substr(0, 6), "owner-")) return std::nullopt;
        if (localPart.size() > 8 && iequals(localPart.substr(localPart.size() - 8), "-request")) return std::nullopt;
    }
    auto pos = localPart.find_first_of(delimiters);
    if (pos == 0 || pos == std::string_view::npos) return std::nullopt;
    return LocalSplit{std::string(localPart.substr(0, pos)), std::string(localPart.substr(pos + 1)), localPart[pos]};
}

std::optional<StrippedAddress> stripExtension(std::string_view address, std::string_view delimiters,
                                              std::string_view doubleBounceSender) {
    if (delimiters.empty() || address.find_first_of(delimiters) == std::string_view::npos) return std::nullopt;
    auto parts = splitAddress(address);
    auto split = splitLocalPart(parts.local, delimiters, doubleBounceSender);
    if (!split) return std::nullopt;
    StrippedAddress out;
    out.bare = split->local + (parts.hasAt ? "@" + parts.domain : "");
    out.extension = std::string(1, split->delimiter) + split->extension;
    return out;
}

}  // namespace postline::address
