// Legacy database client parameter names (mirrors postconf/postconf_dbms.c): a table
// `ldap:NAME` (also `mysql:`, `pgsql:`, `sqlite:`, `memcache:`, behind any `proxy:`)
// makes the main.cf parameters NAME_SUFFIX legal for that client's suffixes, and a
// table `TYPE:/path` names a client configuration file whose unknown settings are
// reported.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "postline/base/result.h"

namespace postline::config {

// The parameter suffixes of a database client type as Postfix 3.7 knows them (from
// ldap_table(5), mysql_table(5), pgsql_table(5), sqlite_table(5), memcache_table(5)),
// or an empty span for a type without legacy parameters.
std::span<const std::string_view> dbmsClientSuffixes(std::string_view type);

// What a scan of one (already expanded) parameter value found.
struct DbmsVisitor {
    // A candidate parameter name such as "ldapsource_server_host".
    std::function<void(const std::string& name)> candidate;
    // A client configuration file: `type` ("ldap", ...) and its absolute path.
    std::function<void(std::string_view type, const std::string& path)> clientFile;
    // A syntax warning about braces, e.g. `missing '}' in "{ldap:x"` (the caller adds
    // "main.cf: " or "master.cf:SERVICE/TYPE: ").
    std::function<void(const std::string& text)> warning;
};

// pcf_register_dbms_helper(): splits `value` at commas and whitespace (text inside
// {braces} stays together), descends into {braced} lists and `type:{...}` inline
// tables, skips `proxy:` prefixes, and reports what it finds to `visitor`.
void scanDbmsReferences(std::string_view value, const DbmsVisitor& visitor);

// pcf_check_dbms_client(): reads a client configuration file (main.cf syntax) and
// returns "TYPE:PATH: unused parameter: NAME=VALUE" warnings for the names that are not
// the type's suffixes, after the file's own warnings (overriding entries). A file that
// cannot be opened gives `open "TYPE" configuration "PATH": REASON`, except for
// permission errors, which are silent (such files may hold passwords). A line without
// '=' is an error (fatal in Postfix).
base::Result<std::vector<std::string>> checkDbmsClientFile(std::string_view type, const std::string& path);

}  // namespace postline::config
