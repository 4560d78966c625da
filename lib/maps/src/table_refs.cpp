// Table references in parameter values (table_refs.h).
#include "postline/maps/table_refs.h"

#include <cctype>

#include "postline/config/registry.h"
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
    const config::ParameterInfo* info = config::findBuiltinParameter(name);
    return info && info->type == config::ParamType::MatchList;
}

}  // namespace postline::maps
