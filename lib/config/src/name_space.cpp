// The table of known parameter names and their classes (mirrors postconf_node.c,
// postconf_builtin.c, postconf_service.c, postconf_user.c, postconf_dbms.c and
// postconf_unused.c): built-in, service-defined (master.cf delivery services),
// user-defined ($name references with a name=value, database client parameters), and
// the unused and undefined names.
#include "postline/config/name_space.h"

#include <string>

#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/config/computed.h"
#include "postline/config/dbms_names.h"
#include "postline/config/registry.h"

namespace postline::config {

NameSpace::NameSpace(Config config, std::vector<MasterEntry> master, std::string configDir)
    : config_(std::move(config)), master_(std::move(master)), configDir_(std::move(configDir)) {
    localValid_.resize(master_.size());
}

void NameSpace::registerBuiltin() {
    for (const auto& p : builtinParameters())
        table_.emplace(std::string(p.name), (p.flags & kLegacy) ? kParamLegacy : kParamBuiltin);
}

void NameSpace::registerService() {
    for (const auto& entry : master_) {
        if (entry.argv.size() <= size_t(kMasterCommandField)) continue;
        const std::string& program = entry.argv[kMasterCommandField];
        for (const auto& t : serviceParameterTemplates()) {
            if (t.program != program) continue;
            std::string name = entry.name() + std::string(t.suffix);
            if (auto it = table_.find(name); it != table_.end()) {
                it->second = kParamService;
            } else {
                table_.emplace(name, kParamService);
                config_.addDefault(name, "$" + std::string(t.defaultParam));
            }
        }
    }
}

unsigned NameSpace::paramClass(std::string_view name) const {
    auto it = table_.find(name);
    return it == table_.end() ? 0 : it->second;
}

bool NameSpace::isRaw(std::string_view name) const {
    const auto* info = findBuiltinParameter(name);
    return info && (info->flags & kRaw);
}

namespace {
bool readOnly(std::string_view name) { return name == "process_id" || name == "process_name"; }

const std::string* findLocal(const MasterEntry& entry, std::string_view name, std::string& storage) {
    const std::string* found = nullptr;
    for (auto& [n, v] : entry.params())
        if (n == name) {
            storage = v;
            found = &storage;
        }
    return found;
}
}  // namespace

void NameSpace::flagUser(std::string_view name, const MasterEntry* scope, bool warnUndefined) {
    bool userSupplied = false;
    std::string tmp;
    if (scope && findLocal(*scope, name, tmp)) {
        userSupplied = true;
        localValid_[size_t(scope - master_.data())].emplace(name);
    } else if (config_.definition(name)) {
        userSupplied = true;
        if (!table_.count(name)) table_.emplace(std::string(name), kParamUser);
    }
    if (!scope) {
        for (size_t i = 0; i < master_.size(); ++i) {
            if (findLocal(master_[i], name, tmp)) {
                userSupplied = true;
                localValid_[i].emplace(name);
            }
        }
    }
    if (warnUndefined && !userSupplied && !table_.count(name))
        base::msgWarn(base::cat(configDir_, "/", scope ? "master.cf" : "main.cf", ": undefined parameter: ", name));
}

void NameSpace::scanValue(std::string_view value, const MasterEntry* scope, bool warnUndefined) {
    MacroResult r = macroExpand(value, kMacroScan, [&](std::string_view name) {
        flagUser(name, scope, warnUndefined);
        return std::optional<std::string>();
    });
    for (const auto& w : r.warnings) base::msgWarn(w);
}

// pcf_register_dbms_parameters(): the value, expanded as `postconf -x` shows it, may
// name database clients; their NAME_suffix parameters count as used.
base::Status NameSpace::registerDbms(std::string_view value, const MasterEntry* scope) {
    MacroResult expanded = expand(ValueView::Effective, value, scope);
    for (const auto& w : expanded.warnings) base::msgWarn(w);
    if (expanded.error) return base::Error{"macro processing error"};
    std::string where = scope ? base::cat("master.cf:", scope->name(), "/", scope->type()) : "main.cf";
    base::Status status;
    DbmsVisitor visitor;
    visitor.candidate = [&](const std::string& name) { flagUser(name, scope, false); };
    // After a fatal client-file error Postfix prints nothing more.
    visitor.warning = [&](const std::string& text) {
        if (status) base::msgWarn(base::cat(where, ": ", text));
    };
    visitor.clientFile = [&](std::string_view type, const std::string& path) {
        if (!status || !dbmsFilesSeen_.insert(base::cat(type, ":", path)).second) return;
        auto warnings = checkDbmsClientFile(type, path);
        if (!warnings) {
            status = warnings.error();
            return;
        }
        for (const auto& w : *warnings) base::msgWarn(w);
    };
    scanDbmsReferences(expanded.text, visitor);
    return status;
}

bool NameSpace::stop(const base::Status& error) {
    if (firstError_) firstError_ = error;
    return !keepGoing_;
}

base::Status NameSpace::registerUser() {
    firstError_ = {};
    // Postfix scans database client names only in the values of parameters it knows
    // itself (observed with 3.7: a user-defined `x = ldap:name` registers nothing).
    auto dbmsCandidate = [&](const std::string& name) {
        unsigned cls = paramClass(name);
        return cls != 0 && cls != kParamUser && !isRaw(name);
    };
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
            if (!localValid_[i].count(n) && restrictionClasses_.count(n)) localValid_[i].insert(n);
            if (table_.count(n)) {
                if (readOnly(n)) {
                    base::msgWarn(base::cat(configDir_, "/master.cf: read-only parameter assignment: ", n, "=", v));
                    continue;
                }
                if (isRaw(n)) continue;
            }
            bool dbms = dbmsCandidate(n);
            scanValue(v, &entry, true);
            if (dbms)
                if (auto status = registerDbms(v, &entry); !status && stop(status)) return firstError_;
        }
    }
    // Default values of parameters that main.cf leaves alone. Postfix computes each of
    // them, mynetworks too: a bad inet_protocols or mynetworks_style is fatal here.
    if (!config_.definition("mynetworks")) {
        // pcf_mynetworks() expands the defaults of the inputs that main.cf leaves alone
        // first: mynetworks_style's compares compatibility_level, and a malformed level
        // is a macro processing error.
        for (std::string_view input : {"inet_interfaces", "mynetworks_style", "inet_protocols"}) {
            if (config_.definition(input)) continue;
            MacroResult expanded = expand(ValueView::Effective, config_.defaultValue(input).value_or(""), nullptr);
            for (const auto& w : expanded.warnings) base::msgWarn(w);
            if (expanded.error && stop(base::Error{"macro processing error"})) return firstError_;
        }
        if (auto status = checkMynetworksInputs(config_.get("mynetworks_style"), config_.get("inet_protocols"));
            !status && stop(status))
            return firstError_;
    }
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
            restrictionClasses_.emplace(cls);
            flagUser(cls, nullptr, true);
        }
    }
    std::vector<std::string> defined = config_.definedNames();
    std::vector<std::string> dbmsNames;
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
            if (dbmsCandidate(name)) dbmsNames.push_back(name);
            if (it->second == kParamLegacy) it->second = kParamUser;
            if (isRaw(name)) continue;
        }
        scanValue(def->value, nullptr, true);
    }
    for (const auto& name : dbmsNames)
        if (auto* def = config_.definition(name))
            if (auto status = registerDbms(def->value, nullptr); !status && stop(status)) return firstError_;
    return firstError_;
}

