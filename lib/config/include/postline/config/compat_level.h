// Compatibility levels as Postfix reads them (mirrors global/compat_level.c and the
// check in global/mail_params.c mail_params_init()): "major[.minor[.patch]]", compared
// as one number; a malformed compatibility_level stops every program that reads main.cf.
#pragma once

#include <optional>
#include <string_view>

#include "postline/base/result.h"

namespace postline::config {

class Config;

// compat_level_from_string(): the level as one comparable number, or nullopt when it is
// malformed ("junk", "3..6", "", "-1", a part out of range: minor and patch 0-1023).
std::optional<long> compatLevelFromString(std::string_view text);

// mail_params_init(): the expanded compatibility_level of `config` must be a level, else
// the error "malformed compatibility level syntax: \"VALUE\"" (fatal in postmap,
// postalias, postconf -m, ...).
base::Status checkCompatibilityLevel(const Config& config);

}  // namespace postline::config
