// MapList: Postfix's maps_create/maps_find (global/maps.c) over our Dict registry.
// Unavailable tables behave like Postfix's dict_surrogate: every lookup that reaches
// them is a temporary error, so mail is deferred rather than misrouted.
#include "postline/maps/map_list.h"

#include "postline/config/config.h"
#include "postline/maps/table_redirect.h"

namespace postline::maps {

std::vector<std::string> splitMapSpecs(std::string_view text) {
    std::vector<std::string> out;
    std::string cur;
    int depth = 0;
    auto flush = [&] {
        if (!cur.empty()) out.push_back(std::move(cur));
        cur.clear();
    };
    for (char c : text) {
        if (depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
            flush();
            continue;
        }
        if (c == '{') ++depth;
        if (c == '}' && depth > 0) --depth;
        cur.push_back(c);
    }
    flush();
    return out;
}

MapList::MapList(MapList&&) noexcept = default;
MapList& MapList::operator=(MapList&&) noexcept = default;
MapList::~MapList() = default;

MapList MapList::empty(std::string title) {
    MapList list;
    list.title_ = std::move(title);
    return list;
}

void MapList::add(std::string spec, base::Result<std::unique_ptr<Dict>> opened) {
    Entry entry;
    entry.spec = std::move(spec);
    if (opened) {
        entry.dict = std::move(*opened);
    } else {
        entry.openError = opened.error().message;
        openWarnings_.push_back(entry.spec + " is unavailable. " + entry.openError);
    }
    entries_.push_back(std::move(entry));
}

MapList MapList::create(std::string title, std::string_view specs, uint32_t dictFlags, const OpenContext& context) {
    MapList list = empty(std::move(title));
    // A redirected table is named as opened, so lookups say which file answered.
    for (auto& spec : splitMapSpecs(specs)) {
        std::string opened = redirectedSpec(spec);
        list.add(opened, openDict(opened, OpenMode::Read, dictFlags, context));
    }
    return list;
}

MapList MapList::fromParameter(const config::Config& config, std::string_view name, uint32_t dictFlags) {
    OpenContext context;
    context.config = &config;
    return create(std::string(name), config.get(name), dictFlags, context);
}

std::vector<std::string> MapList::specs() const {
    std::vector<std::string> out;
    for (auto& e : entries_) out.push_back(e.spec);
    return out;
}

MapHit MapList::find(std::string_view key, uint32_t requiredFlags) {
    MapHit hit;
    if (key.empty()) return hit;
    for (auto& e : entries_) {
        if (!e.dict) {
            // A surrogate table: its type flags are unknown, so ask the registry.
            auto spec = parseDictSpec(e.spec, "");
            const DictType* type = findDictType(spec.type);
            if (requiredFlags != 0 && type && (type->typeFlags & requiredFlags) == 0) continue;
            hit.status = DictStatus::Retry;
            hit.table = e.spec;
            hit.error = e.spec + " is unavailable. " + e.openError;
            hit.warnings.push_back(hit.error);
            hit.warnings.push_back(e.spec + " lookup error for \"" + std::string(key) + "\"");  // maps_find()
            return hit;
        }
        if (requiredFlags != 0 && (e.dict->flags() & requiredFlags) == 0) continue;
        Lookup r = e.dict->lookup(key);
        if (r.isFound()) {
            hit.table = e.spec;
            if (r.value.empty()) {
                hit.status = DictStatus::ConfigError;
                hit.warnings.push_back(title_ + " lookup of " + std::string(key) + " returns an empty string result");
                hit.warnings.push_back(title_ + " should return NO RESULT in case of NOT FOUND");
                hit.error = hit.warnings.front();
                return hit;
            }
            hit.status = DictStatus::Found;
            hit.value = std::move(r.value);
            return hit;
        }
        if (r.isError()) {
            hit.status = r.status;
            hit.table = e.spec;
            hit.error = r.error;
            hit.warnings.push_back(e.dict->diagnosticSpec() + " lookup error for \"" + std::string(key) + "\"");
            return hit;
        }
    }
    return hit;
}

}  // namespace postline::maps
