// restriction-unknown, restriction-argument-missing and restriction-class-undefined: the
// names in smtpd restriction lists that smtpd(8) does not know, restrictions without the
// argument they take, and restriction classes without a definition.
// smtpd_check.c answers an unknown name with "451 4.3.5 Server configuration error" for
// every client that reaches it; the names are lib/policy's (restriction_names.h), the
// ones the offline evaluation knows.
#include <algorithm>
#include <set>

#include "context.h"
#include "param_names.h"
#include "postline/base/strings.h"
#include "postline/policy/restriction_names.h"
#include "table_refs.h"

namespace postline::lint {

namespace {

using policy::RestrictionArgument;

// The known name (or restriction class) closest to `name`, within two edits (one more
// for each eight characters past sixteen: permit_sasl_authentication is three edits from
// permit_sasl_authenticated); "" if none.
std::string closestRestriction(const std::string& name, const std::set<std::string>& classes) {
    std::string best;
    size_t bestDistance = std::max<size_t>(2, name.size() / 8) + 1;
    auto consider = [&](std::string_view candidate) {
        size_t d = editDistance(base::lowercase(name), candidate);
        if (d < bestDistance) {
            bestDistance = d;
            best = std::string(candidate);
        }
    };
    for (const policy::RestrictionName& known : policy::smtpdRestrictionNames()) consider(known.name);
    for (const std::string& cls : classes) consider(cls);
    return best;
}

// What the argument of `restriction` must be, when `next` (nullptr at the end of the
// list) is not one; "" when it is.
std::string argumentProblem(const policy::RestrictionName& restriction, const std::string* next) {
    switch (restriction.argument) {
        case RestrictionArgument::None:
            return "";
        case RestrictionArgument::Table:
            // is_map_command(): the next item must be type:name.
            if (next && next->find(':') != std::string::npos) return "";
            return "requires maptype:mapname; smtpd answers 451 4.3.5 Server configuration error";
        case RestrictionArgument::Domain:
            if (next && !policy::findSmtpdRestriction(*next)) return "";
            return next ? base::cat("takes ", *next, " as its DNS list domain")
                        : "requires domain name argument; smtpd ignores it";
        case RestrictionArgument::PolicyService:
            if (next && (next->find(':') != std::string::npos || next->starts_with("{"))) return "";
            return "must be followed by transport:server; smtpd answers 451 4.3.5 Server configuration error";
        case RestrictionArgument::Seconds:
            if (next && !next->empty() && next->find_first_not_of("0123456789") == std::string::npos) return "";
            return "must be followed by a number of seconds; smtpd answers 451 4.3.5 Server configuration error";
    }
    return "";
}

}  // namespace

void checkRestrictionNames(LintContext& context) {
    std::set<std::string> classes;
    for (const std::string& cls : listItems(context.value("smtpd_restriction_classes"))) {
        classes.insert(cls);
        // smtpd_check.c: "restriction class `NAME' needs a definition" when smtpd starts,
        // and a server error wherever a list names the class.
        if (context.value(cls).empty())
            context.report("restriction-class-undefined", context.origin("smtpd_restriction_classes"),
                           base::cat("restriction class ", cls,
                                     " has no definition: smtpd answers 451 4.3.5 Server configuration error "
                                     "wherever a restriction list names it"),
                           base::cat("define it in main.cf (", cls,
                                     " = restrictions...), or take it out of "
                                     "smtpd_restriction_classes"));
    }
    forEachRestrictionList(context, [&](const std::string& parameter, const std::string& value, const Origin& where,
                                        const std::string& label) {
        std::vector<std::string> items = listItems(value);
        for (size_t i = 0; i < items.size(); ++i) {
            const std::string& item = items[i];
            // An access table on its own is the list's default check_*_access (a
            // restriction class has none: smtpd refuses it there, at run time).
            if (item.starts_with("{") || item.find(':') != std::string::npos || classes.count(item)) continue;
            if (const policy::RestrictionName* known = policy::findSmtpdRestriction(item)) {
                if (known->argument == RestrictionArgument::None) continue;
                const std::string* next = i + 1 < items.size() ? &items[i + 1] : nullptr;
                std::string problem = argumentProblem(*known, next);
                if (!problem.empty()) {
                    context.report("restriction-argument-missing", where,
                                   base::cat(label, parameter, ": restriction ", item, " ", problem),
                                   base::cat("write the argument right after ", item));
                    // What stands in the argument's place was meant as it (a DNS list
                    // restriction takes it whatever it is), unless it is a restriction.
                    if (next &&
                        (known->argument == RestrictionArgument::Domain || !policy::findSmtpdRestriction(*next)))
                        ++i;
                    continue;
                }
                ++i;  // the argument
                continue;
            }
            std::string suggestion = closestRestriction(item, classes);
            context.report(
                "restriction-unknown", where,
                base::cat(label, parameter, ": unknown restriction \"", item,
                          "\": smtpd answers every client that reaches it with 451 4.3.5 Server configuration error"),
                suggestion.empty() ? std::string("use a restriction that postconf(5) lists, or name a restriction "
                                                 "class in smtpd_restriction_classes")
                                   : base::cat("did you mean ", suggestion, "?"));
        }
    });
}

}  // namespace postline::lint
