// import_environment's name=value entries, applied to this process's environment as
// Postfix 3.7's update_env() (global/clean_env.c) applies them: entries are separated
// by commas or white space; a bare name (keep this variable) changes nothing here.
// The queue commands (postcat, postsuper) call it after reading main.cf. clean_env(),
// the stricter form, keeps nothing else: the set-gid commands (postdrop, postqueue).
#pragma once

#include <string_view>

namespace postline::config {

// Sets every NAME=VALUE entry of `value` (the parameter's expanded value) with setenv().
void applyImportEnvironment(std::string_view value);

// clean_env(): the environment becomes only what `value` names: a bare NAME keeps its
// current value (when set), NAME=VALUE sets one; everything else is removed.
void cleanEnvironment(std::string_view value);

}  // namespace postline::config
