// The one table of table types, keyed by Postfix's names (util/dict_open.c dict_open_dflt).
#include "postline/maps/registry.h"

#include <algorithm>

#include "backends.h"
#include "postline/base/strings.h"
#include "postline/maps/table_redirect.h"

namespace postline::maps {

namespace {

using namespace backend;

constexpr DictType kTypes[] = {
#ifdef POSTLINE_WITH_BDB
    {"btree", openBtree, flag::kFixed, true, "db"},
#endif
    {"cidr", openCidr, flag::kPattern, false, ""},
    {"environ", openEnviron, flag::kFixed, false, ""},
    {"fail", openFail, 0, true, ""},
#ifdef POSTLINE_WITH_BDB
    {"hash", openHash, flag::kFixed, true, "db"},
#endif
    {"inline", openInline, flag::kFixed, false, ""},
    {"internal", openInternal, flag::kFixed, false, ""},
#ifdef POSTLINE_WITH_LMDB
    {"lmdb", openLmdb, flag::kFixed | flag::kMultiWriter, true, "lmdb"},
#endif
#ifdef POSTLINE_WITH_PCRE
    {"pcre", openPcre, flag::kPattern, false, ""},
#endif
    {"pipemap", openPipemap, 0, false, ""},
    {"regexp", openRegexp, flag::kPattern, false, ""},
    {"static", openStatic, flag::kFixed, false, ""},
    {"texthash", openTexthash, flag::kFixed, false, ""},
    {"unionmap", openUnionmap, 0, false, ""},
};

}  // namespace

DictSpec parseDictSpec(std::string_view spec, std::string_view defaultType) {
    auto colon = spec.find(':');
    if (colon == std::string_view::npos) return {std::string(defaultType), std::string(spec)};
    return {std::string(spec.substr(0, colon)), std::string(spec.substr(colon + 1))};
}

const DictType* findDictType(std::string_view name) {
    for (const auto& type : kTypes)
        if (type.name == name) return &type;
    return nullptr;
}

std::vector<std::string_view> dictTypeNames() {
    std::vector<std::string_view> names;
    for (const auto& type : kTypes) names.push_back(type.name);
    std::sort(names.begin(), names.end());
    return names;
}

base::Result<std::unique_ptr<Dict>> openDict(const DictSpec& spec, OpenMode mode, uint32_t flags,
                                             const OpenContext& context) {
    // dict_open3(): both halves of "type:name" must be present.
    if (spec.type.empty() || spec.name.empty())
        return base::Error{
            base::cat("open dictionary: expecting \"type:name\" form instead of \"", spec.type, ":", spec.name, "\"")};
    const DictType* type = findDictType(spec.type);
    if (!type) return base::Error{"unsupported dictionary type: " + spec.type};
    return type->open(spec, mode, flags | type->typeFlags, context);
}

base::Result<std::unique_ptr<Dict>> openDict(std::string_view spec, OpenMode mode, uint32_t flags,
                                             const OpenContext& context) {
    if (mode == OpenMode::Read) {
        std::string redirected = redirectedSpec(spec);
        if (redirected != spec) return openDict(redirected, mode, flags, context);
    }
    auto colon = spec.find(':');
    if (colon == std::string_view::npos)
        return base::Error{base::cat("open dictionary: expecting \"type:name\" form instead of \"", spec, "\"")};
    return openDict(parseDictSpec(spec, ""), mode, flags, context);
}

}  // namespace postline::maps