std::vector<std::string> NameSpace::unusedMain() const {
    std::vector<std::string> out;
    for (const auto& name : config_.definedNames())
        if (!table_.count(name) && config_.definition(name)) out.push_back(name);
    return out;
}

std::vector<UnusedMasterParam> NameSpace::unusedMaster() const {
    std::vector<UnusedMasterParam> out;
    for (size_t i = 0; i < master_.size(); ++i) {
        std::map<std::string, std::string, std::less<>> all;
        for (auto& [n, v] : master_[i].params()) all[n] = v;
        for (const auto& [n, v] : all)
            if (!table_.count(n) && !localValid_[i].count(n)) out.push_back({i, n, v});
    }
    return out;
}

std::optional<std::string> NameSpace::lookup(ValueView view, std::string_view name) const {
    if (view != ValueView::Defaults) {
        if (auto* def = config_.definition(name)) return def->value;
        if (view == ValueView::Explicit) return std::nullopt;
    }
    if (auto it = table_.find(name); it != table_.end() && it->second == kParamUser) return std::string();
    return config_.defaultValue(name);
}

MacroResult NameSpace::expand(ValueView view, std::string_view value, const MasterEntry* scope) const {
    ValueView evalView = view == ValueView::Explicit ? ValueView::Effective : view;
    return macroExpand(value, kMacroRecurse, [&](std::string_view name) {
        std::string tmp;
        if (scope && findLocal(*scope, name, tmp)) return std::optional<std::string>(tmp);
        if (scope && name == "service_name") return std::optional<std::string>(scope->name());
        if (!table_.count(name)) return std::optional<std::string>();
        return lookup(evalView, name);
    });
}

}  // namespace postline::config
