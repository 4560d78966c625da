// SourceTables: a parameter's tables read from their sources, and the in-memory tables
// that answer lookups from them as the built files will.
#include "source_tables.h"

#include <deque>
#include <memory>
#include <set>
#include <unordered_map>

#include "captured_warnings.h"
#include "postline/address/alias_source.h"
#include "postline/address/table_open.h"
#include "postline/base/files.h"
#include "postline/base/strings.h"
#include "postline/maps/default_tables.h"
#include "postline/maps/dict.h"
#include "postline/maps/registry.h"
#include "postline/maps/table_source.h"

namespace postline::lint {

namespace {

// The tables postmap or postalias build from a source file, and texthash, which reads
// one when it opens.
bool readsSource(const maps::DictSpec& spec) {
    const maps::DictType* type = maps::findDictType(spec.type);
    return type && !spec.name.starts_with("{") && (!type->suffix.empty() || spec.type == "texthash");
}

// One table's entries, looked up the way the built table answers: the key folded as
// postmap folds it when it builds (FOLD_FIX), the first definition of a key kept
// (postmap keeps the first and warns about the others).
class SourceDict : public maps::Dict {
public:
    SourceDict(const maps::DictSpec& spec, uint32_t flags, const SourceEntry* first, size_t count)
        : Dict(spec.type, spec.name, flags | typeFlags(spec.type)) {
        index_.reserve(count);
        for (const SourceEntry* e = first; e != first + count; ++e) {
            std::string folded = foldKey(e->key);
            std::string_view key = e->key;
            if (folded != e->key) key = foldedKeys_.emplace_back(std::move(folded));
            index_.emplace(key, e);
        }
    }

protected:
    maps::Lookup doLookup(std::string_view key) override {
        auto it = index_.find(key);
        if (it == index_.end()) return maps::Lookup::notFound();
        return maps::Lookup::found(it->second->value);
    }

private:
    static uint32_t typeFlags(const std::string& type) {
        const maps::DictType* t = maps::findDictType(type);
        return t ? t->typeFlags : 0;
    }

    std::deque<std::string> foldedKeys_;  // keys that folding changed (the others view the entries)
    std::unordered_map<std::string_view, const SourceEntry*> index_;
};

}  // namespace

SourceTables::SourceTables(const LintContext& context, std::string_view parameter)
    : config_(context.config()), parameter_(parameter) {
    std::set<std::string> aliasTables = maps::aliasTables(context.config(), context.master());
    for (const std::string& item : maps::splitMapSpecs(context.value(parameter))) {
        Table table;
        table.text = item;
        std::string_view spec = item;
        while (spec.starts_with("proxy:")) spec.remove_prefix(6);
        table.spec = context.tableUnderRoot(maps::parseDictSpec(spec, ""));
        table.aliasFormat = aliasTables.count(base::cat(table.spec.type, ":", table.spec.name)) > 0;
        tables_.push_back(std::move(table));
    }
}

void SourceTables::read() {
    for (uint32_t index = 0; index < tables_.size(); ++index) {
        Table& table = tables_[index];
        if (table.fromSource || !readsSource(table.spec)) continue;
        auto text = base::readFile(table.spec.name);
        if (!text) continue;
        table.fromSource = true;
        table.first = entries_.size();
        const std::string& name = table.spec.name;
        // The warnings are the tables family's findings (table-format).
        (void)captureWarnings([&] {
            if (table.aliasFormat) {
                (void)address::readAliasSource(*text, name, {},
                                               [&](const std::string& key, const std::string& value, int line) {
                                                   entries_.push_back({key, value, index, line});
                                                   return base::Status{};
                                               });
            } else {
                (void)maps::forEachSourceRecord(
                    *text, name, false, [&](const maps::SourceRecord& r, int line) -> base::Status {
                        entries_.push_back({std::string(r.key), std::string(r.value), index, line});
                        return {};
                    });
            }
        });
        table.count = entries_.size() - table.first;
    }
}

bool SourceTables::allKnown(const LintContext& context) const {
    for (const Table& table : tables_) {
        if (maps::isInLineTable(table.text)) continue;  // main.cf holds it
        if (!context.knownSource(table.spec.type, table.spec.name, table.aliasFormat)) return false;
    }
    return true;
}

maps::MapList SourceTables::mapList(uint32_t flags) const {
    auto list = maps::MapList::empty(parameter_);
    for (const Table& table : tables_) {
        if (table.fromSource) {
            list.add(table.text, std::unique_ptr<maps::Dict>(std::make_unique<SourceDict>(
                                     table.spec, flags, entries_.data() + table.first, table.count)));
        } else {
            maps::OpenContext open;
            open.config = &config_;
            list.add(table.text, address::openAddressTable(table.text, flags, open));
        }
    }
    return list;
}

}  // namespace postline::lint
