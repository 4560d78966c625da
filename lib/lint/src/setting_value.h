// The checks of one parameter value, shared by main.cf lines and master.cf `-o`
// overrides: a value Postfix refuses (mail_conf_bool.c, mail_conf_int.c,
// mail_conf_time.c: "bad boolean/numerical configuration", "bad time value", the bounds
// of the programs that read it) and `$name` references that nothing defines (postconf's
// "undefined parameter").
#pragma once

#include <string>
#include <string_view>

#include "context.h"
#include "postline/config/name_space.h"

namespace postline::lint {

// One setting as the program that reads it sees it.
struct SettingValue {
    std::string_view name;
    std::string_view raw;  // as written
    // `$name`s expanded as the reading program expands them (main.cf's, or the service's
    // view for an `-o`); ignored for parameters that Postfix never expands.
    std::string expanded;
    Origin where;
    // The service whose `-o` this is; nullptr for main.cf.
    const config::MasterEntry* service = nullptr;
    // False for an `-o` that a later `-o` of the same name overrides: the daemon never
    // reads its value, but postconf still reports its undefined references.
    bool effective = true;
};

// Reports param-bad-value (type, enum set, bounds; the per-service names of master.cf
// services by the type of the parameter they default to) and
// param-undefined-reference for `setting`. `names` is postconf's name space
// (buildNameSpace): a reference is defined when main.cf or the name space has the name,
// or, for an `-o`, when another `-o` of the same service sets it.
void checkSettingValue(LintContext& context, const config::NameSpace& names, const SettingValue& setting);

}  // namespace postline::lint
