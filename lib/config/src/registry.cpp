// The built-in parameter table (generated) and its lookups (postconf_builtin.c).
#include "postline/config/registry.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <string>

#include "postline/base/strings.h"

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

std::optional<ParameterBounds> bounds(std::string_view name) {
    const ParameterInfo* info = findBuiltinParameter(name);
    if (!info || (info->minValue == 0 && info->maxValue == 0)) return std::nullopt;
    return ParameterBounds{info->minValue, info->maxValue};
}

std::optional<long long> numericValue(const ParameterInfo& info, std::string_view value) {
    if (info.type != ParamType::Integer && info.type != ParamType::Size && info.type != ParamType::Time)
        return std::nullopt;
    std::string_view digits = value;
    bool negative = !digits.empty() && digits.front() == '-';
    if (negative) digits.remove_prefix(1);
    char unit = 0;
    if (info.type == ParamType::Time) {
        if (negative) return std::nullopt;  // conv_time() rejects negative times
        if (!digits.empty() && std::isalpha(static_cast<unsigned char>(digits.back()))) {
            unit = digits.back();
            digits.remove_suffix(1);
        } else {
            char last = info.defaultValue.empty() ? 's' : info.defaultValue.back();
            unit = std::isalpha(static_cast<unsigned char>(last)) ? last : 's';
        }
    }
    if (digits.empty() || digits.size() > 18 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    long long n = std::stoll(std::string(digits));
    if (negative) n = -n;
    long long limit = info.type == ParamType::Size ? LLONG_MAX : INT_MAX;
    if (n > limit || n < -limit) return std::nullopt;
    if (info.type != ParamType::Time) return n;
    long long scale = 1;
    switch (unit) {
        case 'w':
            scale = 7 * 24 * 3600;
            break;
        case 'd':
            scale = 24 * 3600;
            break;
        case 'h':
            scale = 3600;
            break;
        case 'm':
            scale = 60;
            break;
        case 's':
            break;
        default:
            return std::nullopt;
    }
    if (n >= INT_MAX / scale && scale > 1) return std::nullopt;
    return n * scale;
}

std::string boundsProblem(const ParameterInfo& info, std::string_view value) {
    auto n = numericValue(info, value);
    if (!n || (info.minValue == 0 && info.maxValue == 0)) return "";
    std::string name(info.name);
    bool time = info.type == ParamType::Time;
    if (info.minValue && *n < info.minValue)
        return time ? base::cat("invalid ", name, ": ", *n, " (min ", info.minValue, ")")
                    : base::cat("invalid ", name, " parameter value ", *n, " < ", info.minValue);
    if (info.maxValue && *n > info.maxValue)
        return time ? base::cat("invalid ", name, ": ", *n, " (max ", info.maxValue, ")")
                    : base::cat("invalid ", name, " parameter value ", *n, " > ", info.maxValue);
    return "";
}

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
        case ParamType::MatchList:
            return "match list";
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
