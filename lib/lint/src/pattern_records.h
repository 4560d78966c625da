// The rules of a regexp: or pcre: table that a configuration names, with where each one
// is written, for the rules that check result values (transports, alias targets). The
// rules come from lib/maps's own parser (maps::patternTableRules).
#pragma once

#include <string>
#include <vector>

#include "context.h"
#include "table_refs.h"

namespace postline::lint {

struct PatternRecord {
    std::string result;  // the result template ("$$" for '$', "${n}" for substitutions)
    bool substitutes = false;
    Origin where;  // the table file and the line of the rule's pattern; for an in-line table, the reference
};

// True for regexp: and pcre: references.
bool isPatternTable(const TableRef& ref);

// The match rules of a pattern table (IF/ENDIF blocks included), in file order; empty when
// the table cannot be opened (the tables family says why). The table's own warnings are
// dropped: pattern-error reports them.
std::vector<PatternRecord> patternRecords(const TableRef& ref);

}  // namespace postline::lint
