// The effective configuration: main.cf over defaults, computed defaults, expansion
// (mirrors global/mail_conf.c and postconf_builtin.c's pcf_check_myhostname() etc.).
#include "postline/config/config.h"

#include <unistd.h>

#include <cstdlib>
#include <set>
#include <string>
#include <utility>

#include "postline/base/files.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/config/computed.h"
#include "postline/config/registry.h"

namespace postline::config {

using base::Result;

namespace {

// The computed defaults being worked out, so that a default whose computation expands
// a value that names it again ends instead of recursing without end.
class ComputingGuard {
public:
    ComputingGuard(const void* config, std::string_view name) : key_(config, std::string(name)) {
        first_ = active().insert(key_).second;
    }
    ~ComputingGuard() {
        if (first_) active().erase(key_);
    }
    ComputingGuard(const ComputingGuard&) = delete;
    ComputingGuard& operator=(const ComputingGuard&) = delete;
    bool first() const { return first_; }

private:
    static std::set<std::pair<const void*, std::string>>& active() {
        thread_local std::set<std::pair<const void*, std::string>> names;
        return names;
    }
    std::pair<const void*, std::string> key_;
    bool first_ = false;
};

}  // namespace

std::string underRoot(const std::string& root, const std::string& path) {
    if (root.empty() || !path.starts_with('/')) return path;
    return (root.ends_with('/') ? root.substr(0, root.size() - 1) : root) + path;
}

std::string defaultConfigDirectory() {
    if (const char* env = std::getenv("MAIL_CONFIG"); env && *env) return env;
    return "/etc/postfix";
}

Result<Config> Config::load(const std::string& configDir, const std::string& root) {
    std::string path = underRoot(root, configDir) + "/main.cf";
    auto text = base::readFile(path);
    if (!text) return text.error();
    auto parsed = parseMainCfEntries(*text, path);
    if (!parsed) return parsed.error();
    Config config;
    config.configDir_ = configDir;
    config.loadWarnings_ = std::move(parsed->warnings);
    for (auto& e : parsed->entries) {
        if (auto it = config.defs_.find(e.name); it != config.defs_.end()) {
            // dict_load_fp(): "FILE, line N: overriding earlier entry: NAME=OLD", only when
            // the value differs (the same value again is silent).
            if (it->second.value != e.def.value)
                config.loadWarnings_.push_back(base::cat(
                    path, ", line ", e.def.line, ": overriding earlier entry: ", e.name, "=", it->second.value));
        } else {
            config.order_.push_back(e.name);
        }
        config.defs_[e.name] = std::move(e.def);
    }
    return config;
}

Config Config::defaults(const std::string& configDir) {
    Config config;
    config.configDir_ = configDir;
    return config;
}

void Config::set(std::string_view name, std::string_view value) {
    if (!defs_.count(name)) order_.emplace_back(name);
    defs_[std::string(name)] = Definition{std::string(value), "", 0};
    computedCache_.clear();
}

void Config::erase(std::string_view name) {
    if (auto it = defs_.find(name); it != defs_.end()) defs_.erase(it);
    std::erase(order_, std::string(name));
    computedCache_.clear();
}

void Config::addDefault(std::string_view name, std::string_view value) {
    extraDefaults_[std::string(name)] = std::string(value);
}

const Definition* Config::definition(std::string_view name) const {
    auto it = defs_.find(name);
    return it == defs_.end() ? nullptr : &it->second;
}

std::optional<std::string> Config::defaultValue(std::string_view name) const {
    if (auto it = extraDefaults_.find(name); it != extraDefaults_.end()) return it->second;
    const ParameterInfo* info = findBuiltinParameter(name);
    if (!info) return std::nullopt;
    if (!(info->flags & kComputed)) return std::string(info->defaultValue);
    if (auto it = computedCache_.find(name); it != computedCache_.end()) return it->second;
    // myhostname's default may expand mydomain's value and mydomain's myhostname's: a
    // reference back to the name being computed is undefined, as in Postfix, which has not
    // set it yet (`mydomain = sub.$myhostname` on a host "vm" gives myhostname "vm.sub.").
    ComputingGuard guard(this, name);
    if (!guard.first()) return std::nullopt;
    std::string value;
    if (name == "config_directory") {
        value = configDir_;
    } else if (name == "process_id") {
        value = std::to_string(::getpid());
    } else if (name == "process_name") {
        value = base::baseName(base::programName());
    } else if (name == "myhostname") {
        // pcf_check_myhostname(): a name without a dot gets $mydomain (main.cf) or "localdomain".
        value = systemHostname();
        if (value.find('.') == std::string::npos) {
            auto* def = definition("mydomain");
            value += "." + (def ? expand(def->value) : std::string("localdomain"));
        }
    } else if (name == "mydomain") {
        // pcf_check_mydomainname(): what follows the first dot of myhostname.
        auto* def = definition("myhostname");
        std::string host = def ? expand(def->value) : *defaultValue("myhostname");
        auto dot = host.find('.');
        value = dot == std::string::npos ? std::string("localdomain") : host.substr(dot + 1);
    } else if (name == "mynetworks") {
        value = computeMynetworks(get("mynetworks_style"), get("inet_protocols"));
    }
    computedCache_[std::string(name)] = value;
    return value;
}

std::optional<std::string> Config::raw(std::string_view name) const {
    if (auto* def = definition(name)) return def->value;
    return defaultValue(name);
}

std::string Config::get(std::string_view name) const {
    auto value = raw(name);
    return value ? expand(*value) : std::string();
}

bool Config::getBool(std::string_view name) const { return base::equalsIgnoreCase(base::trim(get(name)), "yes"); }

long Config::getLong(std::string_view name) const { return std::strtol(get(name).c_str(), nullptr, 10); }

MacroResult Config::expandChecked(std::string_view text) const {
    return macroExpand(text, kMacroRecurse, [this](std::string_view name) { return raw(name); });
}

std::string Config::expand(std::string_view text) const { return expandChecked(text).text; }

std::optional<std::string> builtinDefault(std::string_view name, const std::string& configDir) {
    if (!findBuiltinParameter(name)) return std::nullopt;
    return Config::defaults(configDir).defaultValue(name);
}

}  // namespace postline::config
