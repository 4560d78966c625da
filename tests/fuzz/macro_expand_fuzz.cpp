// `$name` expansion alone (config::macroExpand, util/mac_expand.c and mac_parse.c):
// the input's first line is the text to expand, its other lines `name=value`
// definitions of the lookup; both flag sets are tried (recursive, and scan only).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "fuzz_support.h"
#include "postline/config/expand.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace postline;
    std::string_view text = fuzz::asText(data, size);
    std::string_view pattern = fuzz::firstLine(text);
    std::map<std::string, std::string, std::less<>> values;
    while (!text.empty()) {
        std::string_view line = fuzz::firstLine(text);
        size_t eq = line.find('=');
        if (eq == std::string_view::npos) continue;
        // main.cf's `name = value`, so that main.cf files serve as seeds.
        std::string_view name = line.substr(0, eq), value = line.substr(eq + 1);
        while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        values[std::string(name)] = std::string(value);
    }
    config::MacroLookup lookup = [&](std::string_view name) -> std::optional<std::string> {
        auto it = values.find(name);
        if (it == values.end()) return std::nullopt;
        return it->second;
    };
    for (unsigned flags : {0u, unsigned(config::kMacroRecurse), unsigned(config::kMacroScan),
                           unsigned(config::kMacroRecurse | config::kMacroScan)})
        (void)config::macroExpand(pattern, flags, lookup);
    (void)config::compareCompatLevels(pattern, "3.6");
    return 0;
}
