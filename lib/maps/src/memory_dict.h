// An in-memory, insertion-ordered key→value table shared by the internal, inline and
// texthash types (Postfix's util/dict_ht.c over util/htable.c). Postfix's hash order is
// randomized per process (seeded hash), so insertion order is an equally valid order
// for `postmap -s`, and a deterministic one.
#pragma once

#include <list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "postline/maps/dict.h"

namespace postline::maps::detail {

class MemoryStore {
public:
    const std::string* find(std::string_view key) const;
    // Inserts, or replaces the value of an existing key (keeping its position).
    void put(std::string_view key, std::string_view value);
    bool erase(std::string_view key);
    size_t size() const { return entries_.size(); }

    using Entries = std::list<std::pair<std::string, std::string>>;
    const Entries& entries() const { return entries_; }

private:
    Entries entries_;
    std::unordered_map<std::string, Entries::iterator> index_;
};

// A Dict over a MemoryStore: lookups, updates, deletes and forEach. Keys arrive already
// folded by the Dict base (lookup/update/remove fold per flags).
class MemoryDict : public Dict {
public:
    MemoryDict(std::string type, std::string name, uint32_t flags) : Dict(std::move(type), std::move(name), flags) {}
    MemoryStore& store() { return store_; }

protected:
    Lookup doLookup(std::string_view key) override;
    base::Status doUpdate(std::string_view key, std::string_view value) override;
    base::Result<bool> doRemove(std::string_view key) override;
    base::Status doForEach(const ForEachFn& fn) override;

private:
    MemoryStore store_;
};

}  // namespace postline::maps::detail
