// The "domains" rule family: each domain belongs to one address class (trivial-rewrite
// resolves mydestination first, then virtual alias, virtual mailbox and relay domains;
// Postfix warns "do not list domain D in BOTH mydestination and virtual_alias_domains"),
// and virtual mailbox domains need mailbox maps.
#include <cctype>
#include <map>

#include "captured_warnings.h"
#include "context.h"
#include "postline/base/strings.h"
#include "postline/maps/dict.h"
#include "postline/maps/registry.h"
#include "table_refs.h"

namespace postline::lint {

namespace {

// The domains a domain list names: plain names, and the domain keys (no '@') of its
// tables that can be listed.
std::vector<std::string> domainsOf(const LintContext& context, const std::string& value) {
    std::vector<std::string> out;
    for (const std::string& item : listItems(value)) {
        if (item.empty() || item[0] == '!' || item[0] == '/') continue;
        if (item.find(':') == std::string::npos) {
            out.push_back(base::lowercase(item));
            continue;
        }
        maps::DictSpec spec = maps::parseDictSpec(item, context.value("default_database_type"));
        (void)captureWarnings([&] {
            auto dict = maps::openDict(spec, maps::OpenMode::Read, maps::flag::kFoldFix);
            if (!dict) return;
            (void)(*dict)->forEach([&](std::string_view key, std::string_view) {
                if (!key.empty() && key.find('@') == std::string_view::npos) out.push_back(base::lowercase(key));
                return true;
            });
        });
    }
    return out;
}

}  // namespace

void checkAddressClasses(LintContext& context) {
    // In trivial-rewrite's order. relay_domains defaults to $mydestination below
    // compatibility level 2, which is not a mistake of the configuration.
    static constexpr std::string_view kClasses[] = {"mydestination", "virtual_alias_domains", "virtual_mailbox_domains",
                                                    "relay_domains"};
    std::map<std::string, std::string> owner;  // domain -> first class
    for (std::string_view cls : kClasses) {
        if (cls == "relay_domains" && !context.isSet(cls)) continue;
        std::string name(cls);
        for (const std::string& domain : domainsOf(context, context.value(name))) {
            auto [it, fresh] = owner.emplace(domain, name);
            if (!fresh && it->second != name)
                context.report("domain-in-several-classes", context.origin(name),
                               base::cat("do not list domain ", domain, " in BOTH ", it->second, " and ", name),
                               base::cat("a domain is delivered by one class only; ", it->second, " wins"));
        }
    }
    if (!domainsOf(context, context.value("virtual_mailbox_domains")).empty() &&
        listItems(context.value("virtual_mailbox_maps")).empty())
        context.report("virtual-mailbox-without-maps", context.origin("virtual_mailbox_domains"),
                       "virtual_mailbox_domains is set but virtual_mailbox_maps is empty: every recipient is unknown",
                       "set virtual_mailbox_maps to the table of mailboxes");
}

}  // namespace postline::lint
