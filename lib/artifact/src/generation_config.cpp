// configOf and tableRedirectOf: a generation read back as a configuration.
#include "postline/artifact/generation_config.h"

namespace postline::artifact {

config::Config configOf(const Generation& generation) {
    auto config = config::Config::defaults(generation.configDirectory());
    for (const auto& [name, setting] : generation.parameters()) {
        if (setting.origin != "default")
            config.set(name, setting.value);
        else if (!config.raw(name))
            config.addDefault(name, setting.value);  // a per-service default master.cf created
    }
    return config;
}

maps::TableRedirect::Map tableRedirectOf(const Generation& generation) {
    // The generation outlives the redirect in every caller; the lookup copies nothing.
    return [&generation](std::string_view spec) -> std::optional<std::string> {
        std::string_view reference = spec;
        while (reference.starts_with("proxy:") && reference.find(':', 6) != std::string_view::npos)
            reference.remove_prefix(6);
        for (const CompiledTable& table : generation.tables())
            if (table.compiled && table.reference == reference) return table.spec;
        return std::nullopt;
    };
}

}  // namespace postline::artifact
