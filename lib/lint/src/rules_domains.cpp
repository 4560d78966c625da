// The "domains" rule family: each domain belongs to one address class (trivial-rewrite
// resolves mydestination first, then virtual alias, virtual mailbox and relay domains;
// Postfix warns "do not list domain D in BOTH mydestination and virtual_alias_domains"),
// and virtual mailbox domains delivered by virtual(8) need mailbox maps.
#include <cctype>
#include <map>
#include <set>

#include "captured_warnings.h"
#include "context.h"
#include "match_lists.h"
#include "postline/base/strings.h"
#include "postline/maps/dict.h"
#include "postline/maps/registry.h"
#include "postline/maps/table_refs.h"
#include "table_refs.h"

namespace postline::lint {

namespace {

// The domains a domain list names: plain names, the items of its /file/name entries, and
// the domain keys (no '@') of its tables that can be listed.
std::vector<std::string> domainsOf(const LintContext& context, const std::string& value) {
    std::vector<std::string> out;
    for (const std::string& item : matchListItems(context, value).items) {
        if (item.empty() || item[0] == '!') continue;
        if (!maps::isTableSpec(item)) {
            out.push_back(base::lowercase(item));
            continue;
        }
        maps::DictSpec spec = context.tableSpec(item);
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

// The pairs that trivial-rewrite's resolve.c warns about ("do not list domain D in BOTH
// A and B"), the class it picks first. mydestination and relay_domains are no such pair:
// relay_domains = $mydestination is Postfix's own default below compatibility level 2.
struct ClassPair {
    std::string_view first;
    std::string_view second;
};
constexpr ClassPair kWarnedPairs[] = {
    {"mydestination", "virtual_alias_domains"},           {"mydestination", "virtual_mailbox_domains"},
    {"virtual_alias_domains", "virtual_mailbox_domains"}, {"virtual_alias_domains", "relay_domains"},
    {"virtual_mailbox_domains", "relay_domains"},
};

// Whether the virtual mailbox class is delivered by virtual(8), the one agent that looks
// its recipients up in virtual_mailbox_maps: virtual_transport names a master.cf service
// that runs "virtual" (without master.cf, Postfix's stock one, whose "virtual" service
// does). smtpd checks virtual_mailbox_maps only when it is set (smtpd_check.c), so with
// another agent (Dovecot over lmtp:) an empty one accepts every recipient and lets that
// agent decide: no recipient is unknown because of it.
bool deliveredByVirtualAgent(const LintContext& context) {
    std::string value = context.value("virtual_transport");
    std::string_view transport = base::trim(value);
    std::string_view service = transport.substr(0, transport.find(':'));
    if (context.master().empty()) return service == "virtual";
    for (const config::MasterEntry* entry : context.services("virtual"))
        if (entry->name() == service && entry->type() == "unix") return true;
    return false;
}

}  // namespace

void checkAddressClasses(LintContext& context) {
    static constexpr std::string_view kClasses[] = {"mydestination", "virtual_alias_domains", "virtual_mailbox_domains",
                                                    "relay_domains"};
    std::map<std::string_view, std::set<std::string>> domains;
    for (std::string_view cls : kClasses) {
        std::vector<std::string> names = domainsOf(context, context.value(std::string(cls)));
        domains[cls] = std::set<std::string>(names.begin(), names.end());
    }
    for (const ClassPair& pair : kWarnedPairs) {
        // relay_domains is compared only when main.cf sets it: its default repeats
        // mydestination, whose own pairs are reported already.
        if (pair.second == "relay_domains" && !context.isSet("relay_domains")) continue;
        for (const std::string& domain : domains[pair.second])
            if (domains[pair.first].count(domain))
                context.report("domain-in-several-classes", context.origin(std::string(pair.second)),
                               base::cat("do not list domain ", domain, " in BOTH ", pair.first, " and ", pair.second),
                               base::cat("a domain is delivered by one class only; ", pair.first, " wins"));
    }
    std::string mailboxDomains = context.value("virtual_mailbox_domains");
    MatchListItems listed = matchListItems(context, mailboxDomains);
    if ((!listed.items.empty() || !listed.unreadable.empty()) &&
        listItems(context.value("virtual_mailbox_maps")).empty() && deliveredByVirtualAgent(context))
        context.report(
            "virtual-mailbox-without-maps", context.origin("virtual_mailbox_domains"),
            "virtual_mailbox_domains is set but virtual_mailbox_maps is empty: virtual(8) knows no recipient, "
            "every one bounces",
            "set virtual_mailbox_maps to the table of mailboxes");
}

}  // namespace postline::lint
