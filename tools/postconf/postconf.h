// The postconf(1) command as a library (postconf_impl). Mirrors Postfix 3.7's
// postconf/postconf.c: same options, output, messages and exit codes.
#pragma once

namespace postline::tools {

// postconf [-aAdefFhHlmMnpPvxX#] [-c config_dir] [-o name=value] [name...]
// Returns the exit status; fatal errors end the process with status 1, as in Postfix.
int runPostconf(int argc, char** argv);

}  // namespace postline::tools
