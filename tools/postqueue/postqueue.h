// The postqueue(1) and mailq(1) commands as a library (postqueue_impl). Mirrors Postfix
// 3.7's postqueue/postqueue.c (and, for mailq, the part of sendmail/sendmail.c that
// hands over to postqueue): same options, output, messages and exit codes.
#pragma once

namespace postline::tools {

// postqueue [-v] [-c config_dir] -p | -j | -f | -i queue_id | -s site
// Returns 0; fatal errors end the process with status 69 (EX_UNAVAILABLE), as Postfix's
// run-time error handler makes every fatal error do.
int runPostqueue(int argc, char** argv);

// mailq [sendmail options]: "postqueue -p" (with -q: "postqueue -f"); sendmail's usage
// errors end with status 75 (EX_TEMPFAIL).
int runMailq(int argc, char** argv);

}  // namespace postline::tools
