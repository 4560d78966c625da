// Table references in parameter values (table_refs.h).
#include "postline/maps/table_refs.h"

#include <cctype>

#include "postline/maps/brace_list.h"

namespace postline::maps {

namespace {

// check_client_access, check_sender_mx_access, check_policy_service (not a table), ...
bool takesTableArgument(std::string_view restriction) {
    return restriction.starts_with("check_") && restriction.ends_with("_access");
}

}  // namespace

bool isTableSpec(std::string_view item) {
    size_t colon = item.find(':');
    if (colon == std::string_view::npos || colon == 0 || !std::isalpha(static_cast<unsigned char>(item[0])))
        return false;
    for (size_t i = 0; i < colon; ++i)
        if (!std::isalnum(static_cast<unsigned char>(item[i])) && item[i] != '_') return false;
    return true;
}

std::vector<std::string> tablesInMapList(std::string_view value) {
    std::vector<std::string> out;
    for (std::string& item : detail::splitBraceItems(value))
        if (isTableSpec(item)) out.push_back(std::move(item));
    return out;
}

std::vector<std::string> tablesInRestrictions(std::string_view value) {
    std::vector<std::string> items = detail::splitBraceItems(value);
    std::vector<std::string> out;
    for (size_t i = 0; i + 1 < items.size(); ++i)
        if (takesTableArgument(items[i]) && isTableSpec(items[i + 1])) out.push_back(items[++i]);
    return out;
}

bool isMatchListParameter(std::string_view name) {
    static constexpr std::string_view kNames[] = {"mydestination",
                                                  "relay_domains",
                                                  "mynetworks",
                                                  "permit_mx_backup_networks",
                                                  "debug_peer_list",
                                                  "fast_flush_domains",
                                                  "smtpd_client_event_limit_exceptions"};
    for (std::string_view n : kNames)
        if (n == name) return true;
    return false;
}

}  // namespace postline::maps
