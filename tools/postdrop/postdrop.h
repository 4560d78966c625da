// The postdrop(1) command as a library (postdrop_impl). Mirrors Postfix 3.7's
// postdrop/postdrop.c: reads queue file records on stdin, checks them and writes a
// maildrop file, telling the caller its queue id and the outcome.
#pragma once

namespace postline::tools {

// postdrop [-rv] [-c config_dir]: returns the exit status (a CLEANUP_STAT_* value);
// fatal errors end the process with status 1 after removing the unfinished file.
int runPostdrop(int argc, char** argv);

}  // namespace postline::tools
