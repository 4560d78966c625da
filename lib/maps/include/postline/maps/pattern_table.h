// The rules of a regexp: or pcre: table as the table itself loads them (the parser of
// util/dict_regexp.c / util/dict_pcre.c that lookups use): for readers that need each
// rule's result text and line without a key to look up, such as the linter.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "postline/base/result.h"
#include "postline/maps/dict.h"
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

// Looks `key` up in an opened regexp: or pcre: table by trying every rule in table order,
// as Postfix does, without the literal index that Dict::lookup uses to leave out rules:
// the same answer, more slowly; the reference the index is checked against. The key is
// used as given (no folding or UTF-8 check). Error: "TYPE:NAME is not a pattern table".
base::Result<Lookup> scanPatternTable(Dict& dict, std::string_view key);

}  // namespace postline::maps
