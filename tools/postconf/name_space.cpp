// The table of known parameter names and their classes (mirrors postconf_node.c,
// postconf_builtin.c, postconf_service.c, postconf_user.c and postconf_unused.c):
// built-in, service-defined (master.cf delivery services), user-defined ($name
// references with a name=value), and the warnings about unused and undefined names.
#include <string>

#include "postconf_internal.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/config/registry.h"

namespace postline::tools::postconf {

using config::MacroResult;

NameSpace::NameSpace(unsigned mode, config::Config config, std::vector<config::MasterEntry> master,
                     std::string configDir, std::string masterPath)
    : mode_(mode),
      config_(std::move(config)),
      master_(std::move(master)),
      configDir_(std::move(configDir)),
      masterPath_(std::move(masterPath)) {
    localValid_.resize(master_.size());
}

void NameSpace::registerBuiltin() {
    for (const auto& p : config::builtinParameters())
        table_.emplace(std::string(p.name), (p.flags & config::kLegacy) ? kLegacy : kBuiltin);
}

void NameSpace::registerService() {
    for (const auto& entry : master_) {
        const std::string& program = entry.argv[config::kMasterCommandField];
        for (const auto& t : config::serviceParameterTemplates()) {
            if (t.program != program) continue;
            std::string name = entry.name() + std::string(t.suffix);
            if (auto it = table_.find(name); it != table_.end()) {
                it->second = kService;
            } else {
                table_.emplace(name, kService);
                std::string value = "$" + std::string(t.defaultParam);
                serviceDefaults_[name] = value;
                config_.addDefault(name, value);
            }
        }
    }
}

unsigned NameSpace::paramClass(std::string_view name) const {
    auto it = table_.find(name);
    return it == table_.end() ? 0 : it->second;
}

bool NameSpace::isRaw(std::string_view name) const {
    const auto* info = config::findBuiltinParameter(name);
    return info && (info->flags & config::kRaw);
}

namespace {
bool readOnly(std::string_view name) { return name == "process_id" || name == "process_name"; }

const std::string* findLocal(const config::MasterEntry& entry, std::string_view name, std::string& storage) {
    const std::string* found = nullptr;
    for (auto& [n, v] : entry.params())
        if (n == name) {
            storage = v;
            found = &storage;
        }
    return found;
}
}  // namespace

void NameSpace::flagUser(std::string_view name, const config::MasterEntry* scope, bool warnUndefined) {
    bool userSupplied = false;
    std::string tmp;
    if (scope && findLocal(*scope, name, tmp)) {
        userSupplied = true;
        localValid_[size_t(scope - master_.data())][std::string(name)] = true;
    } else if (config_.definition(name)) {
        userSupplied = true;
        if (!table_.count(name)) table_.emplace(std::string(name), kUser);
    }
    if (!scope) {
        for (size_t i = 0; i < master_.size(); ++i) {
            if (findLocal(master_[i], name, tmp)) {
                userSupplied = true;
                localValid_[i][std::string(name)] = true;
            }
        }
    }
    if (warnUndefined && !userSupplied && !table_.count(name))
        base::msgWarn(base::cat(configDir_, "/", scope ? "master.cf" : "main.cf", ": undefined parameter: ", name));
}

void NameSpace::scanValue(std::string_view value, const config::MasterEntry* scope, bool warnUndefined) {
    MacroResult r = config::macroExpand(value, config::kMacroScan, [&](std::string_view name) {
        flagUser(name, scope, warnUndefined);
        return std::optional<std::string>();
    });
    for (const auto& w : r.warnings) base::msgWarn(w);
}

void NameSpace::registerUser() {
    // The -o name=value settings of each master.cf service.
    for (size_t i = 0; i < master_.size(); ++i) {
        const auto& entry = master_[i];
        auto params = entry.params();
        if (params.empty()) continue;
        for (const auto& [n, v] : params) {
            if (n == "smtpd_restriction_classes")
                for (auto cls : base::splitAny(v, ", \t\r\n")) flagUser(cls, &entry, true);
        }
        for (const auto& [n, v] : params) {
            if (!localValid_[i].count(n) && restrictionClasses_.count(n)) localValid_[i][n] = true;
            if (table_.count(n)) {
                if (readOnly(n)) {
                    base::msgWarn(base::cat(configDir_, "/master.cf: read-only parameter assignment: ", n, "=", v));
                    continue;
                }
                if (isRaw(n)) continue;
            }
            scanValue(v, &entry, true);
        }
    }
    // Default values of parameters that main.cf leaves alone.
    std::vector<std::string> names;
    for (const auto& [name, cls] : table_) names.push_back(name);
    for (const auto& name : names) {
        if (isRaw(name) || config_.definition(name)) continue;
        // Defaults name legacy parameters for compatibility; those are not "undefined".
        if (auto def = config_.defaultValue(name)) scanValue(*def, nullptr, false);
    }
    // The main.cf name=value settings.
    if (auto* classes = config_.definition("smtpd_restriction_classes")) {
        std::string list = config_.expand(classes->value);
        for (auto cls : base::splitAny(list, ", \t\r\n")) {
            restrictionClasses_[std::string(cls)] = true;
            flagUser(cls, nullptr, true);
        }
    }
    std::vector<std::string> defined = config_.definedNames();
    for (const auto& name : defined) {
        auto* def = config_.definition(name);
        if (!def) continue;
        if (auto it = table_.find(name); it != table_.end()) {
            if (readOnly(name)) {
                base::msgWarn(
                    base::cat(configDir_, "/main.cf: read-only parameter assignment: ", name, "=", def->value));
                config_.erase(name);
                continue;
            }
            if (it->second == kLegacy) it->second = kUser;
            if (isRaw(name)) continue;
        }
        scanValue(def->value, nullptr, true);
    }
    // pcf_register_dbms_parameters() expands the values of built-in parameters to find
    // database client names; a runaway expansion there is fatal, as in Postfix.
    for (const auto& name : config_.definedNames()) {
        auto* def = config_.definition(name);
        if (!def || !config::findBuiltinParameter(name) || isRaw(name)) continue;
        if (def->value.find('$') != std::string::npos) (void)expandValue(kShowEval, def->value);
    }
}

void NameSpace::flagUnusedMain() const {
    for (const auto& name : config_.definedNames()) {
        if (table_.count(name)) continue;
        auto* def = config_.definition(name);
        std::fflush(stdout);
        base::msgWarn(base::cat(configDir_, "/main.cf: unused parameter: ", name, "=", def->value));
    }
}

void NameSpace::flagUnusedMaster() const {
    for (size_t i = 0; i < master_.size(); ++i) {
        std::map<std::string, std::string, std::less<>> all;
        for (auto& [n, v] : master_[i].params()) all[n] = v;
        for (const auto& [n, v] : all) {
            if (table_.count(n) || localValid_[i].count(n)) continue;
            std::fflush(stdout);
            base::msgWarn(base::cat(configDir_, "/master.cf: unused parameter: ", n, "=", v));
        }
    }
}

std::optional<std::string> NameSpace::lookup(unsigned mode, std::string_view name) const {
    if (!(mode & kShowDefs)) {
        if (auto* def = config_.definition(name)) return def->value;
        if (mode & kShowNondef) return std::nullopt;
    }
    if (auto it = table_.find(name); it != table_.end() && it->second == kUser) return std::string();
    return config_.defaultValue(name);
}

std::string NameSpace::expandValue(unsigned mode, std::string_view value, const config::MasterEntry* scope) const {
    unsigned evalMode = mode & ~kShowNondef;
    MacroResult r = config::macroExpand(value, config::kMacroRecurse, [&](std::string_view name) {
        std::string tmp;
        if (scope && findLocal(*scope, name, tmp)) return std::optional<std::string>(tmp);
        if (scope && name == "service_name") return std::optional<std::string>(scope->name());
        if (!table_.count(name)) return std::optional<std::string>();
        return lookup(evalMode, name);
    });
    for (const auto& w : r.warnings) base::msgWarn(w);
    if (r.error) base::msgFatal("macro processing error");
    return r.text;
}

}  // namespace postline::tools::postconf
