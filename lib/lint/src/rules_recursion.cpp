// Parameters whose `$name` references lead back to themselves (a = $b, b = $a): Postfix
// stops with "unreasonable macro call nesting" when it expands one of them. Each cycle
// is reported once, at the main.cf line of its first member.
#include <algorithm>
#include <map>
#include <set>

#include "context.h"
#include "find_cycle.h"
#include "param_names.h"
#include "postline/base/strings.h"

namespace postline::lint {

void checkRecursiveReferences(LintContext& context) {
    const config::Config& config = context.config();
    // The references of a name: of its main.cf value, else of its default.
    std::map<std::string, std::vector<std::string>> edges;
    auto referencesOf = [&](const std::string& name) -> const std::vector<std::string>& {
        auto it = edges.find(name);
        if (it != edges.end()) return it->second;
        std::set<std::string> refs;
        if (auto raw = config.raw(name)) collectReferences(*raw, refs, true);
        return edges.emplace(name, std::vector<std::string>(refs.begin(), refs.end())).first->second;
    };
    std::set<std::vector<std::string>> reported;
    std::set<std::string> finished;
    for (const std::string& root : config.definedNames()) {
        if (finished.count(root)) continue;
        forEachCycle(
            root, referencesOf,
            [&](std::vector<std::string> cycle) {
                // The member defined first in main.cf leads, so that each cycle is reported once.
                auto first = std::min_element(cycle.begin(), cycle.end(), [&](const auto& a, const auto& b) {
                    return context.origin(a).line == 0   ? false
                           : context.origin(b).line == 0 ? true
                                                         : context.origin(a).line < context.origin(b).line;
                });
                std::rotate(cycle.begin(), first, cycle.end());
                std::vector<std::string> key = cycle;
                std::sort(key.begin(), key.end());
                if (!reported.insert(key).second) return true;
                std::string shown;
                for (size_t i = 0; i < cycle.size(); ++i)
                    shown += base::cat(i ? ", " : "", cycle[i], " uses $", cycle[(i + 1) % cycle.size()]);
                context.report("param-recursive-reference", context.origin(cycle.front()),
                               base::cat("recursive parameter definition: ", shown,
                                         "; Postfix stops with \"unreasonable macro call nesting\""),
                               "give one of them a value that does not refer back");
                return true;
            },
            finished);
    }
}

}  // namespace postline::lint
