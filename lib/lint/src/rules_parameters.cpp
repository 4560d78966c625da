// The "parameters" rule family over main.cf: names Postfix does not know (postconf's
// "unused parameter" warning, with a did-you-mean when a known name is close), values
// of the wrong type (mail_conf_bool.c, mail_conf_int.c, mail_conf_time.c: Postfix
// stops with "bad boolean/numerical/time configuration"), enum values outside their
// set, and `$name` references to parameters that nobody defines.
#include <algorithm>
#include <cctype>
#include <set>

#include "context.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/config/name_space.h"
#include "postline/config/registry.h"

namespace postline::lint {

namespace {

size_t editDistance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// The closest built-in name within two edits, or "".
std::string suggestion(std::string_view name) {
    std::string best;
    size_t bestDistance = 3;
    for (const auto& p : config::builtinParameters()) {
        if (p.flags & config::kLegacy) continue;
        size_t d = editDistance(name, p.name);
        if (d < bestDistance) bestDistance = d, best = std::string(p.name);
    }
    return best;
}

// Names referenced as $name, ${name}, $(name) in `value`; ${name?x} and ${name:x} test
// whether a parameter is defined, so they are not references to a required one.
void collectReferences(std::string_view value, std::set<std::string>& out, bool requiredOnly) {
    for (size_t i = 0; i + 1 < value.size(); ++i) {
        if (value[i] != '$') continue;
        if (value[i + 1] == '$') {
            ++i;
            continue;
        }
        size_t start = i + 1;
        char close = 0;
        if (value[start] == '{' || value[start] == '(') close = value[start] == '{' ? '}' : ')', ++start;
        size_t end = start;
        while (end < value.size() && (std::isalnum(static_cast<unsigned char>(value[end])) || value[end] == '_')) ++end;
        if (end == start) continue;
        bool conditional = close && end < value.size() && (value[end] == '?' || value[end] == ':');
        if (!requiredOnly || !conditional) out.insert(std::string(value.substr(start, end - start)));
    }
}

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
    config::NameSpace names(config, context.master(), context.configDir());
    {
        base::MsgSink previous = base::msgSink();
        base::setMsgSink([](base::Severity, std::string_view) {});
        names.setKeepGoing(true);
        names.registerBuiltin();
        names.registerService();
        // A macro error or a malformed client file stops postconf; the names found so
        // far still tell which settings are unused.
        (void)names.registerUser();
        base::setMsgSink(std::move(previous));
    }
    std::vector<std::string> unusedList = names.unusedMain();
    std::set<std::string, std::less<>> unused(unusedList.begin(), unusedList.end());

    for (const std::string& name : config.definedNames()) {
        const config::Definition* def = config.definition(name);
        if (!def) continue;
        Origin where{def->file, def->line};
        const config::ParameterInfo* info = config::findBuiltinParameter(name);
        if (unused.count(name)) {
            std::string close = suggestion(name);
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
