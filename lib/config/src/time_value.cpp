// Time values in seconds (global/conv_time.c).
#include "postline/config/time_value.h"

namespace postline::config {

std::optional<long> timeValue(std::string_view value, char defaultUnit) {
    size_t digits = 0;
    long n = 0;
    while (digits < value.size() && value[digits] >= '0' && value[digits] <= '9') {
        if (digits == 12) return std::nullopt;  // past any sensible time
        n = n * 10 + (value[digits] - '0');
        ++digits;
    }
    if (digits == 0 || value.size() > digits + 1) return std::nullopt;
    char unit = digits < value.size() ? value[digits] : defaultUnit;
    switch (unit | 0x20) {  // ASCII lower case
        case 's':
            return n;
        case 'm':
            return n * 60;
        case 'h':
            return n * 3600;
        case 'd':
            return n * 86400;
        case 'w':
            return n * 604800;
        default:
            return std::nullopt;
    }
}

}  // namespace postline::config
