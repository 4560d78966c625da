// postfix(1): Postfix's postfix command and the postfix-script it runs (postfix/postfix.c,
// conf/postfix-script) for a Postline mail system: start compiles the configuration
// when it changed, then runs master; stop, reload, status, abort, check, flush,
// set-permissions.
#pragma once

namespace postline::tools {

// argv as the command line gives it. Returns the exit status (0, or 1 as
// postfix-script's failures).
int runPostfix(int argc, char** argv);

}  // namespace postline::tools
