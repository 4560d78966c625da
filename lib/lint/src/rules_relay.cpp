// The "relay" rule family: smtpd must refuse to relay for strangers (smtpd_check.c's
// relay and recipient restrictions), and mynetworks must not trust the world.
#include <algorithm>
#include <cctype>

#include "access_tables.h"
#include "context.h"
#include "network_list.h"
#include "postline/base/strings.h"
#include "table_refs.h"

namespace postline::lint {

namespace {

// True when mynetworks (as given) contains a block that covers every address.
bool coversEveryone(const std::string& mynetworks) {
    for (const std::string& item : listItems(mynetworks)) {
        auto net = parseNetwork(item);
        if (net && item[0] != '!' && net->bits == 0) return true;
    }
    return false;
}

// What one restriction list does with a client that is not in mynetworks, not
// authenticated, and sends to a domain that is not ours.
struct ListVerdict {
    enum Kind { Rejects, PermitsEveryone, NoDecision } kind = NoDecision;
    std::string why;
    bool byMynetworks = false;  // permit_mynetworks with a mynetworks that covers everyone
};

ListVerdict judge(const LintContext& context, const std::string& list, const std::string& mynetworks) {
    std::vector<std::string> items = listItems(list);
    for (size_t i = 0; i < items.size(); ++i) {
        std::string word = base::lowercase(items[i]);
        static constexpr std::string_view kRejects[] = {
            "reject_unauth_destination", "defer_unauth_destination", "reject", "defer",
            "defer_if_permit",           "check_relay_domains"};
        if (std::find(std::begin(kRejects), std::end(kRejects), word) != std::end(kRejects))
            return {ListVerdict::Rejects, {}};
        if (word == "permit") return {ListVerdict::PermitsEveryone, "\"permit\" accepts every client"};
        if (word == "permit_mynetworks" && coversEveryone(mynetworks))
            return {ListVerdict::PermitsEveryone,
                    "permit_mynetworks trusts every client (mynetworks = " + mynetworks + ")", true};
        bool access = word.starts_with("check_") && word.ends_with("_access");
        if (access && i + 1 < items.size()) {
            const std::string& table = items[++i];
            maps::DictSpec spec = context.tableSpec(table);
            AccessGrants grants = accessGrants(spec);
            if (word == "check_client_access" && grants.acceptsEveryClient)
                return {ListVerdict::PermitsEveryone,
                        base::cat("check_client_access ", table, " accepts every client")};
            // The sender address and HELO name are whatever the client says they are.
            if ((word == "check_sender_access" || word == "check_helo_access") && grants.acceptsSome)
                return {ListVerdict::PermitsEveryone,
                        base::cat(word, " ", table, " returns OK for some ",
                                  word == "check_sender_access" ? "sender addresses" : "HELO names",
                                  ", which any client can claim")};
        }
    }
    return {};
}

void checkOpenRelay(LintContext& context, const config::MasterEntry& service) {
    ServiceSetting relay = context.serviceSetting(service, "smtpd_relay_restrictions");
    ServiceSetting recipient = context.serviceSetting(service, "smtpd_recipient_restrictions");
    ServiceSetting mynetworks = context.serviceSetting(service, "mynetworks");
    ListVerdict r1 = judge(context, relay.value, mynetworks.value);
    ListVerdict r2 = judge(context, recipient.value, mynetworks.value);
    if (r1.kind == ListVerdict::Rejects || r2.kind == ListVerdict::Rejects) return;
    std::string where = LintContext::serviceLabel(service);
    if (r1.kind == ListVerdict::NoDecision && r2.kind == ListVerdict::NoDecision) {
        context.report("open-relay", relay.explicitlySet ? relay.origin : recipient.origin,
                       base::cat(where,
                                 ": neither smtpd_relay_restrictions nor smtpd_recipient_restrictions rejects "
                                 "unauthorized destinations (Postfix refuses to start)"),
                       "end smtpd_relay_restrictions with reject_unauth_destination");
        return;
    }
    const ListVerdict& permit = r1.kind == ListVerdict::PermitsEveryone ? r1 : r2;
    const ServiceSetting& setting = r1.kind == ListVerdict::PermitsEveryone ? relay : recipient;
    // The line that made this service an open relay: its own -o mynetworks when the list
    // is main.cf's (or the default) and trusted every client only through that -o.
    const Origin& origin =
        permit.byMynetworks && mynetworks.byOption && !setting.byOption ? mynetworks.origin : setting.origin;
    context.report("open-relay", origin, base::cat(where, ": open relay: ", permit.why),
                   "put reject_unauth_destination before anything that can accept every client");
}

// mynetworks-too-broad for one mynetworks value (main.cf's or a service's -o).
void checkNetworks(LintContext& context, const std::string& mynetworks, const Origin& where, std::string_view label) {
    for (const std::string& item : listItems(mynetworks)) {
        auto net = parseNetwork(item);
        if (!net || item[0] == '!' || isNonRoutable(*net)) continue;
        int limit = net->ipv6 ? 16 : 8;
        if (net->bits < limit)
            context.report("mynetworks-too-broad", where,
                           base::cat(label, "mynetworks contains ", item, ": ",
                                     net->bits == 0 ? "every client on the Internet is trusted"
                                                    : "a network far larger than any site is trusted"),
                           "list only your own networks");
    }
}

void checkMynetworks(LintContext& context) {
    for (const config::MasterEntry& entry : context.master())
        for (const config::MasterOption& option : entry.options())
            if (option.name == "mynetworks")
                checkNetworks(context, context.expandForService(entry, option.value),
                              context.optionOrigin(entry, option), LintContext::serviceLabel(entry) + ": ");
    if (!context.isSet("mynetworks")) {
        if (base::lowercase(context.value("mynetworks_style")) == "class")
            context.report("mynetworks-style-class", context.origin("mynetworks_style"),
                           "mynetworks_style = class trusts every client in the same class A, B or C network",
                           "set mynetworks to the networks you trust, or mynetworks_style = host");
        return;
    }
    checkNetworks(context, context.value("mynetworks"), context.origin("mynetworks"), "");
}

// access-permits-everyone for one restriction list value.
void checkAccessList(LintContext& context, const std::string& name, const std::string& value, const Origin& where,
                     std::string_view label) {
    std::vector<std::string> items = listItems(value);
    for (size_t i = 0; i + 1 < items.size(); ++i) {
        if (base::lowercase(items[i]) != "check_client_access") continue;
        maps::DictSpec spec = context.tableSpec(items[i + 1]);
        if (accessGrants(spec).acceptsEveryClient)
            context.report(
                "access-permits-everyone", where,
                base::cat(label, name, ": check_client_access ", items[i + 1], " returns OK for every client"),
                "remove the catch-all entry, or limit it to the networks you trust");
    }
}

void checkAccessTables(LintContext& context) {
    for (const std::string& name : restrictionParameters(context)) {
        if (context.isSet(name)) checkAccessList(context, name, context.value(name), context.origin(name), "");
        for (const config::MasterEntry& entry : context.master())
            for (const config::MasterOption& option : entry.options())
                if (option.name == name)
                    checkAccessList(context, name, context.expandForService(entry, option.value),
                                    context.optionOrigin(entry, option), LintContext::serviceLabel(entry) + ": ");
    }
}

}  // namespace

void checkRelaySafety(LintContext& context) {
    // Every smtpd, whatever its type: an inet listener, the pass service behind
    // postscreen (which gets port 25's clients), a unix or fifo one fed by another program.
    for (const config::MasterEntry* service : context.services("smtpd")) checkOpenRelay(context, *service);
    checkMynetworks(context);
    checkAccessTables(context);
}

}  // namespace postline::lint
