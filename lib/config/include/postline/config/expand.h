// `$name` expansion as Postfix's mac_parse.c and mac_expand.c do it: $name, ${name},
// $(name), ${name?text}, ${name:text}, ${name?{text}:{text}}, and the logical forms
// ${{text} OP {text} ? {text} : {text}} with ==, !=, <, <=, >, >= and <level, <=level,
// >level, >=level (compatibility levels, compat_level.c; a malformed level is an error
// with Postfix's warning). Recursion depth is limited to
// 100 like Postfix ("unreasonable macro call nesting").
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postline::config {

enum MacroFlag : unsigned {
    kMacroRecurse = 1,  // expand `$name` inside looked-up values too
    kMacroScan = 2,     // only visit the names (both branches of ?:), produce no text
};

// Returns the value of a name, or nullopt when it is undefined.
using MacroLookup = std::function<std::optional<std::string>(std::string_view name)>;

struct MacroResult {
    std::string text;
    bool error = false;  // a syntax error or runaway recursion (MAC_PARSE_ERROR)
    bool undef = false;  // some plain $name was undefined (MAC_PARSE_UNDEF)
    // Postfix's warning texts, in order, e.g. `truncated macro reference: "${x"`.
    std::vector<std::string> warnings;
};

MacroResult macroExpand(std::string_view pattern, unsigned flags, const MacroLookup& lookup);

// Compares two compatibility levels ("3.6", "2", "3.10"): <0, 0, >0; two strings that
// are not both levels compare as text.
int compareCompatLevels(std::string_view a, std::string_view b);

}  // namespace postline::config
