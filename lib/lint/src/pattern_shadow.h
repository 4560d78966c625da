// Rules of regexp, pcre and cidr tables that can never match because an earlier rule
// in the same IF/ENDIF block matches every key they match. Only certain cases are
// reported (no guesses): exact duplicates, literal-only patterns that are a prefix (when
// anchored) or a substring of a later pattern's leading literal, catch-all patterns, and
// CIDR blocks inside earlier blocks.
#pragma once

#include <string_view>
#include <vector>

namespace postline::lint {

struct ShadowedRule {
    int line = 0;        // the rule that never matches
    int shadowedBy = 0;  // the earlier rule that takes all its keys
};

// `type` is "regexp", "pcre" or "cidr"; `text` the table file.
std::vector<ShadowedRule> findShadowedRules(std::string_view type, std::string_view text);

}  // namespace postline::lint
