// collectTableRefs(): the tables a configuration uses, found the way Postfix's daemons find
// them (maps_create() over map-list parameters, check_*_access in smtpd_check.c).
#include "table_refs.h"

#include <set>

#include "postline/base/strings.h"
#include "postline/config/registry.h"
#include "postline/maps/brace_list.h"
#include "postline/maps/default_tables.h"
#include "postline/maps/table_refs.h"

namespace postline::lint {

namespace {

// `aliasTables`: maps::aliasTables(), the tables in aliases(5) format wherever named.
// The spec's file is the one under LintOptions::root.
void addRef(const LintContext& context, std::vector<TableRef>& out, const std::string& text,
            const std::string& parameter, const Origin& origin, const std::set<std::string>& aliasTables,
            bool fromDefault = false) {
    for (maps::TableBehind& t : maps::tablesBehind(text)) {
        bool aliasFormat = aliasTables.count(base::cat(t.spec.type, ":", t.spec.name)) > 0;
        out.push_back(TableRef{context.tableUnderRoot(std::move(t.spec)), std::move(t.text), parameter, origin,
                               aliasFormat, fromDefault});
    }
}

}  // namespace

std::vector<std::string> listItems(const std::string& value) { return maps::detail::splitBraceItems(value); }

std::vector<std::string> tablesInMapList(const std::string& value) { return maps::tablesInMapList(value); }

std::vector<std::string> tablesInRestrictions(const std::string& value) { return maps::tablesInRestrictions(value); }

std::vector<std::string> restrictionParameters(const LintContext& context) {
    std::vector<std::string> names;
    for (const auto& p : config::builtinParameters())
        if (p.type == config::ParamType::RestrictionList) names.emplace_back(p.name);
    for (const std::string& cls : listItems(context.value("smtpd_restriction_classes"))) names.push_back(cls);
    return names;
}

void forEachRestrictionList(const LintContext& context, const RestrictionListFn& fn) {
    for (const std::string& parameter : restrictionParameters(context)) {
        if (context.isSet(parameter)) fn(parameter, context.value(parameter), context.origin(parameter), "");
        for (const config::MasterEntry& entry : context.master())
            for (const config::MasterOption& option : entry.options())
                if (option.name == parameter)
                    fn(parameter, context.expandForService(entry, option.value), context.optionOrigin(entry, option),
                       LintContext::serviceLabel(entry) + ": ");
    }
}

namespace {

// Whether virtual_transport names a master.cf service that runs virtual(8) (Postfix's
// stock master.cf, when there is none: virtual_transport = virtual).
bool virtualAgentDelivers(const LintContext& context) {
    std::string transport = context.value("virtual_transport");
    transport = transport.substr(0, transport.find(':'));
    if (!context.hasMasterCf()) return transport == "virtual";
    for (const config::MasterEntry* service : context.services("virtual"))
        if (service->name() == transport) return true;
    return false;
}

}  // namespace

uint32_t daemonOpenFlags(const LintContext& context, std::string_view parameter) {
    // local(8) and trivial-rewrite(8) read these whenever mail is delivered or routed.
    static constexpr std::string_view kNoRegsub[] = {
        "alias_maps",
        "mailbox_command_maps",
        "mailbox_transport_maps",
        "fallback_transport_maps",
        "transport_maps",
        "address_verify_transport_maps",
        "sender_dependent_relayhost_maps",
        "address_verify_sender_dependent_relayhost_maps",
        "sender_dependent_default_transport_maps",
        "address_verify_sender_dependent_default_transport_maps",
    };
    for (std::string_view p : kNoRegsub)
        if (parameter == p) return maps::flag::kNoRegsub;
    if (parameter == "virtual_mailbox_maps" || parameter == "virtual_uid_maps" || parameter == "virtual_gid_maps")
        return virtualAgentDelivers(context) ? maps::flag::kNoRegsub : 0;
    return 0;
}

std::vector<TableRef> collectTableRefs(const LintContext& context) {
    std::vector<TableRef> refs;
    std::set<std::string> aliasTables = maps::aliasTables(context.config(), context.master());
    for (const auto& p : config::builtinParameters()) {
        std::string name(p.name);
        if (!context.isSet(name) || maps::isCacheParameter(name)) continue;
        if (p.type == config::ParamType::MapList || maps::isMatchListParameter(name)) {
            for (const std::string& t : tablesInMapList(context.value(name)))
                addRef(context, refs, t, name, context.origin(name), aliasTables);
        }
    }
    for (const std::string& name : restrictionParameters(context)) {
        if (!context.isSet(name)) continue;
        for (const std::string& t : tablesInRestrictions(context.value(name)))
            addRef(context, refs, t, name, context.origin(name), aliasTables);
    }
    // master.cf overrides of map lists and restriction lists.
    for (const config::MasterEntry& entry : context.master()) {
        if (entry.argv.size() <= size_t(config::kMasterCommandField)) continue;
        for (const auto& [name, raw] : entry.params()) {
            const config::ParameterInfo* info = config::findBuiltinParameter(name);
            if (maps::isCacheParameter(name)) continue;
            std::string value = context.expandForService(entry, raw);
            Origin where = context.optionOrigin(entry, name);
            std::vector<std::string> tables;
            if (info && (info->type == config::ParamType::MapList || maps::isMatchListParameter(name)))
                tables = tablesInMapList(value);
            if (info && info->type == config::ParamType::RestrictionList) tables = tablesInRestrictions(value);
            for (const std::string& t : tables) addRef(context, refs, t, name, where, aliasTables);
        }
    }
    // What main.cf leaves at the default, as Postfix uses it (alias_maps = hash:/etc/aliases).
    // A table that a setting names already is checked there: a default such as
    // address_verify_transport_maps = $transport_maps would only repeat its findings.
    std::set<std::string> named;
    for (const TableRef& ref : refs) named.insert(base::cat(ref.spec.type, ":", ref.spec.name));
    std::vector<TableRef> defaults;
    for (const maps::DefaultTableUse& d : maps::tablesOfDefaults(context.config(), context.master()))
        addRef(context, defaults, d.table, d.parameter, Origin{context.mainCfPath(), 0}, aliasTables, true);
    for (TableRef& ref : defaults)
        if (named.insert(base::cat(ref.spec.type, ":", ref.spec.name)).second) refs.push_back(std::move(ref));
    return refs;
}

}  // namespace postline::lint
