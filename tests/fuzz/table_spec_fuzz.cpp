// In-line tables and the other specs that need no file (util/dict_inline.c,
// dict_static.c, dict_union.c, dict_pipe.c, and the in-line {rule, ...} forms of regexp,
// pcre and cidr): the input is a `type:name` spec as main.cf writes one; the first line is
// the spec, the next lines keys to look up.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "postline/maps/brace_list.h"
#include "postline/maps/registry.h"

namespace {

// Types whose name is not a file, so that no input opens files of the machine. A nested
// spec of unionmap/pipemap is checked the same way before the whole spec is opened.
bool fileless(std::string_view type) {
    for (std::string_view t : {"inline", "static", "regexp", "pcre", "cidr", "unionmap", "pipemap", "fail"})
        if (type == t) return true;
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace postline;
    fuzz::quietDiagnostics();
    std::string_view text = fuzz::asText(data, size);
    std::string_view specText = fuzz::firstLine(text);
    maps::DictSpec spec = maps::parseDictSpec(specText, "inline");
    if (!fileless(spec.type)) return 0;
    bool braced = spec.name.size() >= 2 && spec.name.front() == '{' && spec.name.back() == '}';
    if (spec.type != "static" && spec.type != "fail" && !braced) return 0;
    if (spec.type == "unionmap" || spec.type == "pipemap") {
        auto parts = maps::detail::parseBraceList(spec.name);
        if (!parts) return 0;
        for (const std::string& part : *parts) {
            maps::DictSpec inner = maps::parseDictSpec(part, "inline");
            if (!fileless(inner.type) || inner.type == "unionmap" || inner.type == "pipemap") return 0;
            bool innerBraced = inner.name.size() >= 2 && inner.name.front() == '{';
            if (inner.type != "static" && inner.type != "fail" && !innerBraced) return 0;
        }
    }
    for (uint32_t flags : {0u, maps::flag::kFoldFix | maps::flag::kUtf8Request}) {
        auto dict = maps::openDict(spec, maps::OpenMode::Read, flags);
        if (!dict) continue;
        std::string_view keys = text;
        for (int i = 0; i < 8 && !keys.empty(); ++i) (void)(*dict)->lookup(fuzz::firstLine(keys));
        (void)(*dict)->lookup("user@example.com");
    }
    return 0;
}
