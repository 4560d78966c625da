// The "parameters" rule family over main.cf and master.cf `-o` overrides: main.cf
// names Postfix does not know (postconf's "unused parameter" warning, with a
// did-you-mean when a known name is close; master.cf's are rules_master.cpp's), and
// every value through checkSettingValue(): the wrong type, enum values outside their
// set, numbers out of bounds, `$name` references to parameters that nobody defines.
#include <map>
#include <set>

#include "context.h"
#include "param_names.h"
#include "postline/base/strings.h"
#include "postline/config/name_space.h"
#include "setting_value.h"

namespace postline::lint {

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
        checkSettingValue(context, names, {name, def->value, config.get(name), where});
    }
    // Each `-o` of each service, at its own line, as that service's daemon sees it.
    for (const config::MasterEntry& entry : context.master()) {
        std::vector<config::MasterOption> options = entry.options();
        std::map<std::string_view, size_t> last;
        for (size_t i = 0; i < options.size(); ++i) last[options[i].name] = i;
        for (size_t i = 0; i < options.size(); ++i) {
            const config::MasterOption& option = options[i];
            Origin where = context.optionOrigin(entry, option);
            checkSettingValue(context, names,
                              {option.name, option.value, context.expandForService(entry, option.value), where, &entry,
                               last[option.name] == i});
        }
    }
}

}  // namespace postline::lint
