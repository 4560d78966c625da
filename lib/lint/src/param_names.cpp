// collectReferences() and closestParameterName(): see param_names.h.
#include "param_names.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "context.h"
#include "postline/base/msg.h"
#include "postline/config/registry.h"

namespace postline::lint {

size_t editDistance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

config::NameSpace buildNameSpace(const LintContext& context) {
    config::NameSpace names(context.config(), context.master(), context.configDir());
    base::MsgSink previous = base::msgSink();
    base::setMsgSink([](base::Severity, std::string_view) {});
    names.setKeepGoing(true);
    names.registerBuiltin();
    names.registerService();
    // A macro error or a malformed client file stops postconf; the names found so far
    // still tell which settings are unused.
    (void)names.registerUser();
    base::setMsgSink(std::move(previous));
    return names;
}

std::string closestParameterName(std::string_view name) {
    std::string best;
    size_t bestDistance = 3;
    for (const auto& p : config::builtinParameters()) {
        if (p.flags & config::kLegacy) continue;
        size_t d = editDistance(name, p.name);
        if (d < bestDistance) bestDistance = d, best = std::string(p.name);
    }
    return best;
}

void collectReferences(std::string_view value, std::set<std::string>& out, bool requiredOnly) {
    for (size_t i = 0; i + 1 < value.size(); ++i) {
        if (value[i] != '$') continue;
        if (value[i + 1] == '$') {
            ++i;
            continue;
        }
        size_t start = i + 1;
        char close = 0;
        if (value[start] == '{' || value[start] == '(') close = value[start] == '{' ? '}' : ')', ++start;
        size_t end = start;
        while (end < value.size() && (std::isalnum(static_cast<unsigned char>(value[end])) || value[end] == '_')) ++end;
        if (end == start) continue;
        bool conditional = close && end < value.size() && (value[end] == '?' || value[end] == ':');
        if (!requiredOnly || !conditional) out.insert(std::string(value.substr(start, end - start)));
    }
}

}  // namespace postline::lint
