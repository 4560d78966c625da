// The rules of a regexp: or pcre: table as the table itself loads them (the parser of
// util/dict_regexp.c / util/dict_pcre.c that lookups use): for readers that need each
// rule's result text and line without a key to look up, such as the linter.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "postline/base/result.h"
#include "postline/maps/registry.h"

namespace postline::maps {

struct PatternTableRule {
    // The line of the rule's pattern in the table file (its first line when the rule is
    // continued); in the in-line form "{ {rule}, ... }", the rule's position (1-based).
    int line = 0;
    // The result text in a canonical form of the template: literal '$' written "$$",
    // each substitution written "${n}".
    std::string result;
    // True when the result has $n substitutions, filled in from each lookup's key.
    bool substitutes = false;
};

// Opens `spec` (type regexp or pcre) with openDict and lists its match rules in file
// order, those inside IF/ENDIF blocks included; rules that Postfix skips (bad pattern,
// bad replacement, unknown flag) are left out after the table's usual warnings, and
// IF/ENDIF lines are not rules. Errors: those of openDict ("open FILE: ...", unsupported
// type), and "TYPE:NAME is not a pattern table" for any other type.
base::Result<std::vector<PatternTableRule>> patternTableRules(const DictSpec& spec, uint32_t flags = 0);

}  // namespace postline::maps
