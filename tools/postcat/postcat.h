// The postcat(1) command as a library (postcat_impl). Mirrors Postfix 3.7's
// postcat/postcat.c: same options, output, messages and exit codes.
#pragma once

namespace postline::tools {

// postcat [-bdehoqrv] [-c config_dir] [-s offset] [files...]
// Returns the exit status (0); fatal errors end the process with status 1, as in Postfix.
int runPostcat(int argc, char** argv);

}  // namespace postline::tools
