// Which items of a parameter value name lookup tables, the way Postfix's daemons find
// them: every `type:name` of a map list (maps_create()), of a match list such as
// mydestination or mynetworks, and the table argument of check_*_access restrictions
// (smtpd_check.c). Shared by the linter and the artifact compiler.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace postline::maps {

// "type:name" whose type starts with a letter: not "[::1]/128" or "2001:db8::/32".
bool isTableSpec(std::string_view item);

// The tables of a map list or match list value ("hash:a, inline:{ b=1 }" → both).
std::vector<std::string> tablesInMapList(std::string_view value);
// The table arguments of check_*_access in a restriction list.
std::vector<std::string> tablesInRestrictions(std::string_view value);

// Parameters whose value is a match list (domain_list, addr_match_list, namadr_list,
// string_list): the registry's ParamType::MatchList.
bool isMatchListParameter(std::string_view name);

}  // namespace postline::maps
