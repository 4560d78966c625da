// compatLevelFromString() and checkCompatibilityLevel(): see compat_level.h.
#include "postline/config/compat_level.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <string>

#include "postline/base/strings.h"
#include "postline/config/config.h"

namespace postline::config {

std::optional<long> compatLevelFromString(std::string_view text) {
    // compat_level.c: major[.minor[.patch]], each read with strtol() (leading whitespace
    // and a sign are accepted, a negative number is not), encoded into one long with
    // 10 bits each for minor and patch.
    constexpr int kMinorShift = 10, kMajorShift = 20;
    constexpr long kMaxMinor = 0x3ff, kMaxPatch = 0x3ff;
    std::string str(text.substr(0, text.find('\0')));
    const char* start = str.c_str();
    char* end = nullptr;
    long limits[3] = {LONG_MAX >> kMajorShift, kMaxMinor, kMaxPatch};
    int shifts[3] = {kMajorShift, kMinorShift, 0};
    long result = 0;
    for (int part = 0; part < 3; ++part) {
        errno = 0;
        long value = std::strtol(start, &end, 10);
        bool last = part == 2;
        if (start == end || (*end != 0 && (last || *end != '.')) || errno == ERANGE || value < 0 ||
            value > limits[part])
            return std::nullopt;
        result |= value << shifts[part];
        if (*end == 0) return result;
        start = end + 1;
    }
    return std::nullopt;
}

base::Status checkCompatibilityLevel(const Config& config) {
    std::string level = config.get("compatibility_level");
    if (compatLevelFromString(level)) return {};
    return base::Error{base::cat("malformed compatibility level syntax: \"", level, "\"")};
}

}  // namespace postline::config
