// In-memory ordered table behind internal:, inline: and texthash: (Postfix's dict_ht.c).
#include "memory_dict.h"

namespace postline::maps::detail {

const std::string* MemoryStore::find(std::string_view key) const {
    auto it = index_.find(std::string(key));
    return it == index_.end() ? nullptr : &it->second->second;
}

void MemoryStore::put(std::string_view key, std::string_view value) {
    std::string k(key);
    auto it = index_.find(k);
    if (it != index_.end()) {
        it->second->second.assign(value);
        return;
    }
    entries_.emplace_back(k, std::string(value));
    index_.emplace(std::move(k), std::prev(entries_.end()));
}

bool MemoryStore::erase(std::string_view key) {
    auto it = index_.find(std::string(key));
    if (it == index_.end()) return false;
    entries_.erase(it->second);
    index_.erase(it);
    return true;
}

Lookup MemoryDict::doLookup(std::string_view key) {
    const std::string* value = store_.find(key);
    return value ? Lookup::found(*value) : Lookup::notFound();
}

base::Status MemoryDict::doUpdate(std::string_view key, std::string_view value) {
    store_.put(key, value);
    return {};
}

base::Result<bool> MemoryDict::doRemove(std::string_view key) { return store_.erase(key); }

base::Status MemoryDict::doForEach(const ForEachFn& fn) {
    for (const auto& [key, value] : store_.entries())
        if (!fn(key, value)) break;
    return {};
}

}  // namespace postline::maps::detail
