// collectTableRefs(): the tables a configuration uses, found the way Postfix's daemons find
// them (maps_create() over map-list parameters, check_*_access in smtpd_check.c).
#include "table_refs.h"

#include "postline/base/strings.h"
#include "postline/config/registry.h"
#include "postline/maps/brace_list.h"
#include "postline/maps/table_refs.h"

namespace postline::lint {

namespace {

void addRef(std::vector<TableRef>& out, const std::string& text, const std::string& parameter, const Origin& origin,
            bool aliasFormat, int depth = 0) {
    maps::DictSpec spec = maps::parseDictSpec(text, "");
    while (spec.type == "proxy" && spec.name.find(':') != std::string::npos) spec = maps::parseDictSpec(spec.name, "");
    if ((spec.type == "unionmap" || spec.type == "pipemap") && depth < 8) {
        if (auto parts = maps::detail::parseBraceList(spec.name)) {
            for (const std::string& part : *parts) addRef(out, part, parameter, origin, aliasFormat, depth + 1);
            return;
        }
    }
    out.push_back(TableRef{spec, text, parameter, origin, aliasFormat});
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

std::vector<TableRef> collectTableRefs(const LintContext& context) {
    std::vector<TableRef> refs;
    auto isAliasParam = [](std::string_view name) { return name == "alias_maps" || name == "alias_database"; };
    // Only what the configuration sets: a default such as alias_maps = hash:/etc/aliases
    // concerns the host, not the configuration under review.
    for (const auto& p : config::builtinParameters()) {
        std::string name(p.name);
        if (!context.isSet(name)) continue;
        if (p.type == config::ParamType::MapList || maps::isMatchListParameter(name)) {
            for (const std::string& t : tablesInMapList(context.value(name)))
                addRef(refs, t, name, context.origin(name), isAliasParam(name));
        }
    }
    for (const std::string& name : restrictionParameters(context)) {
        if (!context.isSet(name)) continue;
        for (const std::string& t : tablesInRestrictions(context.value(name)))
            addRef(refs, t, name, context.origin(name), false);
    }
    // master.cf overrides of map lists and restriction lists.
    for (const config::MasterEntry& entry : context.master()) {
        if (entry.argv.size() <= size_t(config::kMasterCommandField)) continue;
        for (const auto& [name, raw] : entry.params()) {
            const config::ParameterInfo* info = config::findBuiltinParameter(name);
            std::string value = context.config().expand(raw);
            Origin where = context.optionOrigin(entry, name);
            std::vector<std::string> tables;
            if (info && (info->type == config::ParamType::MapList || maps::isMatchListParameter(name)))
                tables = tablesInMapList(value);
            if (info && info->type == config::ParamType::RestrictionList) tables = tablesInRestrictions(value);
            for (const std::string& t : tables) addRef(refs, t, name, where, isAliasParam(name));
        }
    }
    return refs;
}

}  // namespace postline::lint
