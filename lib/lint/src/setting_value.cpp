// checkSettingValue(): see setting_value.h.
#include "setting_value.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "param_names.h"
#include "postline/base/strings.h"
#include "postline/config/registry.h"

namespace postline::lint {

namespace {

bool isDigits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// What is wrong with `value` for a parameter of `info`'s type, or "". An empty value is
// no exception: a daemon started with `-o smtpd_tls_wrappermode=` stops with "bad
// boolean configuration: smtpd_tls_wrappermode = " as it does for that main.cf line.
std::string typeProblem(const config::ParameterInfo& info, const std::string& value) {
    std::string v = base::lowercase(value);
    if (info.name == "compatibility_level") {
        // A release level: 0, 1, 2, 3.6, ...
        for (std::string_view part : base::splitAny(v, "."))
            if (!isDigits(part)) return "not a compatibility level (such as 3.6)";
        return v.empty() || v.back() == '.' ? "not a compatibility level (such as 3.6)" : "";
    }
    switch (info.type) {
        case config::ParamType::Boolean:
            return v == "yes" || v == "no" ? "" : "bad boolean configuration (use yes or no)";
        case config::ParamType::Integer:
        case config::ParamType::Size: {
            std::string_view digits = v;
            if (info.type == config::ParamType::Integer && digits.starts_with("-")) digits.remove_prefix(1);
            return isDigits(digits) ? "" : "bad numerical configuration";
        }
        case config::ParamType::Time: {
            std::string_view t = v;
            if (!t.empty() && std::string_view("smhdw").find(t.back()) != std::string_view::npos) t.remove_suffix(1);
            return isDigits(t) ? "" : "bad time value (a number with an optional unit s, m, h, d or w)";
        }
        case config::ParamType::Enum: {
            // An empty enum means "not set" to the programs (smtpd_tls_security_level
            // then follows the obsolete smtpd_use_tls).
            if (v.empty()) return "";
            for (std::string_view allowed : base::splitAny(info.enumValues, "|"))
                if (allowed == v) return "";
            return base::cat("not one of ", info.enumValues);
        }
        default:
            return "";
    }
}

// The parameter that gives `name` its type: the built-in one, or for a name that a
// master.cf service creates (relay_destination_concurrency_limit for a service "relay"
// of smtp; postconf_service.c) the built-in parameter it defaults to. `perService`
// tells which.
const config::ParameterInfo* typeOf(const LintContext& context, std::string_view name, bool& perService) {
    perService = false;
    if (const config::ParameterInfo* info = config::findBuiltinParameter(name)) return info;
    for (const config::MasterEntry& entry : context.master()) {
        if (!name.starts_with(entry.name())) continue;
        std::string_view suffix = name.substr(entry.name().size());
        for (const config::ServiceParamTemplate& t : config::serviceParameterTemplates())
            if (t.suffix == suffix && t.program == entry.argv[config::kMasterCommandField]) {
                perService = true;
                return config::findBuiltinParameter(t.defaultParam);
            }
    }
    return nullptr;
}

bool setByOption(const config::MasterEntry& service, std::string_view name) {
    for (const auto& [option, value] : service.params())
        if (option == name) return true;
    return false;
}

bool setByAnyService(const LintContext& context, std::string_view name) {
    for (const config::MasterEntry& service : context.master())
        if (setByOption(service, name)) return true;
    return false;
}

}  // namespace

void checkSettingValue(LintContext& context, const config::NameSpace& names, const SettingValue& setting) {
    bool perService = false;
    const config::ParameterInfo* info = typeOf(context, setting.name, perService);
    // Postfix hands the text of raw parameters (mailbox_command, luser_relay, ...) to the
    // program as written; their `$name`s are expanded per message, not from main.cf.
    bool raw = info && !perService && (info->flags & config::kRaw);
    const std::string& value = raw ? std::string(setting.raw) : setting.expanded;
    std::string label = setting.service ? LintContext::serviceLabel(*setting.service) + ": " : "";
    if (info && setting.effective) {
        std::string problem = typeProblem(*info, value);
        // In range, as the programs that read it check (mail_conf_int.c & co.). qmgr
        // reads the per-service names with bounds of their own: only their type counts.
        if (problem.empty() && !perService) problem = config::boundsProblem(*info, value);
        if (!problem.empty())
            context.report("param-bad-value", setting.where,
                           base::cat(label, setting.name, " = ", value, ": ", problem));
    }
    if (raw) return;
    std::set<std::string> references;
    collectReferences(setting.raw, references, true);
    for (const std::string& ref : references) {
        if (context.config().definition(ref) || names.known(ref)) continue;
        if (setting.service && setByOption(*setting.service, ref)) continue;
        // A main.cf value may name a parameter that services set with -o: each such
        // service expands it to its own value (postconf reports nothing either).
        if (!setting.service && setByAnyService(context, ref)) continue;
        context.report("param-undefined-reference", setting.where,
                       base::cat(label, setting.name, " refers to $", ref, ", which is not defined",
                                 setting.service ? base::cat(" (undefined parameter: ", ref, ")") : ""),
                       setting.service
                           ? base::cat("define ", ref, " in main.cf or as another -o of this service, or fix the name")
                           : base::cat("define ", ref, " in main.cf, or fix the name"));
    }
}

}  // namespace postline::lint
