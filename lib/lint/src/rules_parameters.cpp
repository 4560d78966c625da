// The "parameters" rule family over main.cf: names Postfix does not know (postconf's
// "unused parameter" warning, with a did-you-mean when a known name is close), values
// of the wrong type (mail_conf_bool.c, mail_conf_int.c, mail_conf_time.c: Postfix
// stops with "bad boolean/numerical/time configuration"), enum values outside their
// set, and `$name` references to parameters that nobody defines.
#include <algorithm>
#include <cctype>
#include <set>

#include "context.h"
#include "param_names.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/config/name_space.h"
#include "postline/config/registry.h"

namespace postline::lint {

namespace {

bool isDigits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// What is wrong with `value` for a parameter of `info`'s type, or "".
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
            if (v.empty()) return "";
            for (std::string_view allowed : base::splitAny(info.enumValues, "|"))
                if (allowed == v) return "";
            return base::cat("not one of ", info.enumValues);
        }
        default:
            return "";
    }
}

}  // namespace

void checkParameters(LintContext& context) {
    const config::Config& config = context.config();
    // Which names Postfix knows: built-in, per-service names derived from master.cf,
    // restriction classes, database client parameters and user-defined names that
    // something references (postconf's own name space; its warnings are not findings).
    config::NameSpace names = buildNameSpace(context);
    std::vector<std::string> unusedList = names.unusedMain();
    std::set<std::string, std::less<>> unused(unusedList.begin(), unusedList.end());

    for (const std::string& name : config.definedNames()) {
        const config::Definition* def = config.definition(name);
        if (!def) continue;
        Origin where{def->file, def->line};
        const config::ParameterInfo* info = config::findBuiltinParameter(name);
        if (unused.count(name)) {
            std::string close = closestParameterName(name);
            if (!close.empty())
                context.report("param-typo", where,
                               base::cat("unknown parameter ", name, ": did you mean ", close, "?"),
                               base::cat("rename it to ", close, "; Postfix ignores ", name));
            else
                context.report("param-unknown", where, base::cat("unused parameter: ", name, "=", def->value),
                               "remove it, or reference it as $" + name + " where it is meant to be used");
        }
        if (info) {
            std::string problem = typeProblem(*info, config.get(name));
            // In range, as the programs that read it check (mail_conf_int.c & co.).
            if (problem.empty()) problem = config::boundsProblem(*info, config.get(name));
            if (!problem.empty())
                context.report("param-bad-value", where, base::cat(name, " = ", config.get(name), ": ", problem));
        }
        std::set<std::string> references;
        collectReferences(def->value, references, true);
        for (const std::string& ref : references) {
            if (config.definition(ref) || names.known(ref)) continue;
            context.report("param-undefined-reference", where,
                           base::cat(name, " refers to $", ref, ", which is not defined"),
                           base::cat("define ", ref, " in main.cf, or fix the name"));
        }
    }
}

}  // namespace postline::lint
