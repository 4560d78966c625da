// The postmap(1) command as a library (postmap_impl). Mirrors Postfix 3.7's
// postmap/postmap.c: same options, output, messages and exit codes.
#pragma once

namespace postline::tools {

// postmap [-bfFhimnNoprsuUvw] [-c config_dir] [-d key] [-q key] [map_type:]file...
// Returns the exit status; fatal errors end the process with status 1, as in Postfix.
int runPostmap(int argc, char** argv);

}  // namespace postline::tools
