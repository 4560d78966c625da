// A time parameter's value in seconds, as Postfix's conv_time() reads one ("300",
// "300s", "5m", "1h", "2d", "1w"): digits, then at most one unit letter (either case),
// `defaultUnit` when there is none.
#pragma once

#include <optional>
#include <string_view>

namespace postline::config {

// nullopt for a value that is not digits with an optional unit (or too large).
std::optional<long> timeValue(std::string_view value, char defaultUnit = 's');

}  // namespace postline::config
