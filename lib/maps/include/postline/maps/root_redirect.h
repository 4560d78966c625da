// Reading a configuration's tables under another directory that stands for "/"
// (`postline --root DIR`, for a checkout of a configuration repository): the files of
// tables named by absolute paths are read under DIR, through a TableRedirect
// (table_redirect.h) for every open by name.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "postline/maps/table_redirect.h"

namespace postline::maps {

// Whether a table of `type` names a file: the indexed types, regexp, pcre, cidr,
// texthash, and the database client configuration files of ldap, mysql, pgsql, sqlite
// and memcache.
bool tableNamesFile(std::string_view type);

// "type:/path" with the path under `root` when the type names a file and the path is
// absolute ("proxy:" taken off, since proxymap would read the same file); anything else
// (in-line tables, "unix:passwd.byname", "tcp:host:port") and a path under `root`
// already are nullopt.
std::optional<std::string> specUnderRoot(const std::string& root, std::string_view spec);

// The redirect map of specUnderRoot for `root`.
TableRedirect::Map rootRedirect(std::string root);

}  // namespace postline::maps
