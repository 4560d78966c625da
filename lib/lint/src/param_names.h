// What the rule families need to know about parameter names: the `$name` references in a
// value (mac_parse.c's view of it) and the built-in name closest to a misspelt one.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "postline/config/name_space.h"

namespace postline::lint {

class LintContext;

// postconf's name space over the configuration (built-in, per-service and user-defined
// names, unused settings), built without printing postconf's own warnings and going on
// after the errors that stop postconf.
config::NameSpace buildNameSpace(const LintContext& context);

// Names referenced as $name, ${name} or $(name) in `value`, added to `out`. With
// `requiredOnly`, ${name?x} and ${name:x} are left out: they test whether a parameter is
// defined, so they do not need one.
void collectReferences(std::string_view value, std::set<std::string>& out, bool requiredOnly);

// The Levenshtein distance of two names.
size_t editDistance(std::string_view a, std::string_view b);

// The closest built-in (not legacy) parameter name within two edits of `name`, or "".
std::string closestParameterName(std::string_view name);

}  // namespace postline::lint
