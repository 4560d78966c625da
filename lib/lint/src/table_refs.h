// Every lookup table a configuration names, with where it is named: the map-list
// parameters of the registry (virtual_alias_maps, transport_maps, alias_maps, ...), the
// check_*_access tables of restriction lists, master.cf `-o` overrides of either, and
// the tables that the defaults of parameters main.cf leaves alone make Postfix open.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "context.h"
#include "postline/maps/registry.h"

namespace postline::lint {

struct TableRef {
    maps::DictSpec spec;    // after proxy: is taken off
    std::string text;       // as written (expanded), e.g. "hash:/etc/postfix/virtual"
    std::string parameter;  // the parameter that names it
    Origin origin;
    bool aliasFormat = false;  // aliases(5) source (alias_maps, alias_database, or what they name)
    bool fromDefault = false;  // named by the built-in default of `parameter` (origin: main.cf, line 0)
};

// The tables of one parameter value (a map list, or a restriction list whose
// check_*_access arguments are tables).
std::vector<std::string> tablesInMapList(const std::string& value);
std::vector<std::string> tablesInRestrictions(const std::string& value);

// All table references of the configuration: what main.cf sets in parameter order, then
// master.cf overrides, then the tables that only defaults name (maps::tablesOfDefaults;
// each once, with the first parameter whose default names it), components of
// unionmap:{...} and pipemap:{...} included. A table that alias_maps or alias_database
// names is in aliases(5) format wherever it is named.
std::vector<TableRef> collectTableRefs(const LintContext& context);

// The restriction-list parameters: smtpd_*_restrictions and the restriction classes.
std::vector<std::string> restrictionParameters(const LintContext& context);

// The flags beyond FOLD_FIX that the daemon reading `parameter`'s tables opens them with:
// NO_REGSUB for local(8)'s alias_maps and mailbox_command_maps (DICT_FLAG_PARANOID) and
// mailbox and fallback transport maps, virtual(8)'s mailbox, uid and gid maps
// (DICT_FLAG_PARANOID; only when virtual_transport is a virtual(8) service, as smtpd
// reads virtual_mailbox_maps with substitution) and trivial-rewrite's transport and
// sender-dependent maps, so that their regexp and pcre rules with a $n substitution are
// skipped, with a warning, when the table opens.
uint32_t daemonOpenFlags(const LintContext& context, std::string_view parameter);

// Calls `fn` for every restriction list the configuration sets: main.cf's value of each
// restriction parameter (restrictionParameters), then each master.cf `-o` of one at its
// own line, expanded as its daemon expands it. `label` is "" or "service NAME/TYPE: ".
using RestrictionListFn = std::function<void(const std::string& parameter, const std::string& value,
                                             const Origin& where, const std::string& label)>;
void forEachRestrictionList(const LintContext& context, const RestrictionListFn& fn);

// Splits a list value on commas and whitespace outside braces.
std::vector<std::string> listItems(const std::string& value);

}  // namespace postline::lint
