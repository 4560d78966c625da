// The lookup tables that parameters left at their built-in default name, found as
// Postfix's daemons find them: the default expanded against main.cf (local_recipient_maps
// = proxy:unix:passwd.byname $alias_maps names whatever alias_maps is), and only where a
// daemon of this configuration opens the parameter. Shared by the linter and the
// artifact compiler, which must see the tables Postfix would use, not only the ones
// main.cf spells out.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "postline/config/config.h"
#include "postline/config/master_cf.h"
#include "postline/maps/registry.h"

namespace postline::maps {

// One table that the default value of `parameter` names ("type:name" as written, proxy:
// and unionmap:{...} not yet taken apart).
struct DefaultTableUse {
    std::string parameter;
    std::string table;
};

// True for the parameters whose tables a daemon creates and writes itself, with no
// source file: verify(8)'s address_verify_map, postscreen(8)'s postscreen_cache_map, and
// proxy_write_maps (the list of such caches proxymap may update). There is nothing to
// build or check for them; a missing file is normal until the daemon first runs.
bool isCacheParameter(std::string_view name);

// The tables of a parameter's value when the parameter names tables: a map list
// (registry type), a match list (isMatchListParameter), a restriction list or one of
// smtpd_restriction_classes (the check_*_access arguments). Empty for other parameters
// and for caches (isCacheParameter).
std::vector<std::string> tablesOfParameter(std::string_view name, const std::string& value,
                                           const config::Config& config);

// The tables named by the built-in parameters that main.cf does not set, in registry
// order. Left out:
//  - parameters that no daemon opens as lookup tables: alias_database (newaliases only),
//    proxy_read_maps and proxy_write_maps (the lists of what proxymap may open, made of
//    other parameters' values), and the caches (isCacheParameter);
//  - alias_maps when master.cf runs no local(8) without its own `-o alias_maps`, and
//    local_recipient_maps when it runs no smtpd(8) without its own override (no
//    master.cf: Postfix's stock one runs both);
//  - in-line tables (static:anyone, regexp:{...}): Postfix's own, nothing to build or check.
std::vector<DefaultTableUse> tablesOfDefaults(const config::Config& config,
                                              const std::vector<config::MasterEntry>& master);

// The tables, as "type:name" with proxy: taken off and unionmap:{...}/pipemap:{...} split
// into their members, that are in aliases(5) format: what alias_maps and alias_database
// name (main.cf's value or the default, and master.cf `-o` overrides). One file is one
// table: local_recipient_maps = ... $alias_maps opens the files that postalias built.
std::set<std::string> aliasTables(const config::Config& config, const std::vector<config::MasterEntry>& master);

// The tables behind one item of a map list: proxy: taken off, unionmap:{...} and
// pipemap:{...} split (nested ones too, to a depth of 8).
struct TableBehind {
    DictSpec spec;     // proxy: taken off
    std::string text;  // the item or member as written, e.g. "proxy:hash:/etc/aliases"
};
std::vector<TableBehind> tablesBehind(const std::string& table);

// True for a table that lives in its own text: inline:, static:, fail:, environ:,
// internal:, and any type:{...} (proxy: looked through).
bool isInLineTable(std::string_view table);

}  // namespace postline::maps
