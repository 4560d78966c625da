// The walk over a Postfix list value that match_list.c does for every list: items split
// like map specs, leading '!'s that each flip the sign, and "/file" items whose lines
// (not those starting with '#') are lists in turn. Shared by MatchList and
// HostAddressList, which differ only in what a plain item becomes. Private to lib/address.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "postline/config/config.h"

namespace postline::address {

// A plain item: `pattern` without its '!'s, `positive` once they are applied.
using ListItemFn = std::function<void(bool positive, std::string_view pattern)>;
// An item that gives no pattern: a '!' with nothing after it (`pattern` empty), or a
// "/file" that cannot be read or is nested too deep (`pattern` the file name).
using ListErrorFn = std::function<void(bool positive, std::string_view pattern, std::string error)>;

// Calls onItem or onError for each item of `text`, in order; `title` (the parameter's
// name) leads the "no pattern after '!'" error.
void forEachListItem(std::string_view title, std::string_view text, const ListItemFn& onItem,
                     const ListErrorFn& onError);

// Appends the entry each list keeps for an item: its sign, and the item as written.
template <class Entry>
Entry& addListEntry(std::vector<Entry>& entries, bool positive, std::string_view pattern) {
    Entry& e = entries.emplace_back();
    e.positive = positive;
    e.written = (positive ? "" : "!") + std::string(pattern);
    return e;
}

// The flags a list's tables open with: UTF-8 key folding when smtputf8_enable is on.
uint32_t listDictFlags(const config::Config& config);

}  // namespace postline::address
