// import_environment's name=value entries, applied to this process's environment as
// Postfix 3.7's update_env() (global/clean_env.c) applies them: entries are separated
// by commas or white space; a bare name (keep this variable) changes nothing here.
// The queue commands (postcat, postsuper) call it after reading main.cf.
#pragma once

#include <string_view>

namespace postline::config {

// Sets every NAME=VALUE entry of `value` (the parameter's expanded value) with setenv().
void applyImportEnvironment(std::string_view value);

}  // namespace postline::config
