// Domain and string lists as Postfix's match_list.c, string_list.c and domain_list.c
// read them: names, `!` negation, `type:table` entries (the name is the key),
// `/file` includes; host matching adds parent domains (parent_domain_matches_subdomains
// style) or `.domain` patterns. Used for mydestination, relay_domains, the virtual
// domain lists and masquerade_exceptions.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "postline/maps/dict.h"

namespace postline::config {
class Config;
}

namespace postline::address {

enum class MatchKind {
    String,      // match_string: exact (case-insensitive) name or table key
    Host,        // match_hostname: also `.domain` patterns and `.parent` table keys
    HostParent,  // match_hostname with MATCH_FLAG_PARENT: a name matches its subdomains
};

struct MatchResult {
    bool matched = false;
    bool error = false;     // a table failed: the caller must defer (list->error)
    std::string pattern;    // the list entry that decided, as written (with its '!')
    std::string key;        // the key that matched, for table entries
    std::string errorText;  // "TYPE:NAME: table lookup problem"
};

class MatchList {
public:
    MatchList() = default;
    // Parses `text` (already $-expanded). `title` is the parameter name for messages.
    // A /file that cannot be opened becomes an entry whose lookups fail, as Postfix's
    // "nofile" surrogate does; so does a table that cannot be opened.
    static MatchList create(std::string title, std::string_view text, MatchKind kind, uint32_t dictFlags = 0);
    // The parameter's value; host lists are parent-style when the parameter is listed
    // in parent_domain_matches_subdomains.
    static MatchList fromParameter(const config::Config& config, std::string_view name, MatchKind kind);

    MatchList(MatchList&&) noexcept;
    MatchList& operator=(MatchList&&) noexcept;
    ~MatchList();

    bool empty() const { return entries_.empty(); }
    const std::string& title() const { return title_; }
    // Matches `name` (case-folded first). The first entry that matches decides; a
    // `!entry` that matches yields "not matched".
    MatchResult match(std::string_view name);
    // Why the first table entry that could not be opened failed to open ("open database
    // PATH.db: No such file or directory"), "" when every table opened. Postfix's
    // commands stop there (no surrogate table outside the daemons).
    std::string tableOpenError() const;

private:
    struct Entry {
        std::string written;  // as shown in traces, with its '!' prefixes
        bool positive = true;
        std::string pattern;  // case-folded name, or type:table
        std::shared_ptr<maps::Dict> dict;
        std::string openError;  // non-empty: the table or file could not be opened
    };
    // Appends the entries of list value `text` (lib/address/src/list_items.h walks it).
    void parse(std::string_view text, uint32_t dictFlags);

    std::string title_;
    MatchKind kind_ = MatchKind::String;
    std::vector<Entry> entries_;
};

// True when `parameter` is listed in parent_domain_matches_subdomains.
bool matchesParentStyle(const config::Config& config, std::string_view parameter);

}  // namespace postline::address
