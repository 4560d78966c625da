// Addresses that exercise the entries of a configuration's routing tables, for
// `postline diff`: every key of virtual_alias_maps, alias_maps, transport_maps,
// relocated_maps, canonical_maps, recipient_canonical_maps and virtual_mailbox_maps
// turned into an address (a domain key gets a probe local part). Only tables that can
// be listed (postmap -s) contribute; pattern tables (regexp, pcre, cidr) cannot.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace postline::config {
class Config;
}

namespace postline::simulate {

// The local part given to domain keys ("example.net" -> "postline-probe@example.net").
inline constexpr std::string_view kProbeLocalPart = "postline-probe";

// The parameters whose tables are listed, in order.
const std::vector<std::string>& probedParameters();

struct TableProbes {
    std::vector<std::string> addresses;  // internal form, in table order, without duplicates
    std::vector<std::string> warnings;   // tables that exist but could not be listed
};

TableProbes tableProbeAddresses(const config::Config& config);

// The probe address for one key of `parameter`'s tables ("" when the key stands for no
// address, such as transport_maps' "*"). `localDomain` completes bare local parts.
std::string probeAddressForKey(std::string_view parameter, std::string_view key, std::string_view localDomain);

}  // namespace postline::simulate
