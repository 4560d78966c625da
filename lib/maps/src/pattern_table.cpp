// patternTableRules(): the match rules of an opened regexp:/pcre: table, read from the
// RuleSet that serves its lookups, so that there is one parser of the rule language;
// scanPatternTable(): its first-match evaluation without the literal index.
#include "postline/maps/pattern_table.h"

#include "pattern_rules.h"
#include "postline/base/strings.h"

namespace postline::maps {

base::Result<std::vector<PatternTableRule>> patternTableRules(const DictSpec& spec, uint32_t flags) {
    auto dict = openDict(spec, OpenMode::Read, flags);
    if (!dict) return dict.error();
    auto* pattern = dynamic_cast<detail::PatternDict*>(dict->get());
    if (!pattern) return base::Error{base::cat(spec.type, ":", spec.name, " is not a pattern table")};
    std::vector<PatternTableRule> out;
    pattern->rules().forEachMatchRule([&](int line, const detail::Replacement& replacement) {
        PatternTableRule rule;
        rule.line = line;
        for (const auto& piece : replacement.pieces) {
            if (piece.group > 0) {
                rule.result += base::cat("${", piece.group, "}");
                rule.substitutes = true;
                continue;
            }
            for (char c : piece.literal) {
                if (c == '$') rule.result += '$';
                rule.result += c;
            }
        }
        out.push_back(std::move(rule));
    });
    return out;
}

base::Result<Lookup> scanPatternTable(Dict& dict, std::string_view key) {
    auto* pattern = dynamic_cast<detail::PatternDict*>(&dict);
    if (!pattern) return base::Error{base::cat(dict.type(), ":", dict.name(), " is not a pattern table")};
    return pattern->rules().lookup(key, false);
}

}  // namespace postline::maps
