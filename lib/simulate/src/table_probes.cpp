// tableProbeAddresses (table_probes.h): list each table with its sequence operation and
// turn keys into addresses the way the lookups would meet them (mail_addr_find.c's key
// forms: user@domain, @domain, user; transport(5)'s domain and .domain).
#include "postline/simulate/table_probes.h"

#include <cerrno>
#include <set>

#include "postline/address/table_open.h"
#include "postline/config/config.h"
#include "postline/maps/map_list.h"

namespace postline::simulate {

const std::vector<std::string>& probedParameters() {
    static const std::vector<std::string> names = {"virtual_alias_maps",  "alias_maps",     "transport_maps",
                                                   "relocated_maps",      "canonical_maps", "recipient_canonical_maps",
                                                   "virtual_mailbox_maps"};
    return names;
}

std::string probeAddressForKey(std::string_view parameter, std::string_view key, std::string_view localDomain) {
    std::string probe(kProbeLocalPart);
    if (key.empty() || key == "*" || key == "@") return "";
    // postalias's bookkeeping records (the "@" sentinel above, YP_LAST_MODIFIED, ...).
    if (parameter == "alias_maps" && key.substr(0, 3) == "YP_") return "";
    auto at = key.find('@');
    if (at != std::string_view::npos) {
        if (at == 0) return probe + std::string(key);                                  // @domain
        if (at + 1 == key.size()) return std::string(key) + std::string(localDomain);  // user@
        return std::string(key);
    }
    // alias_maps keys are local parts; elsewhere a key with a dot is a domain
    // (transport_maps' ".domain" matches subdomains, so probe one).
    if (parameter == "alias_maps" || key.find('.') == std::string_view::npos)
        return std::string(key) + "@" + std::string(localDomain);
    if (key.front() == '.') return probe + "@probe" + std::string(key);
    return probe + "@" + std::string(key);
}

TableProbes tableProbeAddresses(const config::Config& config) {
    TableProbes out;
    std::set<std::string> seen;
    std::string localDomain = config.get("myhostname");
    maps::OpenContext open;
    open.config = &config;
    for (auto& parameter : probedParameters()) {
        for (auto& spec : maps::splitMapSpecs(config.get(parameter))) {
            auto dict = address::openAddressTable(spec, 0, open);
            if (!dict) {
                out.warnings.push_back(parameter + ": " + dict.error().message);
                continue;
            }
            auto status = (*dict)->forEach([&](std::string_view key, std::string_view) {
                std::string address = probeAddressForKey(parameter, key, localDomain);
                if (!address.empty() && seen.insert(address).second) out.addresses.push_back(address);
                return true;
            });
            // Pattern tables cannot be listed; that is expected, not a problem.
            if (!status && status.error().errnum != ENOTSUP)
                out.warnings.push_back(parameter + ": " + status.error().message);
        }
    }
    return out;
}

}  // namespace postline::simulate
