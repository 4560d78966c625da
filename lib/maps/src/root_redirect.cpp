// Tables read under a root directory (root_redirect.h).
#include "postline/maps/root_redirect.h"

#include "postline/maps/registry.h"

namespace postline::maps {

bool tableNamesFile(std::string_view type) {
    static constexpr std::string_view kClientFile[] = {"ldap", "mysql", "pgsql", "sqlite", "memcache"};
    for (std::string_view t : kClientFile)
        if (t == type) return true;
    static constexpr std::string_view kText[] = {"regexp", "pcre", "cidr", "texthash"};
    for (std::string_view t : kText)
        if (t == type) return true;
    const DictType* known = findDictType(type);
    return known && !known->suffix.empty();
}

std::optional<std::string> specUnderRoot(const std::string& root, std::string_view spec) {
    if (root.empty()) return std::nullopt;
    while (spec.starts_with("proxy:")) spec.remove_prefix(6);
    size_t colon = spec.find(':');
    if (colon == std::string_view::npos || colon + 1 >= spec.size() || spec[colon + 1] != '/' ||
        !tableNamesFile(spec.substr(0, colon)))
        return std::nullopt;
    std::string base = root.ends_with('/') ? root.substr(0, root.size() - 1) : root;
    // A name that is under the root already (a spec the caller rooted itself) stays.
    if (!base.empty() && spec.substr(colon + 1).starts_with(base + "/")) return std::nullopt;
    return std::string(spec.substr(0, colon + 1)) + base + std::string(spec.substr(colon + 1));
}

TableRedirect::Map rootRedirect(std::string root) {
    return [root = std::move(root)](std::string_view spec) { return specUnderRoot(root, spec); };
}

}  // namespace postline::maps
