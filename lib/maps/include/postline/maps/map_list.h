// A list of lookup tables searched in order (Postfix's global/maps.c: maps_create and
// maps_find). A parameter such as `virtual_alias_maps = hash:a, regexp:{...} $other`
// becomes one MapList; a key is tried against each table until one answers.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "postline/maps/dict.h"
#include "postline/maps/registry.h"

namespace postline::config {
class Config;
}

namespace postline::maps {

// What maps_find answered, and which table answered it.
struct MapHit {
    DictStatus status = DictStatus::NotFound;
    std::string value;                  // the result when Found
    std::string table;                  // "type:name" of the table that answered or failed
    std::string error;                  // the reason when Retry or ConfigError
    std::vector<std::string> warnings;  // Postfix's warning texts for this lookup, in order

    bool isFound() const { return status == DictStatus::Found; }
    bool isError() const { return status == DictStatus::Retry || status == DictStatus::ConfigError; }
};

// Splits a table list on commas and whitespace; text inside {} stays together
// (mystrtokq with CHARS_COMMA_SP and CHARS_BRACE). Empty items are dropped.
std::vector<std::string> splitMapSpecs(std::string_view text);

class MapList {
public:
    MapList() = default;
    // Opens every table of `specs` read-only with `dictFlags` (e.g. flag::kFoldFix).
    // `title` names the list in warnings (Postfix passes the parameter name). A table
    // that cannot be opened stays in the list and makes every lookup that reaches it a
    // temporary error "TYPE:NAME is unavailable. REASON" (Postfix's dict_surrogate),
    // so a broken table defers mail instead of silently skipping it.
    static MapList create(std::string title, std::string_view specs, uint32_t dictFlags,
                          const OpenContext& context = {});
    // The same for a main.cf parameter: its expanded value, titled with its name.
    // A list without tables, titled `title`, to be filled with add().
    static MapList empty(std::string title);
    static MapList fromParameter(const config::Config& config, std::string_view name, uint32_t dictFlags);

    // Appends a table opened by the caller (a type the registry does not have, such as
    // lib/address's unix:passwd.byname), or the error of a failed open (a surrogate).
    void add(std::string spec, base::Result<std::unique_ptr<Dict>> opened);

    MapList(MapList&&) noexcept;
    MapList& operator=(MapList&&) noexcept;
    ~MapList();

    const std::string& title() const { return title_; }
    bool empty() const { return entries_.empty(); }
    size_t size() const { return entries_.size(); }
    // The "type:name" specs in list order.
    std::vector<std::string> specs() const;
    // Warnings raised while opening (each unavailable table), in Postfix's words.
    const std::vector<std::string>& openWarnings() const { return openWarnings_; }

    // maps_find: tries `key` against each table in order. With `requiredFlags` non-zero
    // only tables whose flags share a bit with it are asked (Postfix's PARTIAL keys use
    // flag::kFixed so that user@, @domain, user and domain never reach regexp or pcre).
    // An empty key is never found. An empty-string result is a configuration error with
    // Postfix's two warnings; a table error stops the search (Retry, with the warning
    // `TYPE:NAME lookup error for "KEY"`).
    MapHit find(std::string_view key, uint32_t requiredFlags = 0);

private:
    struct Entry {
        std::string spec;
        std::unique_ptr<Dict> dict;  // null when the open failed
        std::string openError;
    };
    std::string title_;
    std::vector<Entry> entries_;
    std::vector<std::string> openWarnings_;
};

}  // namespace postline::maps
