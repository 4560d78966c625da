// The names smtpd(8) of Postfix 3.7 accepts in its restriction lists (smtpd_check.c:
// generic_checks and the client, HELO, sender, recipient, ETRN and data checks), with
// the argument each one takes. The linter checks restriction lists against it; the
// offline evaluation (smtpd_restrictions.h) knows the same names, which a test holds.
#pragma once

#include <string_view>
#include <vector>

namespace postline::policy {

enum class RestrictionArgument {
    None,
    Table,          // check_*_access type:name
    Domain,         // reject_rbl_client and the other DNS list restrictions
    PolicyService,  // check_policy_service inet:host:port, unix:path or { ... }
    Seconds,        // sleep N
};

struct RestrictionName {
    std::string_view name;
    RestrictionArgument argument = RestrictionArgument::None;
};

// Every name, in smtpd_check.c's order of families.
const std::vector<RestrictionName>& smtpdRestrictionNames();

// The entry for `name` (case-insensitive, as smtpd compares), or nullptr.
const RestrictionName* findSmtpdRestriction(std::string_view name);

}  // namespace postline::policy
