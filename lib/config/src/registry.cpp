// The built-in parameter table (generated) and its lookups (postconf_builtin.c).
#include "postline/config/registry.h"

#include <algorithm>

namespace postline::config {
namespace {
#include "parameter_table.inc"
}  // namespace

std::span<const ParameterInfo> builtinParameters() { return kParameterTable; }

const ParameterInfo* findBuiltinParameter(std::string_view name) {
    auto it = std::lower_bound(std::begin(kParameterTable), std::end(kParameterTable), name,
                               [](const ParameterInfo& p, std::string_view n) { return p.name < n; });
    return it != std::end(kParameterTable) && it->name == name ? &*it : nullptr;
}

std::span<const ServiceParamTemplate> serviceParameterTemplates() { return kServiceParamTable; }

std::string_view paramTypeName(ParamType type) {
    switch (type) {
        case ParamType::Boolean:
            return "boolean";
        case ParamType::Integer:
            return "integer";
        case ParamType::Time:
            return "time";
        case ParamType::Size:
            return "size";
        case ParamType::List:
            return "list";
        case ParamType::MapList:
            return "map list";
        case ParamType::RestrictionList:
            return "restriction list";
        case ParamType::Enum:
            return "enum";
        case ParamType::String:
            return "string";
    }
    return "string";
}

}  // namespace postline::config
