// The table-type registry (Postfix's dict_open.c table): one row per type, keyed by
// Postfix's type names, and the `type:name` spec syntax.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "postline/base/result.h"
#include "postline/maps/dict.h"

namespace postline::config {
class Config;
}

namespace postline::maps {

// What a backend needs from its surroundings: main.cf values (lmdb_map_size,
// berkeley_db_*_buffer_size, config_directory, …). `config` may be null: defaults apply.
struct OpenContext {
    const config::Config* config = nullptr;
};

// A parsed `type:name`. For brace forms (`inline:{…}`) `name` keeps the braces.
struct DictSpec {
    std::string type;
    std::string name;
};

// Splits "type:name"; without a colon the type is `defaultType`.
DictSpec parseDictSpec(std::string_view spec, std::string_view defaultType);

using DictOpenFn = base::Result<std::unique_ptr<Dict>> (*)(const DictSpec& spec, OpenMode mode, uint32_t flags,
                                                           const OpenContext& context);

struct DictType {
    std::string_view name;  // Postfix's type name
    DictOpenFn open;
    uint32_t typeFlags;       // flag::kFixed or flag::kPattern (others as the backend sets)
    bool creatable;           // postmap/postalias can build it from a source file
    std::string_view suffix;  // file suffix of the indexed file ("db", "lmdb"), or empty
};

// The row for a type, or nullptr when the type is unknown or compiled out.
const DictType* findDictType(std::string_view name);
// Every known type, sorted by name (postconf -m).
std::vector<std::string_view> dictTypeNames();

// Opens a table. Unknown type: "unsupported dictionary type: TYPE".
base::Result<std::unique_ptr<Dict>> openDict(const DictSpec& spec, OpenMode mode, uint32_t flags,
                                             const OpenContext& context = {});
base::Result<std::unique_ptr<Dict>> openDict(std::string_view spec, OpenMode mode, uint32_t flags,
                                             const OpenContext& context = {});

}  // namespace postline::maps
