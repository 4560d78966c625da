// The catalogue of lint rules: every rule id the linter can report, its default severity
// and a one-line summary (docs/lint-rules.md explains each one with an example).
#pragma once

#include <span>
#include <string_view>

#include "postline/lint/diagnostic.h"

namespace postline::lint {

struct RuleInfo {
    std::string_view id;
    Severity severity;
    std::string_view family;  // "tables", "relay", "domains", "tls", ...
    std::string_view summary;
};

std::span<const RuleInfo> ruleCatalog();
// The rule `id`, or nullptr.
const RuleInfo* findRule(std::string_view id);

}  // namespace postline::lint
