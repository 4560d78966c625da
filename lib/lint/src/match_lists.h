// The items of a Postfix match list (mydestination, relay_domains, mynetworks, ...) as
// util/match_list.c reads them: a /file/name item stands for the items of the file's
// lines, which may name further files. Used by the domain rules and by the check that
// such files exist.
#pragma once

#include <string>
#include <vector>

#include "context.h"

namespace postline::lint {

// A /file/name item that could not be read: Postfix's daemons log "open file PATH: ..."
// and put a table in its place whose every lookup fails with a temporary error.
struct UnreadableListFile {
    std::string path;   // as the list names it
    std::string error;  // strerror text
    bool missing = false;
};

struct MatchListItems {
    std::vector<std::string> items;  // with a leading '!' carried into a file's items
    std::vector<UnreadableListFile> unreadable;
};

// The items of `value`, /file/name items replaced by their files' items (lines that do
// not start with '#', split like the list), files read under LintOptions::root.
MatchListItems matchListItems(const LintContext& context, const std::string& value);

}  // namespace postline::lint
