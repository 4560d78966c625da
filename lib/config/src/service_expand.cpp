// expandForService(): main.cf expansion with a service's -o options put over it.
#include "postline/config/service_expand.h"

#include <optional>
#include <utility>
#include <vector>

namespace postline::config {

std::string expandForService(const Config& config, const MasterEntry& service, std::string_view text) {
    std::vector<std::pair<std::string, std::string>> options = service.params();
    auto lookup = [&](std::string_view name) -> std::optional<std::string> {
        for (auto it = options.rbegin(); it != options.rend(); ++it)
            if (it->first == name) return it->second;
        if (name == "service_name") return service.name();
        return config.raw(name);
    };
    return macroExpand(text, kMacroRecurse, lookup).text;
}

}  // namespace postline::config
