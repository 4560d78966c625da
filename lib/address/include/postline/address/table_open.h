// How lib/address opens the tables a parameter names: proxy:TYPE:NAME reads TYPE:NAME
// directly (as Postfix's proxymap does on the caller's behalf), unix:passwd.byname
// is the system password file (Postfix's util/dict_unix.c), which the lib/maps
// registry does not have, and database or network tables are external tables
// (external_tables.h) whose lookups are answered by the caller or undecidable.
#pragma once

#include <memory>
#include <string_view>

#include "postline/maps/map_list.h"

namespace postline::address {

// Opens one table spec read-only (see above), in lists and domain lists alike.
base::Result<std::unique_ptr<maps::Dict>> openAddressTable(std::string_view spec, uint32_t flags,
                                                           const maps::OpenContext& context);

// A MapList of `specs`, each opened with openAddressTable.
maps::MapList openAddressTables(std::string title, std::string_view specs, uint32_t flags,
                                const maps::OpenContext& context);

}  // namespace postline::address
