// patternRecords(): a regexp/pcre table's rules with their lines, through lib/maps.
#include "pattern_records.h"

#include "captured_warnings.h"
#include "postline/maps/pattern_table.h"

namespace postline::lint {

bool isPatternTable(const TableRef& ref) { return ref.spec.type == "regexp" || ref.spec.type == "pcre"; }

std::vector<PatternRecord> patternRecords(const TableRef& ref) {
    std::vector<PatternRecord> out;
    if (!isPatternTable(ref)) return out;
    bool inlineTable = ref.spec.name.starts_with("{");
    (void)captureWarnings([&] {
        auto rules = maps::patternTableRules(ref.spec);
        if (!rules) return;
        for (maps::PatternTableRule& rule : *rules)
            out.push_back({std::move(rule.result), rule.substitutes,
                           inlineTable ? ref.origin : Origin{ref.spec.name, rule.line}});
    });
    return out;
}

}  // namespace postline::lint
