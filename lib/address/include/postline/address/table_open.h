// How lib/address opens the tables a parameter names: proxy:TYPE:NAME reads TYPE:NAME
// directly (as Postfix's proxymap does on the caller's behalf), and unix:passwd.byname
// is the system password file (Postfix's util/dict_unix.c), which the lib/maps
// registry does not have.
#pragma once

#include <memory>
#include <string_view>

#include "postline/maps/map_list.h"

namespace postline::address {

// Opens one table spec read-only (see above).
base::Result<std::unique_ptr<maps::Dict>> openAddressTable(std::string_view spec, uint32_t flags,
                                                           const maps::OpenContext& context);

// A MapList of `specs`, each opened with openAddressTable.
maps::MapList openAddressTables(std::string title, std::string_view specs, uint32_t flags,
                                const maps::OpenContext& context);

}  // namespace postline::address
