// The postsuper(1) command as a library (postsuper_impl). Mirrors Postfix 3.7's
// postsuper/postsuper.c: same options, messages and exit codes.
#pragma once

namespace postline::tools {

// postsuper [-psSv] [-c config_dir] [-d|-e|-f|-h|-H|-r queue_id] [queue...]
// Returns the exit status (0); fatal errors end the process with status 1.
int runPostsuper(int argc, char** argv);

}  // namespace postline::tools
