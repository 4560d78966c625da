// tablesOfDefaults(): the tables that Postfix's built-in defaults make its daemons open
// (default_tables.h).
#include "postline/maps/default_tables.h"

#include "postline/config/registry.h"
#include "postline/maps/brace_list.h"
#include "postline/maps/registry.h"
#include "postline/maps/table_refs.h"

namespace postline::maps {

namespace {

bool isNeverOpenedAsTables(std::string_view name) {
    return name == "alias_database" || name == "proxy_read_maps" || isCacheParameter(name);
}

// The daemon that opens a parameter whose default names files of the host; "" when the
// parameter's default names only what other parameters name.
std::string_view openingDaemon(std::string_view name) {
    if (name == "alias_maps") return "local";
    if (name == "local_recipient_maps") return "smtpd";
    return "";
}

// Whether some service runs `daemon` with main.cf's value of `parameter`.
bool usesMainCfValue(const std::vector<config::MasterEntry>& master, std::string_view daemon,
                     std::string_view parameter) {
    if (master.empty()) return true;
    for (const config::MasterEntry& entry : master) {
        if (entry.argv.size() <= size_t(config::kMasterCommandField) ||
            entry.argv[config::kMasterCommandField] != daemon)
            continue;
        bool overridden = false;
        for (const auto& [name, value] : entry.params()) overridden |= name == parameter;
        if (!overridden) return true;
    }
    return false;
}

}  // namespace

bool isCacheParameter(std::string_view name) {
    return name == "address_verify_map" || name == "postscreen_cache_map" || name == "proxy_write_maps";
}

std::vector<std::string> tablesOfParameter(std::string_view name, const std::string& value,
                                           const config::Config& config) {
    if (isCacheParameter(name)) return {};
    const config::ParameterInfo* info = config::findBuiltinParameter(name);
    if (info && (info->type == config::ParamType::MapList || isMatchListParameter(name))) return tablesInMapList(value);
    bool restriction = info ? info->type == config::ParamType::RestrictionList : false;
    if (!restriction)
        for (const std::string& cls : detail::splitBraceItems(config.get("smtpd_restriction_classes")))
            if (cls == name) restriction = true;
    return restriction ? tablesInRestrictions(value) : std::vector<std::string>{};
}

namespace {

void addTablesBehind(const std::string& table, std::vector<TableBehind>& out, int depth) {
    DictSpec spec = parseDictSpec(table, "");
    while (spec.type == "proxy" && spec.name.find(':') != std::string::npos) spec = parseDictSpec(spec.name, "");
    if ((spec.type == "unionmap" || spec.type == "pipemap") && depth < 8) {
        if (auto parts = detail::parseBraceList(spec.name)) {
            for (const std::string& part : *parts) addTablesBehind(part, out, depth + 1);
            return;
        }
    }
    out.push_back({std::move(spec), table});
}

}  // namespace

std::vector<TableBehind> tablesBehind(const std::string& table) {
    std::vector<TableBehind> out;
    addTablesBehind(table, out, 0);
    return out;
}

std::set<std::string> aliasTables(const config::Config& config, const std::vector<config::MasterEntry>& master) {
    std::set<std::string> out;
    auto add = [&](const std::string& value) {
        for (const std::string& table : tablesInMapList(value))
            for (const TableBehind& behind : tablesBehind(table)) out.insert(behind.spec.type + ":" + behind.spec.name);
    };
    for (std::string_view name : {"alias_maps", "alias_database"}) {
        add(config.get(name));
        for (const config::MasterEntry& entry : master)
            for (const auto& [option, value] : entry.params())
                if (option == name) add(config.expand(value));
    }
    return out;
}

bool isInLineTable(std::string_view table) {
    DictSpec spec = parseDictSpec(std::string(table), "");
    while (spec.type == "proxy" && spec.name.find(':') != std::string::npos) spec = parseDictSpec(spec.name, "");
    static constexpr std::string_view kTypes[] = {"inline", "static", "fail", "environ", "internal"};
    for (std::string_view t : kTypes)
        if (spec.type == t) return true;
    return spec.name.starts_with("{") && spec.type != "unionmap" && spec.type != "pipemap";
}

std::vector<DefaultTableUse> tablesOfDefaults(const config::Config& config,
                                              const std::vector<config::MasterEntry>& master) {
    std::vector<DefaultTableUse> out;
    for (const config::ParameterInfo& p : config::builtinParameters()) {
        if (config.definition(p.name) || isNeverOpenedAsTables(p.name)) continue;
        if (p.type != config::ParamType::MapList && p.type != config::ParamType::RestrictionList &&
            !isMatchListParameter(p.name))
            continue;
        std::string_view daemon = openingDaemon(p.name);
        if (!daemon.empty() && !usesMainCfValue(master, daemon, p.name)) continue;
        for (std::string& table : tablesOfParameter(p.name, config.get(p.name), config))
            if (!isInLineTable(table)) out.push_back({std::string(p.name), std::move(table)});
    }
    return out;
}

}  // namespace postline::maps
